// Elementwise activations, forward next to backward. Shapes: any; out and dx have x's shape.
#include "convt/ops/activations.h"

#include <algorithm>
#include <cmath>

namespace convt {

namespace {

// Makes out x's shape. Forward passes overwrite every value, so a tensor that already has the
// shape is reused as is (no zero-fill, no allocation).
void ensure_shape(Tensor& out, const Tensor& x) {
  if (out.shape() != x.shape()) out.resize(x.shape());
}

void prepare_dx(Tensor& dx, const Tensor& like, const char* op) {
  if (dx.empty()) dx.resize(like.shape());
  check_shape(dx, like.shape(), std::string(op) + ": dx");
}

}  // namespace

void relu_forward(Tensor& out, const Tensor& x) {
  ensure_shape(out, x);
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x) {
  prepare_dx(dx, x, "relu_backward");
  // forward was: out = max(x, 0), so d out / d x = 1 where x > 0, else 0
  for (int64_t i = 0; i < x.numel(); ++i) dx[i] += x[i] > 0.0f ? dout[i] : 0.0f;
}

void leaky_relu_forward(Tensor& out, const Tensor& x, float negative_slope) {
  ensure_shape(out, x);
  const float* xp = x.data();
  float* op = out.data();
  const int64_t n = x.numel();
  // max(x, 0) + slope * min(x, 0): no branch, so the compiler vectorises it
  for (int64_t i = 0; i < n; ++i) {
    op[i] = std::max(xp[i], 0.0f) + negative_slope * std::min(xp[i], 0.0f);
  }
}

void leaky_relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x, float negative_slope) {
  prepare_dx(dx, x, "leaky_relu_backward");
  // forward was: out = x > 0 ? x : slope * x
  const float* xp = x.data();
  const float* gp = dout.data();
  float* dp = dx.data();
  const int64_t n = x.numel();
  for (int64_t i = 0; i < n; ++i) dp[i] += (xp[i] > 0.0f ? 1.0f : negative_slope) * gp[i];
}

void tanh_forward(Tensor& out, const Tensor& x) {
  ensure_shape(out, x);
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = std::tanh(x[i]);
}

void tanh_backward(Tensor& dx, const Tensor& dout, const Tensor& out) {
  prepare_dx(dx, out, "tanh_backward");
  // forward was: out = tanh(x), and tanh'(x) = 1 - tanh(x)^2
  for (int64_t i = 0; i < out.numel(); ++i) dx[i] += dout[i] * (1.0f - out[i] * out[i]);
}

void sigmoid_forward(Tensor& out, const Tensor& x) {
  ensure_shape(out, x);
  for (int64_t i = 0; i < x.numel(); ++i) {
    // exp of a non-positive number only: no overflow
    if (x[i] >= 0.0f) {
      out[i] = 1.0f / (1.0f + std::exp(-x[i]));
    } else {
      const float e = std::exp(x[i]);
      out[i] = e / (1.0f + e);
    }
  }
}

void sigmoid_backward(Tensor& dx, const Tensor& dout, const Tensor& out) {
  prepare_dx(dx, out, "sigmoid_backward");
  // forward was: out = sigmoid(x), and sigmoid'(x) = sigmoid(x) (1 - sigmoid(x))
  for (int64_t i = 0; i < out.numel(); ++i) dx[i] += dout[i] * out[i] * (1.0f - out[i]);
}

}  // namespace convt
