// The "Other generators" panel renders headless: `--screenshot FILE --panel experiments`
// exits 0 and writes a 1280-wide PNG that is not blank, with colour (the RGB generator's noise
// and the diverging kernels). Needs a display (./test.sh runs ctest under xvfb-run -a -s
// '-screen 0 1280x800x24'); skipped without DISPLAY.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "lab_process.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

}  // namespace

class ExperimentsScreenshot : public convt::test::LabRunDir {};

TEST_F(ExperimentsScreenshot, RendersNonBlankWithColour) {
  if (!has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  const fs::path png = dir_ / "experiments.png", log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --panel experiments --frames 2", log), 0)
      << read_text(log);
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  ASSERT_NE(data, nullptr) << read_text(log);
  std::set<unsigned> colours;
  size_t saturated = 0;  // pixels far from gray: the RGB noise, red/blue kernels
  for (size_t i = 0; i + 2 < static_cast<size_t>(w) * h * 3; i += 3) {
    colours.insert((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    const int mx = std::max({data[i], data[i + 1], data[i + 2]});
    const int mn = std::min({data[i], data[i + 1], data[i + 2]});
    saturated += mx - mn > 80;
  }
  stbi_image_free(data);
  EXPECT_EQ(w, 1280);
  EXPECT_GT(colours.size(), 500u) << "looks blank";
  EXPECT_GT(saturated, 2000u) << "no colour: the RGB samples or the kernels are missing";
}
