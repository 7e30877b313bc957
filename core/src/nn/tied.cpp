// TiedConvTranspose2d: a ConvTranspose2d on a Conv2d's weight storage.
#include "convt/nn/tied.h"

#include <sstream>

#include "convt/ops/conv_transpose2d.h"
#include "fast_dispatch.h"
#include "grad_buffer.h"
#include "init_util.h"

namespace convt::nn {

TiedConvTranspose2d::TiedConvTranspose2d(Conv2d& source, const ConvTranspose2dParams& p, bool bias)
    : weight_(&source.weight), dweight_(&source.dweight), p_(p), has_bias_(bias) {
  if (source.weight.ndim() != 4) {
    throw std::invalid_argument(
        "TiedConvTranspose2d: expected the source Conv2d weight "
        "(C_out, C_in, kH, kW), found " +
        source.weight.shape_str());
  }
  in_channels_ = static_cast<int>(source.weight.dim(0));
  out_channels_ = static_cast<int>(source.weight.dim(1));
  kernel_size_ =
      Pair(static_cast<int>(source.weight.dim(2)), static_cast<int>(source.weight.dim(3)));
  if (has_bias_) {
    this->bias.resize({out_channels_});
    dbias.resize({out_channels_});
  }
}

std::string TiedConvTranspose2d::describe() const {
  auto pair_str = [](Pair q) {
    return q.h == q.w ? std::to_string(q.h) : std::to_string(q.h) + "x" + std::to_string(q.w);
  };
  std::ostringstream s;
  s << "ConvTranspose2d(" << in_channels_ << " -> " << out_channels_ << ", k"
    << pair_str(kernel_size_) << ", s" << pair_str(p_.stride) << ", p" << pair_str(p_.padding)
    << ", op" << pair_str(p_.output_padding) << (has_bias_ ? "" : ", bias=False") << ", tied)";
  return s.str();
}

std::vector<int64_t> TiedConvTranspose2d::output_shape(const std::vector<int64_t>& in) const {
  if (in.size() != 3 || in[0] != in_channels_) {
    throw std::invalid_argument("ConvTranspose2d (tied): expected input (" +
                                std::to_string(in_channels_) + ", H, W) [C_in, H, W], found " +
                                shape_to_string(in));
  }
  const OutSize o =
      conv_transpose2d_out_size(static_cast<int>(in[1]), static_cast<int>(in[2]), kernel_size_, p_);
  return {out_channels_, o.h, o.w};
}

void TiedConvTranspose2d::forward(Tensor& out, const Tensor& x) {
  const Tensor* b = has_bias_ ? &bias : nullptr;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::conv_transpose2d_forward(out, x, *weight_, b, p_);
#endif
  conv_transpose2d_forward(out, x, *weight_, b, p_);
}

void TiedConvTranspose2d::backward(Tensor* dx, const Tensor& dout, const Tensor& x,
                                   const Tensor& /*out*/) {
  if (dx) zeros_for_grad(*dx, x.shape());
  Tensor* dw = requires_grad_ ? dweight_ : nullptr;
  Tensor* db = requires_grad_ && has_bias_ ? &dbias : nullptr;
  if (!dx && !dw && !db) return;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) {
    return fast::conv_transpose2d_backward(dx, dw, db, dout, x, *weight_, p_);
  }
#endif
  conv_transpose2d_backward(dx, dw, db, dout, x, *weight_, p_);
}

std::vector<ParamRef> TiedConvTranspose2d::params() {
  if (!has_bias_) return {};
  return {{"bias", &bias, &dbias}};
}

void TiedConvTranspose2d::reset_parameters(InitScheme scheme, Rng& rng) {
  if (!has_bias_) return;
  const int64_t fan_in = int64_t{out_channels_} * kernel_size_.h * kernel_size_.w;
  if (scheme == InitScheme::dcgan) {
    bias.fill(0.0f);
  } else {
    fill_uniform(bias, 1.0f / std::sqrt(static_cast<float>(fan_in)), rng);
  }
}

}  // namespace convt::nn
