// Activation and Dropout layers over convt/ops/activations.h and dropout.h.
#include <sstream>

#include "convt/nn/layers.h"
#include "convt/ops/activations.h"
#include "convt/ops/dropout.h"
#include "grad_buffer.h"

namespace convt::nn {

void ReLU::forward(Tensor& out, const Tensor& x) { relu_forward(out, x); }
void ReLU::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  relu_backward(*dx, dout, x);
}

std::string LeakyReLU::describe() const {
  std::ostringstream s;
  s << "LeakyReLU(" << negative_slope_ << ")";
  return s.str();
}
void LeakyReLU::forward(Tensor& out, const Tensor& x) {
  leaky_relu_forward(out, x, negative_slope_);
}
void LeakyReLU::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  leaky_relu_backward(*dx, dout, x, negative_slope_);
}

void Tanh::forward(Tensor& out, const Tensor& x) { tanh_forward(out, x); }
void Tanh::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  tanh_backward(*dx, dout, out);
}

void Sigmoid::forward(Tensor& out, const Tensor& x) { sigmoid_forward(out, x); }
void Sigmoid::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  sigmoid_backward(*dx, dout, out);
}

Dropout::Dropout(float p, uint64_t seed) : p_(p), rng_(seed) {
  if (!(p >= 0.0f && p < 1.0f)) {
    throw std::invalid_argument("Dropout: expected p in [0, 1), found " + std::to_string(p));
  }
}

std::string Dropout::describe() const {
  std::ostringstream s;
  s << "Dropout(" << p_ << ")";
  return s.str();
}

void Dropout::forward(Tensor& out, const Tensor& x) {
  if (training_ && p_ > 0.0f) {
    dropout_forward(out, mask_, x, p_, rng_);
  } else {
    out = x;  // evaluation: the identity
    mask_ = Tensor();
  }
}

void Dropout::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (!dx) return;
  if (mask_.empty()) {
    *dx = dout;
    return;
  }
  zeros_for_grad(*dx, x.shape());
  dropout_backward(*dx, dout, mask_);
}

}  // namespace convt::nn
