// The fast backend's plumbing: thread count, the OpenBLAS set-up, the thread pool and fork-join
// loop, scratch buffers, the GEMM wrapper.
//
// Threads: OpenBLAS always runs single-threaded, and our pool of n threads does the splitting.
// A convolution gives each thread its contiguous share of the batch (for_each_chunk in
// parallel.h): the thread runs its own im2col / col2im, copies and single-threaded GEMMs, and a
// weight gradient is summed per thread, then the sums are added in thread order, so results
// depend on n but never on timing. Other GEMMs are cut into n blocks of columns (or rows) of C,
// and the other loops into n ranges, each element computed by exactly one thread by the same
// code whatever n is. Measured on the 2-core machine (sgemm alone, 3200x650x256 etc.), this is as
// fast as or faster than OpenBLAS's own threads, whose idle workers spin after each call and
// steal the second core from our im2col/col2im loops. CONVT_FAST_GEMM_THREADS=openblas switches
// to OpenBLAS's threads instead (for comparison in bench_fast_ops).
#include <cblas.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "convt/fast/fast_ops.h"
#include "fast/blas.h"
#include "fast/parallel.h"

// OpenBLAS's runtime kernel selection (exported by its DYNAMIC_ARCH builds, such as Debian's).
// Weak: with another build they are null and the kernel is left as it is.
extern "C" __attribute__((weak)) void gotoblas_dynamic_init(void);
extern "C" __attribute__((weak)) void gotoblas_dynamic_quit(void);

namespace convt::fast {

namespace {

std::atomic<int> g_num_threads{1};
std::once_flag g_blas_once;
bool g_openblas_threads = false;  // CONVT_FAST_GEMM_THREADS=openblas

// OpenBLAS 0.3.21 (Debian 12) predates Zen 4 and runs its AVX2 "Haswell" kernels on AMD CPUs
// that have AVX-512; its "SkylakeX" kernels do about twice the GFLOP/s there (measured on this
// project's machine: sgemm 3200x1600x256, one thread, 88 -> 196 GFLOP/s). Re-run OpenBLAS's own
// selection with OPENBLAS_CORETYPE=SkylakeX (OpenBLAS itself checks the CPU supports it), unless
// the user chose a core type in the environment. Done once, before our first BLAS call.
void select_blas_kernel() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;  // the user's choice stands
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return;
  const std::string core = openblas_get_corename();
  if (core != "Haswell" && core != "Zen") return;
#if defined(__x86_64__) || defined(__i386__)  // __builtin_cpu_supports is x86 only
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq") ||
      !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl")) {
    return;
  }
  setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
#endif
}

void apply_blas_threads() {
  openblas_set_num_threads(g_openblas_threads ? g_num_threads.load() : 1);
}

// A fixed set of worker threads that sleep on a condition variable between parallel regions
// (starting a std::thread per region costs tens of microseconds; a region can be shorter).
// One region runs at a time; a region started from inside a region runs inline.
class ThreadPool {
 public:
  // Runs task(t) for t in [0, parts): t = 0 on the calling thread, the others on workers.
  // Returns when all have finished. Tasks must not throw.
  void run(int parts, const std::function<void(int)>& task) {
    if (parts <= 1 || t_inside_task) {
      for (int t = 0; t < parts; ++t) task(t);
      return;
    }
    std::lock_guard<std::mutex> region(region_mutex_);  // one region at a time
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (static_cast<int>(workers_.size()) < parts - 1) {
        const int index = static_cast<int>(workers_.size()) + 1;
        workers_.emplace_back([this, index] { worker_loop(index); });
      }
      task_ = &task;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    work_ready_.notify_all();
    t_inside_task = true;
    task(0);
    t_inside_task = false;
    std::unique_lock<std::mutex> lock(mutex_);
    work_done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
  }

 private:
  void worker_loop(int index) {
    // Named, so per-thread CPU figures (top -H, /proc/PID/task) tell training from the window.
    pthread_setname_np(pthread_self(), "convt-pool");
    t_inside_task = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_ready_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      if (index >= parts_) continue;  // not needed in this region
      const std::function<void(int)>* task = task_;
      lock.unlock();
      (*task)(index);
      lock.lock();
      if (--pending_ == 0) work_done_.notify_one();
    }
  }

  static thread_local bool t_inside_task;

 public:
  // Whether the calling thread is running a task of a region (nested regions run inline).
  static bool inside_task() { return t_inside_task; }

 private:
  std::mutex region_mutex_;
  std::mutex mutex_;
  std::condition_variable work_ready_, work_done_;
  std::vector<std::thread> workers_;  // detached at exit: the pool lives as long as the process
  const std::function<void(int)>* task_ = nullptr;
  int parts_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
};

