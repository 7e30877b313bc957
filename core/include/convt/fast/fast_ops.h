// The fast backend: the same ops and signatures as the naive kernels (convt/ops/*.h), computed as
// im2col / col2im + GEMM (OpenBLAS cblas_sgemm), threaded. Used for training speed; the naive
// kernels stay the reference (parity tests hold these to them) and the teaching text.
//
// Lowering (llm.c / Caffe style), per sample n:
//   conv2d forward:            cols (C_in*kH*kW, H_out*W_out) = im2col(x[n])
//                              out[n] (C_out, H_out*W_out)   = weight (C_out, C_in*kH*kW) @ cols
//   conv2d backward-data:      cols = weight^T @ dout[n];  dx[n] += col2im(cols)   (the scatter)
//   conv2d backward-weight:    dweight += dout[n] @ cols^T
//   conv_transpose2d forward:  cols (C_out*kH*kW, H*W) = weight^T (C_out*kH*kW, C_in) @ x[n];
//                              out[n] = col2im(cols)   (conv2d backward-data, as in the naive code)
//   conv_transpose2d backward: dx[n] = weight (C_in, C_out*kH*kW) @ im2col(dout[n]);
//                              dweight += x[n] @ im2col(dout[n])^T
// Where padding crops many taps (the GAN's k5 s2 'same' layers), the grid is cut into boxes of
// positions that share their taps inside the image, and each box gets its own GEMM over those
// taps only (TapBox in src/fast/lowering.h): the products with padding are never computed.
#pragma once

#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt::fast {

// Threads used by the fast ops (OpenBLAS and our own loops). 1 by default. n >= 1.
void set_num_threads(int n);
int num_threads();

void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p);
void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p);
void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight,
                              const Tensor* bias, const ConvTranspose2dParams& p);
void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p);

// out (N, out_features) = x (N, in_features) @ weight^T (out_features, in_features) + bias
void linear_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias);
// Adds into dx (N, in_features), dweight (out_features, in_features), dbias (out_features).
void linear_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight);

}  // namespace convt::fast
