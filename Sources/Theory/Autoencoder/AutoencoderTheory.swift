import GSLKit
import Foundation
import FlowModel

/// d (FlowModel's; Foundation also has a `Dimension`, the unit class).
typealias Dimension = FlowModel.Dimension

/// The learned one-unit autoencoder along the dilated clock τ ∈ [0, 2]
/// (derivations/autoencoder-theory.md): closed forms at n = ∞ (AT.12, AT.13; AT.8 at finite d),
/// phase 2 in closed form at finite n (AT.20, AT.21), phase 1 by minimising AT.31.
///
/// `dimension = .infinite` is the asymptotic theory: phase 1 has β√d = kτ, α = 1, β = 0, and
/// phase 2 β = τ − 1, α = 2 − τ. A finite d evaluates the same formulas on the dilated schedule
/// of that d, with S = β√d and the finite-d factors of AT.34, for comparison with simulations;
/// `init(problem:schedule:dimension:)` does the same on any schedule (e.g. the undilated linear
/// one), where phase 2 labels the saturated regime β√d > 12.
///
///     let theory = try AutoencoderTheory(problem: try AutoencoderProblem(setup: Setup(p: 0.8, sigma: 1, n: 128), penaltyU: 2, penaltyW: 2), k: 2)
///     let table = try theory.table(pointsPerPhase: 40)   // [LearnedParameters] at τ = j/40
public struct AutoencoderTheory: Sendable {
    public let problem: AutoencoderProblem
    public let k: Double
    public let dimension: FlowModel.Dimension
    public let moments: TanhMoments
    private let schedule: (any Schedule)?
    /// Finite d: solve the reduced problem (AT.31 with the stationary skip weight, FD.1–FD.3) at
    /// every τ, also where S = β√d > 12 (the saturated times), instead of the closed form AT.20 there.
    /// This gives the finite-d corrections to phase-2 m, q and finite ω, r, uw, b
    /// (derivations/finite-d-corrections.md). Off by default (the published tables).
    public var finiteDReduced = false
    /// Which branch a row reports where the learned branch and the trivial one are both local minima
    /// (derivations/finite-d-corrections.md FD.4): the global minimum (default), or the learned
    /// branch wherever it exists — the branch a descent from a start with r = O(1) reaches.
    public var branchRule: BranchRule = .global
    /// With `finiteDReduced`: keep each point's own coordinate along μ (FD.7, default) or treat the
    /// points of a class as exchangeable (FD.3 alone, for comparison).
    public var perPointCoordinates = true
    /// With the per-point coordinates: w's per-point coefficients also respond to the cross-overlap noise of
    /// the other points (FD.8, finite-d-corrections.md §3d), or not (FD.7 alone).
    public var crossOverlapResponse = true
    /// FD.12: u's profile includes the Stein term's pull along w (O(1/d) in phase-1 m, q, uw; finite-d-corrections.md §3f).
    /// On with the per-point problem FD.7 for a minimiser of J.
    public var steinCoupling = true
    /// FD.14 (finite-d-corrections.md §3h): phase-2 rows with FD.8 add the shape correction of FD.13a (w's per-point
    /// coefficient a free function z_s(g), on orthonormal noise) to r, ω, b, m, q, uw: the two corrections do not interact
    /// (measured, §3h). On with FD.8.
    public var perPointShape = true

    /// The authors' Adam protocol instead of a minimiser of J: each row is Adam's stationary state at this
    /// learning rate (derivations/adam-offset.md AD.4, with the bulk fluctuations of AD.3); nil (default)
    /// for the minimiser. Finite d only.
    public var adamLearningRate: Double?
    /// How AD.4's fluctuations are sized: AD.14–AD.19 (`.preconditioned`, `AdamBulk.Model.standard`), AD.3's isotropic
    /// form, AD.9–AD.10 (`.split`) or AD.14–AD.15 (`.offsets`) (derivations/adam-offset.md §7, §9–§11).
    public var adamBulkModel: AdamBulk.Model = .standard

    /// The training set's class means along μ beyond ±1 (FD.10): the theory of one data set, conditional on
    /// them as on n₊. Zero (default): the average over data sets. Finite n only.
    public var classMeanOffsets = ClassMeanOffsets.zero

