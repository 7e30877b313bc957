// The TraceRecorder: every multiply-add of the naive kernels, replayable in O(1) by index.
#include <gtest/gtest.h>

#include <random>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/recorder.h"

using namespace convt;

namespace {

Tensor random_tensor(std::vector<int64_t> shape, uint32_t seed) {
  Tensor t(std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = u(rng);
  return t;
}

}  // namespace

TEST(Trace, ConvTransposeEventCountIncludesCroppedWrites) {
  Tensor x = random_tensor({2, 3, 4, 5}, 1);
  Tensor w = random_tensor({3, 2, 3, 4}, 2);  // (C_in, C_out, kH, kW)
  ConvTranspose2dParams p{{2, 3}, {1, 2}, {1, 0}, {1, 1}};
  Tensor y;
  TraceRecorder rec;
  conv_transpose2d_forward(y, x, w, nullptr, p, rec);
  EXPECT_EQ(rec.size(), 2 * 3 * 4 * 5 * 2 * 3 * 4);  // N*C_in*H*W*C_out*kH*kW
  int64_t cropped = 0;
  for (int64_t k = 0; k < rec.size(); ++k) cropped += rec.event(k).cropped;
  EXPECT_GT(cropped, 0);  // padding 1, 2 cuts some writes away
}

TEST(Trace, ProductsSumToTheOutput) {
  // For each output cell, the products of its non-cropped events add up to its value, and each
  // event's out_before is the previous event's out_after on the same cell.
  for (bool transposed : {true, false}) {
    Tensor x = random_tensor({2, 2, 5, 4}, 3);
    Tensor y;
    TraceRecorder rec;
    if (transposed) {
      Tensor w = random_tensor({2, 3, 3, 2}, 4);
      conv_transpose2d_forward(y, x, w, nullptr, {{2, 1}, {1, 1}, {1, 0}, {1, 2}}, rec);
    } else {
      Tensor w = random_tensor({3, 2, 3, 2}, 4);
      conv2d_forward(y, x, w, nullptr, {{2, 1}, {1, 1}, {1, 2}}, rec);
    }
    Tensor sum(y.shape()), last(y.shape());
    for (int64_t k = 0; k < rec.size(); ++k) {
      MacEvent e = rec.event(k);
      EXPECT_EQ(e.step, k);
      if (e.cropped) {
        EXPECT_EQ(e.out_after, e.out_before);
        continue;
      }
      EXPECT_FLOAT_EQ(e.product, e.x * e.w);
      EXPECT_EQ(e.out_before, last.at(e.n, e.oc, e.oy, e.ox)) << "event " << k;
      last.at(e.n, e.oc, e.oy, e.ox) = e.out_after;
      sum.at(e.n, e.oc, e.oy, e.ox) += e.product;
    }
    for (int64_t i = 0; i < y.numel(); ++i) {
      EXPECT_NEAR(sum[i], y[i], 1e-5f) << (transposed ? "conv_transpose2d" : "conv2d") << " " << i;
      EXPECT_EQ(last[i], y[i]);  // the replay is bit-exact: same adds in the same order
    }
  }
}

TEST(Trace, EventIndicesFollowTheScatterLoop) {
  // Notes' example: 2x2 input, 3x3 kernel, stride 2, padding 1. Event 0 is x[0,0] * w[0,0],
  // landing at canvas (0, 0), i.e. output (-1, -1): cropped.
  Tensor x({1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4});
  Tensor w({1, 1, 3, 3}, 1.0f);
  Tensor y;
  TraceRecorder rec;
  conv_transpose2d_forward(y, x, w, nullptr, {{2, 2}, {1, 1}, {0, 0}, {1, 1}}, rec);
  MacEvent e0 = rec.event(0);
  EXPECT_TRUE(e0.cropped);
  EXPECT_EQ(e0.oy, -1);
  EXPECT_EQ(e0.ox, -1);
  MacEvent e4 = rec.event(4);  // ky = 1, kx = 1 of pixel (0, 0): output (0, 0)
  EXPECT_FALSE(e4.cropped);
  EXPECT_EQ(e4.ky, 1);
  EXPECT_EQ(e4.kx, 1);
  EXPECT_EQ(e4.oy, 0);
  EXPECT_EQ(e4.ox, 0);
  EXPECT_EQ(e4.out_after, 1.0f);
  MacEvent last = rec.event(rec.size() - 1);  // pixel (1, 1), kernel (2, 2): canvas (4, 4)
  EXPECT_EQ(last.iy, 1);
  EXPECT_EQ(last.ix, 1);
  EXPECT_EQ(last.oy, 3);
  EXPECT_TRUE(last.cropped);  // output is 3x3
  EXPECT_THROW(rec.event(rec.size()), std::out_of_range);
  EXPECT_THROW(rec.event(-1), std::out_of_range);
}

TEST(Trace, CapIsAClearErrorBeforeAnyWork) {
  Tensor x = random_tensor({1, 4, 5, 5}, 5);
  Tensor w = random_tensor({4, 4, 5, 5}, 6);
  TraceRecorder rec(1000);
  Tensor y({3});
  try {
    conv_transpose2d_forward(y, x, w, nullptr, {{2, 2}, {2, 2}, {1, 1}, {1, 1}}, rec);
    FAIL() << "expected TraceLimitError";
  } catch (const TraceLimitError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("10000 multiply-adds"), std::string::npos) << m;
    EXPECT_NE(m.find("cap of 1000"), std::string::npos) << m;
  }
  EXPECT_EQ(rec.size(), 0);
  EXPECT_EQ(y.shape(), (std::vector<int64_t>{3}));  // output untouched
}

