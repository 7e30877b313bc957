// The fast backend (im2col/col2im + OpenBLAS GEMM, convt/fast/fast_ops.h) against the naive
// kernels (convt/ops/*.h), which are the reference: forward and every gradient, on a grid of
// parameters (stride, padding, output_padding, dilation, non-square, batch > 1, with and without
// bias) and on the exact layers of the notes' 20x20 GAN, at 1 and 2 threads.
//
// The two backends sum in different orders, so they agree to float rounding, not bit for bit:
// every element must satisfy |fast - naive| <= kRelTol * max|naive| (the tensor's scale).
// Gradients are added into buffers that already hold values, as the API promises.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "convt/fast/fast_ops.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/linear.h"
#include "fast/parallel.h"  // run_parts: a conv inside a task

using namespace convt;

namespace {

constexpr float kRelTol = 1e-4f;

Tensor random_tensor(std::vector<int64_t> shape, uint32_t seed) {
  Tensor t(std::move(shape));
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = u(gen);
  return t;
}

// Every element within kRelTol of the reference's scale; names the worst element otherwise.
void expect_close(const Tensor& fast, const Tensor& naive, const std::string& what) {
  ASSERT_EQ(fast.shape(), naive.shape()) << what;
  float scale = 0.0f;
  for (int64_t i = 0; i < naive.numel(); ++i) scale = std::max(scale, std::fabs(naive[i]));
  int64_t worst = -1;
  float worst_diff = 0.0f;
  for (int64_t i = 0; i < naive.numel(); ++i) {
    const float diff = std::fabs(fast[i] - naive[i]);
    if (!(diff <= worst_diff)) {  // also catches NaN
      worst_diff = diff;
      worst = i;
    }
  }
  EXPECT_LE(worst_diff, kRelTol * scale)
      << what << ": element " << worst << " fast " << (worst >= 0 ? fast[worst] : 0.0f)
      << " naive " << (worst >= 0 ? naive[worst] : 0.0f) << " (scale " << scale << ")";
}

void expect_identical(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  for (int64_t i = 0; i < a.numel(); ++i) {
    ASSERT_EQ(a[i], b[i]) << what << ": element " << i << " differs between two runs";
  }
}

// Restores the thread count after a test.
struct ThreadGuard {
  ~ThreadGuard() { fast::set_num_threads(1); }
};

// ---- ConvTranspose2d ---------------------------------------------------------------------------

struct ConvTCase {
  const char* name;
  int N, C_in, C_out, H, W, kH, kW;
  ConvTranspose2dParams p;
  bool bias;
};

void PrintTo(const ConvTCase& c, std::ostream* os) { *os << c.name; }

ConvTranspose2dParams ct(Pair s, Pair pad, Pair op, Pair d) {
  ConvTranspose2dParams p;
  p.stride = s;
  p.padding = pad;
  p.output_padding = op;
  p.dilation = d;
  return p;
}

const std::vector<ConvTCase>& conv_transpose_cases() {
  static const std::vector<ConvTCase> cases = {
      {"k3s2p1op1", 2, 3, 4, 5, 6, 3, 3, ct(2, 1, 1, 1), true},
      {"nonsquare_s2x3", 3, 2, 5, 4, 7, 4, 3, ct({2, 3}, {1, 0}, {0, 2}, 1), false},
      {"dilation2x1", 2, 4, 3, 6, 5, 3, 2, ct(1, {0, 1}, {1, 0}, {2, 1}), true},
      {"k5s3p2", 2, 2, 3, 3, 3, 5, 5, ct({3, 2}, 2, {2, 1}, 1), true},
      {"crop_heavy", 2, 3, 2, 4, 4, 3, 3, ct(1, 2, 0, 1), false},
      {"s2d2p3", 2, 3, 4, 5, 5, 3, 3, ct(2, 3, 1, 2), true},
      {"one_by_one", 3, 1, 1, 1, 1, 1, 1, ct(1, 0, 0, 1), true},
      {"kernel_1x1_s2", 2, 5, 3, 3, 4, 1, 1, ct(2, 0, 1, 1), false},
      {"batch1_k3s2p1", 1, 3, 2, 4, 3, 3, 3, ct(2, 1, 1, 1), true},
      // Input pixels none of whose taps land inside the output (their whole contribution is
      // cropped): padding > dilation*(kernel_size-1) at the corners (k3 p3: 6x5 -> 2x1, k1 s2 p1:
      // the first input row and column), or a dilation gap (kW 2, dW 3, pW 2: W 3 -> 2, the
      // middle input column's taps land at -1 and 2). 32 output channels: 288 rows, so the
      // default rule lowers box by box.
      {"no_tap_k3p3", 2, 3, 2, 6, 5, 3, 3, ct(1, 3, 0, 1), true},
      {"no_tap_k1s2p1", 2, 3, 2, 3, 3, 1, 1, ct(2, 1, 1, 1), false},
      {"no_tap_dilation_gap", 2, 2, 3, 3, 3, 3, 2, ct(1, {1, 2}, 0, {1, 3}), true},
      {"no_tap_k3p3_32_channels", 2, 4, 32, 6, 6, 3, 3, ct(1, 3, 0, 1), true},
      // The notes' generator (no biases in G). The two big layers at batch 1: their naive
      // reference costs 3 x 20.5M multiply-adds per sample, slow in the sanitizer build.
      {"gan_G_convT1_256_128_5x5", 1, 256, 128, 5, 5, 5, 5, ct(2, 2, 1, 1), false},
      {"gan_G_convT2_128_64_10x10", 1, 128, 64, 10, 10, 5, 5, ct(2, 2, 1, 1), false},
      {"gan_G_convT3_64_1_20x20", 2, 64, 1, 20, 20, 5, 5, ct(1, 2, 0, 1), false},
  };
  return cases;
}

struct Grads {
  Tensor out, dx, dw, db;
};

// Forward, then backward with gradients added onto pre-filled buffers.
template <class Forward, class Backward>
Grads run_op(Forward forward, Backward backward, const Tensor& x, const Tensor& w,
             const Tensor* b, uint32_t seed) {
  Grads g;
  forward(g.out, x, w, b);
  const Tensor dout = random_tensor(g.out.shape(), seed + 7);
  g.dx = random_tensor(x.shape(), seed + 8);
  g.dw = random_tensor(w.shape(), seed + 9);
  if (b) g.db = random_tensor(b->shape(), seed + 10);
  backward(&g.dx, &g.dw, b ? &g.db : nullptr, dout, x, w);
  return g;
}

Grads conv_transpose_naive(const ConvTCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  return run_op(
      [&](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
        conv_transpose2d_forward(out, xx, ww, bb, c.p);
      },
      [&](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
          const Tensor& ww) { conv_transpose2d_backward(dx, dw, db, dout, xx, ww, c.p); },
      x, w, b, 1);
}

Grads conv_transpose_fast(const ConvTCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  return run_op(
      [&](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
        fast::conv_transpose2d_forward(out, xx, ww, bb, c.p);
      },
      [&](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
          const Tensor& ww) { fast::conv_transpose2d_backward(dx, dw, db, dout, xx, ww, c.p); },
      x, w, b, 1);
}

void expect_grads_close(const Grads& f, const Grads& n, const std::string& what) {
  expect_close(f.out, n.out, what + " forward");
  expect_close(f.dx, n.dx, what + " dx");
  expect_close(f.dw, n.dw, what + " dweight");
  if (!n.db.empty()) expect_close(f.db, n.db, what + " dbias");
}

void expect_grads_identical(const Grads& a, const Grads& b, const std::string& what) {
  expect_identical(a.out, b.out, what + " forward");
  expect_identical(a.dx, b.dx, what + " dx");
  expect_identical(a.dw, b.dw, what + " dweight");
  expect_identical(a.db, b.db, what + " dbias");
}

// A case's random input x, weight w (in the op's layout) and bias, from seeds seed, seed + 1 and
// seed + 2; b() is the bias when the case has one, else nullptr.
struct Inputs {
  Tensor x, w, bias;
  bool has_bias;
  const Tensor* b() const { return has_bias ? &bias : nullptr; }
};

Inputs random_inputs(const ConvTCase& c, uint32_t seed) {
  return {random_tensor({c.N, c.C_in, c.H, c.W}, seed),
          random_tensor({c.C_in, c.C_out, c.kH, c.kW}, seed + 1),
          random_tensor({c.C_out}, seed + 2), c.bias};
}

class FastConvTranspose2d : public ::testing::TestWithParam<ConvTCase> {};

TEST_P(FastConvTranspose2d, MatchesNaiveAt1And2Threads) {
  ThreadGuard guard;
  const ConvTCase& c = GetParam();
  const Inputs in = random_inputs(c, 1);
  const Tensor &x = in.x, &w = in.w;
  const Tensor* b = in.b();
  const Grads naive = conv_transpose_naive(c, x, w, b);
  for (int threads : {1, 2}) {
    fast::set_num_threads(threads);
    const Grads f = conv_transpose_fast(c, x, w, b);
    const std::string what = std::string(c.name) + " threads=" + std::to_string(threads);
    expect_grads_close(f, naive, what);
    expect_grads_identical(conv_transpose_fast(c, x, w, b), f, what);  // deterministic
  }
}

INSTANTIATE_TEST_SUITE_P(Grid, FastConvTranspose2d, ::testing::ValuesIn(conv_transpose_cases()),
                         [](const ::testing::TestParamInfo<ConvTCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- Conv2d ------------------------------------------------------------------------------------

struct ConvCase {
  const char* name;
  int N, C_in, C_out, H, W, kH, kW;
  Conv2dParams p;
  bool bias;
};

void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.name; }

Conv2dParams cv(Pair s, Pair pad, Pair d) {
  Conv2dParams p;
  p.stride = s;
  p.padding = pad;
  p.dilation = d;
  return p;
}

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases = {
      {"k3s2p1", 2, 3, 4, 7, 6, 3, 3, cv(2, 1, 1), true},
      {"nonsquare_s2x3_d1x2", 3, 2, 5, 9, 8, 4, 3, cv({2, 3}, {1, 0}, {1, 2}), false},
      {"dilation2x1", 2, 4, 3, 6, 5, 3, 2, cv(1, {0, 1}, {2, 1}), true},
      {"full_kernel", 2, 1, 2, 5, 5, 5, 5, cv(1, 0, 1), true},
      {"pad_heavy_s3", 2, 3, 2, 4, 4, 3, 3, cv(3, 2, 1), false},
      {"kernel_over_input", 2, 2, 3, 3, 3, 5, 5, cv(2, 2, 1), true},
      {"kernel_1x1_s2", 2, 5, 3, 5, 4, 1, 1, cv(2, 0, 1), false},
      {"batch1_k3s2p1", 1, 3, 2, 5, 4, 3, 3, cv(2, 1, 1), true},
      // Output pixels whose whole window lies in the padding (they are the bias alone): padding >
      // dilation*(kernel_size-1) (k3 p3: the outer three rings; k1 p1: the outer ring), or a
      // dilation gap (kW 2, dW 3, pW 2: W 2 -> 3, the middle column reads x at -1 and 2).
      // 32 input channels: 288 rows, so the default rule lowers box by box.
      {"no_tap_k3p3", 2, 3, 4, 4, 5, 3, 3, cv(1, 3, 1), true},
      {"no_tap_k1p1", 2, 2, 3, 3, 3, 1, 1, cv(1, 1, 1), false},
      {"no_tap_dilation_gap", 2, 3, 2, 4, 2, 3, 2, cv(1, {1, 2}, {1, 3}), true},
      {"no_tap_k3p3_32_channels", 2, 32, 4, 4, 4, 3, 3, cv(1, 3, 1), true},
      // The notes' discriminator (PyTorch's default bias = true), at batch 2.
      {"gan_D_conv1_1_64_20x20", 2, 1, 64, 20, 20, 5, 5, cv(2, 2, 1), true},
      {"gan_D_conv2_64_128_10x10", 2, 64, 128, 10, 10, 5, 5, cv(2, 2, 1), true},
  };
  return cases;
}

Grads conv_naive(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  return run_op(
      [&](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
        conv2d_forward(out, xx, ww, bb, c.p);
      },
      [&](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
          const Tensor& ww) { conv2d_backward(dx, dw, db, dout, xx, ww, c.p); },
      x, w, b, 11);
}

Grads conv_fast(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  return run_op(
      [&](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
        fast::conv2d_forward(out, xx, ww, bb, c.p);
      },
      [&](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
          const Tensor& ww) { fast::conv2d_backward(dx, dw, db, dout, xx, ww, c.p); },
      x, w, b, 11);
}

Inputs random_inputs(const ConvCase& c, uint32_t seed) {
  return {random_tensor({c.N, c.C_in, c.H, c.W}, seed),
          random_tensor({c.C_out, c.C_in, c.kH, c.kW}, seed + 1),
          random_tensor({c.C_out}, seed + 2), c.bias};
}

class FastConv2d : public ::testing::TestWithParam<ConvCase> {};

TEST_P(FastConv2d, MatchesNaiveAt1And2Threads) {
  ThreadGuard guard;
  const ConvCase& c = GetParam();
  const Inputs in = random_inputs(c, 21);
  const Tensor &x = in.x, &w = in.w;
  const Tensor* b = in.b();
  const Grads naive = conv_naive(c, x, w, b);
  for (int threads : {1, 2}) {
    fast::set_num_threads(threads);
    const Grads f = conv_fast(c, x, w, b);
    const std::string what = std::string(c.name) + " threads=" + std::to_string(threads);
    expect_grads_close(f, naive, what);
    expect_grads_identical(conv_fast(c, x, w, b), f, what);
  }
}

INSTANTIATE_TEST_SUITE_P(Grid, FastConv2d, ::testing::ValuesIn(conv_cases()),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- Linear ------------------------------------------------------------------------------------

struct LinearCase {
  const char* name;
  int N, in_features, out_features;
  bool bias;
};

void PrintTo(const LinearCase& c, std::ostream* os) { *os << c.name; }

class FastLinear : public ::testing::TestWithParam<LinearCase> {};

TEST_P(FastLinear, MatchesNaiveAt1And2Threads) {
  ThreadGuard guard;
  const LinearCase& c = GetParam();
  const Tensor x = random_tensor({c.N, c.in_features}, 31);
  const Tensor w = random_tensor({c.out_features, c.in_features}, 32);
  const Tensor bias = random_tensor({c.out_features}, 33);
  const Tensor* b = c.bias ? &bias : nullptr;
  auto naive_fwd = [](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
    linear_forward(out, xx, ww, bb);
  };
  auto naive_bwd = [](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
                      const Tensor& ww) { linear_backward(dx, dw, db, dout, xx, ww); };
  auto fast_fwd = [](Tensor& out, const Tensor& xx, const Tensor& ww, const Tensor* bb) {
    fast::linear_forward(out, xx, ww, bb);
  };
  auto fast_bwd = [](Tensor* dx, Tensor* dw, Tensor* db, const Tensor& dout, const Tensor& xx,
                     const Tensor& ww) { fast::linear_backward(dx, dw, db, dout, xx, ww); };
  const Grads naive = run_op(naive_fwd, naive_bwd, x, w, b, 41);
  for (int threads : {1, 2}) {
    fast::set_num_threads(threads);
    const Grads f = run_op(fast_fwd, fast_bwd, x, w, b, 41);
    const std::string what = std::string(c.name) + " threads=" + std::to_string(threads);
    expect_grads_close(f, naive, what);
    expect_grads_identical(run_op(fast_fwd, fast_bwd, x, w, b, 41), f, what);
  }
}

INSTANTIATE_TEST_SUITE_P(Grid, FastLinear,
                         ::testing::Values(LinearCase{"small_bias", 3, 7, 5, true},
                                           LinearCase{"small_nobias", 4, 5, 9, false},
                                           LinearCase{"single_sample", 1, 6, 2, true},
                                           LinearCase{"gan_G_dense_100_6400", 4, 100, 6400, false},
                                           LinearCase{"gan_D_dense_3200_1", 4, 3200, 1, true}),
                         [](const ::testing::TestParamInfo<LinearCase>& info) {
                           return std::string(info.param.name);
                         });

// ---- Batch chunking, partial gradients, errors --------------------------------------------------

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const char* value) : name(n) { setenv(n, value, 1); }
  ~ScopedEnv() { unsetenv(name.c_str()); }
};