    public enum BranchRule: String, Sendable, CaseIterable { case global, learnedIfExists = "learned-if-exists" }

    /// The solve at one time under `branchRule`.
    private func solve(_ objective: PhaseOneObjective, start: (w: Double, bias: Double), slope: Double) throws -> LearnedParameters {
        if branchRule == .learnedIfExists, objective.signal > 0, let learned = try PhaseOneSolver.branch(objective, start: start, slope: slope) {
            return learned
        }
        return try PhaseOneSolver.solve(objective, start: start, slope: slope)
    }
    /// The d = ∞ clock (nil with a finite-d schedule).
    private let limit: DilatedClock?

    public init(problem: AutoencoderProblem, k: Double = 2, dimension: FlowModel.Dimension = .infinite, moments: TanhMoments? = nil) throws {
        try require("k", k, "> 0") { $0 > 0 }
        let dimension = try dimension.checked()
        self.problem = problem
        self.k = k
        self.dimension = dimension
        self.moments = try moments ?? TanhMoments()
        limit = dimension.isFinite ? nil : try DilatedClock(k: k, dimension: .infinite)
        if dimension.isFinite {
            schedule = try DilatedSchedule(base: LinearSchedule(), k: k, dimension: dimension)
        } else {
            schedule = nil
        }
    }

    /// Finite d on any schedule (its clock τ ∈ [0, clockEnd]); k is the schedule's dilation
    /// constant if it is dilated, 0 otherwise. Needs a finite d.
    public init(problem: AutoencoderProblem, schedule: any Schedule, dimension: FlowModel.Dimension, moments: TanhMoments? = nil) throws {
        let dimension = try dimension.checked()
        guard dimension.isFinite else { throw InputError("the theory on a schedule's grid needs a finite d; got d = inf") }
        self.problem = problem
        k = (schedule as? DilatedSchedule)?.k ?? 0
        self.dimension = dimension
        self.moments = try moments ?? TanhMoments()
        limit = nil
        self.schedule = schedule
    }

    /// The schedule at clock τ: (α, β, t, S = β√d, phase). The phase label follows the clock's
    /// halves with τ = 1 in phase 1: its network has S = k and is solved (and reported) as the
    /// phase-1 problem (AT.13), the top of that phase (EF.18 for the step that leaves it).
    public func clock(_ tau: Double) -> (alpha: Double, beta: Double, t: Double, signal: Double, phase: Int) {
        var phase = DilatedClock.phase(at: tau)
        if let schedule {
            let v = schedule.values(at: tau), signal = v.beta * dimension.squareRoot
            if !(schedule is DilatedSchedule) { phase = signal > Self.saturationSignal ? 2 : 1 }
            return (v.alpha, v.beta, schedule.interpolantTime(at: tau), signal, phase)
        }
        // d = ∞ (AT §2); τ = 1 itself has S = k (the phase-1 network).
        guard let limit else { return (1, 0, 0, k * tau, phase) }
        let v = limit.linear(at: tau)
        return (v.alpha, v.beta, limit.interpolantTime(at: tau), v.signal, phase)
    }

    /// Whether the network at τ is the saturated phase-2 closed form (AT.20), or the phase-1 problem
    /// (AT.31) at signal S: at d = ∞ the closed form for τ > 1; at finite d for S = β√d > 12 (as in
    /// `LearnedFlow.grid`), where e^{−S W} corrections are negligible.
    public func isSaturated(_ tau: Double) -> Bool {
        dimension.isFinite ? clock(tau).signal > Self.saturationSignal : tau > 1
    }

    /// Whether `parameters(at:)` uses the closed form AT.20 at τ.
    func usesClosedForm(_ tau: Double) -> Bool { isSaturated(tau) && !(finiteDReduced && dimension.isFinite) }

    /// The signal above which the finite-d unit is treated as saturated.
    public static let saturationSignal = 12.0

