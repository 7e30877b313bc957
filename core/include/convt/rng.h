// A small, explicit random number generator: std::mt19937_64 for the bits, uniform and normal
// samples written out here (Box-Muller), so a seed gives the same numbers with any standard
// library (std::normal_distribution's algorithm is implementation-defined).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace convt {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : engine_(seed) {}

  uint64_t next_u64() { return engine_(); }
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(uniform()); }
  // Standard normal N(0, 1) by the Box-Muller transform (Box & Muller 1958):
  //   u1 in (0, 1], u2 in [0, 1): r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2).
  // z1 is kept for the next call.
  float normal();
  // Uniform integer in [0, n), n >= 1 (rejection sampling, no modulo bias).
  uint64_t below(uint64_t n);

  // The whole state (engine and the cached normal) as text, and back. set_state throws
  // std::invalid_argument on text that is not a saved state.
  std::string state() const;
  void set_state(const std::string& text);

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace convt
