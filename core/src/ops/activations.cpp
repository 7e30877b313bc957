// Elementwise activations, forward next to backward. Shapes: any; out and dx have x's shape.
#include "convt/ops/activations.h"

#include <cmath>

namespace convt {

namespace {

void prepare_dx(Tensor& dx, const Tensor& like, const char* op) {
  if (dx.empty()) dx.resize(like.shape());
  check_shape(dx, like.shape(), std::string(op) + ": dx");
}

}  // namespace

void relu_forward(Tensor& out, const Tensor& x) {
  out.resize(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x) {
  prepare_dx(dx, x, "relu_backward");
  // forward was: out = max(x, 0), so d out / d x = 1 where x > 0, else 0
  for (int64_t i = 0; i < x.numel(); ++i) dx[i] += x[i] > 0.0f ? dout[i] : 0.0f;
}

void leaky_relu_forward(Tensor& out, const Tensor& x, float negative_slope) {
  out.resize(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = x[i] > 0.0f ? x[i] : negative_slope * x[i];
}

void leaky_relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x, float negative_slope) {
  prepare_dx(dx, x, "leaky_relu_backward");
  // forward was: out = x > 0 ? x : slope * x
  for (int64_t i = 0; i < x.numel(); ++i) {
    dx[i] += x[i] > 0.0f ? dout[i] : negative_slope * dout[i];
  }
}

void tanh_forward(Tensor& out, const Tensor& x) {
  out.resize(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out[i] = std::tanh(x[i]);
}

void tanh_backward(Tensor& dx, const Tensor& dout, const Tensor& out) {
  prepare_dx(dx, out, "tanh_backward");
  // forward was: out = tanh(x), and tanh'(x) = 1 - tanh(x)^2
  for (int64_t i = 0; i < out.numel(); ++i) dx[i] += dout[i] * (1.0f - out[i] * out[i]);
}

void sigmoid_forward(Tensor& out, const Tensor& x) {
  out.resize(x.shape());
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