// A conv called from inside a task of our pool, where every part runs on that one thread with
// its scratch buffers, matches the naive kernels: the GAN's D conv1 (whole grid) and conv2
// (boxes), G's first ConvT (boxes) and last ConvT (whole grid), batch 4. (Before PartSums put
// each part's weight-gradient sum in a slice of its own, the parts shared one buffer here.)
TEST(FastThreads, ConvInsideATaskMatchesNaive) {
  ThreadGuard guard;
  fast::set_num_threads(2);
  auto check = [](const auto& cases, auto naive, auto fast_op) {
    for (const auto& c : cases) {
      const Inputs in = random_inputs(c, 1);
      Grads inside;
      fast::detail::run_parts(2, [&](int t) {
        if (t == 0) inside = fast_op(c, in.x, in.w, in.b());
      });
      expect_grads_close(inside, naive(c, in.x, in.w, in.b()),
                         std::string(c.name) + " inside a task");
    }
  };
  check(std::vector<ConvCase>{{"D_conv1", 4, 1, 64, 20, 20, 5, 5, cv(2, 2, 1), true},
                              {"D_conv2", 4, 64, 32, 10, 10, 5, 5, cv(2, 2, 1), true}},
        conv_naive, conv_fast);
  check(std::vector<ConvTCase>{{"G_up1", 4, 32, 16, 5, 5, 5, 5, ct(2, 2, 1, 1), false},
                               {"G_to_image", 4, 64, 1, 20, 20, 5, 5, ct(1, 2, 0, 1), false}},
        conv_transpose_naive, conv_transpose_fast);
}

