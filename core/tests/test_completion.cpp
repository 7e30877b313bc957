// The learn-to-complete CNN: masks are what they say, weight tying shares storage and
// adds both uses' gradients (central differences), the CompletionTrainer's loss falls on real
// digits, determinism, checkpoints, and a tiny tied vs untied run end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "convt/data/dataset.h"
#include "convt/nn/layers.h"
#include "convt/nn/tied.h"
#include "convt/train/completion.h"
#include "convt/train/masks.h"

using namespace convt;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

const Dataset& digits28() {
  static const Dataset d = load_builtin_digits(28);
  return d;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "convt_test_" + name;
}

Tensor random_tensor(std::vector<int64_t> shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.normal();
  return t;
}

CompletionConfig small_config(bool tied, uint64_t seed = 3) {
  CompletionConfig c;
  c.tied = tied;
  c.batch_size = 16;
  c.lr = 2e-3f;
  c.seed = seed;
  c.backend = nn::Backend::fast;
  return c;
}

// The first n images of `data` (N, C, H, W).
Tensor first_images(const Dataset& data, int64_t n) {
  const int64_t per = data.images.numel() / data.size();
  Tensor t({n, data.images.dim(1), data.images.dim(2), data.images.dim(3)});
  std::copy(data.images.data(), data.images.data() + n * per, t.data());
  return t;
}

}  // namespace

// ---- Masks ------------------------------------------------------------------------------------

TEST(Masks, BottomHalfHidesExactlyTheBottomRows) {
  Rng rng(0);
  const Tensor m = make_mask({MaskKind::bottom_half, 0}, 28, 28, rng);
  for (int y = 0; y < 28; ++y) {
    for (int x = 0; x < 28; ++x) EXPECT_EQ(m[y * 28 + x], y < 14 ? 1.0f : 0.0f) << y << "," << x;
  }
  EXPECT_EQ(MaskSpec().kind, MaskKind::bottom_half);  // the default
}

TEST(Masks, LeftHalfHidesExactlyTheLeftColumns) {
  Rng rng(0);
  const Tensor m = make_mask({MaskKind::left_half, 0}, 6, 8, rng);
  for (int y = 0; y < 6; ++y) {
    for (int x = 0; x < 8; ++x) EXPECT_EQ(m[y * 8 + x], x < 4 ? 0.0f : 1.0f) << y << "," << x;
  }
}

TEST(Masks, EverythingHidesEveryPixel) {
  Rng rng(0);
  const Tensor m = make_mask({MaskKind::everything, 0}, 5, 7, rng);
  for (int64_t i = 0; i < m.numel(); ++i) EXPECT_EQ(m[i], 0.0f);
}

TEST(Masks, RandomSquareIsOneSquareSeededAndMoves) {
  std::vector<std::pair<int, int>> corners;
  for (uint64_t seed : {1u, 1u, 2u, 3u, 4u}) {
    Rng rng(seed);
    const Tensor m = make_mask({MaskKind::random_square, 10}, 28, 28, rng);
    int y0 = 99, x0 = 99, y1 = -1, x1 = -1, hidden = 0;
    for (int y = 0; y < 28; ++y) {
      for (int x = 0; x < 28; ++x) {
        if (m[y * 28 + x] == 0.0f) {
          ++hidden;
          y0 = std::min(y0, y), x0 = std::min(x0, x), y1 = std::max(y1, y), x1 = std::max(x1, x);
        }
      }
    }
    EXPECT_EQ(hidden, 100);  // exactly a 10x10 block: bounding box 10x10 holding 100 pixels
    EXPECT_EQ(y1 - y0 + 1, 10);
    EXPECT_EQ(x1 - x0 + 1, 10);
    corners.push_back({y0, x0});
  }
  EXPECT_EQ(corners[0], corners[1]);  // same seed, same square
  bool moved = false;
  for (size_t i = 2; i < corners.size(); ++i) moved |= corners[i] != corners[0];
  EXPECT_TRUE(moved);
  Rng rng(0);
  const Tensor def = make_mask({MaskKind::random_square, 0}, 28, 20, rng);  // side min/2 = 10
  int hidden = 0;
  for (int64_t i = 0; i < def.numel(); ++i) hidden += def[i] == 0.0f;
  EXPECT_EQ(hidden, 100);
  EXPECT_THROW(make_mask({MaskKind::random_square, 29}, 28, 28, rng), std::invalid_argument);
}

