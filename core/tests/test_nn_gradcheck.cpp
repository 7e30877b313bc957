// Gradient checks by central differences for every layer and loss of convt::nn (naive backend),
// and fast/naive parity for the conv/linear layers.
//
// Each layer check: loss = sum(out * R) with a fixed random R, so dL/dout = R; the analytic
// gradients from backward() are compared with (L(v + h) - L(v - h)) / 2h for every input value
// and every parameter value (small sizes), with a per-layer step h and tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convt/fast/fast_ops.h"
#include "convt/nn/layers.h"
#include "convt/nn/sequential.h"
#include "convt/ops/dropout.h"
#include "convt/ops/losses.h"

using namespace convt;
using namespace convt::nn;

namespace {

Tensor random_tensor(std::vector<int64_t> shape, Rng& rng, float scale = 1.0f,
                     float away_from_zero = 0.0f) {
  Tensor t(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) {
    float v = rng.uniform(-scale, scale);
    if (away_from_zero > 0.0f) v += v >= 0.0f ? away_from_zero : -away_from_zero;
    t[i] = v;
  }
  return t;
}

double dot(const Tensor& a, const Tensor& b) {
  double s = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) s += double{a[i]} * b[i];
  return s;
}

struct Tolerance {
  float h = 1e-2f;     // finite-difference step
  float atol = 2e-3f;  // |numeric - analytic| <= atol + rtol * |analytic|
  float rtol = 2e-2f;
};

void expect_close(const std::string& what, int64_t i, double numeric, double analytic,
                  const Tolerance& tol) {
  EXPECT_LE(std::fabs(numeric - analytic), tol.atol + tol.rtol * std::fabs(analytic))
      << what << "[" << i << "]: numeric " << numeric << ", analytic " << analytic;
}

// Checks dx and every parameter gradient of `layer` at input x.
void check_layer(Layer& layer, Tensor x, const Tolerance& tol = {}) {
  Rng rng(7);
  const std::string saved_rng = layer.rng() ? layer.rng()->state() : "";
  auto run = [&](const Tensor& input) {
    if (layer.rng()) layer.rng()->set_state(saved_rng);  // same dropout mask every time
    Tensor out;
    layer.forward(out, input);
    return out;
  };
  Tensor out = run(x);
  const Tensor R = random_tensor(out.shape(), rng);
  layer.zero_grad();
  Tensor dx;
  layer.backward(&dx, R, x, out);
  ASSERT_EQ(dx.shape(), x.shape()) << layer.describe();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = x[i];
    x[i] = v + tol.h;
    const double lp = dot(run(x), R);
    x[i] = v - tol.h;
    const double lm = dot(run(x), R);
    x[i] = v;
    expect_close(layer.describe() + " dx", i, (lp - lm) / (2.0 * tol.h), dx[i], tol);
  }
  for (const ParamRef& p : layer.params()) {
    for (int64_t i = 0; i < p.value->numel(); ++i) {
      const float v = (*p.value)[i];
      (*p.value)[i] = v + tol.h;
      const double lp = dot(run(x), R);
      (*p.value)[i] = v - tol.h;
      const double lm = dot(run(x), R);
      (*p.value)[i] = v;
      expect_close(layer.describe() + " d" + p.name, i, (lp - lm) / (2.0 * tol.h),
                   (*p.grad)[i], tol);
    }
  }
}

void init(Layer& layer, InitScheme scheme = InitScheme::pytorch) {
  Rng rng(3);
  layer.reset_parameters(scheme, rng);
  for (const ParamRef& p : layer.params()) {  // make biases / BN params non-trivial
    for (int64_t i = 0; i < p.value->numel(); ++i) (*p.value)[i] += rng.uniform(-0.3f, 0.3f);
  }
}

}  // namespace

TEST(GradCheck, LinearWithBias) {
  Linear layer(5, 4, true);
  init(layer);
  Rng rng(1);
  check_layer(layer, random_tensor({3, 5}, rng));
}

TEST(GradCheck, LinearNoBias) {
  Linear layer(6, 3, false);
  init(layer);
  EXPECT_EQ(layer.params().size(), 1u);
  Rng rng(2);
  check_layer(layer, random_tensor({2, 6}, rng));
}

TEST(GradCheck, Conv2dSameStride2) {
  Conv2dParams p;
  p.stride = 2;
  p.padding = 2;
  Conv2d layer(2, 3, 5, p, true);
  init(layer);
  Rng rng(3);
  check_layer(layer, random_tensor({2, 2, 6, 6}, rng));
}

