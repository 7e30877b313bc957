#include "convt/rng.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace convt {

float Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return static_cast<float>(spare_);
  }
  const double u1 = 1.0 - uniform();  // (0, 1]: log(u1) is finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * 3.14159265358979323846 * u2;
  spare_ = r * std::sin(theta);
  has_spare_ = true;
  return static_cast<float>(r * std::cos(theta));
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) throw std::invalid_argument("Rng::below: n must be >= 1, found 0");
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v = engine_();
  while (v >= limit) v = engine_();
  return v % n;
}

std::string Rng::state() const {
  std::ostringstream s;
  char spare[64];
  std::snprintf(spare, sizeof spare, "%a", spare_);  // hex float: exact
  s << (has_spare_ ? 1 : 0) << ' ' << spare << ' ' << engine_;
  return s.str();
}

void Rng::set_state(const std::string& text) {
  std::istringstream s(text);
  int has = 0;
  std::string spare;
  std::mt19937_64 engine;
  s >> has >> spare >> engine;
  if (!s || (has != 0 && has != 1)) {
    throw std::invalid_argument("Rng::set_state: expected '<0|1> <hex float> <mt19937_64 state>', "
                                "found text that does not parse (" +
                                std::to_string(text.size()) + " characters)");
  }
  engine_ = engine;
  has_spare_ = has == 1;
  spare_ = std::strtod(spare.c_str(), nullptr);
}

}  // namespace convt
