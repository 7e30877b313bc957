// Internals of the fast backend: OpenBLAS. Its one-time set-up, the SGEMM wrapper every GEMM
// goes through, and how many samples one GEMM covers (all in blas.cpp). Not a public header.
#pragma once

#include <cstdint>

namespace convt::fast::detail {

// Called at the top of every fast op: once per process, sets OpenBLAS to num_threads() and
// picks its fastest kernel for this CPU (see blas.cpp). Cheap afterwards.
void ensure_blas_ready();

// Row-major C (M, N) = alpha * op(A) @ op(B) + beta * C with cblas_sgemm, where op(A) is (M, K)
// and op(B) is (K, N); a_trans / b_trans say whether A / B are stored transposed. Handles the
// empty cases (M, N or K = 0) that BLAS refuses.
void gemm(bool a_trans, bool b_trans, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);

// How many samples of the batch one GEMM covers: enough columns (samples * per_sample_columns)
// for BLAS to run near peak, few enough that the scratch matrix (rows x columns) stays a few MB.
int chunk_samples(int64_t rows, int64_t per_sample_columns, int64_t batch);

}  // namespace convt::fast::detail
