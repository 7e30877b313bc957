// convt-lab renders its window headless and writes a PNG that is not blank (needs a display:
// ./test.sh runs ctest under xvfb-run -a -s '-screen 0 1280x800x24'; skipped without DISPLAY).
// Also the exit status 2 for a bad panel name or flag, which needs no display.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "gfx/colormap.h"
#include "lab_process.h"
#include "panels/panels.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

class ScreenshotTest : public convt::test::LabRunDir {};

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
};

Image load_png(const fs::path& path) {
  Image image;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &image.width, &image.height, &channels, 3);
  if (data != nullptr) {
    image.rgb.assign(data, data + static_cast<size_t>(image.width) * image.height * 3);
    stbi_image_free(data);
  }
  return image;
}

TEST_F(ScreenshotTest, PlaygroundRendersAndIsNotBlank) {
  if (!has_display())
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  const fs::path png = dir_ / "tmp.png";
  const fs::path log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --panel playground", log), 0)
      << read_text(log);
  const Image image = load_png(png);
  ASSERT_FALSE(image.rgb.empty()) << "cannot read " << png;
  EXPECT_EQ(image.width, 1280);
  EXPECT_EQ(image.height, 800);

  std::set<unsigned> colours;
  size_t darkest_red = 0;  // the default kernel is all ones on a range [-1, 1]: vmax's colour
  const convt::gfx::Rgb top = convt::gfx::kRdbuR[convt::gfx::kRdbuStopCount - 1];
  for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
    const unsigned r = image.rgb[i], g = image.rgb[i + 1], b = image.rgb[i + 2];
    colours.insert((r << 16) | (g << 8) | b);
    if (std::abs(static_cast<int>(r) - static_cast<int>(top.r * 255.f + 0.5f)) <= 2 &&
        std::abs(static_cast<int>(g) - static_cast<int>(top.g * 255.f + 0.5f)) <= 2 &&
        std::abs(static_cast<int>(b) - static_cast<int>(top.b * 255.f + 0.5f)) <= 2) {
      ++darkest_red;
    }
  }
  EXPECT_GT(colours.size(), 100u) << "the screenshot looks blank";
  // 9 kernel cells of ~46 px: the heatmap shader really coloured them.
  EXPECT_GT(darkest_red, 9u * 30u * 30u) << "no heatmap cells in the colour of vmax";

  // Written under its final name only: no temp file left behind.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "tmp.png" || name == "log.txt") << "left behind: " << name;
  }
}

TEST_F(ScreenshotTest, EveryPanelRenders) {
  if (!has_display())
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  for (const auto& panel : convt::lab::all_panels()) {
    const fs::path png = dir_ / (std::string(panel.name) + ".png");
    const fs::path log = dir_ / "log.txt";
    ASSERT_EQ(
        run_lab("--screenshot '" + png.string() + "' --panel " + panel.name + " --frames 2", log),
        0)
        << panel.name << ": " << read_text(log);
    const Image image = load_png(png);
    EXPECT_EQ(image.width, 1280) << panel.name;
    std::set<unsigned> colours;
    for (size_t i = 0; i + 2 < image.rgb.size(); i += 3) {
      colours.insert((image.rgb[i] << 16) | (image.rgb[i + 1] << 8) | image.rgb[i + 2]);
    }
    EXPECT_GT(colours.size(), 10u) << panel.name << " looks blank";
  }
}

TEST_F(ScreenshotTest, UnknownPanelExits2AndListsTheValidNames) {
  const fs::path png = dir_ / "never.png";
  const fs::path log = dir_ / "log.txt";
  EXPECT_EQ(run_lab("--screenshot '" + png.string() + "' --panel no_such_panel", log), 2);
  const std::string text = read_text(log);
  EXPECT_NE(text.find("no_such_panel"), std::string::npos) << text;
  EXPECT_NE(text.find("playground"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(png));
}

TEST_F(ScreenshotTest, BadFlagsExit2WithOneLine) {
  const fs::path log = dir_ / "log.txt";
  for (const char* args : {"--frames abc --screenshot x.png", "--no-such-flag", "--screenshot"}) {
    EXPECT_EQ(run_lab(args, log), 2) << args;
    const std::string text = read_text(log);
    EXPECT_EQ(text.rfind("convt-lab: ", 0), 0u) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  }
}

}  // namespace
