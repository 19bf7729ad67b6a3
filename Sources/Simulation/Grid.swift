import FlowModel

/// The K training times on a clock and the data end (derivations/simulation-fast-path.md SIM.1):
/// τ_j = j·T/K for j = 0…K−1 (the authors' grid on the dilated clock, T = 2: it contains τ = 0 and
/// stops one step short of the data end) plus τ_K = T, where α = 0 and β = 1, used only by
/// generation. The undilated linear and vp clocks (T = 1) are the ablation of the dilation
/// (derivations/ablation.md AB.1).
///
///     let grid = try TrainingGrid(problem: problem, k: 2, steps: 40, schedule: .linear)
public struct TrainingGrid: Sendable {
    public let steps: Int
    public let tau: [Double]
    public let t: [Double]
    public let alpha: [Double]
    public let beta: [Double]
    public let alphaDot: [Double]
    public let betaDot: [Double]
    public let schedule: any Schedule
    public let scheduleName: ScheduleName
    /// √d, for the signal S = β√d that labels the phase off the dilated clock.
    let sqrtD: Double

    /// The schedules a training grid may use: the paper's dilated clock and its two ablations.
    public static let schedules: [ScheduleName] = [.dilated, .linear, .vp]

    public init(problem: Problem, k: Double, steps: Int, schedule name: ScheduleName = .dilated) throws {
        guard Self.schedules.contains(name) else {
            throw InputError("the simulation trains on the dilated, linear or vp clock; got schedule '\(name.rawValue)'")
        }
        if name == .dilated {
            try require("steps", Double(steps), "an even whole number ≥ 2 (τ = 1 must be a grid time)") { $0 >= 2 && Int($0) % 2 == 0 }
        } else {
            try require("steps", Double(steps), "a whole number ≥ 2") { $0 >= 2 }
        }
        schedule = try name.make(for: problem, k: k)
        scheduleName = name
        sqrtD = problem.sqrtD
        self.steps = steps
        var tau = [Double](), t = [Double](), a = [Double](), b = [Double](), ad = [Double](), bd = [Double]()
        for j in 0...steps {
            let x = schedule.clockTime(atStep: j, of: steps)
            let v = schedule.values(atStep: j, of: steps)     // rates of the step leaving τ_j (EF.18)
            tau.append(x)
            t.append(j == steps ? 1 : schedule.interpolantTime(atStep: j, of: steps))
            a.append(j == steps ? 0 : v.alpha)
            b.append(j == steps ? 1 : v.beta)
            ad.append(v.alphaDot)
            bd.append(v.betaDot)
        }
        self.tau = tau; self.t = t; alpha = a; beta = b; alphaDot = ad; betaDot = bd
    }

    /// Phase 1 up to and including τ = 1 (2j ≤ K): the network at τ = 1 is trained at β√d = k, the
    /// phase-1 problem, as in the theory's rows (AT.13); only the step leaving τ = 1 is phase 2's.
    /// Off the dilated clock, as the theory on any schedule: phase 2 where the unit is saturated,
    /// S = β√d > 12 (AutoencoderTheory.saturationSignal).
    public func phase(_ j: Int) -> Int {
        scheduleName == .dilated ? (2 * j <= steps ? 1 : 2) : (beta[j] * sqrtD > 12 ? 2 : 1)
    }

    /// The smallest even K ≤ `maxSteps` whose grid τ_j = 2j/K (SIM.1) contains `tau` ∈ [0, 2), and
    /// that j; nil if there is none (τ not a ratio with a small enough denominator).
    public static func smallestSteps(containing tau: Double, maxSteps: Int = 200) -> (steps: Int, index: Int)? {
        guard tau.isFinite, tau >= 0, tau < 2, maxSteps >= 2 else { return nil }
        for steps in stride(from: 2, through: maxSteps, by: 2) {
            let j = (tau * Double(steps) / 2).rounded()
            if 2 * j / Double(steps) == tau { return (steps, Int(j)) }
        }
        return nil
    }
}
