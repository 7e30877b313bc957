// Internals of the fast backend: our own threads. A fork-join loop (parallel_for), the batch
// split every conv path shares (run_parts, sample_parts, for_each_chunk, add_parts), and the
// per-thread scratch buffers (scratch, PartSums). The pool itself is in blas.cpp. Not a public
// header; the BLAS calls are in fast/blas.h, the im2col / col2im lowering in fast/lowering.h.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace convt::fast::detail {

// Runs fn(begin, end) over [0, count) cut into num_threads() contiguous ranges, the first on the
// calling thread; returns when all are done. Runs fn(0, count) inline when one thread is set or
// when count * cost_per_item is below a threshold where starting a thread costs more than it
// saves. Each index is handled by exactly one call, so results never depend on the split.
void parallel_for(int64_t count, int64_t cost_per_item,
                  const std::function<void(int64_t, int64_t)>& fn);

// Runs task(t) for t in [0, parts) on our threads (t = 0 on the calling thread) and returns when
// all are done. Inside a task, parallel_for and gemm run on the calling thread alone. Tasks must
// not throw.
void run_parts(int parts, const std::function<void(int)>& task);

// How many parts (run_parts) the conv paths split a batch of N samples into, one GEMM per part at
// a time: num_threads() clamped to [1, N]; but 1 inside a task (the parts would only run one after
// another on the calling thread), and 1 under
// CONVT_FAST_GEMM_THREADS=openblas, where OpenBLAS runs num_threads() threads inside each sgemm
// itself (several parts would oversubscribe the cores and enter the threaded OpenBLAS from
// several threads at once).
int sample_parts(int N);

// The batch split every conv path shares: samples [0, N) in T contiguous parts (T from
// sample_parts), part t = [N*t/T, N*(t+1)/T) on thread t (run_parts) with its own scratch
// buffers, each part walked in chunks of at most `chunk` samples:
//   fn(t, n0, b, first) for samples [n0, n0 + b); `first` on the part's first chunk.
// Chunks write disjoint samples; a sum over the batch (a weight gradient) is kept per part and
// the parts added in part order afterwards (add_parts), so results depend on T, not on timing.
template <class Fn>
void for_each_chunk(int N, int T, int chunk, Fn&& fn) {
  run_parts(T, [&](int t) {
    const int n_begin = N * t / T, n_end = N * (t + 1) / T;
    for (int n0 = n_begin; n0 < n_end; n0 += chunk)
      fn(t, n0, n_end - n0 < chunk ? n_end - n0 : chunk, n0 == n_begin);
  });
}

// dst[i] += parts[0][i] + parts[1][i] + ... for i in [0, count), added in part order (null parts
// are skipped).
void add_parts(float* dst, const std::vector<float*>& parts, int64_t count);

// A scratch buffer of at least `count` floats, one per (calling thread, slot); grows, never
// shrinks, so a training loop allocates (and page-faults) only on its first step. Contents are
// unspecified.
float* scratch(int slot, int64_t count);

// The per-part sums of a weight gradient for for_each_chunk: T buffers of `count` floats, all in
// the calling thread's scratch (slot 4), so that no region run by another application thread can
// reuse them before they are added up. part(t) is part t's buffer (call it from part t, before
// its first GEMM, which writes it with beta 0); parts() lists the buffers handed out, null for the
// others, in part order.
class PartSums {
 public:
  PartSums(int T, int64_t count)
      : parts_(static_cast<size_t>(T), nullptr), all_(scratch(4, T * count)), count_(count) {}
  float* part(int t) { return parts_[static_cast<size_t>(t)] = all_ + t * count_; }
  const std::vector<float*>& parts() const { return parts_; }

 private:
  std::vector<float*> parts_;
  float* all_;
  int64_t count_;
};

}  // namespace convt::fast::detail