TEST(Trace, ConvBackwardDataRecordsTheSameScatterAsConvTranspose) {
  // conv2d's backward-data and conv_transpose2d's forward are one loop: same events, same order.
  Tensor x = random_tensor({1, 2, 6, 5}, 7);
  Tensor w = random_tensor({3, 2, 3, 3}, 8);  // Conv2d (C_out, C_in, kH, kW)
  Conv2dParams cp{{2, 2}, {1, 1}, {1, 1}};
  Tensor y;
  conv2d_forward(y, x, w, nullptr, cp);
  Tensor g = random_tensor(y.shape(), 9);
  Tensor dx;
  TraceRecorder back;
  conv2d_backward(&dx, nullptr, nullptr, g, x, w, cp, back);

  Tensor y_t;
  TraceRecorder fwd;
  // output_padding picks the conv input size 6 (and 5) among those mapping to y's size.
  ConvTranspose2dParams tp{{2, 2}, {1, 1}, {1, 0}, {1, 1}};
  conv_transpose2d_forward(y_t, g, w, nullptr, tp, fwd);
  ASSERT_EQ(y_t.shape(), x.shape());
  ASSERT_EQ(back.size(), fwd.size());
  for (int64_t k = 0; k < fwd.size(); k += 7) {
    MacEvent a = back.event(k), b = fwd.event(k);
    EXPECT_EQ(a.oy, b.oy);
    EXPECT_EQ(a.ox, b.ox);
    EXPECT_EQ(a.product, b.product);
    EXPECT_EQ(a.out_after, b.out_after);
  }
  for (int64_t i = 0; i < dx.numel(); ++i) EXPECT_EQ(dx[i], y_t[i]);
}

TEST(Trace, SkippingCroppedTapsWithoutARecorderGivesTheSameNumbers) {
  // Without a recorder the scatter visits only the taps that land inside the output; the adds
  // that remain are the same, in the same order, so the output matches the traced one bit for
  // bit. Geometries with padding as large as the kernel, dilation and output_padding.
  struct Case {
    std::vector<int64_t> x_shape, w_shape;
    ConvTranspose2dParams p;
  };
  const std::vector<Case> cases = {
      {{2, 3, 5, 5}, {3, 4, 5, 5}, {{2, 2}, {2, 2}, {1, 1}, {1, 1}}},  // the GAN's up layers
      {{1, 2, 4, 6}, {2, 3, 3, 4}, {{2, 3}, {1, 2}, {1, 0}, {1, 1}}},
      {{1, 2, 5, 4}, {2, 2, 3, 3}, {{1, 2}, {3, 2}, {0, 1}, {2, 2}}},  // dilation 2
      {{1, 1, 3, 3}, {1, 2, 5, 5}, {{1, 1}, {2, 2}, {0, 0}, {1, 1}}},  // many taps cropped
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    Tensor x = random_tensor(c.x_shape, 20 + static_cast<uint32_t>(i));
    Tensor w = random_tensor(c.w_shape, 40 + static_cast<uint32_t>(i));
    Tensor traced, plain;
    TraceRecorder rec;
    conv_transpose2d_forward(traced, x, w, nullptr, c.p, rec);
    conv_transpose2d_forward(plain, x, w, nullptr, c.p);
    ASSERT_EQ(plain.shape(), traced.shape()) << "case " << i;
    for (int64_t k = 0; k < plain.numel(); ++k) {
      EXPECT_EQ(plain[k], traced[k]) << "case " << i << ", element " << k;
    }
  }
}
