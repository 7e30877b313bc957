// Dropout forward and backward. Any shape; mask has x's shape.
#include "convt/ops/dropout.h"

#include <algorithm>
#include <atomic>
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
// inside a lambda the compiler reloads captured values after every store. Whole words go
// through a loop with no test in it, which the compiler vectorizes where it may use 64-bit
// vector multiplies (the AVX-512 copy below); an odd last element comes after.
__attribute__((always_inline)) inline void dropout_words_body(float* out, float* mask,
                                                              const float* x, int64_t n,
                                                              int64_t k_begin, int64_t k_end,
                                                              uint64_t key, uint64_t threshold,
                                                              float keep_scale) {
  // keep_scale or 0, chosen without a branch (a random branch mispredicts 30% of the time)
  const auto keep = [=](uint64_t u) { return static_cast<float>(u >= threshold) * keep_scale; };
  const int64_t whole_end = std::min(k_end, n / 2);  // words with both elements inside
  for (int64_t k = k_begin; k < whole_end; ++k) {
    const uint64_t bits = splitmix64(key + static_cast<uint64_t>(k + 1) * kGolden);
    const float m0 = keep(bits & 0xFFFFFFFFu), m1 = keep(bits >> 32);
    mask[2 * k] = m0;
    mask[2 * k + 1] = m1;
    out[2 * k] = x[2 * k] * m0;
    out[2 * k + 1] = x[2 * k + 1] * m1;
  }
  for (int64_t k = std::max(k_begin, whole_end); k < k_end; ++k) {  // k = n / 2, n odd
    const uint64_t bits = splitmix64(key + static_cast<uint64_t>(k + 1) * kGolden);
    mask[2 * k] = keep(bits & 0xFFFFFFFFu);
    out[2 * k] = x[2 * k] * mask[2 * k];
  }
}

void dropout_words_baseline(float* out, float* mask, const float* x, int64_t n, int64_t k_begin,
                            int64_t k_end, uint64_t key, uint64_t threshold, float keep_scale) {
  dropout_words_body(out, mask, x, n, k_begin, k_end, key, threshold, keep_scale);
}

// The AVX-512 copy and the CPU check are x86 only (target("avx512f") and
// __builtin_cpu_supports do not exist elsewhere, e.g. on arm64); other CPUs run the baseline copy.
#if defined(__x86_64__) || defined(__i386__)

// The same loop compiled for AVX-512 (measured: dropout 1.7% -> 0.2% of a dcgan20 step).
__attribute__((target("avx512f,avx512dq,avx512vl"))) void dropout_words_avx512(
    float* out, float* mask, const float* x, int64_t n, int64_t k_begin, int64_t k_end,
    uint64_t key, uint64_t threshold, float keep_scale) {
  dropout_words_body(out, mask, x, n, k_begin, k_end, key, threshold, keep_scale);
}

bool cpu_has_avx512() {
  static const bool avx512 = __builtin_cpu_supports("avx512f") &&
                             __builtin_cpu_supports("avx512dq") &&
                             __builtin_cpu_supports("avx512vl");
  return avx512;
}

std::atomic<bool> g_force_baseline{false};  // detail::set_dropout_copy(kBaseline)

// The same numbers either way (integer hashing, one float multiply per element).
void dropout_words(float* out, float* mask, const float* x, int64_t n, int64_t k_begin,
                   int64_t k_end, uint64_t key, uint64_t threshold, float keep_scale) {
  const bool avx512 = cpu_has_avx512() && !g_force_baseline.load(std::memory_order_relaxed);
  (avx512 ? dropout_words_avx512 : dropout_words_baseline)(out, mask, x, n, k_begin, k_end, key,
                                                           threshold, keep_scale);
}

#else  // not x86: one copy, so kAuto and kBaseline both run it

bool cpu_has_avx512() { return false; }

void dropout_words(float* out, float* mask, const float* x, int64_t n, int64_t k_begin,
                   int64_t k_end, uint64_t key, uint64_t threshold, float keep_scale) {
  dropout_words_baseline(out, mask, x, n, k_begin, k_end, key, threshold, keep_scale);
}

#endif

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

namespace detail {

void set_dropout_copy(DropoutCopy copy) {
#if defined(__x86_64__) || defined(__i386__)
  g_force_baseline = copy == DropoutCopy::kBaseline;
#else
  (void)copy;  // only the baseline copy exists
#endif
}

bool dropout_avx512_supported() { return cpu_has_avx512(); }

}  // namespace detail

}  // namespace convt
