// Dropout forward and backward. Any shape; mask has x's shape.
#include "convt/ops/dropout.h"

#include <stdexcept>

namespace convt {

void dropout_forward(Tensor& out, Tensor& mask, const Tensor& x, float p, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f)) {
    throw std::invalid_argument("dropout_forward: expected p in [0, 1), found " +
                                std::to_string(p));
  }
  if (out.shape() != x.shape()) out.resize(x.shape());  // every value is written below
  if (mask.shape() != x.shape()) mask.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - p);
  // Element i is dropped when its 32-bit uniform integer u_i < p * 2^32. Each 64-bit draw gives
  // two: u_{2k} = low 32 bits, u_{2k+1} = high 32 bits.
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(p) * 4294967296.0);
  const float* xp = x.data();
  float* op = out.data();
  float* mp = mask.data();
  const int64_t n = x.numel();
  uint64_t bits = 0;
  for (int64_t i = 0; i < n; ++i) {
    if ((i & 1) == 0) bits = rng.next_u64();
    const uint64_t u = (i & 1) == 0 ? (bits & 0xFFFFFFFFu) : (bits >> 32);
    mp[i] = u < threshold ? 0.0f : keep_scale;
    op[i] = xp[i] * mp[i];
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
