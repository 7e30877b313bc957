// Identities that must hold, whatever the numbers:
//   <conv2d(x, w), y> = <x, conv_transpose2d(y, w)>   (transposed conv is the adjoint of conv)
//   conv2d's dL/dx = conv_transpose2d(dL/dy, w)        (the same scatter)
//   conv_transpose2d's dL/dx = conv2d(dL/dy, w)
// and the notes' hand examples.
#include <gtest/gtest.h>

#include <random>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"

using namespace convt;

namespace {

Tensor random_tensor(std::vector<int64_t> shape, std::mt19937& rng) {
  Tensor t(std::move(shape));
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = u(rng);
  return t;
}

double dot(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  double s = 0;
  for (int64_t i = 0; i < a.numel(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

}  // namespace

TEST(ConvIdentities, TransposedConvIsTheAdjointOfConv) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> pick(1, 3);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int N = pick(rng), C_in = pick(rng), C_out = pick(rng);
    const int H = pick(rng) + 3, W = pick(rng) + 2, kH = pick(rng), kW = pick(rng) + 1;
    Conv2dParams cp{{pick(rng), pick(rng)}, {pick(rng) - 1, pick(rng) - 1}, {pick(rng), 1}};
    OutSize size;
    try {
      size = conv2d_out_size(H, W, {kH, kW}, cp);
    } catch (const ShapeError&) {
      continue;
    }
    // conv_transpose2d must map y's size back to exactly (H, W): output_padding says which.
    const int a_h = H - ((size.h - 1) * cp.stride.h - 2 * cp.padding.h + cp.dilation.h * (kH - 1) + 1);
    const int a_w = W - ((size.w - 1) * cp.stride.w - 2 * cp.padding.w + cp.dilation.w * (kW - 1) + 1);
    ConvTranspose2dParams tp{cp.stride, cp.padding, {a_h, a_w}, cp.dilation};
    if (a_h >= std::max(cp.stride.h, cp.dilation.h) || a_w >= std::max(cp.stride.w, cp.dilation.w))
      continue;  // not reachable by a valid output_padding (it is by the backward pass, below)

    Tensor x = random_tensor({N, C_in, H, W}, rng);
    Tensor w = random_tensor({C_out, C_in, kH, kW}, rng);
    Tensor y = random_tensor({N, C_out, size.h, size.w}, rng);
    Tensor conv_x, convT_y;
    conv2d_forward(conv_x, x, w, nullptr, cp);
    conv_transpose2d_forward(convT_y, y, w, nullptr, tp);  // w read as (C_in_T, C_out_T, kH, kW)
    const double lhs = dot(conv_x, y), rhs = dot(x, convT_y);
    EXPECT_NEAR(lhs, rhs, 1e-4 * (1 + std::abs(lhs))) << "trial " << trial;
    ++checked;
  }
  EXPECT_GT(checked, 50);
}

TEST(ConvIdentities, ConvBackwardDataIsConvTransposeForward) {
  std::mt19937 rng(7);
  Tensor x = random_tensor({2, 3, 7, 6}, rng);
  Tensor w = random_tensor({4, 3, 3, 2}, rng);
  Conv2dParams cp{{2, 2}, {1, 0}, {1, 2}};
  Tensor y;
  conv2d_forward(y, x, w, nullptr, cp);
  Tensor g = random_tensor(y.shape(), rng);
  Tensor dx;
  conv2d_backward(&dx, nullptr, nullptr, g, x, w, cp);
  Tensor t;
  OutSize natural = conv_transpose2d_out_size(static_cast<int>(y.dim(2)), static_cast<int>(y.dim(3)),
                                              {3, 2}, {cp.stride, cp.padding, {0, 0}, cp.dilation});
  ConvTranspose2dParams tp{cp.stride, cp.padding, {7 - natural.h, 6 - natural.w}, cp.dilation};
  conv_transpose2d_forward(t, g, w, nullptr, tp);
  ASSERT_EQ(t.shape(), dx.shape());
  for (int64_t i = 0; i < t.numel(); ++i) EXPECT_EQ(t[i], dx[i]);
}

TEST(ConvIdentities, ConvTransposeBackwardDataIsConvForward) {
  std::mt19937 rng(8);
  Tensor x = random_tensor({2, 3, 4, 5}, rng);
  Tensor w = random_tensor({3, 2, 5, 5}, rng);  // (C_in, C_out, kH, kW)
  ConvTranspose2dParams tp{{2, 2}, {2, 2}, {1, 1}, {1, 1}};
  Tensor y;
  conv_transpose2d_forward(y, x, w, nullptr, tp);
  Tensor g = random_tensor(y.shape(), rng);
  Tensor dx;
  conv_transpose2d_backward(&dx, nullptr, nullptr, g, x, w, tp);
  Tensor c;
  conv2d_forward(c, g, w, nullptr, {tp.stride, tp.padding, tp.dilation});
  ASSERT_EQ(c.shape(), dx.shape());
  for (int64_t i = 0; i < c.numel(); ++i) EXPECT_EQ(c[i], dx[i]);
}

TEST(ConvIdentities, NotesTwoByTwoWithOnesKernel) {
  // 2x2 input, 3x3 kernel of ones, stride 2, padding 1. Each pixel stamps a 3x3 block of its
  // value on a 5x5 canvas at (2*iy, 2*ix); blocks overlap on canvas row/column 2. Padding 1 cuts
  // the canvas border, leaving canvas rows/cols 1..3:
  //   canvas (1,1) is covered by pixel (0,0) only          -> 1
  //   canvas (1,2) by (0,0) and (0,1)                      -> 1+2 = 3
  //   canvas (2,2) by all four                             -> 1+2+3+4 = 10
  Tensor x({1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4});
  Tensor w({1, 1, 3, 3}, 1.0f);
  Tensor y;
  conv_transpose2d_forward(y, x, w, nullptr, {{2, 2}, {1, 1}, {0, 0}, {1, 1}});
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 3, 3}));
  const std::vector<float> expected{1, 3, 2, 4, 10, 6, 3, 7, 4};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(y[i], expected[static_cast<size_t>(i)]) << "cell " << i;
}

