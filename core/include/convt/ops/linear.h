// Linear (fully connected) layer as plain loops, PyTorch semantics (torch.nn.Linear).
//
// Legend: N batch, I in_features, O out_features.
//   x      (N, I)
//   weight (O, I)        -- PyTorch's Linear layout
//   bias   (O) or nullptr
//   out    (N, O),  out[n, o] = sum_i x[n, i] * weight[o, i] + bias[o]
#pragma once

#include "convt/tensor.h"

namespace convt {

// The argument checks of linear_forward / linear_backward (naive and fast alike): x (N, I),
// weight (O, I), bias (O) or nullptr. `op` starts each message ("linear_forward: weight: expected
// shape ..."). Throws std::invalid_argument.
void check_linear_args(const Tensor& x, const Tensor& weight, const Tensor* bias, const char* op);

// Resizes out. Throws std::invalid_argument naming the tensor on a shape mismatch.
void linear_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias);

// Adds into dx (N, I), dweight (O, I), dbias (O); any may be nullptr; an empty tensor is first
// made zeros of the right shape.
void linear_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight);

}  // namespace convt
