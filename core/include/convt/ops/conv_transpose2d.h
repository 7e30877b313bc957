// ConvTranspose2d, as plain loops: each input pixel stamps a scaled copy of the kernel onto the
// output (a scatter). PyTorch semantics and names (torch.nn.ConvTranspose2d).
//
// Legend: N batch, C_in/C_out channels, H/W input height/width, kH/kW kernel, S stride,
//         P padding, A output_padding, D dilation.
//   x      (N, C_in, H, W)
//   weight (C_in, C_out, kH, kW)       -- PyTorch's ConvTranspose2d layout
//   bias   (C_out) or nullptr
//   out    (N, C_out, H_out, W_out),  H_out = (H-1)S - 2P + D(kH-1) + A + 1
//          (Dumoulin & Visin 2016, Relationship 14; shape.h)
//
// Transposed convolution is the adjoint of convolution: conv_transpose2d_forward(y, w) is exactly
// conv2d's backward pass for the input, dL/dx, with dL/dy = y (same weight tensor, same numbers).
// conv2d_backward calls the same scatter loop defined in conv_transpose2d.cpp.
#pragma once

#include "convt/recorder.h"
#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {

// Resizes `out` and writes the result. Throws std::invalid_argument (ShapeError for sizes) naming
// the parameter when shapes or parameters are wrong; `out` is untouched then.
// With a TraceRecorder, records every scatter-add, the cropped ones included:
// N*C_in*H*W*C_out*kH*kW events.
template <class Recorder>
void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                              const ConvTranspose2dParams& p, Recorder& rec);
void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                              const ConvTranspose2dParams& p);

// Adds the gradients into dx (N, C_in, H, W), dweight (C_in, C_out, kH, kW), dbias (C_out); any
// may be nullptr (not wanted); an empty tensor is first made zeros of the right shape.
// dx is a conv2d forward (gather) of dout with the same weight; a TraceRecorder records it.
template <class Recorder>
void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p, Recorder& rec);
void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p);

// The scatter loop itself, adding into `out`, which must already be (N, C_out, H_out, W_out):
//   for n, ic, iy, ix, oc, ky, kx:
//     oy = iy*S - P + ky*D
//     ox = ix*S - P + kx*D
//     if 0 <= oy < H_out and 0 <= ox < W_out:
//       out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[ic, oc, ky, kx]
//     else: a cropped event (padding cuts the write away; nothing is added)
// x (N, C_in, H, W), weight (C_in, C_out, kH, kW). Every (n, ic, iy, ix, oc, ky, kx) is one
// event, in this order: a TraceRecorder records N*C_in*H*W*C_out*kH*kW of them, `op` naming the
// caller in the trace. Shared by conv_transpose2d_forward and conv2d_backward (backward-data),
// which run it when they record.
template <class Recorder>
void scatter_add_loop(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride,
                      Pair padding, Pair dilation, const char* op, Recorder& rec);

// The same scatter without a recorder, the ky, kx loops cut to the taps that land inside the
// output, so no cropped tap is visited. Each output cell gets the same adds in the same order
// as in scatter_add_loop, so `out` ends bit for bit the same. conv_transpose2d_forward and
// conv2d_backward run it when they do not record.
void scatter_add_clipped(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride,
                         Pair padding, Pair dilation);

}  // namespace convt