    /// The exact denoiser's parameters (AT.8), i.e. n = ∞: at d = ∞, AT.13 in phase 1 and AT.12 in
    /// phase 2 (where b, ω, r, uw are not determined and are reported as 0).
    public func closedForm(at tau: Double) -> LearnedParameters {
        let s = clock(tau)
        var out: LearnedParameters
        if isSaturated(tau) && !dimension.isFinite {
            out = PhaseTwo.parameters(problem, alpha: s.alpha, beta: s.beta)
        } else {
            out = LearnedParameters()
            let v = s.alpha * s.alpha + s.beta * s.beta * problem.sigma * problem.sigma
            out.c = s.beta * problem.sigma * problem.sigma / v
            out.m = s.alpha * s.alpha / v
            out.q = out.m * out.m
            out.b = problem.logOdds
            out.bEff = out.b
            out.omega = s.signal / v
            out.halfGap = out.omega
            out.r = out.omega * out.omega
            out.uw = out.m * out.omega
            out.phase = s.phase
        }
        out.tau = tau
        out.t = s.t
        out.signal = s.signal
        return out
    }

    /// The reduced phase-1 objective (AT.31) at clock τ; with `finiteDReduced` at finite d the
    /// per-point problem FD.7.
    /// `response`: FD.8's χ held in F (the outer iteration's current value; unused without FD.8).
    public func phaseOneObjective(at tau: Double, skipWeight: Double? = nil, bulk: AdamBulk = .zero, response: Double = 0) -> PhaseOneObjective {
        let s = clock(tau)
        var objective = PhaseOneObjective(problem: problem, signal: s.signal, alpha: s.alpha, beta: s.beta, moments: moments,
                                          skipWeight: skipWeight, perPointDimension: perPoint ? dimension.value : nil)
        objective.bulk = bulk
        if !problem.isInfinite { objective.classMeanOffsets = classMeanOffsets }
        // FD.8 is O(n/d²) in phase 1; Adam's stationary state (AD.4) keeps FD.7 (FD.8 not tested against it).
        objective.crossResponse = perPoint && crossOverlapResponse && s.phase == 2 && adamLearningRate == nil
        objective.response = objective.crossResponse ? response : 0
        objective.steinCoupled = perPoint && steinCoupling && adamLearningRate == nil
        return objective
    }

    /// Whether the solves keep each point's own μ-coordinate (FD.7): `finiteDReduced` at finite d.
    private var perPoint: Bool { finiteDReduced && perPointCoordinates && dimension.isFinite }

    /// The learned parameters at one clock time. Phase 1 at finite n minimises AT.31 from
    /// `warmStart` (W, b_eff), by default the n = ∞ solution (W = S/v, b_eff = atanh e).
    /// `warmSlope`: the start of the per-point slope κ (FD.7; used with `finiteDReduced` at finite d);
    /// `warmResponse`: the start of FD.8's χ.
    public func parameters(at tau: Double, warmStart: (w: Double, bias: Double)? = nil, warmSlope: Double = 0,
                           warmResponse: Double = 0) throws -> LearnedParameters {
        let end = schedule?.clockEnd ?? 2
        try require("tau", tau, "in [0, \(end)]") { $0 >= 0 && $0 <= end }
        let s = clock(tau)
        if problem.isInfinite { return closedForm(at: tau) }
        var out: LearnedParameters
        if usesClosedForm(tau) {
            out = PhaseTwo.parameters(problem, alpha: s.alpha, beta: s.beta)
        } else {
            let v = s.alpha * s.alpha + s.beta * s.beta * problem.sigma * problem.sigma
            let start = warmStart ?? (s.signal / v, atanh(max(-0.999, min(0.999, problem.imbalance))))
            if let lr = adamLearningRate, let d = dimension.finite {
                out = try adamStationary(at: tau, start: start, slope: warmSlope, learningRate: lr, dimension: Double(d))
            } else {
                out = try reducedSolve(at: tau, start: start, slope: warmSlope, response: warmResponse, bulk: .zero)
                if s.phase == 2 { out = try withPerPointShape(out, at: tau) }   // FD.14
            }
        }
        out.tau = tau
        out.t = s.t
        out.phase = s.phase
        out.signal = s.signal
        return out
    }

