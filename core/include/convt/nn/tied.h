// Weight tying: a ConvTranspose2d whose kernel is the kernel of a Conv2d, the same
// storage, not a copy.
//
// A Conv2d weight (C_out, C_in, kH, kW) read in ConvTranspose2d's layout (C_in', C_out', kH, kW)
// gives C_in' = C_out, C_out' = C_in: a transposed convolution mapping C_out -> C_in channels, the
// mirror of the Conv2d (the decoder layer of an autoencoder whose encoder layer is the Conv2d;
// with stride 1 and the same padding it is exactly the Conv2d's adjoint, PyTorch's
// F.conv_transpose2d(y, conv.weight)). The stride, padding and output_padding are the tied
// layer's own (the decoder may upsample by stride 2 while the encoder conv has stride 1).
//
// Gradients: backward adds dL/dW of this use into the Conv2d's dweight, so after a backward
// through both layers that one buffer holds the sum of the two uses' gradients (the chain rule
// for a shared parameter). params() lists only this layer's bias: the weight belongs to the
// Conv2d and appears once in an optimiser. The Conv2d must outlive this layer.
#pragma once

#include "convt/nn/layers.h"

namespace convt::nn {

class TiedConvTranspose2d : public Layer {
 public:
  // Ties to `source`'s weight and dweight. bias (C_in of source) is this layer's own.
  TiedConvTranspose2d(Conv2d& source, const ConvTranspose2dParams& p, bool bias = true);
  const char* type() const override { return "ConvTranspose2d"; }
  // "ConvTranspose2d(16 -> 8, k3, s2, p1, op1, tied)"
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  // Only "bias" (if any): the weight is the source Conv2d's parameter.
  std::vector<ParamRef> params() override;
  // Initialises the bias only (PyTorch's ConvTranspose2d rule, fan_in = C_out' * kH * kW); the
  // weight is initialised by its Conv2d.
  void reset_parameters(InitScheme scheme, Rng& rng) override;
  void set_backend(Backend b) override { backend_ = b; }

  // The source's tensors (C_out, C_in, kH, kW), read as (C_in', C_out', kH, kW).
  Tensor& weight() { return *weight_; }
  Tensor& dweight() { return *dweight_; }
  Tensor bias, dbias;  // (C_out') = (C_in of the source) or empty

 private:
  Tensor* weight_;
  Tensor* dweight_;
  int in_channels_, out_channels_;
  Pair kernel_size_;
  ConvTranspose2dParams p_;
  bool has_bias_;
  Backend backend_ = Backend::naive;
};

}  // namespace convt::nn
