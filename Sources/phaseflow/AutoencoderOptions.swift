import ArgumentParser
import Foundation
import FlowModel
import Theory

/// A count or dimension that may be infinite: a number, or `inf` for the n = ∞ / d = ∞ theory.
struct Extended: ExpressibleByArgument, CustomStringConvertible {
    let value: Double
    init(_ value: Double) { self.value = value }
    init?(argument: String) {
        let text = argument.lowercased()
        if ["inf", "infinity", "∞"].contains(text) { value = .infinity; return }
        guard let x = Double(argument), !x.isNaN else { return nil }
        value = x
    }
    var description: String { value.isFinite ? "\(value)" : "inf" }
    /// The value as an output cell: a whole number, a number, or "inf".
    var cell: Value {
        guard value.isFinite else { return .string("inf") }
        return value == value.rounded() && abs(value) < 1e15 ? .int(Int(value)) : .double(value)
    }
}

/// The flags of the autoencoder theory shared by `theory`, `predict` and `boundaries`: the target,
/// the training set, the penalties of J (AT.2) and the dilation constant.
struct AutoencoderOptions: ParsableArguments {
    @Option(help: "Probability p of the + mode, in (0, 1).")
    var p: Double = 0.8
    @Option(help: "Within-mode standard deviation σ > 0.")
    var sigma: Double = 1
    @Option(help: "Number n of training points (≥ 1), or inf for the closed forms.")
    var n: Extended = Extended(128)
    @Option(name: .customLong("n-plus"), help: "Training points in the + mode (default p·n; any value in (0, n)).")
    var nPlus: Double?
    @Option(name: .customLong("penalty-u"), help: "L_u of J = Σ E|f − x₁|²/d + L_u|u|²/d + L_w|w|²/d (AT.2).")
    var penaltyU: Double = 2
    @Option(name: .customLong("penalty-w"), help: "L_w of J (AT.2).")
    var penaltyW: Double = 2
    @Option(help: "Dilation constant k (phase 1 covers β√d ∈ [0, k]).")
    var k: Double = 2

    func problem(n override: Double? = nil) throws -> AutoencoderProblem {
        try AutoencoderProblem(p: p, sigma: sigma, n: override ?? n.value, nPlus: nPlus, penaltyU: penaltyU, penaltyW: penaltyW)
    }

    /// The inputs under their flag names, for every output row.
    func addInputs(to row: inout Row, problem: AutoencoderProblem) {
        row.add("p", problem.p)
        row.add("sigma", problem.sigma)
        row.add("n", Extended(problem.n).cell)
        row.add("n_plus", Extended(problem.nPlus).cell)
        row.add("penalty_u", problem.penaltyU)
        row.add("penalty_w", problem.penaltyW)
        row.add("k", k)
    }
}

extension Row {
    mutating func add(_ key: String, _ value: Extended) { add(key, value.cell) }
}

extension LearnedParameters {
    /// The order parameters in the project's vocabulary.
    func add(to row: inout Row) {
        row.add("tau", tau); row.add("t", t); row.add("phase", phase)
        row.add("c", c); row.add("b", b); row.add("m", m); row.add("omega", omega)
        row.add("q", q); row.add("r", r); row.add("uw", uw)
        row.add("rho_plus", rhoPlus); row.add("rho_minus", rhoMinus)
        row.add("pi_plus", piPlus); row.add("pi_minus", piMinus)
        row.add("b_eff", bEff); row.add("half_gap", halfGap)
        row.add("solution", solution.rawValue)
        row.add("objective", objective)
        row.add("iterations", iterations); row.add("simplex_size", simplexSize)
        row.add("grad_norm", gradientNorm); row.add("converged", converged ? 1 : 0)
    }
}