    /// AD.4: Adam's fixed point at τ, the smallest root of δr = AD.3(solution at δr) (δq, 10³ times smaller,
    /// set to its AD.3 value at each step). From δr = 0 the plain iteration climbs towards it from below
    /// (the map is increasing there) until a step overshoots; the bracket is then closed by the Illinois
    /// rule, to 10⁻⁹. A δr at which the learned branch no longer exists counts as an overshoot. Where the
    /// minimiser itself is trivial, so is the row (δr = 0). A larger root, where the map crosses the
    /// diagonal upwards, is unstable under Adam and is not sought.
    private func adamStationary(at tau: Double, start: (w: Double, bias: Double), slope: Double,
                                learningRate lr: Double, dimension d: Double) throws -> LearnedParameters {
        var last: LearnedParameters?
        func evaluate(_ bulk: AdamBulk) throws -> (out: LearnedParameters, target: AdamBulk) {
            let from = last?.solution == .learned ? last : nil
            let solved = try reducedSolve(at: tau, start: from.map { ($0.halfGap, $0.bEff) } ?? start,
                                          slope: from?.pointSlope ?? slope, bulk: bulk)
            if solved.solution == .learned { last = solved }
            return (solved, AdamBulk.stationary(solved, objective: phaseOneObjective(at: tau, skipWeight: solved.c, bulk: bulk),
                                                learningRate: lr, dimension: d, model: adamBulkModel))
        }
        let first = try evaluate(.zero)
        guard first.out.solution == .learned else { return first.out }
        // The smallest root in δr. `frozen` nil: each step evaluates the last AD.3 target with its δr replaced by the
        // iterate x (the rest follows the state); otherwise the rest is held at `frozen`'s, so that the map is one of x.
        func rootInR(frozen: AdamBulk?) throws -> (out: LearnedParameters, input: AdamBulk, target: AdamBulk) {
            var lo = (x: 0.0, f: first.target.r, e: first, input: AdamBulk.zero), hi: (x: Double, f: Double?)? = nil, side = 0
            var x = first.target.r, target = frozen ?? first.target
            for _ in 0..<60 {
                var bulk = target
                bulk.r = x
                let e = try evaluate(bulk)
                if frozen == nil { target = e.target }
                let f: Double? = e.out.solution == .learned ? e.target.r - x : nil
                if let f, abs(f) < 1e-9 { return (e.out, bulk, e.target) }
                if let f, f > 0 {
                    lo = (x, f, e, bulk)
                    if side == 1, let h = hi, let fh = h.f { hi = (h.x, fh / 2) }   // Illinois: halve the stale end
                    side = 1
                } else {
                    hi = (x, f)
                    if side == -1 { lo.f /= 2 }
                    side = -1
                }
                if let h = hi {
                    if h.x - lo.x < 1e-10 {   // closed onto the end of the learned branch: no fixed point on it
                        var out = lo.e.out
                        out.converged = h.f != nil
                        return (out, lo.input, lo.e.target)
                    }
                    x = h.f.map { fh in lo.x - lo.f * (h.x - lo.x) / (fh - lo.f) } ?? (lo.x + h.x) / 2
                } else {
                    x = e.target.r   // below the root: the plain iteration
                }
            }
            return (lo.e.out, lo.input, lo.e.target)
        }
        // Where the rest of the bulk (δq, and the directional variances of `.split` … `.preconditioned`) lagged behind
        // the root (a stale end of the bracket), the root is redone with the rest held at its target, until it is AD.3's.
        var result = try rootInR(frozen: nil)
        for _ in 0..<40 where !Self.sameBulk(result.input, result.target) && result.out.solution == .learned && result.out.converged {
            result = try rootInR(frozen: result.target)
        }
        return result.out
    }

    /// The parts of AD.4's bulk that act on the state besides δr (δq, the offsets; span(X₁)'s share of δr is fresh noise
    /// like the rest of it, AD.19) agree with their AD.3 target to 10⁻⁵ relative.
    private static func sameBulk(_ a: AdamBulk, _ b: AdamBulk) -> Bool {
        func close(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= 1e-5 * max(abs(x), abs(y)) }
        return close(a.q, b.q) && close(a.offsetShare, b.offsetShare)
    }

