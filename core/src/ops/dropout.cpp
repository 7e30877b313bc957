// Dropout forward and backward. Any shape; mask has x's shape.
#include "convt/ops/dropout.h"

#include <stdexcept>

namespace convt {

void dropout_forward(Tensor& out, Tensor& mask, const Tensor& x, float p, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f)) {
    throw std::invalid_argument("dropout_forward: expected p in [0, 1), found " +
                                std::to_string(p));
  }
  out.resize(x.shape());
  mask.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - p);
  for (int64_t i = 0; i < x.numel(); ++i) {
    mask[i] = rng.uniform() < p ? 0.0f : keep_scale;
    out[i] = x[i] * mask[i];
  }
}

void dropout_backward(Tensor& dx, const Tensor& dout, const Tensor& mask) {
  if (dx.empty()) dx.resize(mask.shape());
  check_shape(dx, mask.shape(), "dropout_backward: dx");
  check_shape(dout, mask.shape(), "dropout_backward: dout");
  // forward was: out = x * mask
  for (int64_t i = 0; i < mask.numel(); ++i) dx[i] += dout[i] * mask[i];
}

}  // namespace convt
