import FlowModel

/// The name of an output quantity: a key of the one vocabulary (`Vocabulary`). A string literal is
/// a `Quantity`, so rows are built as `row.add("p_hat", 0.8)`; the encoder looks the key up in the
/// registry and checks the value against the registered range.
///
///     let q: Quantity = "p_hat"
///     print(q.entry?.meaning ?? "unregistered")   // generated mode probability: …
public struct Quantity: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public let key: String
    public init(_ key: String) { self.key = key }
    public init(stringLiteral value: String) { key = value }
    public init(stringInterpolation: DefaultStringInterpolation) { key = String(stringInterpolation: stringInterpolation) }
    public var description: String { key }
    /// The registered entry, nil for a key outside the vocabulary.
    public var entry: QuantityEntry? { Vocabulary.entry(key) }
}

/// What values a quantity takes (the encoder refuses anything else).
public enum QuantityRange: String, Sendable, CaseIterable {
    /// Any finite number.
    case real
    /// A finite number > 0.
    case positive
    /// A finite number ≥ 0.
    case nonNegative
    /// A probability or fraction in [0, 1].
    case probability
    /// A whole number ≥ 0.
    case count
    /// A whole number ≥ 0, or the string `inf` (d = ∞, n = ∞ of the asymptotic theory).
    case countOrInfinity
    /// A finite number ≥ 0, or the string `inf` (n₊ = p n of the theory at n = ∞).
    case nonNegativeOrInfinity
    /// A finite number, or the string `inf` / `-inf` (a log-SNR at an end of the clock).
    case realOrInfinity
    /// 0 or 1.
    case flag
    /// A word (a name, a choice of a flag, a list of names separated by spaces).
    case text

    /// How the range reads in the documentation.
    public var phrase: String {
        switch self {
        case .real: "real"
        case .positive: "real > 0"
        case .nonNegative: "real ≥ 0"
        case .probability: "probability in [0, 1]"
        case .count: "whole number ≥ 0"
        case .countOrInfinity: "whole number ≥ 0 or the string inf"
        case .nonNegativeOrInfinity: "real ≥ 0 or the string inf"
        case .realOrInfinity: "real, or the string inf or -inf"
        case .flag: "0 or 1"
        case .text: "text"
        }
    }
}

/// One registered output quantity: its key, what it means, its symbol in the derivations, its range
/// and the derivation label that defines it (empty where none applies).
public struct QuantityEntry: Sendable, Hashable {
    public let key: String
    public let meaning: String
    public let symbol: String
    public let range: QuantityRange
    public let label: String
    /// Words a numeric quantity may hold besides numbers (e.g. `below_grid` for a boundary off the grid).
    public let words: [String]
}

/// The one vocabulary of output quantities: every key any command writes to stdout or to a file of
/// a run directory (issue 19). Keys are unique; so are meanings. Missing values are one thing
/// everywhere: an empty CSV cell, JSON null (`Value.missing`).
///
///     Vocabulary.entry("d")?.range   // .countOrInfinity: d is a whole number or the string inf in every file
public enum Vocabulary {
    public static let entries: [QuantityEntry] = base + derived