    /// The reduced problem (AD.4) at τ with the bulk held at `bulk` (not solved for it, unlike `adamLearningRate`),
    /// started from `warmStart`'s (W, b_eff, κ, c) or the n = ∞ solution: to map the state against δr and δq
    /// (derivations/adam-offset.md AD.11). Finite n, unsaturated or `finiteDReduced` times.
    ///
    ///     let x = try theory.parameters(at: 1.75, bulk: AdamBulk(r: 0, q: 2e-4), warmStart: nil)
    public func parameters(at tau: Double, bulk: AdamBulk, warmStart: LearnedParameters?) throws -> LearnedParameters {
        let s = clock(tau)
        guard !problem.isInfinite, !usesClosedForm(tau) else { throw InputError("the reduced problem at τ = \(tau) is the closed form here") }
        let v = s.alpha * s.alpha + s.beta * s.beta * problem.sigma * problem.sigma
        let from = warmStart?.solution == .learned ? warmStart : nil
        var out = try reducedSolve(at: tau, start: from.map { ($0.halfGap, $0.bEff) } ?? (s.signal / v, atanh(max(-0.999, min(0.999, problem.imbalance)))),
                                   slope: from?.pointSlope ?? 0, bulk: bulk, skipWeight: from?.c)
        out.tau = tau; out.t = s.t; out.phase = s.phase; out.signal = s.signal
        return out
    }

    /// The reduced problem at τ with the bulk noise `bulk`, and (finiteDReduced) c iterated to the
    /// stationary skip weight of the exact objective (FD.2, CV.7).
    /// `skipWeight`: the c to start that iteration from (nil: the AT.20 form).
    private func reducedSolve(at tau: Double, start: (w: Double, bias: Double), slope: Double, response: Double = 0,
                              bulk: AdamBulk, skipWeight: Double? = nil) throws -> LearnedParameters {
        try atStationarySkipWeight(tau, bulk: bulk, tolerance: 1e-10, response: response, startingAt: skipWeight) { objective, previous in
            let from = previous?.solution == .learned ? previous : nil
            return try solve(objective, start: from.map { ($0.halfGap, $0.bEff) } ?? start, slope: from?.pointSlope ?? slope)
        }
    }

    /// The trivial branch at τ (w = 0, |b| = ∞, AT.36), with the stationary skip weight (FD.1, FD.2)
    /// when `finiteDReduced` at finite d: the theory row for a network that sits on that branch (FD.4).
    public func trivialParameters(at tau: Double) -> LearnedParameters {
        let s = clock(tau)
        var out = atStationarySkipWeight(tau, bulk: .zero, tolerance: 1e-12) { objective, _ in objective.trivialParameters }
        out.tau = tau; out.t = s.t; out.phase = s.phase; out.signal = s.signal
        return out
    }

    /// `solve` on the reduced problem at τ and, when `finiteDReduced` at finite d (β > 0), again at the
    /// stationary skip weight of its solution until c moves by less than `tolerance` (FD.2); `solve`
    /// gets the previous solution (nil the first time); the first solve is at c = `startingAt` (nil: AT.20's c).
    /// With FD.8 the same loop carries χ: each solve holds it fixed, and the next uses the profiled χ (FD.8d)
    /// at the previous minimiser, until χ moves by less than `responseTolerance` (the joint stationary point
    /// of F in (W, b_eff, κ, χ)).
    private func atStationarySkipWeight(_ tau: Double, bulk: AdamBulk, tolerance: Double, response: Double = 0,
                                        startingAt c0: Double? = nil,
                                        _ solve: (PhaseOneObjective, LearnedParameters?) throws -> LearnedParameters) rethrows -> LearnedParameters {
        var out = try solve(phaseOneObjective(at: tau, skipWeight: c0, bulk: bulk, response: response), nil)
        guard finiteDReduced && dimension.isFinite && clock(tau).beta > 0 else { return out }
        var chi = response
        for _ in 0..<40 {
            let objective = phaseOneObjective(at: tau, skipWeight: out.c, bulk: bulk, response: chi)
            let c = SkipWeight.stationary(out, objective: objective, dimension: dimension)
            let next = objective.crossResponse && out.solution == .learned
                ? objective.profiledResponse(halfGap: out.halfGap, bias: out.bEff, slope: out.pointSlope).chi : chi
            if abs(c - out.c) < tolerance && abs(next - chi) < Self.responseTolerance { break }
            chi = next
            out = try solve(phaseOneObjective(at: tau, skipWeight: c, bulk: bulk, response: chi), out)
        }
        return out
    }