// The batch goes through the GEMMs in chunks of samples; one sample per chunk (forced through
// the benchmark's tuning knobs) must give the same numbers as one chunk, with dweight summed
// across chunks.
TEST(FastChunking, OneSamplePerChunkMatchesNaive) {
  ThreadGuard guard;
  ScopedEnv floats("CONVT_FAST_CHUNK_FLOATS", "1");
  ScopedEnv columns("CONVT_FAST_MIN_COLUMNS", "1");
  for (int threads : {1, 2}) {
    fast::set_num_threads(threads);
    const ConvTCase ctc{"chunked_convT", 5, 3, 4, 5, 6, 3, 3, ct(2, 1, 1, 1), true};
    const Tensor x = random_tensor({ctc.N, ctc.C_in, ctc.H, ctc.W}, 51);
    const Tensor w = random_tensor({ctc.C_in, ctc.C_out, ctc.kH, ctc.kW}, 52);
    const Tensor b = random_tensor({ctc.C_out}, 53);
    expect_grads_close(conv_transpose_fast(ctc, x, w, &b), conv_transpose_naive(ctc, x, w, &b),
                       "chunked conv_transpose2d");
    const ConvCase cc{"chunked_conv", 5, 3, 4, 7, 6, 3, 3, cv(2, 1, 1), true};
    const Tensor x2 = random_tensor({cc.N, cc.C_in, cc.H, cc.W}, 54);
    const Tensor w2 = random_tensor({cc.C_out, cc.C_in, cc.kH, cc.kW}, 55);
    expect_grads_close(conv_fast(cc, x2, w2, &b), conv_naive(cc, x2, w2, &b), "chunked conv2d");
  }
}

