// Batch normalisation, PyTorch semantics (torch.nn.BatchNorm1d / BatchNorm2d, affine = True,
// track_running_stats = True; Ioffe & Szegedy 2015).
//
// Legend: N batch, C channels (features), L positions per channel and sample
//         (1 for BatchNorm1d on (N, C); L for (N, C, L); H*W for BatchNorm2d on (N, C, H, W)).
//   x, out        (N, C) or (N, C, L) or (N, C, H, W)
//   weight, bias  (C)     gamma and beta
//   running_mean, running_var (C)
//   save_mean, save_invstd    (C)  batch statistics kept for backward
//
// Training: per channel c over M = N*L values,
//   mean = sum(x)/M,  var = sum((x - mean)^2)/M           (biased, used to normalise)
//   out  = (x - mean) / sqrt(var + eps) * weight + bias
//   running_mean = (1 - momentum) running_mean + momentum mean
//   running_var  = (1 - momentum) running_var  + momentum var * M/(M - 1)   (unbiased, as PyTorch)
// Evaluation: out = (x - running_mean) / sqrt(running_var + eps) * weight + bias.
// PyTorch defaults: momentum 0.1, eps 1e-5.
#pragma once

#include "convt/tensor.h"

namespace convt {

// Training-mode forward. Resizes out, save_mean, save_invstd; updates running stats in place.
// Throws std::invalid_argument on a shape mismatch or when M = N*L < 2 (the unbiased variance
// needs two values, as PyTorch's "Expected more than 1 value per channel when training").
void batch_norm_forward_train(Tensor& out, Tensor& save_mean, Tensor& save_invstd,
                              Tensor& running_mean, Tensor& running_var, const Tensor& x,
                              const Tensor& weight, const Tensor& bias, float momentum, float eps);

// Training-mode backward (the batch statistics depend on x). Adds into dx (x's shape),
// dweight (C), dbias (C); any may be nullptr; an empty tensor is first made zeros.
void batch_norm_backward_train(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight, const Tensor& save_mean,
                               const Tensor& save_invstd);

// Evaluation-mode forward with the running statistics.
void batch_norm_forward_eval(Tensor& out, const Tensor& x, const Tensor& weight,
                             const Tensor& bias, const Tensor& running_mean,
                             const Tensor& running_var, float eps);

// Evaluation-mode backward (running statistics are constants). Adds like the training form.
void batch_norm_backward_eval(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                              const Tensor& x, const Tensor& weight, const Tensor& running_mean,
                              const Tensor& running_var, float eps);

}  // namespace convt
