import CGSL

/// The `gsl_odeiv2` stepping methods offered to users.
public enum ODEStepper: String, CaseIterable, Sendable {
    /// Runge–Kutta Prince–Dormand (8, 9): the default for smooth non-stiff problems.
    case rk8pd
    /// Runge–Kutta–Fehlberg (4, 5).
    case rkf45
    /// Runge–Kutta Cash–Karp (4, 5).
    case rkck
    /// Variable-order BDF for stiff problems (uses a finite-difference Jacobian unless one is given).
    case msbdf
    /// Implicit Bulirsch–Stoer for stiff problems (finite-difference Jacobian unless one is given).
    case bsimp

    var gslType: UnsafePointer<gsl_odeiv2_step_type> {
        switch self {
        case .rk8pd: cgsl_step_rk8pd()
        case .rkf45: cgsl_step_rkf45()
        case .rkck: cgsl_step_rkck()
        case .msbdf: cgsl_step_msbdf()
        case .bsimp: cgsl_step_bsimp()
        }
    }
}

/// Error control of the adaptive driver: |err_i| ≤ absolute + relative·|y_i|.
public struct ODETolerance: Sendable {
    public var absolute: Double
    public var relative: Double
    public var initialStep: Double
    public var maxSteps: Int

    public init(absolute: Double = 1e-12, relative: Double = 1e-10, initialStep: Double = 1e-6, maxSteps: Int = 1_000_000) {
        self.absolute = absolute
        self.relative = relative
        self.initialStep = initialStep
        self.maxSteps = maxSteps
    }
}

/// dy/dt = f(t, y), written into `dydt`. May throw; the error reaches the caller of `integrate`.
public typealias ODERightHandSide = (_ t: Double, _ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) throws -> Void

/// An adaptive, error-controlled integrator (`gsl_odeiv2_driver`) for a fixed system.
///
///     let ode = try ODEIntegrator(dimension: 1) { _, y, dydt in dydt[0] = -y[0] }   // dy/dt = −y
///     var y = [1.0]; try ode.integrate(&y, from: 0, to: 1)                     // y ≈ e⁻¹
public final class ODEIntegrator {
    public let dimension: Int
    public let stepper: ODEStepper
    public let tolerance: ODETolerance
    private let box: CallbackBox<ODECallback>
    private let system: UnsafeMutablePointer<gsl_odeiv2_system>
    private let driver: UnsafeMutablePointer<gsl_odeiv2_driver>

    public init(dimension: Int, stepper: ODEStepper = .rk8pd, tolerance: ODETolerance = ODETolerance(),
                rightHandSide: @escaping ODERightHandSide) throws {
        _ = gslHandlerDisabled
        precondition(dimension > 0)
        self.dimension = dimension
        self.stepper = stepper
        self.tolerance = tolerance
        box = CallbackBox(ODECallback(dimension: dimension, rightHandSide: rightHandSide))
        system = .allocate(capacity: 1)
        system.initialize(to: gsl_odeiv2_system(
            function: odeTrampoline, jacobian: odeFiniteDifferenceJacobian,
            dimension: dimension, params: Unmanaged.passUnretained(box).toOpaque()))
        guard let d = gsl_odeiv2_driver_alloc_y_new(system, stepper.gslType, tolerance.initialStep,
                                                    tolerance.absolute, tolerance.relative) else {
            system.deallocate()
            throw GSLError(routine: "gsl_odeiv2_driver_alloc_y_new", status: Int(GSL_ENOMEM), reason: "allocation failed")
        }
        driver = d
        try check(gsl_odeiv2_driver_set_nmax(driver, UInt(tolerance.maxSteps)), "gsl_odeiv2_driver_set_nmax")
    }

    deinit {
        gsl_odeiv2_driver_free(driver)
        system.deallocate()
    }

    /// Integrates `y` from `t0` to `t1` (either direction), restarting the stepper at `t0`.
    public func integrate(_ y: inout [Double], from t0: Double, to t1: Double) throws {
        precondition(y.count == dimension)
        guard t0 != t1 else { return }
        let direction: Double = t1 > t0 ? 1 : -1
        let h0 = direction * min(tolerance.initialStep, abs(t1 - t0))
        try check(gsl_odeiv2_driver_reset_hstart(driver, h0), "gsl_odeiv2_driver_reset_hstart")
        var t = t0
        box.error = nil
        let status = y.withUnsafeMutableBufferPointer { gsl_odeiv2_driver_apply(driver, &t, t1, $0.baseAddress) }
        if let error = box.error { throw error }
        try check(status, "gsl_odeiv2_driver_apply (stepper \(stepper.rawValue), stopped at t = \(t))")
        guard y.allSatisfy(\.isFinite) else {
            throw GSLError(routine: "gsl_odeiv2_driver_apply", status: Int(GSL_EBADFUNC),
                           reason: "solution is not finite at t = \(t1)")
        }
    }
}

/// The right-hand side together with its dimension, as the C trampolines need both.
struct ODECallback {
    let dimension: Int
    let rightHandSide: ODERightHandSide
}

private func odeTrampoline(t: Double, y: UnsafePointer<Double>?, dydt: UnsafeMutablePointer<Double>?,
                           params: UnsafeMutableRawPointer?) -> Int32 {
    let box = CallbackBox<ODECallback>.from(params)
    let n = box.function.dimension
    do {
        try box.function.rightHandSide(t, UnsafeBufferPointer(start: y, count: n),
                                       UnsafeMutableBufferPointer(start: dydt, count: n))
        for i in 0..<n where !dydt![i].isFinite { return Int32(GSL_EBADFUNC) }
        return Int32(GSL_SUCCESS)
    } catch {
        box.error = error
        return Int32(GSL_EBADFUNC)
    }
}

/// Forward-difference Jacobian and ∂f/∂t for the implicit steppers (msbdf, bsimp).
private func odeFiniteDifferenceJacobian(t: Double, y: UnsafePointer<Double>?, dfdy: UnsafeMutablePointer<Double>?,
                                         dfdt: UnsafeMutablePointer<Double>?, params: UnsafeMutableRawPointer?) -> Int32 {
    let n = CallbackBox<ODECallback>.from(params).function.dimension
    var f0 = [Double](repeating: 0, count: n), f1 = f0
    var yy = Array(UnsafeBufferPointer(start: y, count: n))
    guard odeTrampoline(t: t, y: yy, dydt: &f0, params: params) == Int32(GSL_SUCCESS) else { return Int32(GSL_EBADFUNC) }
    for j in 0..<n {
        let h = 1e-7 * max(1, abs(yy[j]))
        let saved = yy[j]
        yy[j] = saved + h
        guard odeTrampoline(t: t, y: yy, dydt: &f1, params: params) == Int32(GSL_SUCCESS) else { return Int32(GSL_EBADFUNC) }
        yy[j] = saved
        for i in 0..<n { dfdy![i * n + j] = (f1[i] - f0[i]) / h }
    }
    let ht = 1e-7 * max(1, abs(t))
    guard odeTrampoline(t: t + ht, y: yy, dydt: &f1, params: params) == Int32(GSL_SUCCESS) else { return Int32(GSL_EBADFUNC) }
    for i in 0..<n { dfdt![i] = (f1[i] - f0[i]) / ht }
    return Int32(GSL_SUCCESS)
}
