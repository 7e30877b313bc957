// MaxPool2d and AvgPool2d, as plain loops. PyTorch semantics (ceil_mode = False;
// AvgPool2d count_include_pad = True and no dilation, as torch.nn.AvgPool2d).
//
// Legend: N batch, C channels, H/W height/width, K kernel_size, S stride, P padding, D dilation.
//   x   (N, C, H, W)
//   out (N, C, H_out, W_out),  H_out = floor((H + 2P - D(K-1) - 1)/S) + 1
// Padding is -infinity for max (never picked) and 0 for avg (counted in the divisor K*K).
#pragma once

#include <cstdint>
#include <vector>

#include "convt/recorder.h"
#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {

// Resizes `out`; `argmax` (optional) gets, per output cell, the flat index y*W + x of the
// picked input pixel in its (n, c) plane, as PyTorch's return_indices, or -1 for a window that
// lies entirely in the padding (its output is -inf). Ties pick the first; NaN wins (it
// propagates, as in PyTorch). Throws std::invalid_argument (ShapeError for sizes).
// With a TraceRecorder, records every tap of every window, the padding taps included
// (cropped, x = -inf): N*C*H_out*W_out*kH*kW events (the loop's order: n, c, oy, ox, ky, kx).
template <class Recorder>
void max_pool2d_forward(Tensor& out, std::vector<int64_t>* argmax, const Tensor& x,
                        const Pool2dParams& p, Recorder& rec);
void max_pool2d_forward(Tensor& out, std::vector<int64_t>* argmax, const Tensor& x,
                        const Pool2dParams& p);
// Adds dout into dx (N, C, H, W) at each window's argmax (from max_pool2d_forward); a window
// with argmax -1 (all padding) sends its gradient nowhere.
void max_pool2d_backward(Tensor& dx, const Tensor& dout, const std::vector<int64_t>& argmax,
                         const std::vector<int64_t>& x_shape);

void avg_pool2d_forward(Tensor& out, const Tensor& x, const Pool2dParams& p);
// Adds dout / (kH*kW) into every input pixel of each window.
void avg_pool2d_backward(Tensor& dx, const Tensor& dout, const std::vector<int64_t>& x_shape,
                         const Pool2dParams& p);

}  // namespace convt
