// A model spec's named training presets ("presets": {"default": {...}, "notes": {...}} in
// assets/models/NAME.json), read into a GanConfig. One reader for `convt-lab train --preset` and
// the training dashboard's preset buttons, so both train a model with the same values.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convt/train/gan_trainer.h"

namespace convt::lab {

// The ranges `convt-lab train`'s flags accept; a spec's presets are held to the same.
inline constexpr double kMinLr = 1e-9, kMaxLr = 10.0, kMaxBeta = 0.9999999;
inline constexpr int64_t kMaxBatch = 65536;

// A preset that is missing or holds a value out of range; what() names the key, the range and
// the value found, e.g. "presets.default.lr_g: expected a number in [1e-09, 10] (the range of
// --lr), found 1e+30". The CLI prefixes the model ("--model 'dcgan20': ").
class SpecPresetError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};
// The preset asked for is not in the spec; what() names the ones that are: "has no preset 'x';
// expected one of 'default', 'notes'" (the CLI prefixes "--preset: model 'dcgan20' ").
class UnknownSpecPresetError : public SpecPresetError {
 public:
  using SpecPresetError::SpecPresetError;
};

// The names under the spec's "presets", in the file's order (empty when it has none).
std::vector<std::string> spec_preset_names(const nlohmann::json& spec);

// True when the spec has a preset called `name`.
bool has_spec_preset(const nlohmann::json& spec, const std::string& name);

// Sets cfg's batch_size, lr_g, lr_d, beta1, beta2, ema_decay and diff_augment from
// spec["presets"][name]; a key the preset leaves out keeps cfg's value. The preset's "why" (a
// one-line reason) is not read here: spec_preset_why. Throws SpecPresetError when the preset
// does not exist (naming the ones that do) or a value is out of its flag's range (batch: a whole
// number in [2, kMaxBatch]; lr_g, lr_d in [kMinLr, kMaxLr]; beta1, beta2, ema_decay in
// [0, kMaxBeta]; diff_augment: a DiffAugment policy such as "color,translation,cutout");
// UnknownSpecPresetError when there is no such preset.
void apply_spec_preset(const nlohmann::json& spec, const std::string& name, GanConfig& cfg);

// The preset's "why" string, "" when it has none (or the preset does not exist).
std::string spec_preset_why(const nlohmann::json& spec, const std::string& name);

}  // namespace convt::lab
