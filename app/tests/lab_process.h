// What the app's end-to-end tests share: run the real convt-lab executable (CONVT_LAB_EXE, set by
// app/CMakeLists.txt) as a user would, and read what it wrote (its log, a screenshot PNG).
#pragma once

#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace convt::test {

// Runs convt-lab with `args` (shell words), stdout and stderr into `log`; returns its exit status
// (-1 if it did not exit normally).
// With `cwd`, it runs there.
inline int run_lab(const std::string& args, const std::filesystem::path& log,
                   const std::filesystem::path& cwd = {}) {
  const std::string command = (cwd.empty() ? std::string() : "cd '" + cwd.string() + "' && ") +
                              "'" + CONVT_LAB_EXE + "' " + args + " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The whole file as text ("" if it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

// The PNG's pixels as R, G, B bytes, row by row (empty if it cannot be read); its width in *width.
inline std::vector<unsigned char> read_rgb(const std::filesystem::path& png, int* width) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  if (data == nullptr) return {};
  std::vector<unsigned char> rgb(data, data + static_cast<size_t>(w) * h * 3);
  stbi_image_free(data);
  *width = w;
  return rgb;
}

// Distinct colours in the PNG (0 if it cannot be read); its width in *width.
inline size_t colour_count(const std::filesystem::path& png, int* width) {
  const std::vector<unsigned char> rgb = read_rgb(png, width);
  std::set<unsigned> colours;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) {
    colours.insert((rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2]);
  }
  return colours.size();
}

// Whether an X display is there (./test.sh runs ctest under xvfb-run; without one, GUI tests skip).
inline bool has_display() {
  const char* d = std::getenv("DISPLAY");
  return d != nullptr && *d != '\0';
}

// A test that runs convt-lab commands as a user would, in a fresh directory of its own
// (temp/convt_<suite>_<pid>_<test>, removed afterwards), so relative paths (--out run) land there.
class LabRunDir : public ::testing::Test {
 protected:
  struct CmdResult {
    int status;       // exit status, -1 if the process did not exit normally
    std::string out;  // stdout + stderr
  };

  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("convt_" + std::string(info->test_suite_name()) + "_" + std::to_string(::getpid()) +
            "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `convt-lab args` in dir_.
  CmdResult run(const std::string& args) {
    const std::filesystem::path log = dir_ / "cmd.log";
    const int status = run_lab(args, log, dir_);
    return {status, read_text(log)};
  }

  // Renders `args` (e.g. "--panel latent") headless for 2 frames to dir_/<name>.png: exit 0, a
  // 1280-wide picture with more than 100 colours (not blank). Needs a display (has_display()).
  void expect_renders(const std::string& args, const std::string& name) {
    const std::filesystem::path png = dir_ / (name + ".png"), log = dir_ / "log.txt";
    ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' " + args + " --frames 2", log), 0)
        << args << ": " << read_text(log);
    int width = 0;
    EXPECT_GT(colour_count(png, &width), 100u) << args << " looks blank";
    EXPECT_EQ(width, 1280) << args;
  }

  std::filesystem::path dir_;
};

}  // namespace convt::test
