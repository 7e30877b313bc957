// The window's settings kept between runs: its size, the UI scale, the last tab, the stepper's
// preset and speed. A small JSON file in the user's configuration directory (XDG Base Directory
// Specification: $XDG_CONFIG_HOME/convt-lab/settings.json, else ~/.config/convt-lab/...).
//
// Never in the way: a missing file gives the defaults; a file that cannot be read or parsed, or
// a value out of range, gives the defaults for what is wrong, and a one-line warning that names
// the file, the key, what was expected and what was found. Writing goes to a temporary name in
// the same directory, then a rename, so a crash never leaves half a file. Screenshots (tests,
// the README's pictures) neither read nor write it. No GL: unit-tested in
// app/tests/test_settings.cpp.
#pragma once

#include <string>
#include <vector>

namespace convt::lab {

struct AppSettings {
  int window_width = 1280, window_height = 800;  // pixels, 640x480 .. 7680x4320
  int scale_percent = 100;                       // UI scale, 100 .. 250
  int theme = 0;                                 // 0 dark, 1 high contrast, 2 light
  std::string panel = "lessons";                 // the last tab, by its --panel name
  std::string stepper_preset = "notes";          // the stepper's last preset ("" : edited)
  float stepper_speed = 0.0f;                    // its play speed, events/s; 0: the preset's
};

// $XDG_CONFIG_HOME/convt-lab/settings.json when XDG_CONFIG_HOME is set to an absolute path,
// else $HOME/.config/convt-lab/settings.json; "" when neither can be found.
std::string settings_path();

// Reads `path`. Missing file: the defaults, no warning. Anything wrong: the defaults for what is
// wrong, one line each in `warnings` ("<path>: scale_percent: expected 100..250, found 900").
AppSettings load_settings(const std::string& path, std::vector<std::string>* warnings);

// Writes `settings` to `path` (creating its directory) through a temporary file and a rename.
// Returns "" on success, else what failed (the old file, if any, is left as it was).
std::string save_settings(const std::string& path, const AppSettings& settings);

}  // namespace convt::lab