TEST(Masks, ApplyKeepsVisiblePixelsAndFillsHiddenOnesPerSample) {
  const Tensor x = random_tensor({3, 2, 8, 8}, 5);
  Tensor out, masks;
  Rng rng(7);
  apply_mask(out, x, {MaskKind::random_square, 3}, rng, -1.0f, &masks);
  ASSERT_EQ(out.shape(), x.shape());
  ASSERT_EQ(masks.shape(), (std::vector<int64_t>{3, 1, 8, 8}));
  bool differ = false;
  for (int64_t n = 0; n < 3; ++n) {
    for (int64_t c = 0; c < 2; ++c) {
      for (int64_t i = 0; i < 64; ++i) {
        const float kept = masks[n * 64 + i];
        const int64_t at = (n * 2 + c) * 64 + i;
        EXPECT_EQ(out[at], kept != 0.0f ? x[at] : -1.0f);
        if (n > 0) differ |= masks[n * 64 + i] != masks[i];
      }
    }
  }
  EXPECT_TRUE(differ);  // a new square per sample
  // A fixed mask, default fill 0.
  Rng r0(0);
  const Tensor m = make_mask({MaskKind::bottom_half, 0}, 8, 8, r0);
  apply_mask(out, x, m);
  for (int64_t n = 0; n < 3; ++n) {
    for (int64_t c = 0; c < 2; ++c) {
      for (int64_t i = 0; i < 64; ++i) {
        const int64_t at = (n * 2 + c) * 64 + i;
        EXPECT_EQ(out[at], i < 32 ? x[at] : 0.0f);
      }
    }
  }
  EXPECT_THROW(apply_mask(out, x, Tensor({7, 8}, 1.0f)), std::invalid_argument);
  EXPECT_EQ(parse_mask("left-half"), MaskKind::left_half);
  EXPECT_THROW(parse_mask("top"), std::invalid_argument);
}

// ---- Weight tying -----------------------------------------------------------------------------

TEST(WeightTying, TiedLayersShareStorage) {
  CompletionNet net(small_config(true));
  auto& conv1 = dynamic_cast<nn::Conv2d&>(net.encoder().layer(0));
  auto& conv2 = dynamic_cast<nn::Conv2d&>(net.encoder().layer(3));
  auto& up1 = dynamic_cast<nn::TiedConvTranspose2d&>(net.decoder().layer(3));
  auto& up2 = dynamic_cast<nn::TiedConvTranspose2d&>(net.decoder().layer(5));
  EXPECT_EQ(&up1.weight(), &conv2.weight);
  EXPECT_EQ(&up1.dweight(), &conv2.dweight);
  EXPECT_EQ(&up2.weight(), &conv1.weight);
  EXPECT_EQ(up1.describe(), "ConvTranspose2d(16 -> 8, k3, s2, p1, op1, tied)");
  // Changing the encoder weight changes what the decoder layer computes.
  const Tensor x = random_tensor({1, 16, 7, 7}, 2);
  Tensor before, after;
  up1.forward(before, x);
  conv2.weight[0] += 1.0f;
  up1.forward(after, x);
  double diff = 0.0;
  for (int64_t i = 0; i < before.numel(); ++i) diff += std::abs(after[i] - before[i]);
  EXPECT_GT(diff, 0.1);
  // One parameter in the optimiser: no decoder conv weight, each tensor listed once.
  std::set<Tensor*> seen;
  for (const nn::NamedParam& p : net.params()) {
    EXPECT_TRUE(seen.insert(p.value).second) << p.name;
    EXPECT_NE(p.name, "decoder.3.weight");
    EXPECT_NE(p.name, "decoder.5.weight");
  }
  EXPECT_TRUE(seen.count(&conv2.weight));
  // Parameter counts: tied = untied minus the two decoder conv weights.
  CompletionNet untied(small_config(false));
  const int64_t conv_w = conv1.weight.numel() + conv2.weight.numel();  // 8*1*9 + 16*8*9
  EXPECT_EQ(conv_w, 72 + 1152);
  EXPECT_EQ(untied.parameter_count() - net.parameter_count(), conv_w);
  EXPECT_EQ(untied.conv_parameter_count(), 2 * conv_w + 8 + 16 + 8 + 1);
  EXPECT_EQ(net.conv_parameter_count(), conv_w + 8 + 16 + 8 + 1);
}

// Conv2d(1 -> 2, k3, p1) then its tied ConvTranspose2d(2 -> 1, k3, s, p1, op s-1):
// L = sum(out * r).
// The tied weight's gradient must be the sum of the two uses' gradients (computed with an
// untied copy) and match central differences of L in that one weight.
class TiedGradient : public ::testing::TestWithParam<int> {};