thread_local bool ThreadPool::t_inside_task = false;

ThreadPool& pool() {
  static ThreadPool* p = new ThreadPool;  // never destroyed: its workers sleep until exit
  return *p;
}

void sgemm(bool a_trans, bool b_trans, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, a_trans ? CblasTrans : CblasNoTrans,
              b_trans ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, std::max(lda, 1), B,
              std::max(ldb, 1), beta, C, std::max(ldc, 1));
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) {
    throw std::invalid_argument("fast::set_num_threads: expected n >= 1, found " +
                                std::to_string(n));
  }
  detail::ensure_blas_ready();
  g_num_threads = n;
  apply_blas_threads();
}

int num_threads() { return g_num_threads; }

namespace detail {

void ensure_blas_ready() {
  std::call_once(g_blas_once, [] {
    select_blas_kernel();
    const char* mode = std::getenv("CONVT_FAST_GEMM_THREADS");
    g_openblas_threads = mode != nullptr && std::string(mode) == "openblas";
    apply_blas_threads();
  });
}

void parallel_for(int64_t count, int64_t cost_per_item,
                  const std::function<void(int64_t, int64_t)>& fn) {
  // Below ~32k element operations per thread, waking a worker is not worth it.
  constexpr int64_t kMinCostPerThread = 1 << 15;
  int64_t parts = std::min<int64_t>(ThreadPool::inside_task() ? 1 : num_threads(), count);
  parts = std::min<int64_t>(parts, count * std::max<int64_t>(cost_per_item, 1) / kMinCostPerThread);
  if (parts <= 1) {
    if (count > 0) fn(0, count);
    return;
  }
  pool().run(static_cast<int>(parts),
             [&](int t) { fn(count * t / parts, count * (t + 1) / parts); });
}

void run_parts(int parts, const std::function<void(int)>& task) { pool().run(parts, task); }

int sample_parts(int N) {
  if (g_openblas_threads) return 1;         // one sgemm at a time, threaded by OpenBLAS itself
  if (ThreadPool::inside_task()) return 1;  // parts would run one after another on this thread
  return std::clamp(num_threads(), 1, std::max(N, 1));
}

void add_parts(float* dst, const std::vector<float*>& parts, int64_t count) {
  parallel_for(count, static_cast<int64_t>(parts.size()), [&](int64_t begin, int64_t end) {
    for (const float* part : parts) {
      if (!part) continue;
      for (int64_t i = begin; i < end; ++i) dst[i] += part[i];
    }
  });
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
  // Cut C into blocks of columns (or rows when C is taller than wide), multiples of 16 wide, one
  // per thread; small products stay on one thread.
  const bool split_n = N >= M;
  const int extent = split_n ? N : M;
  int parts = g_openblas_threads || ThreadPool::inside_task() ? 1 : num_threads();
  parts = std::min(parts, extent / 16);
  if (static_cast<int64_t>(M) * N * K < (int64_t{1} << 20)) parts = 1;
  if (parts <= 1) {
    sgemm(a_trans, b_trans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  pool().run(parts, [&](int t) {
    const int begin = extent * t / parts / 16 * 16;
    const int end = t + 1 == parts ? extent : extent * (t + 1) / parts / 16 * 16;
    if (end <= begin) return;
    if (split_n) {
      const float* Bt = b_trans ? B + static_cast<int64_t>(begin) * ldb : B + begin;
      sgemm(a_trans, b_trans, M, end - begin, K, alpha, A, lda, Bt, ldb, beta, C + begin, ldc);
    } else {
      const float* At = a_trans ? A + begin : A + static_cast<int64_t>(begin) * lda;
      sgemm(a_trans, b_trans, end - begin, N, K, alpha, At, lda, B, ldb, beta,
            C + static_cast<int64_t>(begin) * ldc, ldc);
    }
  });
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
