// Conv2d, as plain loops: a window slides over the (zero-padded) input, multiplies, sums
// (a gather). PyTorch semantics and names (torch.nn.Conv2d, groups = 1).
//
// Legend: N batch, C_in/C_out channels, H/W input height/width, kH/kW kernel, S stride,
//         P padding, D dilation.
//   x      (N, C_in, H, W)
//   weight (C_out, C_in, kH, kW)       -- PyTorch's Conv2d layout
//   bias   (C_out) or nullptr
//   out    (N, C_out, H_out, W_out),  H_out = floor((H + 2P - D(kH-1) - 1)/S) + 1
#pragma once

#include "convt/recorder.h"
#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {

// Resizes `out` and writes the result. Throws std::invalid_argument (ShapeError for sizes).
// With a TraceRecorder, records every gather-add, padded taps included (cropped, x = 0):
// N*C_out*H_out*W_out*C_in*kH*kW events.
template <class Recorder>
void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p, Recorder& rec);
void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p);

// Adds the gradients into dx (N, C_in, H, W), dweight (C_out, C_in, kH, kW), dbias (C_out); any
// may be nullptr; an empty tensor is first made zeros of the right shape.
// dx is the scatter of conv_transpose2d_forward (same loop, same weight); a TraceRecorder
// records it (N*C_out*H_out*W_out*C_in*kH*kW scatter-adds).
template <class Recorder>
void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p, Recorder& rec);
void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p);

// The gather loop itself, adding into `out`, which must already be (N, C_out, H_out, W_out):
//   for n, oc, oy, ox, ic, ky, kx:
//     iy = oy*S - P + ky*D
//     ix = ox*S - P + kx*D
//     if 0 <= iy < H and 0 <= ix < W:
//       out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[oc, ic, ky, kx]
//     else: a cropped event (the tap reads the zero padding; nothing is added)
// x (N, C_in, H, W), weight (C_out, C_in, kH, kW). Every (n, oc, oy, ox, ic, ky, kx) is one
// event, in this order: a TraceRecorder records N*C_out*H_out*W_out*C_in*kH*kW of them, `op`
// naming the caller in the trace. Shared by conv2d_forward and conv_transpose2d_backward
// (backward-data).
template <class Recorder>
void gather_add_loop(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride,
                     Pair padding, Pair dilation, const char* op, Recorder& rec);

}  // namespace convt