TEST_P(TiedGradient, IsTheSumOfBothUsesAndMatchesCentralDifferences) {
  const int stride = GetParam();  // 1: the exact adjoint; 2: upsampling, as in the decoder
  Conv2dParams cp;
  cp.padding = Pair(1);
  ConvTranspose2dParams tp;
  tp.padding = Pair(1);
  tp.stride = Pair(stride);
  tp.output_padding = Pair(stride - 1);
  nn::Conv2d conv(1, 2, Pair(3), cp);
  nn::TiedConvTranspose2d up(conv, tp);
  Rng rng(11);
  conv.reset_parameters(nn::InitScheme::pytorch, rng);
  up.reset_parameters(nn::InitScheme::pytorch, rng);
  const Tensor x = random_tensor({2, 1, 5, 5}, 12);
  const Tensor r = random_tensor({2, 1, 5 * stride, 5 * stride}, 13);

  auto loss = [&]() {
    Tensor h, out;
    conv.forward(h, x);
    up.forward(out, h);
    double s = 0.0;
    for (int64_t i = 0; i < out.numel(); ++i) s += static_cast<double>(out[i]) * r[i];
    return s;
  };
  // Analytic, tied.
  Tensor h, out, dh;
  conv.forward(h, x);
  up.forward(out, h);
  conv.zero_grad();
  up.zero_grad();
  up.backward(&dh, r, h, out);
  conv.backward(nullptr, dh, x, h);
  const Tensor tied_grad = conv.dweight;

  // The two uses separately: an untied ConvTranspose2d holding a copy of the weight.
  nn::ConvTranspose2d copy(2, 1, Pair(3), tp);
  copy.weight = conv.weight;
  copy.bias = up.bias;
  Tensor out2, dh2;
  copy.forward(out2, h);
  copy.zero_grad();
  conv.zero_grad();
  copy.backward(&dh2, r, h, out2);
  conv.backward(nullptr, dh2, x, h);
  for (int64_t i = 0; i < tied_grad.numel(); ++i) {
    EXPECT_NEAR(tied_grad[i], conv.dweight[i] + copy.dweight[i], 1e-5f) << i;
  }
  // Neither use alone explains it.
  double only_conv = 0.0, only_up = 0.0;
  for (int64_t i = 0; i < tied_grad.numel(); ++i) {
    only_conv += std::abs(tied_grad[i] - conv.dweight[i]);
    only_up += std::abs(tied_grad[i] - copy.dweight[i]);
  }
  EXPECT_GT(only_conv, 1e-2);
  EXPECT_GT(only_up, 1e-2);

  // Central differences (L is quadratic in the weight: exact up to rounding).
  const float eps = 1e-2f;
  for (int64_t i = 0; i < conv.weight.numel(); ++i) {
    const float w0 = conv.weight[i];
    conv.weight[i] = w0 + eps;
    const double lp = loss();
    conv.weight[i] = w0 - eps;
    const double lm = loss();
    conv.weight[i] = w0;
    const double numeric = (lp - lm) / (2.0 * eps);
    EXPECT_NEAR(tied_grad[i], numeric, 2e-3 * std::max(1.0, std::abs(numeric))) << i;
  }
}
INSTANTIATE_TEST_SUITE_P(Stride, TiedGradient, ::testing::Values(1, 2));

// ---- Trainer ----------------------------------------------------------------------------------

TEST(CompletionTrainer, LossFallsOnRealDigitsTiedAndUntied) {
  const auto [train, held] = split_holdout(digits28(), 10);
  ASSERT_EQ(held.size(), 1000);
  const Tensor test = first_images(held, kSanitized ? 50 : 200);
  const int steps = kSanitized ? 60 : 300;
  for (bool tied : {false, true}) {
    CompletionTrainer t(small_config(tied), &train);
    const double before = t.evaluate(test).mse;
    double first = 0.0, last = 0.0;
    const int window = steps / 6;
    for (int s = 0; s < steps; ++s) {
      const float loss = t.step().loss;
      ASSERT_TRUE(std::isfinite(loss));
      if (s < window) first += loss;
      if (s >= steps - window) last += loss;
    }
    first /= window;
    last /= window;
    const CompletionEval after = t.evaluate(test);
    std::printf(
        "tied=%d: train MSE %.4f -> %.4f; held-out MSE %.4f -> %.4f (hidden part %.4f) "
        "after %d steps; %.0f samples/s\n",
        tied, first, last, before, after.mse, after.hidden_mse, steps,
        t.last_metrics().samples_per_second);
    EXPECT_LT(last, 0.7 * first) << "tied=" << tied;
    EXPECT_LT(after.mse, 0.7 * before) << "tied=" << tied;
    EXPECT_GT(after.hidden_mse, 0.0);
    EXPECT_EQ(t.steps_done(), steps);
  }
}