TEST(GradCheck, ConvTranspose2dSameStride2) {
  ConvTranspose2dParams p;
  p.stride = 2;
  p.padding = 2;
  p.output_padding = 1;
  ConvTranspose2d layer(3, 2, 5, p, false);
  init(layer);
  Rng rng(4);
  check_layer(layer, random_tensor({2, 3, 3, 3}, rng));
}

TEST(GradCheck, ConvTranspose2dWithBias) {
  ConvTranspose2dParams p;
  p.stride = 2;
  p.padding = 1;
  ConvTranspose2d layer(2, 2, 4, p, true);
  init(layer);
  Rng rng(5);
  check_layer(layer, random_tensor({1, 2, 3, 3}, rng));
}

TEST(GradCheck, BatchNorm1dTraining) {
  BatchNorm1d layer(4);
  init(layer);
  Rng rng(6);
  check_layer(layer, random_tensor({5, 4}, rng), {1e-2f, 5e-3f, 3e-2f});
}

TEST(GradCheck, BatchNorm2dTraining) {
  BatchNorm2d layer(3);
  init(layer);
  Rng rng(7);
  check_layer(layer, random_tensor({2, 3, 3, 3}, rng), {1e-2f, 5e-3f, 3e-2f});
}

TEST(GradCheck, BatchNorm2dEval) {
  BatchNorm2d layer(3);
  init(layer);
  layer.running_mean = Tensor({3}, std::vector<float>{0.1f, -0.2f, 0.3f});
  layer.running_var = Tensor({3}, std::vector<float>{0.5f, 1.5f, 2.0f});
  layer.set_training(false);
  Rng rng(8);
  check_layer(layer, random_tensor({2, 3, 2, 2}, rng));
}

TEST(GradCheck, ReLU) {
  ReLU layer;
  Rng rng(9);
  check_layer(layer, random_tensor({2, 7}, rng, 1.0f, 0.05f));
}

TEST(GradCheck, LeakyReLU) {
  LeakyReLU layer(0.2f);
  Rng rng(10);
  check_layer(layer, random_tensor({2, 3, 2, 2}, rng, 1.0f, 0.05f));
}

TEST(GradCheck, Tanh) {
  Tanh layer;
  Rng rng(11);
  check_layer(layer, random_tensor({3, 5}, rng, 2.0f));
}

TEST(GradCheck, Sigmoid) {
  Sigmoid layer;
  Rng rng(12);
  check_layer(layer, random_tensor({3, 5}, rng, 4.0f));
}

TEST(GradCheck, DropoutTraining) {
  Dropout layer(0.3f, 99);
  Rng rng(13);
  check_layer(layer, random_tensor({4, 10}, rng));
}

TEST(GradCheck, DropoutEvalIsIdentity) {
  Dropout layer(0.3f, 99);
  layer.set_training(false);
  Rng rng(14);
  const Tensor x = random_tensor({4, 10}, rng);
  Tensor out;
  layer.forward(out, x);
  EXPECT_EQ(out.values(), x.values());
  check_layer(layer, x);
}

// The mask element i is a function of the draw's key and i alone (ops/dropout.cpp hashes the pair
// index): whatever the length (odd lengths end in half a word), the thread count, or the CPU's
// vector width (an AVX-512 copy of the loop runs where the CPU has it).
TEST(Dropout, MaskDependsOnlyOnTheDrawAndTheIndex) {
  const auto draw = [](int64_t n, int threads) {
    fast::set_num_threads(threads);
    Tensor x({n}, 1.0f), out, mask;
    Rng rng(21);
    dropout_forward(out, mask, x, 0.3f, rng);
    fast::set_num_threads(1);
    EXPECT_EQ(out.values(), mask.values());  // x = 1: out is the mask
    return mask;
  };
  const Tensor longest = draw(100001, 1);
  int64_t kept = 0;
  for (int64_t i = 0; i < longest.numel(); ++i) {
    ASSERT_TRUE(longest[i] == 0.0f || longest[i] == 1.0f / 0.7f) << "element " << i;
    kept += longest[i] != 0.0f ? 1 : 0;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 100001.0, 0.7, 0.01);
  for (int64_t n : {1, 2, 7, 64, 65, 100000}) {
    for (int threads : {1, 2}) {
      const Tensor m = draw(n, threads);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(m[i], longest[i]) << "n " << n << " threads " << threads << " element " << i;
    }
  }
}

