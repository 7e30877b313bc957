// Gradients by central differences, for every op and every input it has a gradient for.
//
// For a random grad_output g, the scalar L = sum(y * g) has dL/dy = g, so the analytic gradients
// are exactly what X_backward(..., dout = g, ...) returns. Each element t of x, weight and bias
// is nudged by +-eps and compared with the slope
//     (L(t + eps) - L(t - eps)) / ((t + eps) - (t - eps))
// The ops run in float32 as always; L is summed in double so that outputs the nudge does not
// touch cancel exactly between the two evaluations, and the denominator uses the float values
// actually stored (t + eps is rounded).
//
// Why these tolerances: conv2d, conv_transpose2d and avg_pool2d are linear in each argument, so
// the central difference has no truncation error; only float32 rounding of the few outputs a
// nudge touches remains, about 1e-7 * |y| / (2 eps) * |g| each, ~1e-4 in all at worst. Max pool
// is piecewise linear: its inputs are distinct multiples of 0.1 (no ties), and eps = 1e-2 is
// below half that gap, so the argmax never changes between the +eps and -eps evaluations.
//   op                 eps    |numeric - analytic| <= abs + rel * |analytic|
//   conv2d             1e-2   2e-3 + 2e-3 * |analytic|
//   conv_transpose2d   1e-2   2e-3 + 2e-3 * |analytic|
//   max_pool2d         1e-2   1e-3 + 1e-3 * |analytic|
//   avg_pool2d         1e-2   1e-3 + 1e-3 * |analytic|
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {
namespace {

constexpr float kEps = 1e-2f;

struct Tolerance {
  double abs;
  double rel;
};
constexpr Tolerance kConvTol{2e-3, 2e-3};
constexpr Tolerance kPoolTol{1e-3, 1e-3};

Tensor random_tensor(std::vector<int64_t> shape, std::mt19937& rng) {
  Tensor t(std::move(shape));
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = u(rng);
  return t;
}

// Distinct values k * 0.1 - 2, shuffled: no ties in any pooling window.
Tensor distinct_tensor(std::vector<int64_t> shape, std::mt19937& rng) {
  Tensor t(std::move(shape));
  std::vector<int> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int64_t i = 0; i < t.numel(); ++i) {
    t[i] = static_cast<float>(order[static_cast<size_t>(i)]) * 0.1f - 2.0f;
  }
  return t;
}

// L = sum(y * g), in double.
double loss(const Tensor& y, const Tensor& g) {
  EXPECT_EQ(y.shape(), g.shape());
  double sum = 0.0;
  for (int64_t i = 0; i < y.numel(); ++i) sum += static_cast<double>(y[i]) * g[i];
  return sum;
}

// Nudges every element of `param` (restoring it after), re-runs `forward`, and compares the
// central difference of L with `analytic`. `forward` reads `param` by reference.
void check_gradient(Tensor& param, const Tensor& analytic, const std::function<Tensor()>& forward,
                    const Tensor& g, Tolerance tol, const std::string& what) {
  ASSERT_EQ(analytic.shape(), param.shape()) << what << ": gradient has the wrong shape";
  int64_t failures = 0, nonzero = 0;
  for (int64_t i = 0; i < param.numel(); ++i) {
    const float saved = param[i];
    const float plus = saved + kEps, minus = saved - kEps;
    param[i] = plus;
    const double l_plus = loss(forward(), g);
    param[i] = minus;
    const double l_minus = loss(forward(), g);
    param[i] = saved;
    const double numeric = (l_plus - l_minus) / (static_cast<double>(plus) - minus);
    const double a = analytic[i];
    if (a != 0.0) ++nonzero;
    if (!(std::fabs(numeric - a) <= tol.abs + tol.rel * std::fabs(a))) {
      if (++failures <= 5) {
        ADD_FAILURE() << what << " element " << i << ": analytic " << a << ", central difference "
                      << numeric << " (tolerance " << tol.abs << " + " << tol.rel
                      << " * |analytic|)";
      }
    }
  }
  EXPECT_EQ(failures, 0) << what << ": " << failures << " of " << param.numel()
                         << " elements disagree with central differences";
  EXPECT_GT(nonzero, 0) << what << ": the gradient is all zeros, nothing was checked";
}

// ---- conv2d ---------------------------------------------------------------------------------

struct ConvCase {
  const char* name;
  std::vector<int64_t> x_shape;  // (N, C_in, H, W)
  int c_out;
  Pair kernel_size;
  Pair stride, padding, output_padding, dilation;  // output_padding: conv_transpose2d only
  bool bias;
};

const ConvCase kConv2dCases[] = {
    {"s2_p1_bias", {2, 2, 5, 5}, 3, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {1, 1}, true},
    {"per_axis_dilation_nonsquare", {2, 2, 6, 7}, 2, {3, 2}, {2, 1}, {1, 2}, {0, 0}, {1, 2}, true},
    {"stride_skips_input_nobias", {1, 2, 7, 7}, 2, {2, 2}, {3, 3}, {0, 0}, {0, 0}, {1, 1}, false},
};

TEST(Gradcheck, Conv2d) {
  std::mt19937 rng(1234);
  for (const ConvCase& c : kConv2dCases) {
    SCOPED_TRACE(std::string("conv2d case ") + c.name);
    Conv2dParams p;
    p.stride = c.stride;
    p.padding = c.padding;
    p.dilation = c.dilation;
    Tensor x = random_tensor(c.x_shape, rng);  // (N, C_in, H, W)
    Tensor w = random_tensor({c.c_out, c.x_shape[1], c.kernel_size.h, c.kernel_size.w}, rng);
    Tensor b = random_tensor({c.c_out}, rng);  // (C_out)
    const Tensor* bias = c.bias ? &b : nullptr;
    auto forward = [&] {
      Tensor y;
      conv2d_forward(y, x, w, bias, p);
      return y;
    };
    const Tensor g = random_tensor(forward().shape(), rng);  // (N, C_out, H_out, W_out)
    Tensor dx, dw, db;
    conv2d_backward(&dx, &dw, c.bias ? &db : nullptr, g, x, w, p);
    check_gradient(x, dx, forward, g, kConvTol, "conv2d dx");
    check_gradient(w, dw, forward, g, kConvTol, "conv2d dweight");
    if (c.bias) check_gradient(b, db, forward, g, kConvTol, "conv2d dbias");
  }
}

// ---- conv_transpose2d -----------------------------------------------------------------------

const ConvCase kConvTranspose2dCases[] = {
    {"k4_s2_p1_bias", {2, 2, 3, 3}, 2, {4, 4}, {2, 2}, {1, 1}, {0, 0}, {1, 1}, true},
    {"k5_s2_p2_op1_nobias", {1, 3, 3, 3}, 2, {5, 5}, {2, 2}, {2, 2}, {1, 1}, {1, 1}, false},
    {"per_axis_op_dilation", {2, 2, 3, 4}, 3, {3, 2}, {2, 3}, {1, 0}, {1, 2}, {2, 1}, true},
};

TEST(Gradcheck, ConvTranspose2d) {
  std::mt19937 rng(5678);
  for (const ConvCase& c : kConvTranspose2dCases) {
    SCOPED_TRACE(std::string("conv_transpose2d case ") + c.name);
    ConvTranspose2dParams p;
    p.stride = c.stride;
    p.padding = c.padding;
    p.output_padding = c.output_padding;
    p.dilation = c.dilation;
    Tensor x = random_tensor(c.x_shape, rng);  // (N, C_in, H, W)
    Tensor w = random_tensor({c.x_shape[1], c.c_out, c.kernel_size.h, c.kernel_size.w}, rng);
    Tensor b = random_tensor({c.c_out}, rng);  // (C_out)
    const Tensor* bias = c.bias ? &b : nullptr;
    auto forward = [&] {
      Tensor y;
      conv_transpose2d_forward(y, x, w, bias, p);
      return y;
    };
    const Tensor g = random_tensor(forward().shape(), rng);  // (N, C_out, H_out, W_out)
    Tensor dx, dw, db;
    conv_transpose2d_backward(&dx, &dw, c.bias ? &db : nullptr, g, x, w, p);
    check_gradient(x, dx, forward, g, kConvTol, "conv_transpose2d dx");
    check_gradient(w, dw, forward, g, kConvTol, "conv_transpose2d dweight");
    if (c.bias) check_gradient(b, db, forward, g, kConvTol, "conv_transpose2d dbias");
  }
}

// ---- pools ----------------------------------------------------------------------------------

struct PoolCase {
  const char* name;
  std::vector<int64_t> x_shape;  // (N, C, H, W)
  Pool2dParams p;
};

Pool2dParams pool(Pair kernel_size, Pair stride, Pair padding, Pair dilation = {1, 1}) {
  Pool2dParams p;
  p.kernel_size = kernel_size;
  p.stride = stride;
  p.padding = padding;
  p.dilation = dilation;
  return p;
}

TEST(Gradcheck, MaxPool2d) {
  const PoolCase cases[] = {
      {"k2_s2", {2, 2, 4, 6}, pool({2, 2}, {2, 2}, {0, 0})},
      {"overlap_k3_s1_p1", {1, 2, 5, 5}, pool({3, 3}, {1, 1}, {1, 1})},
      {"per_axis_dilation", {2, 1, 6, 7}, pool({3, 2}, {2, 1}, {1, 0}, {1, 2})},
  };
  std::mt19937 rng(91011);
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(std::string("max_pool2d case ") + c.name);
    Tensor x = distinct_tensor(c.x_shape, rng);  // (N, C, H, W)
    auto forward = [&] {
      Tensor y;
      max_pool2d_forward(y, nullptr, x, c.p);
      return y;
    };
    const Tensor g = random_tensor(forward().shape(), rng);  // (N, C, H_out, W_out)
    Tensor y, dx;
    std::vector<int64_t> argmax;
    max_pool2d_forward(y, &argmax, x, c.p);
    max_pool2d_backward(dx, g, argmax, x.shape());
    check_gradient(x, dx, forward, g, kPoolTol, "max_pool2d dx");
  }
}