TEST(CompletionTrainer, DeterministicPerSeed) {
  CompletionConfig c = small_config(true, 9);
  c.mask.kind = MaskKind::random_square;
  CompletionTrainer a(c, &digits28()), b(c, &digits28());
  for (int s = 0; s < 4; ++s) EXPECT_EQ(a.step().loss, b.step().loss);
  c.seed = 10;
  CompletionTrainer other(c, &digits28());
  other.step();
  EXPECT_NE(other.last_metrics().loss, a.last_metrics().loss);
}

TEST(CompletionTrainer, CheckpointResumesExactlyAndRefusesAnotherModel) {
  const std::string path = temp_path("completion.safetensors");
  CompletionConfig c = small_config(true, 4);
  c.mask.kind = MaskKind::random_square;
  CompletionTrainer a(c, &digits28());
  for (int s = 0; s < 3; ++s) a.step();
  a.save_checkpoint(path);
  std::vector<float> expected;
  for (int s = 0; s < 3; ++s) expected.push_back(a.step().loss);

  auto b = CompletionTrainer::from_checkpoint(path, &digits28());
  EXPECT_EQ(b->steps_done(), 3);
  EXPECT_TRUE(b->config().tied);
  for (int s = 0; s < 3; ++s) EXPECT_EQ(b->step().loss, expected[s]) << s;

  CompletionTrainer untied(small_config(false, 4), &digits28());
  EXPECT_THROW(untied.load_checkpoint(path), CheckpointError);
  EXPECT_THROW(untied.load_checkpoint(path + ".missing"), CheckpointError);
  std::remove(path.c_str());
}

TEST(CompletionTrainer, RefusesWrongDataAndConfig) {
  const Dataset d20 = load_builtin_digits(20);
  EXPECT_THROW(CompletionTrainer(small_config(false), &d20), std::invalid_argument);
  CompletionTrainer ok(small_config(false), nullptr);
  EXPECT_THROW(ok.evaluate(Tensor({3, 28, 28})), std::invalid_argument);
  EXPECT_THROW(ok.evaluate(Tensor({3, 1, 20, 20})), std::invalid_argument);
  EXPECT_THROW(ok.step(), std::logic_error);
  CompletionConfig c = small_config(false);
  c.kernel_size = 4;
  EXPECT_THROW(CompletionNet{c}, std::invalid_argument);
  c = small_config(false);
  c.image_size = 30;
  EXPECT_THROW(CompletionNet{c}, std::invalid_argument);
}

TEST(CompletionTrainer, CodeIsZeroAtEvaluationUnlessGiven) {
  CompletionTrainer t(small_config(false), &digits28());
  for (int s = 0; s < 3; ++s) t.step();
  const Tensor images = first_images(digits28(), 4);
  Tensor masked;
  Rng rng(0);
  apply_mask(masked, images, MaskSpec(), rng);
  const Tensor zero_code({4, 8}, 0.0f);
  const Tensor a = t.complete(masked), b = t.complete(masked, &zero_code);
  const Tensor code = random_tensor({4, 8}, 3);
  const Tensor c = t.complete(masked, &code);
  double same = 0.0, diff = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    same += std::abs(a[i] - b[i]);
    diff += std::abs(a[i] - c[i]);
    ASSERT_LE(std::abs(a[i]), 1.0f);  // tanh
  }
  EXPECT_EQ(same, 0.0);
  EXPECT_GT(diff, 0.0);
}

