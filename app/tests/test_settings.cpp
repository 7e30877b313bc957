// The window's remembered settings (app/logic/settings.h): where the file is (XDG), a round trip,
// and every kind of bad file giving the defaults with a warning that names the file and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "logic/settings.h"

namespace {

namespace fs = std::filesystem;
using convt::lab::AppSettings;
using convt::lab::load_settings;
using convt::lab::save_settings;

class Settings : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convt_settings_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "convt-lab" / "settings.json").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void write(const std::string& text) const {
    fs::create_directories(fs::path(path_).parent_path());
    std::ofstream(path_) << text;
  }
  fs::path dir_;
  std::string path_;
};

TEST_F(Settings, PathFollowsXdgConfigHomeThenHome) {
  const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
  const std::string saved_xdg = old_xdg ? old_xdg : "";
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  ::setenv("XDG_CONFIG_HOME", "/tmp/xdg", 1);
  ::setenv("HOME", "/home/student", 1);
  EXPECT_EQ(convt::lab::settings_path(), "/tmp/xdg/convt-lab/settings.json");
  ::setenv("XDG_CONFIG_HOME", "relative/dir", 1);  // the spec: relative paths are ignored
  EXPECT_EQ(convt::lab::settings_path(), "/home/student/.config/convt-lab/settings.json");
  ::unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(convt::lab::settings_path(), "/home/student/.config/convt-lab/settings.json");
  if (old_xdg) ::setenv("XDG_CONFIG_HOME", saved_xdg.c_str(), 1);
  if (old_home) ::setenv("HOME", saved_home.c_str(), 1); else ::unsetenv("HOME");
}

TEST_F(Settings, MissingFileGivesDefaultsQuietly) {
  std::vector<std::string> warnings;
  const AppSettings s = load_settings(path_, &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(s.window_width, 1280);
  EXPECT_EQ(s.scale_percent, 100);
  EXPECT_EQ(s.panel, "lessons");
}

TEST_F(Settings, RoundTripThroughATemporaryFile) {
  AppSettings s;
  s.window_width = 1920;
  s.window_height = 1080;
  s.scale_percent = 175;
  s.theme = 2;  // light
  s.panel = "stepper";
  s.stepper_preset = "gan";
  s.stepper_speed = 31.25f;
  ASSERT_EQ(save_settings(path_, s), "");  // creates the directory too
  std::vector<std::string> warnings;
  const AppSettings back = load_settings(path_, &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(back.window_width, 1920);
  EXPECT_EQ(back.window_height, 1080);
  EXPECT_EQ(back.scale_percent, 175);
  EXPECT_EQ(back.theme, 2);
  EXPECT_EQ(back.panel, "stepper");
  EXPECT_EQ(back.stepper_preset, "gan");
  EXPECT_FLOAT_EQ(back.stepper_speed, 31.25f);
  // Nothing but the file itself is left in its directory.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(fs::path(path_).parent_path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(Settings, BadJsonGivesDefaultsAndSaysWhere) {
  write("{\"scale_percent\": 150,");  // cut short
  std::vector<std::string> warnings;
  const AppSettings s = load_settings(path_, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(path_), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("not valid JSON"), std::string::npos) << warnings[0];
  EXPECT_EQ(s.scale_percent, 100);

  write("[1, 2]");
  warnings.clear();
  load_settings(path_, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("expected a JSON object, found array"), std::string::npos)
      << warnings[0];
}

TEST_F(Settings, BadValuesKeepTheirDefaultsOthersAreUsed) {
  write(R"({"window_width": 100, "window_height": 900, "scale_percent": 900,
            "panel": 3, "stepper_speed": -1, "unknown": true})");
  std::vector<std::string> warnings;
  const AppSettings s = load_settings(path_, &warnings);
  EXPECT_EQ(s.window_width, 1280);  // 100 refused
  EXPECT_EQ(s.window_height, 900);  // fine
  EXPECT_EQ(s.scale_percent, 100);
  EXPECT_EQ(s.panel, "lessons");
  EXPECT_EQ(s.stepper_speed, 0.0f);
  ASSERT_EQ(warnings.size(), 4u);
  EXPECT_NE(warnings[1].find("scale_percent: expected a UI scale in percent, 100..250, found 900"),
            std::string::npos)
      << warnings[1];
}

TEST_F(Settings, UnwritableDirectoryLeavesTheOldFile) {
  write("{\"scale_percent\": 150}");
  const std::string blocked = (dir_ / "file" / "settings.json").string();
  std::ofstream((dir_ / "file").string()) << "a file where a directory should be";
  EXPECT_NE(save_settings(blocked, AppSettings{}), "");
  std::vector<std::string> warnings;
  EXPECT_EQ(load_settings(path_, &warnings).scale_percent, 150);
}

}  // namespace
