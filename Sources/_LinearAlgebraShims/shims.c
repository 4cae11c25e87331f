#include "_LinearAlgebraShims.h"
#include <cblas.h>
#include <lapacke.h>

// OpenBLAS exports these; they are not in every cblas.h, so declare them here.
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int);
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);

void rp_dsyrk_lower_trans(int32_t n, int32_t k, double alpha, const double *a, int32_t lda,
                          double beta, double *c, int32_t ldc) {
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, n, k, alpha, a, lda, beta, c, ldc);
}

void rp_dgemm(char transa, char transb, int32_t m, int32_t n, int32_t k, double alpha,
              const double *a, int32_t lda, const double *b, int32_t ldb, double beta, double *c, int32_t ldc) {
    cblas_dgemm(CblasColMajor, transa == 'T' ? CblasTrans : CblasNoTrans,
                transb == 'T' ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int32_t rp_dsyevd_values(char uplo, int32_t n, double *a, int32_t lda, double *w) {
    return (int32_t)LAPACKE_dsyevd_2stage(LAPACK_COL_MAJOR, 'N', uplo, n, a, lda, w);
}

int32_t rp_dsyevd_vectors(char uplo, int32_t n, double *a, int32_t lda, double *w) {
    return (int32_t)LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', uplo, n, a, lda, w);
}

int32_t rp_dpotrf(char uplo, int32_t n, double *a, int32_t lda) {
    return (int32_t)LAPACKE_dpotrf(LAPACK_COL_MAJOR, uplo, n, a, lda);
}

int32_t rp_dpotrs(char uplo, int32_t n, int32_t nrhs, const double *a, int32_t lda, double *b, int32_t ldb) {
    return (int32_t)LAPACKE_dpotrs(LAPACK_COL_MAJOR, uplo, n, nrhs, a, lda, b, ldb);
}

int32_t rp_dgesdd_values(int32_t m, int32_t n, double *a, int32_t lda, double *s) {
    return (int32_t)LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'N', m, n, a, lda, s, NULL, 1, NULL, 1);
}

int32_t rp_dgesdd_thin(int32_t m, int32_t n, double *a, int32_t lda, double *s,
                       double *u, int32_t ldu, double *vt, int32_t ldvt) {
    return (int32_t)LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', m, n, a, lda, s, u, ldu, vt, ldvt);
}

int32_t rp_blas_threads(void) { return (int32_t)openblas_get_num_threads(); }

void rp_blas_set_threads(int32_t n) {
    if (n > 0) openblas_set_num_threads(n);
}

const char *rp_blas_core_name(void) { return openblas_get_corename(); }

const char *rp_blas_config(void) { return openblas_get_config(); }

// The compiler's CPU-model runtime reads CPUID once and sets a feature only when XGETBV shows the OS saves
// the registers it needs (YMM for AVX2, ZMM and opmask for AVX-512), which is the check OpenBLAS makes too.
const char *rp_cpu_widest_openblas_core(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
    return 0;
}