    /// FD.8's χ is iterated to this (it moves r by ≈ 2χν r_η δχ, below 10⁻¹⁰ here).
    static let responseTolerance = 1e-8

    /// Clock times of the table: τ_j = j/points, j = 0 … 2·points − 1 (points per phase), so that a
    /// simulation grid of K = 2·points/m times (τ = i·2/K) joins on identical τ values.
    public static func clockTimes(pointsPerPhase points: Int) -> [Double] {
        (0..<(2 * points)).map { Double($0) / Double(points) }
    }

    /// The full table on τ_j = j/points (both phases). Phase 1 is solved by continuation from the
    /// top of phase 1 (τ → 0), each minimisation warm-started at the previous non-trivial minimum.
    public func table(pointsPerPhase points: Int, progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [LearnedParameters] {
        guard points >= 1 else { throw InputError("points must be ≥ 1; got \(points)") }
        return try table(at: Self.clockTimes(pointsPerPhase: points), progress: progress)
    }

    /// The learned parameters at any clock times in [0, 2] (e.g. a simulation's grid), returned in
    /// the order given; phase-1 times are solved by continuation in decreasing τ. `progress` is told
    /// the count of times done after each.
    public func table(at times: [Double], progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> [LearnedParameters] {
        let end = schedule?.clockEnd ?? 2
        for tau in times { try require("tau", tau, "in [0, \(end)]") { $0 >= 0 && $0 <= end } }
        var rows = [LearnedParameters?](repeating: nil, count: times.count), done = 0
        var start: (w: Double, bias: Double)?, slope = 0.0, response = 0.0
        var top: (w: Double, bias: Double)?, topSlope = 0.0
        for j in times.indices.filter({ !isSaturated(times[$0]) }).sorted(by: { times[$0] > times[$1] }) {
            var row = try parameters(at: times[j], warmStart: start, warmSlope: slope, warmResponse: response)
            if row.solution == .learned { response = row.noiseResponse }
            if !problem.isInfinite, row.solution == .trivial, let from = start ?? defaultStart(times[j]),
               let branch = try PhaseOneSolver.branch(phaseOneObjective(at: times[j]), start: from, slope: slope) {
                (start, slope) = ((branch.halfGap, branch.bEff), branch.pointSlope)   // keep following the metastable branch
            } else if row.solution == .learned {
                (start, slope) = ((row.halfGap, row.bEff), row.pointSlope)
            }
            row.tau = times[j]
            rows[j] = row
            done += 1; progress?(done, times.count)
            if top == nil, row.solution == .learned { (top, topSlope) = ((row.halfGap, row.bEff), row.pointSlope) }
        }
        // Saturated times: closed form, or (finiteDReduced) continuation in increasing τ from the
        // top of the unsaturated range.
        var (up, upSlope, upResponse) = (top, topSlope, 0.0)
        for j in times.indices.filter({ isSaturated(times[$0]) }).sorted(by: { times[$0] < times[$1] }) {
            var row = try parameters(at: times[j], warmStart: usesClosedForm(times[j]) ? nil : up, warmSlope: upSlope, warmResponse: upResponse)
            if row.solution == .learned && !usesClosedForm(times[j]) {
                (up, upSlope, upResponse) = ((row.halfGap, row.bEff), row.pointSlope, row.noiseResponse)
            }
            row.tau = times[j]
            rows[j] = row
            done += 1; progress?(done, times.count)
        }
        return rows.map { $0! }
    }

    private func defaultStart(_ tau: Double) -> (w: Double, bias: Double)? {
        let s = clock(tau)
        return (s.signal, atanh(max(-0.999, min(0.999, problem.imbalance))))
    }
}