TEST(ConvIdentities, FourByFourK4S2P1DoublesAndIsEvenInTheInterior) {
  // k4 s2 p1: every interior output cell receives exactly 2x2 = 4 stamps (even overlap), so with
  // ones everywhere the interior is 4 and the border 2 (corners 1).
  Tensor x({1, 1, 4, 4}, 1.0f), w({1, 1, 4, 4}, 1.0f), y;
  conv_transpose2d_forward(y, x, w, nullptr, {{2, 2}, {1, 1}, {0, 0}, {1, 1}});
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 1, 8, 8}));
  for (int oy = 0; oy < 8; ++oy)
    for (int ox = 0; ox < 8; ++ox) {
      const float rows = (oy == 0 || oy == 7) ? 1.0f : 2.0f;
      const float cols = (ox == 0 || ox == 7) ? 1.0f : 2.0f;
      EXPECT_EQ(y.at(0, 0, oy, ox), rows * cols) << oy << "," << ox;
    }
}

TEST(ConvIdentities, BiasAddsOncePerOutputCell) {
  std::mt19937 rng(3);
  Tensor x = random_tensor({1, 2, 3, 3}, rng), w = random_tensor({2, 3, 3, 3}, rng);
  Tensor b({3}, std::vector<float>{0.5f, -1.0f, 2.0f});
  Tensor with, without;
  ConvTranspose2dParams tp{{2, 2}, {1, 1}, {1, 1}, {1, 1}};
  conv_transpose2d_forward(with, x, w, &b, tp);
  conv_transpose2d_forward(without, x, w, nullptr, tp);
  const int64_t plane = with.dim(2) * with.dim(3);
  for (int64_t i = 0; i < with.numel(); ++i)
    EXPECT_NEAR(with[i], without[i] + b[(i / plane) % 3], 1e-5f);  // bias first: other rounding
}
