import BLASKit
import FlowModel
import GSLKit

/// The minimiser of the finite-d objective J (AT.2) with the z-average done exactly (Stein's lemma,
/// CV.2–CV.5), reached by BFGS from the initialisation with a stopping rule on the gradient norm
/// (CV.6); the first epoch does all the work, later epochs change nothing. Its penalties are the
/// flags', or Kλd/2 of the authors' Adam at the same d when `convergedPenaltiesFromWeightDecay`.
///
///     var options = TrainingOptions(); options.trainingProtocol = .converged; options.epochs = 1
public struct ConvergedProtocol: TrainingProtocol {
    public init() {}
    public var name: String { "converged" }
    /// Unused (no learning rate); recorded as 1.
    public var defaultLearningRate: Double { 1 }
    public var trainsSingleTimes: Bool { true }
    /// The first epoch is the whole minimisation.
    public var uniformEpochs: Bool { false }
    /// The parameter resolution of the stopping rule (CV.6): each parameter to ~1e-7; below that a
    /// deviation is the solver's, not the theory's (e.g. ω ≈ 1e-9 on the trivial branch).
    public var resolution: Double { 1e-6 }

    /// FD.4b (finite-d-corrections.md §3b): on the trivial branch, or on the flat approach to it that a descent
    /// can end on near τ = 2 (CV.7), when r is below a tenth of the learned branch's r (or at the absolute floor).
    /// On the learned branch a seed's r is its theory's to O((nd)^{-1/2}).
    public func isTrivial(_ x: OrderParameters, learnedWidth: Double) -> Bool {
        x.r <= max(TrainingProtocols.trivialWidth, Self.relativeTrivialWidth * learnedWidth)
    }
    /// FD.4b: the fraction of the learned branch's r below which a converged network is counted trivial.
    public static let relativeTrivialWidth = 0.1

    public func staticTheoryPenalties(_ options: TrainingOptions, dimension d: Int, steps K: Int) -> (u: Double, w: Double) {
        options.convergedPenaltiesFromWeightDecay ? AdamProtocol().staticTheoryPenalties(options, dimension: d, steps: K)
                                                  : (options.penaltyU, options.penaltyW)
    }

    public func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T> { State<T>(moments: try TanhMoments()) }

    final class State<T: BLASScalar>: TrainingState {
        let moments: TanhMoments
        private(set) var stopping: [StoppingState]? = nil
        init(moments: TanhMoments) { self.moments = moments }

        /// On the first epoch, every trained grid time's J is minimised exactly from the current bank
        /// (CV.6); later epochs leave the bank as it is. A failure of the minimiser (non-finite
        /// objective) leaves that time's stopping state unconverged and its loss as it was.
        func step(_ trainer: Trainer<T>) {
            guard stopping == nil else { return }
            let states = Buffer<StoppingState>(repeating: StoppingState(gradientNorm: .nan, iterations: 0, converged: false, objective: .nan),
                                               count: trainer.grid.steps)
            let penalties = trainer.options.staticTheoryPenalties(dimension: trainer.problem.d, steps: trainer.grid.steps)
            let bank = trainer.bank, data = trainer.data, grid = trainer.grid, loss = trainer.loss, trained = trainer.trained
            let lu = penalties.u, lw = penalties.w, moments = moments
            // One grid time per work item: the minimisations are independent (no shared state but disjoint columns).
            trainer.forEachBlock(grid.steps) { j in
                if trained[j], let (state, dataLoss) = try? ConvergedTraining.minimise(bank: bank, time: j, data: data, alpha: grid.alpha[j], beta: grid.beta[j],
                                                                                   penaltyU: lu, penaltyW: lw, moments: moments) {
                    states[j] = state
                    loss[j] = dataLoss
                }
            }
            stopping = states.array
        }
    }
}

extension TrainingProtocol where Self == ConvergedProtocol {
    /// The minimiser of J.
    public static var converged: ConvergedProtocol { ConvergedProtocol() }
}
