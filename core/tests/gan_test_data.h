// What the GAN tests train on: the tiny GAN spec of the fixtures (nn/tiny20.json, 20x20 images)
// and the built-in 20x20 digits, loaded once per test binary.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "convt/data/dataset.h"

namespace convt::test {

inline nlohmann::json tiny_spec() {
  std::ifstream f(std::string(CONVT_FIXTURE_DIR) + "/nn/tiny20.json");
  return nlohmann::json::parse(f);
}

inline const Dataset& digits20() {
  static const Dataset d = load_builtin_digits(20);
  return d;
}

}  // namespace convt::test
