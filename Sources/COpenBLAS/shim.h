#ifndef PHASEFLOW_COPENBLAS_SHIM_H
#define PHASEFLOW_COPENBLAS_SHIM_H
// OpenBLAS (pkg-config `openblas`, apt `libopenblas-dev`) through its Fortran-style entry points
// (dgemm_ …), declared here rather than via <cblas.h>: GSL's own gsl_cblas.h defines the CBLAS
// enums differently, and libgslcblas (linked by GSL) exports cblas_* symbols of its own, so the
// Fortran names are the unambiguous way to reach OpenBLAS. Reached only through BLASKit.
// Column-major; integers are 32-bit (Debian's OpenBLAS is built without USE_64BITINT).

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *b, const int *ldb, const double *beta, double *c, const int *ldc);
void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
            const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c, const int *ldc);
void dgemv_(const char *t, const int *m, const int *n, const double *alpha, const double *a, const int *lda,
            const double *x, const int *incx, const double *beta, double *y, const int *incy);
void sgemv_(const char *t, const int *m, const int *n, const float *alpha, const float *a, const int *lda,
            const float *x, const int *incx, const float *beta, float *y, const int *incy);
void dger_(const int *m, const int *n, const double *alpha, const double *x, const int *incx,
           const double *y, const int *incy, double *a, const int *lda);
void sger_(const int *m, const int *n, const float *alpha, const float *x, const int *incx,
           const float *y, const int *incy, float *a, const int *lda);
double ddot_(const int *n, const double *x, const int *incx, const double *y, const int *incy);
double dsdot_(const int *n, const float *x, const int *incx, const float *y, const int *incy);
void daxpy_(const int *n, const double *alpha, const double *x, const int *incx, double *y, const int *incy);
void saxpy_(const int *n, const float *alpha, const float *x, const int *incx, float *y, const int *incy);
void dscal_(const int *n, const double *alpha, double *x, const int *incx);
void sscal_(const int *n, const float *alpha, float *x, const int *incx);

static inline void pf_dgemm(int ta, int tb, int m, int n, int k, double alpha, const double *a, int lda,
                            const double *b, int ldb, double beta, double *c, int ldc) {
    char A = ta ? 'T' : 'N', B = tb ? 'T' : 'N';
    dgemm_(&A, &B, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc);
}
static inline void pf_sgemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                            const float *b, int ldb, float beta, float *c, int ldc) {
    char A = ta ? 'T' : 'N', B = tb ? 'T' : 'N';
    sgemm_(&A, &B, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc);
}
static inline void pf_dgemv(int t, int m, int n, double alpha, const double *a, int lda, const double *x, int incx,
                            double beta, double *y, int incy) {
    char T = t ? 'T' : 'N';
    dgemv_(&T, &m, &n, &alpha, a, &lda, x, &incx, &beta, y, &incy);
}
static inline void pf_sgemv(int t, int m, int n, float alpha, const float *a, int lda, const float *x, int incx,
                            float beta, float *y, int incy) {
    char T = t ? 'T' : 'N';
    sgemv_(&T, &m, &n, &alpha, a, &lda, x, &incx, &beta, y, &incy);
}
static inline void pf_dger(int m, int n, double alpha, const double *x, int incx, const double *y, int incy, double *a, int lda) {
    dger_(&m, &n, &alpha, x, &incx, y, &incy, a, &lda);
}
static inline void pf_sger(int m, int n, float alpha, const float *x, int incx, const float *y, int incy, float *a, int lda) {
    sger_(&m, &n, &alpha, x, &incx, y, &incy, a, &lda);
}
static inline double pf_ddot(int n, const double *x, int incx, const double *y, int incy) { return ddot_(&n, x, &incx, y, &incy); }
static inline double pf_dsdot(int n, const float *x, int incx, const float *y, int incy) { return dsdot_(&n, x, &incx, y, &incy); }
static inline void pf_daxpy(int n, double alpha, const double *x, int incx, double *y, int incy) { daxpy_(&n, &alpha, x, &incx, y, &incy); }
static inline void pf_saxpy(int n, float alpha, const float *x, int incx, float *y, int incy) { saxpy_(&n, &alpha, x, &incx, y, &incy); }
static inline void pf_dscal(int n, double alpha, double *x, int incx) { dscal_(&n, &alpha, x, &incx); }
static inline void pf_sscal(int n, float alpha, float *x, int incx) { sscal_(&n, &alpha, x, &incx); }
#endif
