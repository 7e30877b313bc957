// Dropout (torch.nn.Dropout, "inverted" scaling; Srivastava et al. 2014): in training each
// element is zeroed with probability p and the survivors are scaled by 1/(1 - p), so evaluation
// is the identity. Any shape.
#pragma once

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt {

// Training-mode forward: mask[i] = 0 with probability p, else 1/(1 - p); out = x * mask.
// Element i is dropped when a 32-bit uniform integer u_i < p * 2^32; each rng.next_u64() gives
// two of them (low half, then high half), in order. p in [0, 1); throws std::invalid_argument else.
void dropout_forward(Tensor& out, Tensor& mask, const Tensor& x, float p, Rng& rng);
// dx += dout * mask. An empty dx is first made zeros.
void dropout_backward(Tensor& dx, const Tensor& dout, const Tensor& mask);

}  // namespace convt
