// Elementwise activations, forward next to backward. Shapes: any; out and dx have x's shape.
// LeakyReLU (in every layer of the GAN) is split over the fast backend's threads; each element
// is computed by the same line whatever the split.
#include "convt/ops/activations.h"

#include <algorithm>
#include <cmath>

#include "fast/parallel.h"

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

// The LeakyReLU loops over one thread's range, as plain functions of their arguments (inside a
// lambda the compiler reloads captured values after every store and does not vectorise).
void leaky_relu_forward_range(float* out, const float* x, int64_t n, float negative_slope) {
  // max(x, 0) + slope * min(x, 0): no branch, so the compiler vectorises it
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::max(x[i], 0.0f) + negative_slope * std::min(x[i], 0.0f);
}

void leaky_relu_backward_range(float* dx, const float* dout, const float* x, int64_t n,
                               float negative_slope) {
  // forward was: out = x > 0 ? x : slope * x
  for (int64_t i = 0; i < n; ++i) dx[i] += (x[i] > 0.0f ? 1.0f : negative_slope) * dout[i];
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
  fast::detail::parallel_for(n, 1, [=](int64_t begin, int64_t end) {
    leaky_relu_forward_range(op + begin, xp + begin, end - begin, negative_slope);
  });
}

void leaky_relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x, float negative_slope) {
  prepare_dx(dx, x, "leaky_relu_backward");
  const float* xp = x.data();
  const float* gp = dout.data();
  float* dp = dx.data();
  const int64_t n = x.numel();
  fast::detail::parallel_for(n, 1, [=](int64_t begin, int64_t end) {
    leaky_relu_backward_range(dp + begin, gp + begin, xp + begin, end - begin, negative_slope);
  });
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