    private static let index: [String: QuantityEntry] = Dictionary(entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })

    public static func entry(_ key: String) -> QuantityEntry? { index[key] }

    /// Checks a list of keys (a header) against the registry: the first unknown key, or nil.
    public static func firstUnregistered(_ keys: [String]) -> String? { keys.first { index[$0] == nil } }

    private static func q(_ key: String, _ meaning: String, _ symbol: String, _ range: QuantityRange, _ label: String = "",
                          words: [String] = []) -> QuantityEntry {
        QuantityEntry(key: key, meaning: meaning, symbol: symbol, range: range, label: label, words: words)
    }

    static let orderParameterMeanings: [(String, String, String, QuantityRange, String)] = [
        ("c", "skip weight c of the denoiser f(x) = c x + u tanh(b + w·x/√d)", "c", .real, "AT.1"),
        ("b", "hidden bias b of the denoiser", "b", .real, "AT.1"),
        ("m", "overlap m = u·μ/d of the output weights with the mean", "m", .real, "AT.4"),
        ("omega", "overlap ω = w·μ/d of the input weights with the mean", "ω", .real, "AT.4"),
        ("q", "squared norm q = |u|²/d of the output weights", "q", .nonNegative, "AT.4"),
        ("r", "squared norm r = |w|²/d of the input weights", "r", .nonNegative, "AT.4"),
        ("uw", "overlap u·w/d of output and input weights", "uw", .real, "AT.4"),
    ]

    static let base: [QuantityEntry] = orderParameterMeanings.map { q($0.0, $0.1, $0.2, $0.3, $0.4) } + [
        // Inputs (flag names).
        q("d", "dimension d of the data", "d", .countOrInfinity, "AT.1"),
        q("n", "number n of training points (the theory takes any real n > 0, e.g. on a geometric grid)", "n", .nonNegativeOrInfinity, "AT.2"),
        q("n_plus", "number n₊ of training points in the + mode (the theory takes n₊ = p n, not always whole)", "n₊", .nonNegativeOrInfinity, "AT.32"),
        q("p", "weight p of the + mode of the target mixture", "p", .probability, "EF.1"),
        q("sigma", "within-mode standard deviation σ of the target", "σ", .nonNegative, "EF.3"),
        q("k", "dilation k of the clock (signal β√d = kτ in phase 1)", "k", .positive, "AT.46"),
        q("steps", "number K of grid times (steps of the sampler and trained networks)", "K", .count, "AT.47"),
        q("penalty_u", "penalty L_u on |u|²/d", "L_u", .nonNegative, "AT.2"),
        q("penalty_w", "penalty L_w on |w|²/d", "L_w", .nonNegative, "AT.2"),
        q("sample_penalty_u", "per-sample penalty ℓ_u on |u|²/d of the n = ∞ training (online SGD's loss)", "ℓ_u", .nonNegative, "SIM.15"),
        q("sample_penalty_w", "per-sample penalty ℓ_w on |w|²/d of the n = ∞ training (online SGD's loss)", "ℓ_w", .nonNegative, "SIM.15"),
        q("penalty_u_effective", "penalty L_u of the static theory a simulation is matched to", "L_u,eff", .nonNegative, "AT.5"),
        q("penalty_w_effective", "penalty L_w of the static theory a simulation is matched to", "L_w,eff", .nonNegative, "AT.5"),
        q("lr", "learning rate η", "η", .nonNegative, "TD.7"),
        q("weight_decay", "weight decay λ of the optimiser", "λ", .nonNegative, "AT.5"),
        q("epochs", "number of training epochs", "", .count),
        q("protocol", "training protocol (online, gd, adam, converged)", "", .text, "SIM.14"),
        q("training", "training rule of the order-parameter ODE", "", .text, "TD.7"),
        q("init", "initialisation of the weights", "", .text, "TD.19"),
        q("path", "implementation path of the trainer (fast or dense)", "", .text, "SIM.12"),
        q("precision", "floating-point precision of the trainer", "", .text),
        q("samples", "number of generated samples per measurement", "", .count),
        q("scheme", "sampler scheme (Euler on the velocity or x₁-prediction)", "", .text, "EF.12"),
        q("aligned_start", "whether training starts aligned with the mean (1) or not (0)", "", .flag, "TD.20"),
        q("planted", "planted starting overlap m₀ (the word none without one)", "m₀", .real, "TD.20", words: ["none"]),
        q("schedule", "noise schedule (clock) of the flow or training-time density", "", .text),
        q("integrator", "integrator of the flow (continuous, grid, euler, …)", "", .text),
        q("noise", "noise model of the training objective (fresh or fixed)", "", .text, "AT.22"),
        q("tolerance", "tolerance the search must reach", "", .positive),
        q("seed", "random seed of one run", "", .count),
        q("data_seed", "random seed of the training set", "", .count),
        q("seeds", "number of seeds averaged", "", .count),
        q("members", "number of ensemble members (escape trajectories) averaged", "", .count, "PE.9"),
        q("threads", "worker threads", "", .count),
        q("dataset", "real dataset (mnist, fashion, digits)", "", .text),
        q("start_class", "class the U-turn starts from (the word rest for all other classes)", "", .count, "RD.20", words: ["rest"]),
        q("other_class", "the other class of the two-class subset (the word rest for all other classes)", "", .count, "RD.20",
          words: ["rest"]),
        q("majority", "share of the majority class in the two-class subset", "", .probability),
        q("pca", "number of PCA components", "", .count),
        q("sampler", "sampler of the real-data flow", "", .text, "RD.6"),
        q("splits", "number of classifier train/test splits", "", .count),
        q("budget", "training budget (optimiser steps) of a flow-matching model", "", .count, "TS.22"),
        q("training_time", "training time (epochs × learning rate) of the ablation", "", .nonNegative),
        // The clock.
        q("tau", "clock time τ of the dilated flow", "τ", .nonNegative, "AT.46"),
        q("t", "interpolant time t (x = (1 − t) z + t x₁ on the linear schedule)", "t", .nonNegative, "EF.2"),
        q("phase", "phase of the dilated clock (1: signal window, 2: rest)", "", .count, "AT.46"),
        q("epoch", "epoch of a snapshot", "", .count),
        q("time", "training time (steps / d) of the online dynamics", "", .nonNegative, "TD.3"),
        q("log_snr", "log signal-to-noise ratio λ = log(β²/α²)", "λ", .realOrInfinity, "RD.2"),
        q("signal", "signal a = β√d/√v of the noised sample", "a", .nonNegative, "UT.2"),
        // Generated samples.
        q("p_hat", "generated mode probability: the fraction of generated samples in the + mode", "p̂", .probability, "EF.13"),
        q("p_hat_error", "p̂ − p", "p̂ − p", .real, "EF.13"),
        q("p_hat_abs_error", "|p̂ − p|", "|p̂ − p|", .nonNegative, "EF.13"),
        q("sigma_hat", "within-mode spread σ̂ of the generated samples", "σ̂", .nonNegative, "EF.15"),
        q("sigma_believed", "the spread √D the learned denoiser believes", "√D", .nonNegative, "AT.15"),
        q("magnetisation", "mean magnetisation μ·X/d of the generated samples", "", .real, "SIM.18"),
        q("commit_time", "commit clock time τ_c of the exact flow", "τ_c", .nonNegative, "EF.17"),
        q("commit_t", "commit time in interpolant time t", "t_c", .nonNegative, "EF.17"),
        q("commit_log_snr", "log-SNR at the commit time", "λ_c", .realOrInfinity, "EF.17"),
        q("k_tau_trivial", "signal kτ below which the learned flow is trivial", "", .nonNegative, "AT.47"),
        // Learned parameters (theory rows).
        q("rho_plus", "overlap ρ₊ of u with the training noise of the + class", "ρ₊", .real, "AT.4"),
        q("rho_minus", "overlap ρ₋ of u with the training noise of the − class", "ρ₋", .real, "AT.4"),
        q("pi_plus", "overlap π₊ of w with the training noise of the + class", "π₊", .real, "AT.4"),
        q("pi_minus", "overlap π₋ of w with the training noise of the − class", "π₋", .real, "AT.4"),
        q("b_eff", "effective bias b_eff of the reduced problem", "b_eff", .real, "AT.33"),
        q("half_gap", "half the gap between the class means a₊, a₋ of the pre-activation", "", .real, "AT.30"),
        q("solution", "branch of the minimiser (learned, trivial, …)", "", .text, "AT.36"),
        q("objective", "value of the minimised objective", "J", .real, "AT.30"),
        q("iterations", "iterations of the minimiser", "", .count),
        q("simplex_size", "final simplex size of the minimiser", "", .nonNegative),
        q("grad_norm", "gradient norm at the minimiser", "", .nonNegative),
        q("converged", "whether the solver converged (1) or not (0)", "", .flag),
        q("point_slope", "slope κ of each training point's μ-coordinate", "κ", .real, "FD.1"),
        q("bulk_r", "bulk fluctuation δr of Adam's stationary state", "δr", .real, "AD.3"),
        q("bulk_q", "bulk fluctuation δq of Adam's stationary state", "δq", .real, "AD.3"),
        q("adam_bulk_model", "how Adam's stationary state splits w's fluctuations (isotropic, offsets, preconditioned); echoed when not the default, preconditioned", "", .text, "AD.15"),
        q("base_noise_overlap", "overlap of u with the fixed base noise of each training point", "", .real, "AT.22"),
        // Simulation snapshots.
        q("loss", "training objective J/n at this point", "J/n", .real, "TD.4"),
        q("n_plus_fraction", "fraction n₊/n of training points in the + mode", "n₊/n", .probability, "AT.19"),
        q("stop_gradient_norm", "gradient norm where the converged protocol stopped", "", .nonNegative, "CV.6"),
        q("stop_iterations", "iterations of the converged protocol", "", .count, "CV.6"),
        q("stop_converged", "whether the converged protocol met its stopping rule (1) or not (0)", "", .flag, "CV.6"),
        q("objective_per_sample", "objective per sample where the converged protocol stopped", "", .real, "CV.2"),
        // compare.
        q("determined", "order parameters the theory determines at this grid time (space-separated)", "", .text, "FD.4"),
        q("learned_fraction_theory", "fraction of seeds whose theory row is on the learned branch", "", .probability, "FD.4"),
        q("learned_fraction_sim", "fraction of seeds whose trained network is on the learned branch", "", .probability, "FD.4"),
        q("learned_fraction_mean_field", "fraction of seeds Adam's mean field predicts on the learned branch", "", .probability, "AD.8"),
        q("predicted_unlearned", "whether the theory predicts the mode unlearned at every seed (1) or not (0)", "", .flag, "FD.4"),
        q("max_abs_dev", "largest |simulation − theory| over grid times and order parameters", "", .nonNegative),
        q("worst_key", "order parameter with the largest deviation", "", .text),
        q("worst_tau", "clock time of the largest deviation", "", .nonNegative),
        q("max_z", "largest |standardized difference| between simulation and theory", "max |z|", .nonNegative),
        q("max_z_95", "95 % point of the largest |z| under agreement", "", .nonNegative),
        q("agrees", "whether max_z is below its 95 % point (1) or not (0)", "", .flag),
        q("stop_gradient_norm_max", "largest stopping gradient norm of the converged protocol", "", .nonNegative, "CV.6"),
        q("stop_converged_fraction", "fraction of (seed, τ) that met the converged protocol's stopping rule", "", .probability, "CV.6"),
        // simulate --decompose (Adam).
        q("adam_learned_fraction", "fraction of seeds whose Adam-trained network is on the learned branch", "", .probability, "AD.4"),
        q("start_learned_fraction", "fraction of seeds whose minimiser from the start is on the learned branch", "", .probability, "AD.4"),
        q("metastable_fraction", "fraction of seeds Adam leaves unlearned though a learned minimiser exists", "", .probability, "AD.4"),
        q("plateau", "whether the network is on the plateau (trivial branch) (1) or not (0)", "", .flag, "AD.8"),
        // dynamics.
        q("w_perp", "squared norm r − ω² of the part of w orthogonal to the mean", "r − ω²", .real, "AT.16"),
        q("unit_balance", "class balance (1 + E[φ])/2 the hidden unit reports (→ p at the fixed point)", "", .probability, "TD.26"),
        q("sigma_from_c", "spread σ inferred from the skip weight c = βσ²/(α² + β²σ²)", "", .nonNegative, "AT.12"),
        q("escape_time", "time the trajectory leaves the plateau", "", .nonNegative, "TD.27"),
        q("unit_balance_time", "time the unit balance reaches 99 % of its final value", "", .nonNegative, "TD.26"),
        q("sigma_from_c_time", "time the spread inferred from c reaches 99 % of its final value", "", .nonNegative, "AT.12"),
        q("max_deviation", "mean over seeds of the largest |simulation − ODE| along the trajectory", "", .nonNegative, "TD.43"),
        q("switch_time", "time the escape ensemble switches regime", "", .nonNegative, "PE.9"),
        q("escape_z", "standardized difference of the mean escape times (simulation − ensemble)", "", .real, "PE.9"),
        q("ensemble_max_deviation", "largest |simulation − ensemble| of the mean trajectories", "", .nonNegative, "PE.9"),
        q("ensemble_max_z", "largest |z| between simulation and escape ensemble", "", .nonNegative, "PE.9"),
        q("ensemble_max_z_95", "95 % point of the largest |z| between simulation and ensemble under agreement", "", .nonNegative, "PE.9"),
        // Boundaries, phase diagram.
        q("k_tau", "signal kτ of a cell", "kτ", .nonNegative, "AT.36"),
        q("k_tau_star", "signal kτ* where the learned and trivial branches have equal objective (below_grid, above_grid: off the searched grid)",
          "kτ*", .nonNegative, "AT.36", words: ["below_grid", "above_grid"]),
        q("tau_star", "clock time τ* = kτ*/k of the boundary", "τ*", .nonNegative, "AT.36"),
        q("branch_end", "last kτ where the learned branch exists", "", .nonNegative, "AT.36"),
        q("penalty_star", "penalty at the boundary", "L*", .nonNegative, "AT.36"),
        q("n_star", "number of training points where |p̂ − p| reaches the tolerance", "n*", .positive),
        q("free_energy_gap", "objective of the learned branch minus that of the trivial branch", "ΔF", .real, "AT.36"),
        q("branch_found", "whether a learned branch was found (1) or not (0)", "", .flag),
        q("learned", "whether the learned branch wins (1) or not (0)", "", .flag, "AT.36"),
        q("steps_star", "smallest number of grid times K* that brings |p̂ − p| below the tolerance", "K*", .count, "AT.47"),
        q("boundary", "which boundary a row belongs to (n or p)", "", .text),
        // U-turn.
        q("curve", "name of a U-turn curve", "", .text, "UT.7"),
        q("start_value", "value of the curve at the noise end", "C₀", .real, "UT.13"),
        q("end_value", "value of the curve at the data end", "C₁", .real, "UT.13"),
        q("flip_ode_plus", "probability that the ODE from a + sample noised to τ ends in the other mode", "", .probability, "UT.7"),
        q("flip_ode_minus", "probability that the ODE from a − sample noised to τ ends in the other mode", "", .probability, "UT.7"),
        q("flip_sde_plus", "probability that the SDE from a + sample noised to τ ends in the other mode", "", .probability, "UT.10"),
        q("flip_sde_minus", "probability that the SDE from a − sample noised to τ ends in the other mode", "", .probability, "UT.10"),
        // Real-data window.
        q("p_switch", "measured fraction of U-turns that end in the other class", "", .probability, "RD.20"),
        q("p_switch_fit", "fitted sigmoid of the switch fraction (an unconstrained fit: may leave [0, 1] by its error)", "", .real, "RD.23"),
        q("p_switch_noise", "fitted switch fraction at the noise end P∞ (unconstrained fit)", "P∞", .real, "RD.23"),
        q("p_switch_data", "fitted switch fraction at the data end P₀ (unconstrained fit)", "P₀", .real, "RD.23"),
        q("impurity", "impurity of the U-turn's class at this log-SNR", "", .probability, "RD.22"),
        q("classifier_accuracy", "mean held-out accuracy of the class classifier", "", .probability, "RD.22"),
        q("bootstrap_failures", "bootstrap replicates whose fit failed", "", .count, "RD.25"),
        // schedules.
        q("generated_fraction", "fraction of generated images of the majority class", "", .probability, "TS.18"),
        q("data_fraction", "fraction of the majority class in the data", "", .probability, "TS.18"),
        q("feature_error", "|generated fraction − data fraction|", "", .nonNegative, "TS.17"),
        q("binomial_se", "binomial standard error of the generated fraction", "", .nonNegative, "TS.18"),
        q("sliced_wasserstein", "sliced W₂ distance to held-out data", "SW₂", .nonNegative, "TS.19"),
        q("sw_floor", "sliced W₂ between two held-out halves (the floor)", "", .nonNegative, "TS.19"),
        q("feature_error_diff_vs_uniform", "paired difference of the feature error against the uniform density", "Δe", .real, "TS.21"),
        q("feature_error_diff_se", "standard error of the paired feature-error difference", "", .nonNegative, "TS.21"),
        q("sliced_wasserstein_diff_vs_uniform", "paired difference of the sliced W₂ against the uniform density", "ΔSW", .real, "TS.21"),
        q("sliced_wasserstein_diff_se", "standard error of the paired sliced-W₂ difference", "", .nonNegative, "TS.21"),
        q("steps_to_target", "first checkpoint budget where the feature error reaches the target", "", .count, "TS.22"),
        q("majority_bias", "signed majority bias: generated fraction − data fraction", "b", .real, "TS.27"),
        q("majority_bias_diff_vs_uniform", "paired difference of the signed majority bias against the uniform density", "Δb", .real, "TS.27"),
        q("majority_bias_diff_se", "standard error of the paired majority-bias difference", "", .nonNegative, "TS.27"),
        q("se_covers", "which noise the standard errors over seeds cover: training, or training_and_split", "", .text, "TS.20"),
        q("untrained_majority_bias", "zero-shot majority bias of the untrained model (F ≡ 0): its majority fraction − data fraction", "b₀", .real, "MB.4"),
        q("window_mass", "mass of the training-time density on the class window [t_lo, t_hi]", "m", .probability, "MB.7"),
        q("predicted_majority_bias", "zero-shot predicted signed majority bias at this budget", "b(n)", .real, "MB.7"),
        q("predicted_majority_bias_diff_vs_uniform", "zero-shot predicted paired difference of the majority bias against the uniform density", "Δb(n)", .real, "MB.8"),
        // gain (where the gain grows).
        q("task", "two-class task DATASET:A:B (A the majority)", "", .text),
        q("t_lo", "start of the adaptive density's interval: the earliest 10 % point of the window over both start classes", "t_lo", .probability, "TS.6"),
        q("t_hi", "end of the adaptive density's interval: the latest 90 % point of the window over both start classes", "t_hi", .probability, "TS.6"),
        q("window_share", "share t_hi − t_lo of [0, 1] covered by the window (the uniform density's mass on it)", "s", .probability, "TS.28"),
        q("uniform_error", "mean feature error of the uniform density over the seeds", "ē_U", .nonNegative, "TS.28"),
        q("adaptive_error", "mean feature error of the adaptive density over the seeds", "ē_A", .nonNegative, "TS.28"),
        q("gain", "gain of the adaptive density: uniform's mean feature error over the adaptive density's, same seeds", "G", .nonNegative, "TS.28"),
        q("predicted_gain", "gain predicted by MB.7 from the window share alone: exp(n (f − s)/n_*)", "G(n)", .positive, "TS.29"),
        q("cpu_seconds", "process CPU seconds (all threads)", "", .nonNegative),
        // Ablation.
        q("window_times", "grid times inside the signal window", "|W|", .count, "AB.1"),
        q("b_window", "mean learned bias over the window", "", .real, "AB.3"),
        q("grad_b_theory", "bias gradient ∂J/∂b at b = 0 (theory)", "∂J/∂b", .real, "AB.3"),
        q("grad_b_mc", "bias gradient ∂J/∂b at b = 0 (Monte Carlo)", "", .real, "AB.3"),
        q("decision_signal", "signal S where the mode is decided", "S", .nonNegative, "AB.4"),
        q("b_decision", "learned bias at the decision signal", "", .real, "AB.6"),
        q("p_hat_half_lr", "p̂ at half the learning rate", "", .probability, "AB.7"),
        // Precursor.
        q("gen_m", "overlap of the generated mean with μ", "", .real, "PC.7"),
        q("gen_eta_overlap", "overlap of the generated mean with the training-noise mean", "", .real, "PC.7"),
        q("gen_base_noise_overlap", "overlap of the generated mean with the base noise", "", .real, "PC.7"),
        q("mean_error", "‖μ̂ − μ‖²/d of the generated mean", "", .nonNegative, "PC.7"),
        q("n_mean_error", "n‖μ̂ − μ‖²/d", "", .nonNegative, "PC.7"),
        q("sign_inconsistent_fraction", "fraction of runs whose sign is inconsistent", "", .probability, "PC.9"),
        // bench.
        q("epoch_seconds", "seconds per epoch on the fast path", "", .nonNegative, "SIM.12"),
        q("dense_epoch_seconds", "seconds per epoch on the dense path", "", .nonNegative),
        q("instructions_per_epoch", "instructions per epoch on the fast path (callgrind)", "", .nonNegative),
        q("gemm_instructions_per_epoch", "instructions per epoch in BLAS gemm (with its packing and zeroing)", "", .nonNegative, "SIM.12"),
        q("gaussian_instructions_per_epoch", "instructions per epoch drawing Gaussian and χ² variates", "", .nonNegative),
        q("blas_other_instructions_per_epoch", "instructions per epoch in BLAS routines other than gemm", "", .nonNegative),
        q("elementwise_instructions_per_epoch", "instructions per epoch outside BLAS and the draws (elementwise loops, optimiser, copies)", "", .nonNegative),
        q("speedup", "dense time over fast time", "", .positive),
        q("protocol_minutes", "estimated minutes of the whole protocol", "", .nonNegative),
        q("generation_seconds", "seconds of the generation", "", .nonNegative),
        q("cells", "cells computed", "", .count),
        q("seconds", "wall-clock seconds", "", .nonNegative),
    ]

    /// A quantity derived from a base: `<base><suffix>` with the suffix's phrase before the base's meaning.
    static let suffixes: [(suffix: String, phrase: String, range: QuantityRange?)] = [
        ("_se", "standard error of", .nonNegative), ("_sd", "standard deviation over members of", .nonNegative),
        ("_sim", "simulation's mean of", nil), ("_sim_se", "standard error of the simulation's mean of", .nonNegative),
        ("_theory", "theory's value of", nil), ("_theory_d", "finite-d theory's value of", nil),
        ("_z", "standardized difference (simulation − theory)/SE of", .real),
        ("_adam", "Adam-trained network's mean over seeds of", nil),
        ("_minimiser_from_adam", "mean over seeds of the minimiser reached from Adam's end, of", nil),
        ("_minimiser_from_start", "mean over seeds of the minimiser reached from the start, of", nil),
        ("_adam_offset", "mean offset of Adam from its minimiser, of", .real),
        ("_adam_offset_se", "standard error of the mean offset of Adam from its minimiser, of", .nonNegative),
        ("_ci_low", "lower end of the 95 % bootstrap interval of", nil), ("_ci_high", "upper end of the 95 % bootstrap interval of", nil),
        ("_mean", "mean of", nil), ("_median", "median of", nil), ("_iqr", "interquartile range of", .nonNegative),
    ]

    static let derivedKeys: [(base: String, suffixes: [String])] =
        OrderParameter.allCaseKeys.map { ($0, ["_se", "_sd", "_sim", "_sim_se", "_theory", "_z", "_adam", "_minimiser_from_adam",
                                               "_minimiser_from_start", "_adam_offset", "_adam_offset_se"]) } + [
        ("loss", ["_sim", "_sim_se"]), ("p_hat", ["_se", "_theory"]), ("sigma_hat", ["_se", "_theory", "_sim", "_sim_se", "_theory_d"]),
        ("magnetisation", ["_se"]), ("gen_m", ["_sim", "_sim_se", "_theory_d"]), ("gen_eta_overlap", ["_sim", "_sim_se", "_theory_d"]),
        ("gen_base_noise_overlap", ["_sim", "_sim_se", "_theory_d"]), ("mean_error", ["_sim", "_sim_se", "_theory_d"]),
        ("b_window", ["_se", "_theory"]), ("grad_b_mc", ["_se"]), ("b_decision", ["_se", "_theory"]), ("p_hat_half_lr", ["_se"]),
        ("max_deviation", ["_se"]), ("escape_time", ["_mean", "_sd", "_median", "_iqr"]), ("escape_time_sim", ["_mean", "_sd", "_median", "_iqr"]),
        ("feature_error", ["_se"]), ("sliced_wasserstein", ["_se"]), ("majority_bias", ["_se"]),
        ("gain", ["_se"]), ("uniform_error", ["_se"]), ("adaptive_error", ["_se"]),
    ] + windowPoints.flatMap { point in [("t" + point, ["_ci_low", "_ci_high"]), ("log_snr" + point, ["_ci_low", "_ci_high"])] }

    /// The 10/50/90 % points of a window (UT.13, RD.24).
    static let windowPoints = ["10", "50", "90"]

    static let derived: [QuantityEntry] = {
        let baseIndex = Dictionary(base.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [QuantityEntry] = []
        // The window's points and the simulated escape times are bases of their own.
        let pointBases = windowPoints.flatMap { point -> [QuantityEntry] in
            let f = "the \(point) % point of the window"
            return [q("t" + point, "interpolant time t at \(f)", "t_\(point)", .nonNegative, "UT.14"),
                    q("tau" + point, "clock time τ at \(f)", "τ_\(point)", .nonNegative, "UT.13"),
                    q("log_snr" + point, "log-SNR at \(f)", "λ_\(point)", .realOrInfinity, "UT.13"),
                    q("signal" + point, "signal a at \(f)", "a_\(point)", .nonNegative, "UT.14")]
        }
        out += pointBases
        out.append(q("escape_time_sim", "simulated time the trajectory leaves the plateau", "", .nonNegative, "TD.27"))
        for key in OrderParameter.allCaseKeys {
            let e = baseIndex[key]!
            out.append(q("max_dev_" + key, "largest |simulation − theory| over grid times of: " + e.meaning, "", .nonNegative, e.label))
        }
        let all = Dictionary((Array(baseIndex.values) + out).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for (baseKey, list) in derivedKeys {
            guard let e = all[baseKey] else { continue }
            for s in list {
                let spec = suffixes.first { $0.suffix == s }!
                out.append(q(baseKey + s, spec.phrase + ": " + e.meaning, e.symbol, spec.range ?? e.range, e.label))
            }
        }
        return out
    }()
}

extension OrderParameter {
    /// The keys c, b, m, omega, q, r, uw in column order.
    static var allCaseKeys: [String] { allCases.map(\.rawValue) }
}
