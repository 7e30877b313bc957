#include "logic/settings.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "logic/stepper_model.h"

namespace convt::lab {

namespace fs = std::filesystem;

std::string settings_path() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') {  // the spec: a relative path is to be ignored
    return (fs::path(xdg) / "convt-lab" / "settings.json").string();
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    return (fs::path(home) / ".config" / "convt-lab" / "settings.json").string();
  }
  return "";
}

namespace {

// Reads j[key] into `out` if present and valid; else keeps `out` and adds a warning.
template <class T, class Valid>
void read_value(const nlohmann::json& j, const char* key, const std::string& path,
                const char* expected, Valid valid, T& out, std::vector<std::string>* warnings) {
  if (!j.contains(key)) return;
  const nlohmann::json& v = j.at(key);
  try {
    const T value = v.get<T>();
    if (valid(value)) {
      out = value;
      return;
    }
  } catch (const nlohmann::json::exception&) {
  }
  if (warnings != nullptr) {
    warnings->push_back(path + ": " + key + ": expected " + expected + ", found " + v.dump() +
                        " (using " + nlohmann::json(out).dump() + ")");
  }
}

}  // namespace

AppSettings load_settings(const std::string& path, std::vector<std::string>* warnings) {
  AppSettings s;
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return s;
  std::ifstream in(path);
  if (!in) {
    if (warnings != nullptr) warnings->push_back(path + ": cannot be read; using the defaults");
    return s;
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    if (warnings != nullptr) {
      warnings->push_back(path + ": not valid JSON (" + e.what() + "); using the defaults");
    }
    return s;
  }
  if (!j.is_object()) {
    if (warnings != nullptr) {
      warnings->push_back(path + ": expected a JSON object, found " + std::string(j.type_name()) +
                          "; using the defaults");
    }
    return s;
  }
  read_value(
      j, "window_width", path, "a width in pixels, 640..7680",
      [](int v) { return v >= 640 && v <= 7680; }, s.window_width, warnings);
  read_value(
      j, "window_height", path, "a height in pixels, 480..4320",
      [](int v) { return v >= 480 && v <= 4320; }, s.window_height, warnings);
  read_value(
      j, "scale_percent", path, "a UI scale in percent, 100..250",
      [](int v) { return v >= 100 && v <= 250; }, s.scale_percent, warnings);
  read_value(
      j, "theme", path, "0 (dark), 1 (high contrast) or 2 (light)",
      [](int v) { return v >= 0 && v <= 2; }, s.theme, warnings);
  read_value(
      j, "panel", path, "a panel name (a string)", [](const std::string& v) { return !v.empty(); },
      s.panel, warnings);
  read_value(
      j, "stepper_preset", path, "a stepper preset name (a string)",
      [](const std::string&) { return true; }, s.stepper_preset, warnings);
  read_value(
      j, "stepper_speed", path, "events per second, 0 or 0.5..2000",
      [](float v) {
        return v == 0.0f ||
               (v >= StepperLimits::kMinEventsPerSecond && v <= StepperLimits::kMaxEventsPerSecond);
      },
      s.stepper_speed, warnings);
  return s;
}

std::string save_settings(const std::string& path, const AppSettings& s) {
  if (path.empty()) return "no settings path (neither XDG_CONFIG_HOME nor HOME is set)";
  const nlohmann::json j = {{"window_width", s.window_width},
                            {"window_height", s.window_height},
                            {"scale_percent", s.scale_percent},
                            {"theme", s.theme},
                            {"panel", s.panel},
                            {"stepper_preset", s.stepper_preset},
                            {"stepper_speed", s.stepper_speed}};
  std::error_code ec;
  const fs::path file(path);
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec) return "cannot create " + file.parent_path().string() + ": " + ec.message();
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return "cannot write " + tmp;
    }
  }
  fs::rename(tmp, file, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return "cannot rename " + tmp + " to " + path + ": " + ec.message();
  }
  return "";
}

}  // namespace convt::lab
