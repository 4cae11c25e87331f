// The only header in rankprobe that sees LAPACKE and CBLAS.
//
// Swift never calls LAPACKE directly: `lapack_int` is a macro whose width depends on how LAPACK was built,
// and several LAPACKE entry points take `char` flags that import awkwardly. Every wrapper here takes
// `int32_t` sizes, column-major storage, and returns LAPACK's INFO unchanged so that the Swift layer can
// turn a non-zero INFO into an error that names the routine.
#ifndef RANKPROBE_LINEAR_ALGEBRA_SHIMS_H
#define RANKPROBE_LINEAR_ALGEBRA_SHIMS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// C(lower) := alpha * Aᵀ A + beta * C, with A column-major k×n (leading dimension lda) and C n×n.
void rp_dsyrk_lower_trans(int32_t n, int32_t k, double alpha, const double *a, int32_t lda,
                          double beta, double *c, int32_t ldc);

/// C := alpha * op(A) op(B) + beta * C, column-major; trans flags are 'N' or 'T'.
void rp_dgemm(char transa, char transb, int32_t m, int32_t n, int32_t k, double alpha,
              const double *a, int32_t lda, const double *b, int32_t ldb, double beta, double *c, int32_t ldc);

/// Eigenvalues (ascending) of the symmetric matrix stored in triangle `uplo` of `a`.
/// Uses the two-stage tridiagonal reduction (dsyevd_2stage), which is BLAS-3 rich and markedly faster
/// than the classic one-stage reduction when no eigenvectors are wanted. Destroys that triangle.
int32_t rp_dsyevd_values(char uplo, int32_t n, double *a, int32_t lda, double *w);

/// Eigenvalues (ascending) and eigenvectors (overwriting `a`, column-major) via dsyevd.
int32_t rp_dsyevd_vectors(char uplo, int32_t n, double *a, int32_t lda, double *w);

/// Cholesky factorisation of triangle `uplo` (dpotrf). INFO > 0: not positive definite.
int32_t rp_dpotrf(char uplo, int32_t n, double *a, int32_t lda);

/// Solves A X = B with a factor from rp_dpotrf (dpotrs).
int32_t rp_dpotrs(char uplo, int32_t n, int32_t nrhs, const double *a, int32_t lda, double *b, int32_t ldb);

/// Singular values (descending) of a column-major m×n matrix (dgesdd, no vectors). Destroys `a`.
int32_t rp_dgesdd_values(int32_t m, int32_t n, double *a, int32_t lda, double *s);

/// Thin SVD of a column-major m×n matrix: u is m×min(m,n), vt is min(m,n)×n. Destroys `a`.
int32_t rp_dgesdd_thin(int32_t m, int32_t n, double *a, int32_t lda, double *s,
                       double *u, int32_t ldu, double *vt, int32_t ldvt);

/// Number of threads OpenBLAS uses; and a way to set it (0 leaves it unchanged).
int32_t rp_blas_threads(void);
void rp_blas_set_threads(int32_t n);

/// The name of the kernel set ("core type") OpenBLAS runs, e.g. "SkylakeX", "Haswell", "Prescott".
const char *rp_blas_core_name(void);

/// OpenBLAS's build description (version, DYNAMIC_ARCH, thread model).
const char *rp_blas_config(void);

/// The widest OpenBLAS x86-64 kernel set this CPU *and its operating system* can run, judged from CPUID
/// feature bits: "SkylakeX" (AVX-512 F/BW/VL/DQ/CD with the ZMM state enabled in XCR0), "Haswell" (AVX2 and
/// FMA with the YMM state enabled), or NULL (neither, or not x86-64).
const char *rp_cpu_widest_openblas_core(void);

#ifdef __cplusplus
}
#endif
#endif
