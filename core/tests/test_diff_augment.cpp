// DiffAugment: each transform against hand-computed values, the backward pass as the exact
// transpose of the forward's linear part, the drawn ranges, and the policy text.
//
// Sources of truth: the transforms' definitions (Zhao et al. 2020, DiffAugment_pytorch.py), worked
// by hand below; and the identity <T(x) - T(0), g> = <x, T^T g> that holds for any affine T and
// its backward pass (T(0) removes the brightness offset, the only non-linear part).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "convt/ops/diff_augment.h"

using namespace convt;

namespace {

DiffAugmentDraw hand_draw(std::vector<int64_t> shape) {
  DiffAugmentDraw a;
  a.shape = shape;
  return a;
}

Tensor iota(std::vector<int64_t> shape) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(i + 1);
  return t;
}

}  // namespace

TEST(DiffAugment, TranslationReadsTheShiftedPixelAndFillsZeros) {
  DiffAugmentDraw a = hand_draw({1, 1, 3, 3});
  a.policy.translation = true;
  a.shift_y = {1};  // out[i, j] = x[i + 1, j - 1]
  a.shift_x = {-1};
  Tensor out;
  diff_augment_forward(out, iota({1, 1, 3, 3}), a);
  // x = 1 2 3 / 4 5 6 / 7 8 9
  EXPECT_EQ(out.values(), (std::vector<float>{0, 4, 5, 0, 7, 8, 0, 0, 0}));
  Tensor dx;
  diff_augment_backward(dx, Tensor({1, 1, 3, 3}, 1.0f), a);
  // each x pixel read once gets 1: rows 1-2, columns 0-1
  EXPECT_EQ(dx.values(), (std::vector<float>{0, 0, 0, 1, 1, 0, 1, 1, 0}));
}

TEST(DiffAugment, CutoutZeroesTheClippedSquareOnEveryChannel) {
  DiffAugmentDraw a = hand_draw({1, 2, 3, 3});
  a.policy.cutout = true;
  a.cut_h = a.cut_w = 2;
  a.cut_y = {-1};  // rows -1..0 -> row 0 only
  a.cut_x = {1};   // columns 1..2
  Tensor out;
  diff_augment_forward(out, iota({1, 2, 3, 3}), a);
  EXPECT_EQ(out.values(),
            (std::vector<float>{1, 0, 0, 4, 5, 6, 7, 8, 9, 10, 0, 0, 13, 14, 15, 16, 17, 18}));
}

TEST(DiffAugment, ColorByHand) {
  // one sample, 2 channels, 1 x 2 pixels: channel 0 = (1, 2), channel 1 = (3, 6)
  DiffAugmentDraw a = hand_draw({1, 2, 1, 2});
  a.policy.color = true;
  a.brightness = {0.5f};  // (1.5, 2.5), (3.5, 6.5)
  a.saturation = {2.0f};  // pixel means 2.5 and 4.5: (0.5, 0.5), (4.5, 8.5)
  a.contrast = {0.5f};    // sample mean 3.5: (2, 2), (4, 6)
  Tensor x({1, 2, 1, 2});
  x.values() = {1, 2, 3, 6};
  Tensor out;
  diff_augment_forward(out, x, a);
  const std::vector<float> want{2, 2, 4, 6};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(out[i], want[i], 1e-6f) << i;
}

