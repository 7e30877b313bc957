// Benchmark: the fast backend (im2col/col2im + OpenBLAS GEMM) against the naive kernels, on the
// layers of the notes' 20x20 GAN, forward and backward, plus the naive kernels' target
// (one sample through the first ConvT layer, against the notes' numpy loop: 1.9 s), after one
// core's SGEMM ceiling (a large square cblas_sgemm on 1 thread). Built, not run by ctest. Speed
// is measured here, never asserted by tests.
//
//   build-<you>/core/bench_fast_ops [--batch 256] [--threads 1,2] [--naive-batch 16]
//                                   [--seconds 1.0] [--no-naive] [--layer NAME_PART] [--cpu-time]
//
// Each figure is the fastest of several runs (wall clock; with --cpu-time, CPU seconds of the
// process, which other engineers' compiles on the shared cores do not inflate).
//
// GFLOP/s = 2 * multiply-adds / seconds, counting every tap the kernels compute (also those
// that padding crops), as PyTorch's FLOP counts do. "fwd" is forward; "bwd" one backward call for
// dx, dweight (and dbias) together, as a training step makes it; "dx" / "dw" a backward call for
// that gradient alone. Each of forward, dx, dw costs the forward's multiply-adds.
#include <cblas.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "convt/fast/fast_ops.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/linear.h"

using namespace convt;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// What a timing reports: the wall-clock time (default) or the process's CPU time (--cpu-time:
// all threads' CPU seconds, immune to other processes taking the cores, for tuning 1 thread).
bool g_cpu_time = false;