// Near the border the fast ops lower box by box, skipping the taps that padding crops
// (fast/lowering.h, TapBox); by default only where that saves work (>= 256 rows, >= 5% of the
// products). Forced on, every case of the grids above (dilation, odd sizes, grid positions with
// no tap inside, batch 1) must still match the naive kernels, in one chunk and one sample per
// chunk, at 1 and 2 threads, deterministically.
TEST(FastTapBoxes, EveryCaseMatchesNaiveWithBoxesForced) {
  ThreadGuard guard;
  ScopedEnv boxes("CONVT_FAST_TAP_BOXES", "always");
  for (const char* floats : {"2097152", "1"}) {
    ScopedEnv chunk("CONVT_FAST_CHUNK_FLOATS", floats);
    ScopedEnv columns("CONVT_FAST_MIN_COLUMNS", "1");
    for (int threads : {1, 2}) {
      fast::set_num_threads(threads);
      const std::string how =
          std::string(" threads=") + std::to_string(threads) + " chunk floats=" + floats;
      auto check = [&](const auto& cases, auto naive, auto fast_op, uint32_t seed) {
        for (const auto& c : cases) {
          if (c.C_in * c.C_out > 1000) continue;  // the GAN's big layers: in the next test
          const Inputs in = random_inputs(c, seed);
          const Grads f = fast_op(c, in.x, in.w, in.b());
          expect_grads_close(f, naive(c, in.x, in.w, in.b()), c.name + how);
          expect_grads_identical(fast_op(c, in.x, in.w, in.b()), f, c.name + how);
        }
      };
      check(conv_transpose_cases(), conv_transpose_naive, conv_transpose_fast, 61);
      check(conv_cases(), conv_naive, conv_fast, 64);
    }
  }
}

