// Nearest-neighbour upsampling by an integer factor (torch.nn.Upsample(mode='nearest') with an
// integer scale_factor): out[n, c, y, x] = x[n, c, y / sh, x / sw].
//   x   (N, C, H, W)
//   out (N, C, H*sh, W*sw)
#pragma once

#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {

// Throws std::invalid_argument for a factor < 1 or an input that is not 4-D.
void upsample_nearest_forward(Tensor& out, const Tensor& x, Pair scale_factor);
// dx[n, c, y, x] += sum of dout over its sh x sw block. An empty dx is first made zeros.
void upsample_nearest_backward(Tensor& dx, const Tensor& dout, Pair scale_factor);

}  // namespace convt
