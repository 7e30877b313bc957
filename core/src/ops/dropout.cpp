// Dropout forward and backward. Any shape; mask has x's shape.
#include "convt/ops/dropout.h"

#include <stdexcept>

#include "fast/parallel.h"

namespace convt {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio, SplitMix64's step

// SplitMix64's output function (Steele, Lea & Flood 2014; the constants of Vigna's splitmix64.c).
inline uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Elements 2k and 2k + 1 for k in [k_begin, k_end), of n. A plain function of its arguments:
// inside a lambda the compiler reloads captured values after every store.
void dropout_words(float* out, float* mask, const float* x, int64_t n, int64_t k_begin,
                   int64_t k_end, uint64_t key, uint64_t threshold, float keep_scale) {
  // keep_scale or 0, chosen without a branch (a random branch mispredicts 30% of the time)
  const auto keep = [=](uint64_t u) { return static_cast<float>(u >= threshold) * keep_scale; };
  for (int64_t k = k_begin; k < k_end; ++k) {
    const uint64_t bits = splitmix64(key + static_cast<uint64_t>(k + 1) * kGolden);
    const int64_t i = 2 * k;
    mask[i] = keep(bits & 0xFFFFFFFFu);
    out[i] = x[i] * mask[i];
    if (i + 1 < n) {
      mask[i + 1] = keep(bits >> 32);
      out[i + 1] = x[i + 1] * mask[i + 1];
    }
  }
}

// dx[i] += dout[i] * mask[i], i in [0, n)
void add_product(float* dx, const float* dout, const float* mask, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dx[i] += dout[i] * mask[i];
}

}  // namespace

void dropout_forward(Tensor& out, Tensor& mask, const Tensor& x, float p, Rng& rng) {
  if (!(p >= 0.0f && p < 1.0f)) {
    throw std::invalid_argument("dropout_forward: expected p in [0, 1), found " +
                                std::to_string(p));
  }
  if (out.shape() != x.shape()) out.resize(x.shape());  // every value is written below
  if (mask.shape() != x.shape()) mask.resize(x.shape());
  const float keep_scale = 1.0f / (1.0f - p);
  const uint64_t threshold = static_cast<uint64_t>(static_cast<double>(p) * 4294967296.0);
  const uint64_t key = rng.next_u64();
  const float* xp = x.data();
  float* op = out.data();
  float* mp = mask.data();
  const int64_t n = x.numel();
  const int64_t words = (n + 1) / 2;  // word k covers elements 2k and 2k + 1
  fast::detail::parallel_for(words, 8, [=](int64_t k_begin, int64_t k_end) {
    dropout_words(op, mp, xp, n, k_begin, k_end, key, threshold, keep_scale);
  });
}

void dropout_backward(Tensor& dx, const Tensor& dout, const Tensor& mask) {
  if (dx.empty()) dx.resize(mask.shape());
  check_shape(dx, mask.shape(), "dropout_backward: dx");
  check_shape(dout, mask.shape(), "dropout_backward: dout");
  // forward was: out = x * mask
  const float* gp = dout.data();
  const float* mp = mask.data();
  float* dp = dx.data();
  fast::detail::parallel_for(mask.numel(), 1, [=](int64_t begin, int64_t end) {
    add_product(dp + begin, gp + begin, mp + begin, end - begin);
  });
}

}  // namespace convt