// The GAN's layer geometries (k5 s2 'same': 5 -> 10 -> 20, and D's 10 -> 5) with fewer channels
// but enough rows that the default rule picks boxes; batch 3, split into chunks of one and two
// samples, against the naive kernels and against the whole-grid lowering.
TEST(FastTapBoxes, GanGeometriesMatchNaiveAndWholeGrid) {
  ThreadGuard guard;
  const std::vector<ConvTCase> convt = {
      {"G_convT1_geometry", 3, 16, 24, 5, 5, 5, 5, ct(2, 2, 1, 1), false},
      {"G_convT2_geometry", 3, 24, 12, 10, 10, 5, 5, ct(2, 2, 1, 1), true},
  };
  const ConvCase conv{"D_conv2_geometry", 3, 12, 16, 10, 10, 5, 5, cv(2, 2, 1), true};
  for (const char* floats : {"2097152", "30000", "1"}) {
    ScopedEnv chunk("CONVT_FAST_CHUNK_FLOATS", floats);
    ScopedEnv columns("CONVT_FAST_MIN_COLUMNS", "1");
    for (int threads : {1, 2}) {
      fast::set_num_threads(threads);
      const std::string how =
          std::string(" threads=") + std::to_string(threads) + " chunk floats=" + floats;
      for (const ConvTCase& c : convt) {
        const Inputs in = random_inputs(c, 71);
        const Tensor &x = in.x, &w = in.w;
        const Tensor* b = in.b();
        const Grads f = conv_transpose_fast(c, x, w, b);
        expect_grads_close(f, conv_transpose_naive(c, x, w, b), c.name + how);
        ScopedEnv whole("CONVT_FAST_TAP_BOXES", "0");
        expect_grads_close(f, conv_transpose_fast(c, x, w, b), c.name + how + " vs whole grid");
      }
      const Inputs in = random_inputs(conv, 74);
      const Tensor &x = in.x, &w = in.w;
      const Tensor* b = in.b();
      const Grads f = conv_fast(conv, x, w, b);
      expect_grads_close(f, conv_naive(conv, x, w, b), conv.name + how);
      ScopedEnv whole("CONVT_FAST_TAP_BOXES", "0");
      expect_grads_close(f, conv_fast(conv, x, w, b), conv.name + how + " vs whole grid");
    }
  }
}

