import COpenBLAS

/// The one Swift layer over CBLAS (OpenBLAS). Every matrix is column-major. All calls run on the
/// calling thread: `BLAS.singleThreaded()` pins OpenBLAS to one thread so that results do not
/// depend on the machine's core count (OpenBLAS may split reductions differently per thread count);
/// parallelism is done by the caller over independent blocks of fixed size.
///
///     let x: [Double] = [1, 2, 3], y: [Double] = [4, 5, 6]
///     let xy = BLAS.dot(3, x, 1, y, 1)   // 32
public enum BLAS {
    /// Pins OpenBLAS to one thread (idempotent, cheap).
    public static func singleThreaded() { openblas_set_num_threads(1) }
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
}

public enum Transpose: Sendable { case none, transpose
    var flag: Int32 { self == .none ? 0 : 1 }
}

/// A floating-point type with BLAS kernels (Float → s*, Double → d*). Dot products accumulate in
/// Double for both (`dsdot` for Float). SIMDScalar lets callers write elementwise loops on SIMD4.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, SIMDScalar {
    /// C ← alpha op(A) op(B) + beta C; op(A) is m×k, op(B) k×n.
    static func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Double, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// y ← alpha op(A) x + beta y, A m×n.
    static func gemv(_ ta: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, incx: Int, beta: Double, y: UnsafeMutablePointer<Self>, incy: Int)
    /// A ← alpha x yᵀ + A, A m×n.
    static func ger(m: Int, n: Int, alpha: Double, x: UnsafePointer<Self>, incx: Int,
                    y: UnsafePointer<Self>, incy: Int, a: UnsafeMutablePointer<Self>, lda: Int)
    /// x·y accumulated in Double.
    static func dot(_ n: Int, _ x: UnsafePointer<Self>, _ incx: Int, _ y: UnsafePointer<Self>, _ incy: Int) -> Double
    /// y ← alpha x + y.
    static func axpy(_ n: Int, _ alpha: Double, _ x: UnsafePointer<Self>, _ incx: Int, _ y: UnsafeMutablePointer<Self>, _ incy: Int)
    /// x ← alpha x.
    static func scal(_ n: Int, _ alpha: Double, _ x: UnsafeMutablePointer<Self>, _ incx: Int)
}

extension Double: BLASScalar {
    public static func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        pf_dgemm(ta.flag, tb.flag, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                    b, Int32(ldb), beta, c, Int32(ldc))
    }
    public static func gemv(_ ta: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int) {
        pf_dgemv(ta.flag, Int32(m), Int32(n), alpha, a, Int32(lda), x, Int32(incx), beta, y, Int32(incy))
    }
    public static func ger(m: Int, n: Int, alpha: Double, x: UnsafePointer<Double>, incx: Int,
                           y: UnsafePointer<Double>, incy: Int, a: UnsafeMutablePointer<Double>, lda: Int) {
        pf_dger(Int32(m), Int32(n), alpha, x, Int32(incx), y, Int32(incy), a, Int32(lda))
    }
    public static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ incx: Int, _ y: UnsafePointer<Double>, _ incy: Int) -> Double {
        pf_ddot(Int32(n), x, Int32(incx), y, Int32(incy))
    }
    public static func axpy(_ n: Int, _ alpha: Double, _ x: UnsafePointer<Double>, _ incx: Int, _ y: UnsafeMutablePointer<Double>, _ incy: Int) {
        pf_daxpy(Int32(n), alpha, x, Int32(incx), y, Int32(incy))
    }
    public static func scal(_ n: Int, _ alpha: Double, _ x: UnsafeMutablePointer<Double>, _ incx: Int) {
        pf_dscal(Int32(n), alpha, x, Int32(incx))
    }
}

extension Float: BLASScalar {
    public static func gemm(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Float>, ldc: Int) {
        pf_sgemm(ta.flag, tb.flag, Int32(m), Int32(n), Int32(k), Float(alpha), a, Int32(lda),
                    b, Int32(ldb), Float(beta), c, Int32(ldc))
    }
    public static func gemv(_ ta: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Float>, lda: Int,
                            x: UnsafePointer<Float>, incx: Int, beta: Double, y: UnsafeMutablePointer<Float>, incy: Int) {
        pf_sgemv(ta.flag, Int32(m), Int32(n), Float(alpha), a, Int32(lda), x, Int32(incx), Float(beta), y, Int32(incy))
    }
    public static func ger(m: Int, n: Int, alpha: Double, x: UnsafePointer<Float>, incx: Int,
                           y: UnsafePointer<Float>, incy: Int, a: UnsafeMutablePointer<Float>, lda: Int) {
        pf_sger(Int32(m), Int32(n), Float(alpha), x, Int32(incx), y, Int32(incy), a, Int32(lda))
    }
    public static func dot(_ n: Int, _ x: UnsafePointer<Float>, _ incx: Int, _ y: UnsafePointer<Float>, _ incy: Int) -> Double {
        pf_dsdot(Int32(n), x, Int32(incx), y, Int32(incy))
    }
    public static func axpy(_ n: Int, _ alpha: Double, _ x: UnsafePointer<Float>, _ incx: Int, _ y: UnsafeMutablePointer<Float>, _ incy: Int) {
        pf_saxpy(Int32(n), Float(alpha), x, Int32(incx), y, Int32(incy))
    }
    public static func scal(_ n: Int, _ alpha: Double, _ x: UnsafeMutablePointer<Float>, _ incx: Int) {
        pf_sscal(Int32(n), Float(alpha), x, Int32(incx))
    }
}
