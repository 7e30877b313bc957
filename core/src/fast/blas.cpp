// The fast backend's plumbing: thread count, the OpenBLAS set-up, the fork-join loop, scratch
// buffers, the GEMM wrapper.
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "convt/fast/fast_ops.h"
#include "fast/parallel.h"

// OpenBLAS's runtime kernel selection (exported by its DYNAMIC_ARCH builds, such as Debian's).
// Weak: with another build they are null and the kernel is left as it is.
extern "C" __attribute__((weak)) void gotoblas_dynamic_init(void);
extern "C" __attribute__((weak)) void gotoblas_dynamic_quit(void);

namespace convt::fast {

namespace {

std::atomic<int> g_num_threads{1};
std::once_flag g_blas_once;

// OpenBLAS 0.3.21 (Debian 12) predates Zen 4 and runs its AVX2 "Haswell" kernels on AMD CPUs
// that have AVX-512; its "SkylakeX" kernels do about twice the GFLOP/s there (measured on this
// project's machine: sgemm 3200x1600x256, one thread, 88 -> 196 GFLOP/s). Re-run OpenBLAS's own
// selection with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS itself checks the CPU supports it), unless
// the user chose a core type. Done once, before our first BLAS call.
void select_blas_kernel() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // the user's choice stands
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return;
  const std::string core = openblas_get_corename();
  if (core != "Haswell" && core != "Zen") return;
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
      !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl")) {
    return;
  }
  setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) {
    throw std::invalid_argument("fast::set_num_threads: expected n >= 1, found " +
                                std::to_string(n));
  }
  detail::ensure_blas_ready();
  g_num_threads = n;
  openblas_set_num_threads(n);
}

int num_threads() { return g_num_threads; }

namespace detail {

void ensure_blas_ready() {
  std::call_once(g_blas_once, [] {
    select_blas_kernel();
    openblas_set_num_threads(g_num_threads);
  });
}

void parallel_for(int64_t count, int64_t cost_per_item,
                  const std::function<void(int64_t, int64_t)>& fn) {
  // Below ~64k element operations a thread start (tens of microseconds) is not worth it.
  constexpr int64_t kMinCostPerThread = 1 << 16;
  int64_t parts = std::min<int64_t>(num_threads(), count);
  parts = std::min<int64_t>(parts, count * std::max<int64_t>(cost_per_item, 1) / kMinCostPerThread);
  if (parts <= 1) {
    if (count > 0) fn(0, count);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(parts - 1));
  for (int64_t t = 1; t < parts; ++t) {
    workers.emplace_back(fn, count * t / parts, count * (t + 1) / parts);
  }
  fn(0, count / parts);
  for (std::thread& w : workers) w.join();
}

void gemm(bool a_trans, bool b_trans, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // op(A) @ op(B) is zero: C = beta * C
    for (int m = 0; m < M; ++m) {
      float* row = C + static_cast<int64_t>(m) * ldc;
      if (beta == 0.0f) {
        std::fill(row, row + N, 0.0f);
      } else if (beta != 1.0f) {
        for (int n = 0; n < N; ++n) row[n] *= beta;
      }
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, a_trans ? CblasTrans : CblasNoTrans,
              b_trans ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, std::max(lda, 1), B,
              std::max(ldb, 1), beta, C, std::max(ldc, 1));
}

float* scratch(int slot, int64_t count) {
  thread_local std::vector<std::vector<float>> buffers;
  if (static_cast<int>(buffers.size()) <= slot) buffers.resize(static_cast<size_t>(slot) + 1);
  std::vector<float>& buffer = buffers[static_cast<size_t>(slot)];
  if (static_cast<int64_t>(buffer.size()) < count) buffer.resize(static_cast<size_t>(count));
  return buffer.data();
}

int chunk_samples(int64_t rows, int64_t per_sample_columns, int64_t batch) {
  // Defaults measured with core/bench/bench_fast_ops.cpp; the environment variables are tuning
  // knobs for that benchmark and for the tests (which force one sample per chunk).
  const auto knob = [](const char* name, int64_t fallback) {
    const char* s = std::getenv(name);
    return s ? std::max<int64_t>(std::atoll(s), 1) : fallback;
  };
  const int64_t target_floats = knob("CONVT_FAST_CHUNK_FLOATS", int64_t{1} << 21);
  const int64_t min_columns = knob("CONVT_FAST_MIN_COLUMNS", 256);
  per_sample_columns = std::max<int64_t>(per_sample_columns, 1);
  int64_t samples = target_floats / std::max<int64_t>(rows * per_sample_columns, 1);
  samples = std::max(samples, (min_columns + per_sample_columns - 1) / per_sample_columns);
  return static_cast<int>(std::clamp<int64_t>(samples, 1, std::max<int64_t>(batch, 1)));
}

}  // namespace detail

}  // namespace convt::fast