// Fills the fast backend's per-thread scratch buffers with nonzero values (the GAN geometries'
// forward and backward, box by box, at the current thread count), as earlier layers of a training
// step do: a buffer that should have been cleared then shows.
void dirty_scratch() {
  ScopedEnv boxes("CONVT_FAST_TAP_BOXES", "always");
  const ConvTCase ctc{"G_convT1_geometry", 3, 16, 24, 5, 5, 5, 5, ct(2, 2, 1, 1), false};
  const ConvCase cc{"D_conv2_geometry", 3, 12, 16, 10, 10, 5, 5, cv(2, 2, 1), true};
  const Tensor xt = random_tensor({ctc.N, ctc.C_in, ctc.H, ctc.W}, 91);
  const Tensor wt = random_tensor({ctc.C_in, ctc.C_out, ctc.kH, ctc.kW}, 92);
  const Tensor xc = random_tensor({cc.N, cc.C_in, cc.H, cc.W}, 93);
  const Tensor wc = random_tensor({cc.C_out, cc.C_in, cc.kH, cc.kW}, 94);
  const Tensor bc = random_tensor({cc.C_out}, 95);
  conv_transpose_fast(ctc, xt, wt, nullptr);
  conv_fast(cc, xc, wc, &bc);
}

// Grid positions with no tap inside the image (the no_tap_* cases above) belong to no box: the
// box lowering must clear them itself (conv2d forward: the output is the bias alone there;
// conv_transpose2d backward: dx gets nothing there), since the scratch buffers it assembles them
// in hold an earlier op's values. With the default rule (boxes for the 32-channel cases only) and
// boxes forced, after dirty_scratch(), at 1 and 2 threads.
TEST(FastTapBoxes, GridPositionsWithNoTapMatchNaive) {
  ThreadGuard guard;
  for (const char* mode : {"", "always"}) {
    for (int threads : {1, 2}) {
      fast::set_num_threads(threads);
      const std::string how = std::string(" threads=") + std::to_string(threads) + " boxes=" + mode;
      auto check = [&](const auto& cases, auto naive_op, auto fast_op, uint32_t seed) {
        for (const auto& c : cases) {
          if (std::string(c.name).rfind("no_tap_", 0) != 0) continue;
          const Inputs in = random_inputs(c, seed);
          const Grads naive = naive_op(c, in.x, in.w, in.b());
          dirty_scratch();
          ScopedEnv boxes("CONVT_FAST_TAP_BOXES", mode);
          expect_grads_close(fast_op(c, in.x, in.w, in.b()), naive, c.name + how);
        }
      };
      check(conv_transpose_cases(), conv_transpose_naive, conv_transpose_fast, 101);
      check(conv_cases(), conv_naive, conv_fast, 104);
    }
  }
}