// The whole tiny completion net, tied, against an untied copy with the same weights: the tied
// encoder weights' gradients equal encoder-use plus decoder-use gradients of the untied net.
TEST(WeightTying, WholeTiedNetGradientIsTheSumOfTheUntiedUses) {
  CompletionConfig c;
  c.tied = false;
  c.image_size = 8;
  c.channels1 = 2;
  c.channels2 = 3;
  c.latent_dim = 2;
  c.seed = 5;
  CompletionNet u(c);
  c.tied = true;
  CompletionNet t(c);
  auto& tc1 = dynamic_cast<nn::Conv2d&>(t.encoder().layer(0));
  auto& tc2 = dynamic_cast<nn::Conv2d&>(t.encoder().layer(3));
  auto& uc1 = dynamic_cast<nn::Conv2d&>(u.encoder().layer(0));
  auto& uc2 = dynamic_cast<nn::Conv2d&>(u.encoder().layer(3));
  auto& uu1 = dynamic_cast<nn::ConvTranspose2d&>(u.decoder().layer(3));
  auto& uu2 = dynamic_cast<nn::ConvTranspose2d&>(u.decoder().layer(5));
  auto& tu1 = dynamic_cast<nn::TiedConvTranspose2d&>(t.decoder().layer(3));
  auto& tu2 = dynamic_cast<nn::TiedConvTranspose2d&>(t.decoder().layer(5));
  uc1.weight = tc1.weight;
  uc1.bias = tc1.bias;
  uc2.weight = tc2.weight;
  uc2.bias = tc2.bias;
  uu1.weight = tc2.weight;
  uu1.bias = tu1.bias;
  uu2.weight = tc1.weight;
  uu2.bias = tu2.bias;
  auto& ul = dynamic_cast<nn::Linear&>(u.decoder().layer(0));
  auto& tl = dynamic_cast<nn::Linear&>(t.decoder().layer(0));
  ul.weight = tl.weight;
  ul.bias = tl.bias;
  const Tensor x = random_tensor({2, 1, 8, 8}, 21);
  const Tensor code = random_tensor({2, 2}, 22);
  const Tensor r = random_tensor({2, 1, 8, 8}, 23);
  const Tensor ou = u.forward(x, &code);
  const Tensor ot = t.forward(x, &code);
  for (int64_t i = 0; i < ou.numel(); ++i) ASSERT_EQ(ou[i], ot[i]);
  u.zero_grad();
  t.zero_grad();
  u.backward(r);
  t.backward(r);
  for (int64_t i = 0; i < tc1.dweight.numel(); ++i)
    EXPECT_NEAR(tc1.dweight[i], uc1.dweight[i] + uu2.dweight[i], 1e-5) << i;
  for (int64_t i = 0; i < tc2.dweight.numel(); ++i)
    EXPECT_NEAR(tc2.dweight[i], uc2.dweight[i] + uu1.dweight[i], 1e-5) << i;
}

TEST(CompletionTrainer, IterativeRefinementFeedsEachPassBack) {
  CompletionTrainer t(small_config(true), &digits28());
  for (int s = 0; s < 3; ++s) t.step();
  const Tensor images = first_images(digits28(), 3);
  Tensor masked, masks;
  Rng rng(0);
  apply_mask(masked, images, MaskSpec(), rng, 0.0f, &masks);
  const std::vector<Tensor> passes = t.refine(masked, 3, nullptr, &masks);
  ASSERT_EQ(passes.size(), 3u);
  const Tensor first = t.complete(masked);
  for (int64_t i = 0; i < first.numel(); ++i) ASSERT_EQ(passes[0][i], first[i]);
  // Pass 2 = completion of pass 1 with the visible (top-half) pixels put back.
  Tensor input = passes[0];
  for (int64_t i = 0; i < input.numel(); ++i) {
    if (i % 784 < 14 * 28) input[i] = masked[i];
  }
  const Tensor second = t.complete(input);
  for (int64_t i = 0; i < second.numel(); ++i) ASSERT_EQ(passes[1][i], second[i]);
  // Without masks the whole output is fed back.
  const std::vector<Tensor> whole = t.refine(masked, 2);
  const Tensor again = t.complete(whole[0]);
  for (int64_t i = 0; i < again.numel(); ++i) ASSERT_EQ(whole[1][i], again[i]);
  EXPECT_THROW(t.refine(masked, 0), std::invalid_argument);
}

TEST(CompletionTrainer, BlankCanvasDrawingsDependOnTheCodeSeed) {
  CompletionTrainer t(small_config(false), &digits28());
  for (int s = 0; s < 3; ++s) t.step();
  const Tensor a = t.generate_from_blank(4, 1), b = t.generate_from_blank(4, 1);
  const Tensor c = t.generate_from_blank(4, 2);
  ASSERT_EQ(a.shape(), (std::vector<int64_t>{4, 1, 28, 28}));
  double same = 0.0, diff = 0.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    same += std::abs(a[i] - b[i]);
    diff += std::abs(a[i] - c[i]);
  }
  EXPECT_EQ(same, 0.0);
  EXPECT_GT(diff, 0.0);
}