// dropout_forward has two compiled copies of its mask loop (ops/dropout.cpp): a baseline one and
// an AVX-512 one picked at run time. Each, forced in turn, must give the documented mask
// (convt/ops/dropout.h: word k = splitmix64(key + (k + 1) * 0x9E3779B97F4A7C15), its low and high
// halves for elements 2k and 2k + 1, computed here from Vigna's splitmix64.c) and the same out
// bit for bit, for lengths with and without a half word at the end and around vector widths, at
// 1 and 2 threads.
TEST(Dropout, BaselineAndAvx512CopiesGiveTheDocumentedMask) {
  struct Restore {
    ~Restore() {
      detail::set_dropout_copy(detail::DropoutCopy::kAuto);
      fast::set_num_threads(1);
    }
  } restore;
  const auto splitmix64 = [](uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  const float p = 0.3f;
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(p) * 4294967296.0);
  const float keep_scale = 1.0f / (1.0f - p);
  std::vector<detail::DropoutCopy> copies = {detail::DropoutCopy::kBaseline};
  if (detail::dropout_avx512_supported()) copies.push_back(detail::DropoutCopy::kAuto);
  for (int64_t n : {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 1001, 40000, 40001}) {
    Rng data_rng(31);
    const Tensor x = random_tensor({n}, data_rng);
    std::vector<Tensor> outs;
    for (detail::DropoutCopy copy : copies) {
      for (int threads : {1, 2}) {
        detail::set_dropout_copy(copy);
        fast::set_num_threads(threads);
        Rng rng(41), key_rng(41);
        const uint64_t key = key_rng.next_u64();  // the one draw dropout_forward makes
        Tensor out, mask;
        dropout_forward(out, mask, x, p, rng);
        const std::string what = "n " + std::to_string(n) + " threads " + std::to_string(threads) +
                                 (copy == detail::DropoutCopy::kBaseline ? " baseline" : " auto");
        for (int64_t i = 0; i < n; ++i) {
          const uint64_t word =
              splitmix64(key + static_cast<uint64_t>(i / 2 + 1) * 0x9E3779B97F4A7C15ULL);
          const uint64_t u = i % 2 == 0 ? word & 0xFFFFFFFFu : word >> 32;
          const float expected = u >= threshold ? keep_scale : 0.0f;
          ASSERT_EQ(mask[i], expected) << what << " element " << i;
          ASSERT_EQ(out[i], x[i] * expected) << what << " element " << i;
        }
        outs.push_back(out);
      }
    }
    for (const Tensor& out : outs) EXPECT_EQ(out.values(), outs.front().values()) << "n " << n;
  }
  if (!detail::dropout_avx512_supported()) GTEST_SKIP() << "no AVX-512: baseline copy only";
}

TEST(GradCheck, ReshapeAndFlatten) {
  Reshape reshape({2, 3, 2});
  Flatten flatten;
  Rng rng(15);
  check_layer(reshape, random_tensor({2, 12}, rng));
  check_layer(flatten, random_tensor({2, 2, 3, 2}, rng));
}

TEST(GradCheck, MaxPool2d) {
  Pool2dParams p;
  MaxPool2d layer(p);
  Rng rng(16);
  check_layer(layer, random_tensor({2, 2, 4, 4}, rng), {1e-3f, 2e-3f, 2e-2f});
}

TEST(GradCheck, UpsampleNearest) {
  Upsample layer(Pair(2, 3));
  Rng rng(17);
  check_layer(layer, random_tensor({2, 2, 2, 3}, rng));
}

TEST(GradCheck, BceWithLogits) {
  Rng rng(18);
  Tensor z = random_tensor({6, 1}, rng, 5.0f);
  Tensor y({6, 1});
  for (int i = 0; i < 6; ++i) y[i] = static_cast<float>(i % 2);
  Tensor dz;
  bce_with_logits_backward(dz, z, y, 1.0f);
  const float h = 1e-2f;
  for (int64_t i = 0; i < z.numel(); ++i) {
    const float v = z[i];
    z[i] = v + h;
    const double lp = bce_with_logits_forward(z, y);
    z[i] = v - h;
    const double lm = bce_with_logits_forward(z, y);
    z[i] = v;
    expect_close("bce dlogits", i, (lp - lm) / (2 * h), dz[i], {h, 1e-4f, 1e-2f});
  }
  // the stable form stays finite where the naive -log(sigmoid) overflows
  Tensor big({2, 1}, std::vector<float>{1000.0f, -1000.0f});
  Tensor ones({2, 1}, 1.0f);
  EXPECT_NEAR(bce_with_logits_forward(big, ones), 500.0f, 1e-3f);
}