// An output tensor that already has the right shape is reused without being cleared first:
// every value must still be written (NaN left anywhere would show), on both lowerings.
TEST(FastForward, ReusedOutputIsOverwritten) {
  ThreadGuard guard;
  const ConvTCase ctc{"G_convT1_geometry", 3, 16, 24, 5, 5, 5, 5, ct(2, 2, 1, 1), false};
  const ConvCase cc{"D_conv2_geometry", 3, 12, 16, 10, 10, 5, 5, cv(2, 2, 1), true};
  const Tensor xt = random_tensor({ctc.N, ctc.C_in, ctc.H, ctc.W}, 81);
  const Tensor wt = random_tensor({ctc.C_in, ctc.C_out, ctc.kH, ctc.kW}, 82);
  const Tensor xc = random_tensor({cc.N, cc.C_in, cc.H, cc.W}, 83);
  const Tensor wc = random_tensor({cc.C_out, cc.C_in, cc.kH, cc.kW}, 84);
  const Tensor bc = random_tensor({cc.C_out}, 85);
  for (const char* boxes : {"", "0", "always"}) {
    ScopedEnv knob("CONVT_FAST_TAP_BOXES", boxes);
    for (int threads : {1, 2}) {
      fast::set_num_threads(threads);
      Tensor fresh, reused;
      fast::conv_transpose2d_forward(fresh, xt, wt, nullptr, ctc.p);
      reused = Tensor(fresh.shape(), std::nanf(""));
      fast::conv_transpose2d_forward(reused, xt, wt, nullptr, ctc.p);
      expect_identical(reused, fresh, std::string("conv_transpose2d boxes=") + boxes);
      fast::conv2d_forward(fresh, xc, wc, &bc, cc.p);
      reused = Tensor(fresh.shape(), std::nanf(""));
      fast::conv2d_forward(reused, xc, wc, &bc, cc.p);
      expect_identical(reused, fresh, std::string("conv2d boxes=") + boxes);
    }
  }
}

// nullptr gradients are skipped; empty ones become zeros of the right shape and then hold the
// gradient itself.
TEST(FastGradients, NullSkippedEmptyZeroed) {
  const ConvTranspose2dParams p = ct(2, 1, 1, 1);
  const Tensor x = random_tensor({2, 3, 4, 5}, 61);
  const Tensor w = random_tensor({3, 2, 3, 3}, 62);
  Tensor out;
  conv_transpose2d_forward(out, x, w, nullptr, p);
  const Tensor dout = random_tensor(out.shape(), 63);

  Tensor naive_dw, fast_dw, naive_db, fast_db;
  conv_transpose2d_backward(nullptr, &naive_dw, &naive_db, dout, x, w, p);
  fast::conv_transpose2d_backward(nullptr, &fast_dw, &fast_db, dout, x, w, p);
  expect_close(fast_dw, naive_dw, "conv_transpose2d dweight only");
  expect_close(fast_db, naive_db, "conv_transpose2d dbias");

  Tensor naive_dx, fast_dx;
  conv_transpose2d_backward(&naive_dx, nullptr, nullptr, dout, x, w, p);
  fast::conv_transpose2d_backward(&fast_dx, nullptr, nullptr, dout, x, w, p);
  expect_close(fast_dx, naive_dx, "conv_transpose2d dx only");

  const Conv2dParams cp = cv(2, 1, 1);
  const Tensor w2 = random_tensor({4, 3, 3, 3}, 64);
  Tensor y;
  conv2d_forward(y, x, w2, nullptr, cp);
  const Tensor dy = random_tensor(y.shape(), 65);
  Tensor n_dx, f_dx, n_dw, f_dw;
  conv2d_backward(&n_dx, nullptr, nullptr, dy, x, w2, cp);
  fast::conv2d_backward(&f_dx, nullptr, nullptr, dy, x, w2, cp);
  expect_close(f_dx, n_dx, "conv2d dx only");
  conv2d_backward(nullptr, &n_dw, nullptr, dy, x, w2, cp);
  fast::conv2d_backward(nullptr, &f_dw, nullptr, dy, x, w2, cp);
  expect_close(f_dw, n_dw, "conv2d dweight only");

  const Tensor lx = random_tensor({3, 4}, 66), lw = random_tensor({2, 4}, 67);
  const Tensor ldout = random_tensor({3, 2}, 68);
  Tensor n_ldx, f_ldx, n_ldb, f_ldb;
  linear_backward(&n_ldx, nullptr, &n_ldb, ldout, lx, lw);
  fast::linear_backward(&f_ldx, nullptr, &f_ldb, ldout, lx, lw);
  expect_close(f_ldx, n_ldx, "linear dx only");
  expect_close(f_ldb, n_ldb, "linear dbias");
}

// The output may be one of the inputs' own tensors: the fast ops then compute into a temporary,
// as the naive ones do.
TEST(FastForward, OutputMayAliasInput) {
  const Tensor x0 = random_tensor({2, 3, 6, 6}, 71);
  const Tensor w = random_tensor({3, 3, 3, 3}, 72);
  const Conv2dParams p = cv(1, 1, 1);
  Tensor naive_out;
  conv2d_forward(naive_out, x0, w, nullptr, p);
  Tensor x = x0;
  fast::conv2d_forward(x, x, w, nullptr, p);
  expect_close(x, naive_out, "conv2d out aliasing x");
}

