#include "logic/spec_preset.h"

#include <cmath>
#include <cstdio>

#include "convt/ops/diff_augment.h"

namespace convt::lab {

namespace {

std::string shortest(double v) {  // 1e-09, 10, 0.9999999
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return buf;
}

}  // namespace

std::vector<std::string> spec_preset_names(const nlohmann::json& spec) {
  std::vector<std::string> names;
  if (!spec.contains("presets") || !spec["presets"].is_object()) return names;
  for (const auto& [key, value] : spec["presets"].items()) names.push_back(key);
  return names;
}

bool has_spec_preset(const nlohmann::json& spec, const std::string& name) {
  return spec.contains("presets") && spec["presets"].is_object() &&
         spec["presets"].contains(name);
}

void apply_spec_preset(const nlohmann::json& spec, const std::string& name, GanConfig& cfg) {
  if (!has_spec_preset(spec, name)) {
    std::string names;  // "'default', 'notes'"
    for (const std::string& key : spec_preset_names(spec)) {
      names += (names.empty() ? "'" : ", '") + key + "'";
    }
    throw UnknownSpecPresetError(
        "has no preset '" + name + "'; expected one of " +
        (names.empty() ? "none (the spec has no presets; drop --preset)" : names));
  }
  const nlohmann::json& p = spec["presets"][name];
  const std::string where = "presets." + name + ".";
  // Each value in the range of its flag (--lr for lr_g, ...), or refused naming the key.
  auto number = [&](const char* key, double lo, double hi, const char* flag, double fallback) {
    if (!p.contains(key)) return fallback;
    const nlohmann::json& v = p[key];
    const double x = v.is_number() ? v.get<double>() : std::nan("");
    if (!(x >= lo && x <= hi)) {
      throw SpecPresetError(where + key + ": expected a number in [" + shortest(lo) + ", " +
                            shortest(hi) + "] (the range of " + flag + "), found " + v.dump());
    }
    return x;
  };
  const double batch = number("batch", 2, static_cast<double>(kMaxBatch), "--batch",
                              static_cast<double>(cfg.batch_size));
  if (batch != std::floor(batch)) {
    throw SpecPresetError(where + "batch: expected a whole number, found " + p["batch"].dump());
  }
  const float lr_g = static_cast<float>(number("lr_g", kMinLr, kMaxLr, "--lr", cfg.lr_g));
  const float lr_d = static_cast<float>(number("lr_d", kMinLr, kMaxLr, "--lr-d", cfg.lr_d));
  const float beta1 = static_cast<float>(number("beta1", 0, kMaxBeta, "--beta1", cfg.beta1));
  const float beta2 = static_cast<float>(number("beta2", 0, kMaxBeta, "--beta2", cfg.beta2));
  const float ema_decay =
      static_cast<float>(number("ema_decay", 0, kMaxBeta, "--ema-decay", cfg.ema_decay));
  std::string diff_augment = cfg.diff_augment;
  if (p.contains("diff_augment")) {
    const nlohmann::json& v = p["diff_augment"];
    try {
      if (!v.is_string()) throw std::invalid_argument("expected a string");
      diff_augment = DiffAugmentPolicy::parse(v.get<std::string>()).to_string();  // canonical
    } catch (const std::invalid_argument& e) {
      throw SpecPresetError(where +
                            "diff_augment: expected a policy such as \"color,translation,cutout\" "
                            "(as --diff-augment), found " +
                            v.dump() + " (" + e.what() + ")");
    }
  }
  // All read: cfg changes only when the whole preset is good.
  cfg.batch_size = static_cast<int64_t>(batch);
  cfg.lr_g = lr_g;
  cfg.lr_d = lr_d;
  cfg.beta1 = beta1;
  cfg.beta2 = beta2;
  cfg.ema_decay = ema_decay;
  cfg.diff_augment = diff_augment;
}

std::string spec_preset_why(const nlohmann::json& spec, const std::string& name) {
  if (!has_spec_preset(spec, name)) return "";
  const nlohmann::json& p = spec["presets"][name];
  return p.contains("why") && p["why"].is_string() ? p["why"].get<std::string>() : "";
}

}  // namespace convt::lab
