// Conv2d and ConvTranspose2d layers: the naive kernels of convt/ops or convt::fast (GEMM).
#include <sstream>

#include "convt/nn/layers.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "fast_dispatch.h"
#include "grad_buffer.h"
#include "init_util.h"

namespace convt::nn {

namespace {

std::string pair_str(Pair p) {
  return p.h == p.w ? std::to_string(p.h) : std::to_string(p.h) + "x" + std::to_string(p.w);
}

void check_channels(const char* type, const std::vector<int64_t>& in, int in_channels) {
  if (in.size() != 3 || in[0] != in_channels) {
    throw std::invalid_argument(std::string(type) + ": expected input (" +
                                std::to_string(in_channels) + ", H, W) [C_in, H, W], found " +
                                shape_to_string(in));
  }
}

}  // namespace

// ---- Conv2d ---------------------------------------------------------------------------------

Conv2d::Conv2d(int in_channels, int out_channels, Pair kernel_size, const Conv2dParams& p,
               bool bias)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), p_(p),
      has_bias_(bias) {
  weight.resize({out_channels, in_channels, kernel_size.h, kernel_size.w});
  dweight.resize(weight.shape());
  if (has_bias_) {
    this->bias.resize({out_channels});
    dbias.resize({out_channels});
  }
}

std::string Conv2d::describe() const {
  std::ostringstream s;
  s << "Conv2d(" << in_channels_ << " -> " << out_channels_ << ", k" << pair_str(kernel_size_)
    << ", s" << pair_str(p_.stride) << ", p" << pair_str(p_.padding)
    << (has_bias_ ? "" : ", bias=False") << ")";
  return s.str();
}

std::vector<int64_t> Conv2d::output_shape(const std::vector<int64_t>& in) const {
  check_channels("Conv2d", in, in_channels_);
  const OutSize o = conv2d_out_size(static_cast<int>(in[1]), static_cast<int>(in[2]),
                                    kernel_size_, p_);
  return {out_channels_, o.h, o.w};
}

void Conv2d::forward(Tensor& out, const Tensor& x) {
  const Tensor* b = has_bias_ ? &bias : nullptr;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::conv2d_forward(out, x, weight, b, p_);
#endif
  conv2d_forward(out, x, weight, b, p_);
}

void Conv2d::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& /*out*/) {
  if (dx) zeros_for_grad(*dx, x.shape());
  Tensor* dw = requires_grad_ ? &dweight : nullptr;
  Tensor* db = requires_grad_ && has_bias_ ? &dbias : nullptr;
  if (!dx && !dw && !db) return;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::conv2d_backward(dx, dw, db, dout, x, weight, p_);
#endif
  conv2d_backward(dx, dw, db, dout, x, weight, p_);
}

std::vector<ParamRef> Conv2d::params() {
  std::vector<ParamRef> p{{"weight", &weight, &dweight}};
  if (has_bias_) p.push_back({"bias", &bias, &dbias});
  return p;
}

void Conv2d::reset_parameters(InitScheme scheme, Rng& rng) {
  const int64_t fan_in = int64_t{in_channels_} * kernel_size_.h * kernel_size_.w;
  init_weight_and_bias(weight, has_bias_ ? &bias : nullptr, fan_in, scheme == InitScheme::dcgan,
                       rng);
}

// ---- ConvTranspose2d --------------------------------------------------------------------------

ConvTranspose2d::ConvTranspose2d(int in_channels, int out_channels, Pair kernel_size,
                                 const ConvTranspose2dParams& p, bool bias)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size), p_(p),
      has_bias_(bias) {
  weight.resize({in_channels, out_channels, kernel_size.h, kernel_size.w});
  dweight.resize(weight.shape());
  if (has_bias_) {
    this->bias.resize({out_channels});
    dbias.resize({out_channels});
  }
}

std::string ConvTranspose2d::describe() const {
  std::ostringstream s;
  s << "ConvTranspose2d(" << in_channels_ << " -> " << out_channels_ << ", k"
    << pair_str(kernel_size_) << ", s" << pair_str(p_.stride) << ", p" << pair_str(p_.padding)
    << ", op" << pair_str(p_.output_padding) << (has_bias_ ? "" : ", bias=False") << ")";
  return s.str();
}

std::vector<int64_t> ConvTranspose2d::output_shape(const std::vector<int64_t>& in) const {
  check_channels("ConvTranspose2d", in, in_channels_);
  const OutSize o = conv_transpose2d_out_size(static_cast<int>(in[1]), static_cast<int>(in[2]),
                                              kernel_size_, p_);
  return {out_channels_, o.h, o.w};
}

void ConvTranspose2d::forward(Tensor& out, const Tensor& x) {
  const Tensor* b = has_bias_ ? &bias : nullptr;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::conv_transpose2d_forward(out, x, weight, b, p_);
#endif
  conv_transpose2d_forward(out, x, weight, b, p_);
}

void ConvTranspose2d::backward(Tensor* dx, const Tensor& dout, const Tensor& x,
                               const Tensor& /*out*/) {
  if (dx) zeros_for_grad(*dx, x.shape());
  Tensor* dw = requires_grad_ ? &dweight : nullptr;
  Tensor* db = requires_grad_ && has_bias_ ? &dbias : nullptr;
  if (!dx && !dw && !db) return;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) {
    return fast::conv_transpose2d_backward(dx, dw, db, dout, x, weight, p_);
  }
#endif
  conv_transpose2d_backward(dx, dw, db, dout, x, weight, p_);
}

std::vector<ParamRef> ConvTranspose2d::params() {
  std::vector<ParamRef> p{{"weight", &weight, &dweight}};
  if (has_bias_) p.push_back({"bias", &bias, &dbias});
  return p;
}

void ConvTranspose2d::reset_parameters(InitScheme scheme, Rng& rng) {
  // PyTorch reads fan_in from weight dim 1: C_out * kH * kW for the (C_in, C_out, kH, kW) layout
  const int64_t fan_in = int64_t{out_channels_} * kernel_size_.h * kernel_size_.w;
  init_weight_and_bias(weight, has_bias_ ? &bias : nullptr, fan_in, scheme == InitScheme::dcgan,
                       rng);
}

}  // namespace convt::nn