// Bad shapes and parameters are refused with the naive kernels' exception type and message.
template <class Naive, class Fast>
void expect_same_error(Naive naive, Fast fast_call, const std::string& what) {
  std::string naive_msg, fast_msg;
  bool naive_shape_error = false, fast_shape_error = false;
  try {
    naive();
  } catch (const ShapeError& e) {
    naive_shape_error = true;
    naive_msg = e.what();
  } catch (const std::invalid_argument& e) {
    naive_msg = e.what();
  }
  try {
    fast_call();
  } catch (const ShapeError& e) {
    fast_shape_error = true;
    fast_msg = e.what();
  } catch (const std::invalid_argument& e) {
    fast_msg = e.what();
  }
  EXPECT_FALSE(naive_msg.empty()) << what << ": the naive kernel accepted it";
  EXPECT_EQ(fast_msg, naive_msg) << what;
  EXPECT_EQ(fast_shape_error, naive_shape_error) << what;
}

TEST(FastErrors, SameMessagesAsNaive) {
  const Tensor x = random_tensor({2, 3, 5, 5}, 81);
  const Tensor w_ct = random_tensor({3, 4, 3, 3}, 82);
  const Tensor w_bad = random_tensor({2, 4, 3, 3}, 83);
  const Tensor bias_bad = random_tensor({5}, 84);
  Tensor out_naive, out_fast;
  const ConvTranspose2dParams ok = ct(2, 1, 1, 1), bad_op = ct(2, 1, 2, 1);
  expect_same_error([&] { conv_transpose2d_forward(out_naive, x, w_bad, nullptr, ok); },
                    [&] { fast::conv_transpose2d_forward(out_fast, x, w_bad, nullptr, ok); },
                    "conv_transpose2d weight C_in");
  expect_same_error([&] { conv_transpose2d_forward(out_naive, x, w_ct, &bias_bad, ok); },
                    [&] { fast::conv_transpose2d_forward(out_fast, x, w_ct, &bias_bad, ok); },
                    "conv_transpose2d bias");
  expect_same_error([&] { conv_transpose2d_forward(out_naive, x, w_ct, nullptr, bad_op); },
                    [&] { fast::conv_transpose2d_forward(out_fast, x, w_ct, nullptr, bad_op); },
                    "conv_transpose2d output_padding");
  const Tensor dout_bad = random_tensor({2, 4, 9, 9}, 85);
  Tensor dx_n, dx_f;
  expect_same_error(
      [&] { conv_transpose2d_backward(&dx_n, nullptr, nullptr, dout_bad, x, w_ct, ok); },
      [&] { fast::conv_transpose2d_backward(&dx_f, nullptr, nullptr, dout_bad, x, w_ct, ok); },
      "conv_transpose2d grad_output");
  Tensor dw_wrong_n({1, 1}), dw_wrong_f({1, 1});
  const Tensor dout_ok = random_tensor({2, 4, 10, 10}, 86);
  expect_same_error(
      [&] { conv_transpose2d_backward(nullptr, &dw_wrong_n, nullptr, dout_ok, x, w_ct, ok); },
      [&] { fast::conv_transpose2d_backward(nullptr, &dw_wrong_f, nullptr, dout_ok, x, w_ct, ok); },
      "conv_transpose2d grad_weight");

  const Tensor w_conv = random_tensor({4, 3, 7, 7}, 87);
  const Conv2dParams no_pad = cv(1, 0, 1);
  expect_same_error([&] { conv2d_forward(out_naive, x, w_conv, nullptr, no_pad); },
                    [&] { fast::conv2d_forward(out_fast, x, w_conv, nullptr, no_pad); },
                    "conv2d kernel larger than input");
  const Tensor x3 = random_tensor({2, 3, 5}, 88);
  expect_same_error([&] { conv2d_forward(out_naive, x3, w_conv, nullptr, no_pad); },
                    [&] { fast::conv2d_forward(out_fast, x3, w_conv, nullptr, no_pad); },
                    "conv2d input rank");

  const Tensor lx = random_tensor({3, 4}, 89), lw_bad = random_tensor({2, 5}, 90);
  expect_same_error([&] { linear_forward(out_naive, lx, lw_bad, nullptr); },
                    [&] { fast::linear_forward(out_fast, lx, lw_bad, nullptr); },
                    "linear weight");
  EXPECT_THROW(fast::set_num_threads(0), std::invalid_argument);
}

}  // namespace
