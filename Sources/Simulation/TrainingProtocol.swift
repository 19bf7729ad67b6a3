import BLASKit
import FlowModel

/// A training protocol of the bank (SIM.13–SIM.15, CV.6): its name, its default learning rate, its
/// time scale, the penalties of the static theory its fixed points correspond to, its rule for a
/// network on the trivial branch, and the state it carries from one epoch to the next with its step.
/// A new protocol is one conforming type in its own file and one line in `TrainingProtocols.all`;
/// the defaults below are those of a full-batch protocol on J.
///
///     var options = TrainingOptions()
///     options.trainingProtocol = .gd                        // or TrainingProtocols.named("gd")!
///     let t = options.trainingProtocol.time(epoch: 500, dimension: 200)   // 500: time is epochs
public protocol TrainingProtocol: Sendable {
    /// The `--protocol` value and the `protocol` column.
    var name: String { get }
    /// The learning rate when none is given.
    var defaultLearningRate: Double { get }
    /// Whether it trains on the n points of the training set (false: fresh samples every step, no fixed n).
    var fixedTrainingSet: Bool { get }
    /// Whether `TrainingOptions.trainedTimes` may restrict it to some grid times.
    var trainsSingleTimes: Bool { get }
    /// Whether the epochs cost alike, so that a probe of a few epochs times a run.
    var uniformEpochs: Bool { get }
    /// Epochs between two divergence checks (the check reads the whole bank).
    var divergenceCheckInterval: Int { get }
    /// The parameter resolution of its stopping rule (0: none), added in quadrature to standard errors.
    var resolution: Double { get }
    /// The training time after `epoch` epochs at dimension d.
    func time(epoch: Int, dimension d: Int) -> Double
    /// The one line refusing `epochs` beyond `Limits.epochs` at dimension d.
    func epochLimitMessage(epochs: Int, dimension d: Int) -> String
    /// The penalties (L_u, L_w) of the static theory's objective (AT.2) that its fixed points correspond to.
    func staticTheoryPenalties(_ options: TrainingOptions, dimension d: Int, steps K: Int) -> (u: Double, w: Double)
    /// Whether a network it trained sits on the trivial branch.
    func isTrivial(_ x: OrderParameters) -> Bool
    /// The same, given the r of the learned branch its theory predicts at that time (FD.4b); `isTrivial(x)`
    /// unless the protocol's label is relative.
    func isTrivial(_ x: OrderParameters, learnedWidth: Double) -> Bool
    /// The state it carries on `trainer` (called once, at the end of the trainer's initialisation).
    func makeState<T: BLASScalar>(for trainer: Trainer<T>) throws -> any TrainingState<T>
}

extension TrainingProtocol {
    public var fixedTrainingSet: Bool { true }
    public var trainsSingleTimes: Bool { false }
    public var uniformEpochs: Bool { true }
    public var divergenceCheckInterval: Int { 1 }
    public var resolution: Double { 0 }
    public func time(epoch: Int, dimension d: Int) -> Double { Double(epoch) }
    public func epochLimitMessage(epochs: Int, dimension d: Int) -> String { "epochs must be in [1, \(Limits.epochs)]; got \(epochs)" }
    /// The flags themselves: L_u, L_w of J.
    public func staticTheoryPenalties(_ options: TrainingOptions, dimension d: Int, steps K: Int) -> (u: Double, w: Double) {
        (options.penaltyU, options.penaltyW)
    }
    /// r = |w|²/d at or below `TrainingProtocols.trivialWidth`.
    public func isTrivial(_ x: OrderParameters) -> Bool { x.r <= TrainingProtocols.trivialWidth }
    public func isTrivial(_ x: OrderParameters, learnedWidth: Double) -> Bool { isTrivial(x) }
}

/// What a protocol carries from one epoch to the next on one trainer (its moments, scratch, counts),
/// and its step.
public protocol TrainingState<Scalar>: AnyObject {
    associatedtype Scalar: BLASScalar
    /// One epoch of `trainer` (whose `epoch` is already advanced).
    func step(_ trainer: Trainer<Scalar>)
    /// The arrays a checkpoint saves beyond the bank and the loss, in order.
    var savedArrays: [(name: String, values: SavedValues<Scalar>)] { get }
    /// The number of steps in the running loss average (saved as `online_count`; 0 where unused).
    var lossAverageCount: Int { get set }
    /// Converged protocol: where the minimiser stopped at each grid time (nil otherwise or before the first epoch).
    var stopping: [StoppingState]? { get }
}

extension TrainingState {
    public var savedArrays: [(name: String, values: SavedValues<Scalar>)] { [] }
    public var lossAverageCount: Int { get { 0 } set {} }
    public var stopping: [StoppingState]? { nil }
}

/// An array of a trainer's state, in Double or in the bank's precision T.
public enum SavedValues<T> {
    case double(UnsafeMutableBufferPointer<Double>)
    case scalar(UnsafeMutableBufferPointer<T>)
}

/// The registry: every protocol, in the order `--protocol` lists them.
///
///     let online = TrainingProtocols.named("online")   // OnlineProtocol; nil for an unknown name
public enum TrainingProtocols {
    /// Adding a protocol: one line here.
    public static let all: [any TrainingProtocol] = [
        AdamProtocol(),
        GradientDescentProtocol(),
        OnlineProtocol(),
        ConvergedProtocol(),
    ]

    public static func named(_ name: String) -> (any TrainingProtocol)? { all.first { $0.name == name } }

    /// r = |w|²/d at or below which a trained network counts as on the trivial branch (the converged
    /// protocol stops there at r ≈ 1e-13; on the learned branch r ≥ 1e-7 at every grid time measured).
    public static let trivialWidth = 1e-9
}