TEST(DiffAugment, BackwardIsTheTransposeOfTheForward) {
  const std::vector<int64_t> shape{5, 3, 8, 6};
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor x(shape), g(shape), zero(shape, 0.0f);
  for (int64_t i = 0; i < x.numel(); ++i) {
    x[i] = u(gen);
    g[i] = u(gen);
  }
  for (const char* policy : {"color", "translation", "cutout", "color,translation,cutout"}) {
    Rng rng(7);
    const DiffAugmentDraw a = draw_diff_augment(DiffAugmentPolicy::parse(policy), shape, rng);
    Tensor tx, t0, dx;
    diff_augment_forward(tx, x, a);
    diff_augment_forward(t0, zero, a);
    diff_augment_backward(dx, g, a);
    double lhs = 0.0, rhs = 0.0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      lhs += (static_cast<double>(tx[i]) - t0[i]) * g[i];
      rhs += static_cast<double>(x[i]) * dx[i];
    }
    EXPECT_NEAR(lhs, rhs, 1e-4 * (1.0 + std::abs(lhs))) << policy;
    EXPECT_GT(std::abs(lhs), 1.0) << policy;  // a real check, not 0 = 0
    // backward accumulates: a second call doubles dx
    Tensor dx2 = dx;
    diff_augment_backward(dx2, g, a);
    for (int64_t i = 0; i < dx.numel(); ++i) ASSERT_FLOAT_EQ(dx2[i], 2.0f * dx[i]) << policy;
  }
}

TEST(DiffAugment, DrawsCoverTheReferenceRanges) {
  const std::vector<int64_t> shape{4000, 1, 20, 20};
  Rng rng(1);
  const DiffAugmentDraw a =
      draw_diff_augment(DiffAugmentPolicy::parse("color,translation,cutout"), shape, rng);
  // round(20 / 8) = 3 (int(2.5 + 0.5)): shifts -3..3, all seven values
  EXPECT_EQ(std::set<int64_t>(a.shift_y.begin(), a.shift_y.end()).size(), 7u);
  EXPECT_EQ(*std::min_element(a.shift_x.begin(), a.shift_x.end()), -3);
  EXPECT_EQ(*std::max_element(a.shift_x.begin(), a.shift_x.end()), 3);
  // square of 10: centre 0..20 (even size: H + 1 - 0 centres), top row -5..15
  EXPECT_EQ(a.cut_h, 10);
  EXPECT_EQ(*std::min_element(a.cut_y.begin(), a.cut_y.end()), -5);
  EXPECT_EQ(*std::max_element(a.cut_y.begin(), a.cut_y.end()), 15);
  for (size_t i = 0; i < a.brightness.size(); ++i) {
    ASSERT_TRUE(a.brightness[i] >= -0.5f && a.brightness[i] < 0.5f);
    ASSERT_TRUE(a.saturation[i] >= 0.0f && a.saturation[i] < 2.0f);
    ASSERT_TRUE(a.contrast[i] >= 0.5f && a.contrast[i] < 1.5f);
  }
  // a policy without a transform draws nothing for it
  Rng r2(1);
  const DiffAugmentDraw t = draw_diff_augment(DiffAugmentPolicy::parse("translation"), shape, r2);
  EXPECT_TRUE(t.brightness.empty());
  EXPECT_TRUE(t.cut_y.empty());
  EXPECT_EQ(t.shift_y.size(), 4000u);
}

TEST(DiffAugment, NoTransformIsTheIdentity) {
  Rng rng(2);
  const DiffAugmentDraw a = draw_diff_augment(DiffAugmentPolicy{}, {2, 1, 4, 4}, rng);
  const Tensor x = iota({2, 1, 4, 4});
  Tensor out;
  diff_augment_forward(out, x, a);
  EXPECT_EQ(out.values(), x.values());
}

TEST(DiffAugment, PolicyTextRoundTripAndErrors) {
  EXPECT_EQ(DiffAugmentPolicy::parse("cutout,color").to_string(), "color,cutout");
  EXPECT_EQ(DiffAugmentPolicy::parse("none").to_string(), "");
  EXPECT_FALSE(DiffAugmentPolicy::parse("").any());
  try {
    DiffAugmentPolicy::parse("color,flip");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown transform 'flip'"), std::string::npos)
        << e.what();
  }
  Tensor out;
  Rng rng(1);
  const DiffAugmentDraw a =
      draw_diff_augment(DiffAugmentPolicy::parse("cutout"), {1, 1, 4, 4}, rng);
  EXPECT_THROW(diff_augment_forward(out, Tensor({1, 1, 4, 5}), a), std::invalid_argument);
  EXPECT_THROW(draw_diff_augment(DiffAugmentPolicy{}, {1, 4, 4}, rng), std::invalid_argument);
}