// With padding 1 and dilation 3 a width-2 window on a width-2 input taps columns -1 and 2:
// both in the padding (PyTorch allows it: padding <= kernel_size / 2). Its output is -inf and it
// sends no gradient anywhere. Two channels and two rows, so a stray write before a plane would
// land in the previous one.
TEST(MaxPool2dBackward, WindowAllInThePaddingSendsNoGradient) {
  Tensor x({1, 2, 2, 2});  // (N, C, H, W)
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = static_cast<float>(i + 1);
  const Pool2dParams p = pool({1, 2}, {1, 1}, {0, 1}, {1, 3});
  Tensor y, dx;
  std::vector<int64_t> argmax;
  max_pool2d_forward(y, &argmax, x, p);
  ASSERT_EQ(y.shape(), (std::vector<int64_t>{1, 2, 2, 1}));
  for (int64_t i = 0; i < y.numel(); ++i)
    EXPECT_EQ(y[i], -std::numeric_limits<float>::infinity()) << i;
  Tensor g(y.shape());
  for (int64_t i = 0; i < g.numel(); ++i) g[i] = static_cast<float>(10 * (i + 1));
  max_pool2d_backward(dx, g, argmax, x.shape());
  ASSERT_EQ(dx.shape(), x.shape());
  for (int64_t i = 0; i < dx.numel(); ++i) EXPECT_EQ(dx[i], 0.0f) << i;
}

TEST(Gradcheck, AvgPool2d) {
  const PoolCase cases[] = {
      {"k2_s2", {2, 2, 4, 6}, pool({2, 2}, {2, 2}, {0, 0})},
      {"overlap_k3_s1_p1", {1, 2, 5, 5}, pool({3, 3}, {1, 1}, {1, 1})},
      {"per_axis_nonsquare", {2, 1, 6, 7}, pool({3, 2}, {2, 1}, {1, 1})},
  };
  std::mt19937 rng(121314);
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(std::string("avg_pool2d case ") + c.name);
    Tensor x = random_tensor(c.x_shape, rng);  // (N, C, H, W)
    auto forward = [&] {
      Tensor y;
      avg_pool2d_forward(y, x, c.p);
      return y;
    };
    const Tensor g = random_tensor(forward().shape(), rng);  // (N, C, H_out, W_out)
    Tensor dx;
    avg_pool2d_backward(dx, g, x.shape(), c.p);
    check_gradient(x, dx, forward, g, kPoolTol, "avg_pool2d dx");
  }
}

}  // namespace
}  // namespace convt
