// Linear layer: convt::linear_forward/backward (naive) or convt::fast::linear_* (GEMM).
#include <cmath>
#include <sstream>

#include "convt/nn/layers.h"
#include "convt/ops/linear.h"
#include "fast_dispatch.h"
#include "grad_buffer.h"
#include "init_util.h"

namespace convt::nn {

Linear::Linear(int64_t in_features, int64_t out_features, bool bias)
    : in_features_(in_features), out_features_(out_features), has_bias_(bias) {
  if (in_features < 1 || out_features < 1) {
    throw std::invalid_argument("Linear: expected in_features, out_features >= 1, found " +
                                std::to_string(in_features) + ", " +
                                std::to_string(out_features));
  }
  weight.resize({out_features, in_features});
  dweight.resize({out_features, in_features});
  if (has_bias_) {
    this->bias.resize({out_features});
    dbias.resize({out_features});
  }
}

std::string Linear::describe() const {
  std::ostringstream s;
  s << "Linear(" << in_features_ << " -> " << out_features_
    << (has_bias_ ? "" : ", bias=False") << ")";
  return s.str();
}

std::vector<int64_t> Linear::output_shape(const std::vector<int64_t>& in) const {
  if (in.size() != 1 || in[0] != in_features_) {
    throw std::invalid_argument("Linear: expected input (" + std::to_string(in_features_) +
                                ") [in_features], found " + shape_to_string(in) +
                                (in.size() != 1 ? " (hint: add a Flatten before it)" : ""));
  }
  return {out_features_};
}

void Linear::forward(Tensor& out, const Tensor& x) {
  const Tensor* b = has_bias_ ? &bias : nullptr;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::linear_forward(out, x, weight, b);
#endif
  linear_forward(out, x, weight, b);
}

void Linear::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& /*out*/) {
  if (dx) zeros_for_grad(*dx, x.shape());
  Tensor* dw = requires_grad_ ? &dweight : nullptr;
  Tensor* db = requires_grad_ && has_bias_ ? &dbias : nullptr;
  if (!dx && !dw && !db) return;
#if CONVT_NN_HAVE_FAST
  if (backend_ == Backend::fast) return fast::linear_backward(dx, dw, db, dout, x, weight);
#endif
  linear_backward(dx, dw, db, dout, x, weight);
}

std::vector<ParamRef> Linear::params() {
  std::vector<ParamRef> p{{"weight", &weight, &dweight}};
  if (has_bias_) p.push_back({"bias", &bias, &dbias});
  return p;
}

void Linear::reset_parameters(InitScheme scheme, Rng& rng) {
  init_weight_and_bias(weight, has_bias_ ? &bias : nullptr, in_features_,
                       scheme == InitScheme::dcgan, rng);
}

}  // namespace convt::nn
