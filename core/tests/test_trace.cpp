// The TraceRecorder: every multiply-add of the naive kernels, replayable in O(1) by index.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
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

TEST(Trace, ClippedScatterEqualsThePlainScatter) {
  // scatter_add_loop (every tap, what the stepper draws) and scatter_add_clipped (only the taps
  // that land inside, what runs without a recorder) give each output cell the same adds in the
  // same order, so the outputs are equal bit for bit, not merely close. Random shapes, strides,
  // paddings (up to past the kernel's reach), output_padding and dilation.
  std::mt19937 rng(2024);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int N = pick(1, 2), C_in = pick(1, 3), C_out = pick(1, 3);
    const int H = pick(1, 6), W = pick(1, 6), kH = pick(1, 5), kW = pick(1, 5);
    ConvTranspose2dParams p;
    p.stride = {pick(1, 4), pick(1, 4)};
    p.dilation = {pick(1, 3), pick(1, 3)};
    p.padding = {pick(0, p.dilation.h * (kH - 1) + 1), pick(0, p.dilation.w * (kW - 1) + 1)};
    p.output_padding = {pick(0, std::max(p.stride.h, p.dilation.h) - 1),
                        pick(0, std::max(p.stride.w, p.dilation.w) - 1)};
    OutSize size;
    try {
      size = conv_transpose2d_out_size(H, W, {kH, kW}, p);
    } catch (const ShapeError&) {
      continue;  // padding crops the whole output: no such layer
    }
    const std::string where = "trial " + std::to_string(trial);
    const uint32_t seed = static_cast<uint32_t>(100 + 2 * trial);
    Tensor x = random_tensor({N, C_in, H, W}, seed);
    Tensor w = random_tensor({C_in, C_out, kH, kW}, seed + 1);
    Tensor plain({N, C_out, size.h, size.w}), clipped({N, C_out, size.h, size.w});
    NoRecorder none;
    scatter_add_loop(plain, x, w, p.stride, p.padding, p.dilation, "test", none);
    scatter_add_clipped(clipped, x, w, p.stride, p.padding, p.dilation);
    for (int64_t i = 0; i < plain.numel(); ++i) {
      ASSERT_EQ(plain[i], clipped[i]) << where << ", " << i;
    }

    // The ops that choose between them: recorded (plain) and unrecorded (clipped) runs agree.
    Tensor traced, untraced;
    TraceRecorder rec;
    conv_transpose2d_forward(traced, x, w, nullptr, p, rec);
    conv_transpose2d_forward(untraced, x, w, nullptr, p);
    ASSERT_EQ(traced.values(), untraced.values()) << where;
    ASSERT_EQ(traced.values(), plain.values()) << where;
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

TEST(Trace, ConvBackwardDataIsTheSameRecordedOrNot) {
  // conv2d_backward's input gradient is the scatter too: plain when recorded, clipped when not.
  std::mt19937 rng(7);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int C_in = pick(1, 3), C_out = pick(1, 3), H = pick(1, 7), W = pick(1, 7);
    const int kH = pick(1, 4), kW = pick(1, 4);
    Conv2dParams p;
    p.stride = {pick(1, 3), pick(1, 3)};
    p.dilation = {pick(1, 2), pick(1, 2)};
    p.padding = {pick(0, 2), pick(0, 2)};
    OutSize size;
    try {
      size = conv2d_out_size(H, W, {kH, kW}, p);
    } catch (const ShapeError&) {
      continue;
    }
    const uint32_t seed = static_cast<uint32_t>(900 + 3 * trial);
    Tensor x = random_tensor({2, C_in, H, W}, seed);
    Tensor w = random_tensor({C_out, C_in, kH, kW}, seed + 1);
    Tensor g = random_tensor({2, C_out, size.h, size.w}, seed + 2);
    Tensor dx_traced, dx_untraced;
    TraceRecorder rec;
    conv2d_backward(&dx_traced, nullptr, nullptr, g, x, w, p, rec);
    conv2d_backward(&dx_untraced, nullptr, nullptr, g, x, w, p);
    ASSERT_EQ(dx_traced.values(), dx_untraced.values()) << "trial " << trial;
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(Trace, MaxPoolRecordsEveryWindowTap) {
  // max_pool2d's loop records each tap of each window, padding taps included (cropped, x = -inf),
  // in the order n, c, oy, ox, ky, kx; each window's running max goes from -inf to its output.
  Tensor x = random_tensor({2, 2, 5, 6}, 11);
  Pool2dParams p{{3, 2}, {2, 2}, {1, 1}, {1, 2}};
  Tensor y, y_plain;
  std::vector<int64_t> argmax, argmax_plain;
  TraceRecorder rec;
  max_pool2d_forward(y, &argmax, x, p, rec);
  max_pool2d_forward(y_plain, &argmax_plain, x, p);
  EXPECT_EQ(y.values(), y_plain.values());
  EXPECT_EQ(argmax, argmax_plain);
  const int64_t taps = 3 * 2;
  ASSERT_EQ(rec.size(), 2 * 2 * y.dim(2) * y.dim(3) * taps);  // N*C*H_out*W_out*kH*kW
  int64_t cropped = 0;
  for (int64_t k = 0; k < rec.size(); ++k) {
    const MacEvent e = rec.event(k);
    const int64_t window = k / taps;  // flat (n, c, oy, ox)
    EXPECT_EQ(((e.n * 2 + e.oc) * y.dim(2) + e.oy) * y.dim(3) + e.ox, window);
    EXPECT_EQ(e.ic, e.oc);
    EXPECT_EQ(e.ky * 2 + e.kx, k % taps);
    EXPECT_EQ(e.iy, e.oy * 2 - 1 + e.ky);
    EXPECT_EQ(e.ix, e.ox * 2 - 1 + e.kx * 2);
    const float start = k % taps == 0 ? -INFINITY : rec.event(k - 1).out_after;
    EXPECT_EQ(e.out_before, start);
    if (e.cropped) {
      ++cropped;
      EXPECT_EQ(e.x, -INFINITY);
      EXPECT_EQ(e.out_after, e.out_before);
    } else {
      EXPECT_EQ(e.x, x.at(e.n, e.ic, e.iy, e.ix));
      EXPECT_EQ(e.out_after, std::max(e.out_before, e.x));
    }
    if (k % taps == taps - 1) {
      EXPECT_EQ(e.out_after, y[window]) << "window " << window;
    }
  }
  EXPECT_GT(cropped, 0);
}
