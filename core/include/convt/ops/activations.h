// Elementwise activations, PyTorch semantics: ReLU, LeakyReLU(negative_slope), Tanh, Sigmoid.
// Any shape; out has x's shape. Backward adds into dx (an empty dx is first made zeros of x's
// shape), as the other ops.
#pragma once

#include "convt/tensor.h"

namespace convt {

// out = max(x, 0)
void relu_forward(Tensor& out, const Tensor& x);
// dx += dout * (x > 0)
void relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x);

// out = x if x > 0 else negative_slope * x      (torch.nn.LeakyReLU, default slope 0.01)
void leaky_relu_forward(Tensor& out, const Tensor& x, float negative_slope);
// dx += dout * (x > 0 ? 1 : negative_slope)
void leaky_relu_backward(Tensor& dx, const Tensor& dout, const Tensor& x, float negative_slope);

// out = tanh(x)
void tanh_forward(Tensor& out, const Tensor& x);
// dx += dout * (1 - out^2), from the forward's output
void tanh_backward(Tensor& dx, const Tensor& dout, const Tensor& out);

// out = 1 / (1 + exp(-x)), computed without overflow for large |x|
void sigmoid_forward(Tensor& out, const Tensor& x);
// dx += dout * out * (1 - out), from the forward's output
void sigmoid_backward(Tensor& dx, const Tensor& dout, const Tensor& out);

}  // namespace convt