double now_seconds() {
  if (g_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

// Fastest of at least `min_reps` runs of fn within about `budget_seconds`, after one warm-up run
// (which also grows the fast backend's scratch buffers). The fastest run is the one least
// disturbed by other processes on this shared machine.
double time_best(const std::function<void()>& fn, double budget_seconds, int min_reps = 3) {
  fn();
  double best = 1e30;
  const auto start = Clock::now();
  for (int reps = 0; reps < min_reps || seconds_since(start) < budget_seconds; ++reps) {
    const double t0 = now_seconds();
    fn();
    best = std::min(best, now_seconds() - t0);
    if (reps >= 200) break;
  }
  return best;
}

Tensor random_tensor(std::vector<int64_t> shape, uint32_t seed) {
  Tensor t(std::move(shape));
  std::mt19937 gen(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = d(gen);
  return t;
}

enum class Kind { kConvT, kConv, kLinear };

struct Layer {
  const char* name;
  Kind kind;
  int C_in, C_out, H, W, k;  // linear: C_in = in_features, C_out = out_features
  int stride, padding, output_padding;
  bool bias;

  // Multiply-adds of one forward pass for one sample (every tap, cropped ones included).
  double macs_per_sample() const {
    switch (kind) {
      case Kind::kConvT:
        return double(C_in) * H * W * C_out * k * k;
      case Kind::kConv: {
        const OutSize s = conv2d_out_size(H, W, {k, k}, conv_params());
        return double(C_out) * s.h * s.w * C_in * k * k;
      }
      case Kind::kLinear:
        return double(C_in) * C_out;
    }
    return 0;
  }
  ConvTranspose2dParams convt_params() const {
    ConvTranspose2dParams p;
    p.stride = stride;
    p.padding = padding;
    p.output_padding = output_padding;
    return p;
  }
  Conv2dParams conv_params() const {
    Conv2dParams p;
    p.stride = stride;
    p.padding = padding;
    return p;
  }
};

// The notes' 20x20 GAN ('same' padding in PyTorch's terms; no biases in G, biases in D).
const Layer kLayers[] = {
    {"G dense 100->6400", Kind::kLinear, 100, 6400, 0, 0, 0, 0, 0, 0, false},
    {"G convT 256->128 5->10", Kind::kConvT, 256, 128, 5, 5, 5, 2, 2, 1, false},
    {"G convT 128->64 10->20", Kind::kConvT, 128, 64, 10, 10, 5, 2, 2, 1, false},
    {"G convT 64->1 20->20", Kind::kConvT, 64, 1, 20, 20, 5, 1, 2, 0, false},
    {"D conv 1->64 20->10", Kind::kConv, 1, 64, 20, 20, 5, 2, 2, 0, true},
    {"D conv 64->128 10->5", Kind::kConv, 64, 128, 10, 10, 5, 2, 2, 0, true},
    {"D dense 3200->1", Kind::kLinear, 3200, 1, 0, 0, 0, 0, 0, 0, true},
};

struct Timing {
  double fwd = 0, dx = 0, dw = 0;  // seconds per call: forward, backward for dx only, dw only
  double bwd = 0;                  // one backward call for dx, dw (and dbias) together
  double total() const { return fwd + bwd; }
};

// Times forward, backward-data and backward-weight of one layer at batch N.
Timing time_layer(const Layer& L, int N, bool fast, double budget) {
  const Tensor x = L.kind == Kind::kLinear ? random_tensor({N, L.C_in}, 1)
                                           : random_tensor({N, L.C_in, L.H, L.W}, 1);
  const Tensor w = L.kind == Kind::kLinear  ? random_tensor({L.C_out, L.C_in}, 2)
                   : L.kind == Kind::kConvT ? random_tensor({L.C_in, L.C_out, L.k, L.k}, 2)
                                            : random_tensor({L.C_out, L.C_in, L.k, L.k}, 2);
  const Tensor b = random_tensor({L.C_out}, 3);
  const Tensor* bias = L.bias ? &b : nullptr;
  Tensor out, dx, dw, db;
  std::function<void()> fwd, bwd_dx, bwd_dw, bwd_all;
  Tensor* dbp = bias ? &db : nullptr;
  switch (L.kind) {
    case Kind::kConvT: {
      const ConvTranspose2dParams p = L.convt_params();
      fwd = [&, p] {
        if (fast)
          fast::conv_transpose2d_forward(out, x, w, bias, p);
        else
          conv_transpose2d_forward(out, x, w, bias, p);
      };
      fwd();
      bwd_dx = [&, p] {
        if (fast)
          fast::conv_transpose2d_backward(&dx, nullptr, nullptr, out, x, w, p);
        else
          conv_transpose2d_backward(&dx, nullptr, nullptr, out, x, w, p);
      };
      bwd_dw = [&, p] {
        if (fast)
          fast::conv_transpose2d_backward(nullptr, &dw, dbp, out, x, w, p);
        else
          conv_transpose2d_backward(nullptr, &dw, dbp, out, x, w, p);
      };
      bwd_all = [&, p] {
        if (fast)
          fast::conv_transpose2d_backward(&dx, &dw, dbp, out, x, w, p);
        else
          conv_transpose2d_backward(&dx, &dw, dbp, out, x, w, p);
      };
      break;
    }
    case Kind::kConv: {
      const Conv2dParams p = L.conv_params();
      fwd = [&, p] {
        if (fast)
          fast::conv2d_forward(out, x, w, bias, p);
        else
          conv2d_forward(out, x, w, bias, p);
      };
      fwd();
      bwd_dx = [&, p] {
        if (fast)
          fast::conv2d_backward(&dx, nullptr, nullptr, out, x, w, p);
        else
          conv2d_backward(&dx, nullptr, nullptr, out, x, w, p);
      };
      bwd_dw = [&, p] {
        if (fast)
          fast::conv2d_backward(nullptr, &dw, dbp, out, x, w, p);
        else
          conv2d_backward(nullptr, &dw, dbp, out, x, w, p);
      };
      bwd_all = [&, p] {
        if (fast)
          fast::conv2d_backward(&dx, &dw, dbp, out, x, w, p);
        else
          conv2d_backward(&dx, &dw, dbp, out, x, w, p);
      };
      break;
    }
    case Kind::kLinear: {
      fwd = [&] {
        if (fast)
          fast::linear_forward(out, x, w, bias);
        else
          linear_forward(out, x, w, bias);
      };
      fwd();
      bwd_dx = [&] {
        if (fast)
          fast::linear_backward(&dx, nullptr, nullptr, out, x, w);
        else
          linear_backward(&dx, nullptr, nullptr, out, x, w);
      };
      bwd_dw = [&] {
        if (fast)
          fast::linear_backward(nullptr, &dw, dbp, out, x, w);
        else
          linear_backward(nullptr, &dw, dbp, out, x, w);
      };
      bwd_all = [&] {
        if (fast)
          fast::linear_backward(&dx, &dw, dbp, out, x, w);
        else
          linear_backward(&dx, &dw, dbp, out, x, w);
      };
      break;
    }
  }
  // The naive kernels take a long time per call: time them once (after the warm-up call), and
  // their backward as dx + dw.
  const int min_reps = fast ? 3 : 1;
  const double b_each = fast ? budget : 0.0;
  Timing t;
  t.fwd = time_best(fwd, b_each, min_reps);
  t.dx = time_best(bwd_dx, b_each, min_reps);
  t.dw = time_best(bwd_dw, b_each, min_reps);
  t.bwd = fast ? time_best(bwd_all, b_each, min_reps) : t.dx + t.dw;
  return t;
}

double gflops(double macs, double seconds) { return seconds > 0 ? 2.0 * macs / seconds / 1e9 : 0; }

std::vector<int> parse_list(const char* s) {
  std::vector<int> v;
  for (const char* p = s; *p;) {
    v.push_back(std::atoi(p));
    const char* comma = std::strchr(p, ',');
    if (!comma) break;
    p = comma + 1;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  int batch = 256, naive_batch = 16;
  double budget = 1.0;
  bool naive = true;
  std::string only;  // run only the layers whose name contains this
  std::vector<int> threads = {1, 2};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_fast_ops: %s expects a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--batch")
      batch = std::atoi(next());
    else if (a == "--naive-batch")
      naive_batch = std::atoi(next());
    else if (a == "--threads")
      threads = parse_list(next());
    else if (a == "--seconds")
      budget = std::atof(next());
    else if (a == "--no-naive")
      naive = false;
    else if (a == "--layer")
      only = next();
    else if (a == "--cpu-time")
      g_cpu_time = true;
    else {
      std::fprintf(stderr,
                   "usage: bench_fast_ops [--batch 256] [--threads 1,2] [--naive-batch 16] "
                   "[--seconds 1.0] [--no-naive] [--layer NAME_PART] [--cpu-time]\n");
      return 2;
    }
  }
  if (batch < 1 || naive_batch < 1 || threads.empty()) {
    std::fprintf(stderr, "bench_fast_ops: expected --batch, --naive-batch, --threads >= 1\n");
    return 2;
  }
  fast::set_num_threads(1);  // also selects the OpenBLAS kernel
  std::printf("OpenBLAS: %s, core %s\n", openblas_get_config(), openblas_get_corename());
#if defined(__x86_64__) || defined(__i386__)  // __builtin_cpu_supports is x86 only
  const char* forced = std::getenv("OPENBLAS_CORETYPE");
  const std::string core = openblas_get_corename();
  if (forced && (core == "Haswell" || core == "Zen") && __builtin_cpu_supports("avx512f")) {
    std::printf(
        "NOTE: OPENBLAS_CORETYPE=%s is set in the environment, so the fast backend keeps the AVX2\n"
        "      kernels; this CPU has AVX-512, and OPENBLAS_CORETYPE=SkylakeX (or leaving it "
        "unset,\n"
        "      the backend then picks SkylakeX itself) runs sgemm about 2x faster.\n",
        forced);
  }
#endif

  // ---- This core's SGEMM ceiling: the figure the fast backend's GFLOP/s compare to -------------
  {
    const int n = 3072;  // large and square: OpenBLAS at its best, packing a small share
    const Tensor a = random_tensor({n, n}, 11), b = random_tensor({n, n}, 12);
    Tensor c({n, n});
    const double s = time_best(
        [&] {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n,
                      b.data(), n, 0.0f, c.data(), n);
        },
        1.0, 2);
    std::printf("\none core's SGEMM ceiling: cblas_sgemm %dx%dx%d, 1 thread: %.1f GFLOP/s\n", n, n,
                n, gflops(static_cast<double>(n) * n * n, s));
  }

  // ---- The naive kernels' target: one sample through G's first ConvT -------------------------
  if (naive) {
    const Layer& L = kLayers[1];
    const Tensor x = random_tensor({1, L.C_in, L.H, L.W}, 1);
    const Tensor w = random_tensor({L.C_in, L.C_out, L.k, L.k}, 2);
    Tensor out;
    const ConvTranspose2dParams p = L.convt_params();
    const double s = time_best([&] { conv_transpose2d_forward(out, x, w, nullptr, p); }, 1.0, 5);
    std::printf(
        "\nnaive conv_transpose2d_forward, 1 sample, 256->128, 5x5 -> 10x10, k5 s2 p2 op1 "
        "(%.0f multiply-adds):\n  %.2f ms = %.2f GFLOP/s; the notes' numpy loop: 1900 ms -> "
        "%.0fx (target >= 100x, i.e. < 19 ms)\n",
        L.macs_per_sample(), s * 1e3, gflops(L.macs_per_sample(), s), 1.9 / s);
  }

  // ---- Per layer -------------------------------------------------------------------------------
  std::vector<Timing> naive_t;
  if (naive) {
    std::printf("\nnaive kernels, batch %d (single-threaded)\n", naive_batch);
    std::printf("  %-24s %9s %9s %9s %9s %8s\n", "layer", "MMAC/smp", "fwd ms", "dx ms", "dw ms",
                "GFLOP/s");
    double macs_all = 0, sec_all = 0;
    for (const Layer& L : kLayers) {
      if (std::string(L.name).find(only) == std::string::npos) continue;
      const Timing t = time_layer(L, naive_batch, false, budget);
      naive_t.push_back(t);
      const double macs = 3 * L.macs_per_sample() * naive_batch;
      macs_all += macs;
      sec_all += t.total();
      std::printf("  %-24s %9.3f %9.2f %9.2f %9.2f %8.2f\n", L.name, L.macs_per_sample() / 1e6,
                  t.fwd * 1e3, t.dx * 1e3, t.dw * 1e3, gflops(macs, t.total()));
    }
    std::printf("  %-24s %9s %9s %9s %9s %8.2f\n", "total", "", "", "", "",
                gflops(macs_all, sec_all));
  }

  for (int th : threads) {
    fast::set_num_threads(th);
    std::printf("\nfast backend, batch %d, --threads %d\n", batch, th);
    std::printf("  %-24s %8s %8s %8s %8s %8s %8s %8s %8s\n", "layer", "MMAC/smp", "fwd ms",
                "bwd ms", "dx ms", "dw ms", "fwd GF/s", "bwd GF/s", "GFLOP/s");
    double macs_all = 0, sec_all = 0;
    // Whole-step estimate (conv/linear work only): G forward + backward (dx of every layer but
    // the first, dw of all); D forward twice (fake in Step A, which Step B reuses; real in Step
    // B), dx once (Step A, into G), dw twice (Step B). GFLOP/s count every nominal multiply-add,
    // also the taps near the border that the fast ops skip.
    double step_seconds = 0;
    for (size_t i = 0; i < std::size(kLayers); ++i) {
      const Layer& L = kLayers[i];
      if (std::string(L.name).find(only) == std::string::npos) continue;
      const Timing t = time_layer(L, batch, true, budget);
      const double m = L.macs_per_sample() * batch;
      macs_all += 3 * m;
      sec_all += t.total();
      const bool is_g = L.name[0] == 'G';
      step_seconds += is_g ? t.fwd + (i == 0 ? t.dw : t.bwd) : 2 * t.fwd + t.dx + 2 * t.dw;
      std::printf("  %-24s %8.3f %8.2f %8.2f %8.2f %8.2f %8.1f %8.1f %8.1f\n", L.name,
                  m / batch / 1e6, t.fwd * 1e3, t.bwd * 1e3, t.dx * 1e3, t.dw * 1e3,
                  gflops(m, t.fwd), gflops(2 * m, t.bwd), gflops(3 * m, t.total()));
    }
    std::printf("  %-24s %8s %8s %8s %8s %8s %8s %8s %8.1f\n", "total", "", "", "", "", "", "", "",
                gflops(macs_all, sec_all));
    std::printf("  GAN step, conv/linear work only: %.1f ms -> at most %.0f samples/s\n",
                step_seconds * 1e3, batch / step_seconds);
  }
  return 0;
}