TEST(GradCheck, Mse) {
  Rng rng(19);
  Tensor pred = random_tensor({3, 4}, rng), target = random_tensor({3, 4}, rng);
  Tensor dp;
  mse_backward(dp, pred, target, 1.0f);
  const float h = 1e-2f;
  for (int64_t i = 0; i < pred.numel(); ++i) {
    const float v = pred[i];
    pred[i] = v + h;
    const double lp = mse_forward(pred, target);
    pred[i] = v - h;
    const double lm = mse_forward(pred, target);
    pred[i] = v;
    expect_close("mse dpred", i, (lp - lm) / (2 * h), dp[i], {h, 1e-4f, 1e-2f});
  }
}

TEST(GradCheck, SequentialThroughAllGLayers) {
  // A miniature of the 20x20 generator: every layer type of G chained
  Sequential net("G", {4});
  net.add(std::make_unique<Linear>(4, 2 * 2 * 2, false));
  net.add(std::make_unique<BatchNorm1d>(8));
  net.add(std::make_unique<LeakyReLU>(0.2f));
  net.add(std::make_unique<Reshape>(std::vector<int64_t>{2, 2, 2}));
  ConvTranspose2dParams p;
  p.stride = 2;
  p.padding = 2;
  p.output_padding = 1;
  net.add(std::make_unique<ConvTranspose2d>(2, 1, 5, p, false));
  net.add(std::make_unique<Tanh>());
  EXPECT_EQ(net.output_shape(), (std::vector<int64_t>{1, 4, 4}));
  Rng rng(20);
  net.reset_parameters(InitScheme::pytorch, rng);
  Tensor z = random_tensor({3, 4}, rng);
  const Tensor R = random_tensor({3, 1, 4, 4}, rng);
  net.zero_grad();
  net.forward(z);
  Tensor dz;
  net.backward(&dz, R);
  const float h = 1e-2f;
  for (int64_t i = 0; i < z.numel(); ++i) {
    const float v = z[i];
    z[i] = v + h;
    const double lp = dot(net.forward(z), R);
    z[i] = v - h;
    const double lm = dot(net.forward(z), R);
    z[i] = v;
    expect_close("Sequential dz", i, (lp - lm) / (2 * h), dz[i], {h, 5e-3f, 3e-2f});
  }
}

// fast backend == naive backend, forward and every gradient
TEST(BackendParity, ConvLinearLayers) {
  Rng rng(21);
  ConvTranspose2dParams tp;
  tp.stride = 2;
  tp.padding = 2;
  tp.output_padding = 1;
  Conv2dParams cp;
  cp.stride = 2;
  cp.padding = 2;
  std::vector<std::pair<std::unique_ptr<Layer>, Tensor>> cases;
  cases.emplace_back(std::make_unique<ConvTranspose2d>(4, 3, 5, tp, false),
                     random_tensor({2, 4, 5, 5}, rng));
  cases.emplace_back(std::make_unique<Conv2d>(3, 4, 5, cp, true), random_tensor({2, 3, 10, 10}, rng));
  cases.emplace_back(std::make_unique<Linear>(12, 5, true), random_tensor({3, 12}, rng));
  for (auto& [layer, x] : cases) {
    init(*layer);
    Tensor out_naive, out_fast, dx_naive, dx_fast;
    layer->set_backend(Backend::naive);
    layer->forward(out_naive, x);
    const Tensor R = random_tensor(out_naive.shape(), rng);
    layer->zero_grad();
    layer->backward(&dx_naive, R, x, out_naive);
    std::vector<Tensor> g_naive;
    for (const ParamRef& p : layer->params()) g_naive.push_back(*p.grad);
    layer->set_backend(Backend::fast);
    layer->forward(out_fast, x);
    layer->zero_grad();
    layer->backward(&dx_fast, R, x, out_fast);
    auto expect_near_all = [&](const Tensor& a, const Tensor& b, const std::string& what) {
      ASSERT_EQ(a.shape(), b.shape()) << what;
      for (int64_t i = 0; i < a.numel(); ++i) {
        ASSERT_NEAR(a[i], b[i], 1e-4f * (1.0f + std::fabs(a[i]))) << what << "[" << i << "]";
      }
    };
    expect_near_all(out_naive, out_fast, layer->describe() + " out");
    expect_near_all(dx_naive, dx_fast, layer->describe() + " dx");
    size_t k = 0;
    for (const ParamRef& p : layer->params()) {
      expect_near_all(g_naive[k++], *p.grad, layer->describe() + " d" + p.name);
    }
  }
}
