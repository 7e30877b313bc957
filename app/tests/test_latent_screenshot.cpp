// The latent explorer renders headless with the shipped checkpoint: `--screenshot FILE
// --panel latent` exits 0 and writes a PNG that is not blank; `--latent-checkpoint FILE` opens
// an RGB generator in colour, and a file that does not load is named on stderr. Needs a display
// (./test.sh runs ctest under xvfb-run -a -s '-screen 0 1280x800x24'); skipped without DISPLAY. The
// shipped checkpoint itself is checked without a display.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "convt/io/assets.h"
#include "lab_process.h"
#include "logic/latent_model.h"
#include "panels/latent_panel.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

TEST(LatentShipped, CheckpointLoadsAsDcgan20) {
  convt::lab::LatentModel m;
  ASSERT_TRUE(m.load(convt::asset_path(convt::lab::kShippedCheckpoint))) << m.error();
  EXPECT_EQ(m.model_name(), "dcgan20");
  EXPECT_EQ(m.latent_dim(), 100);
  EXPECT_GT(m.trained_steps(), 0);
  m.randomise(1);
  EXPECT_EQ(m.image().shape(), (std::vector<int64_t>{1, 1, 20, 20}));
}

class LatentScreenshot : public convt::test::LabRunDir {};

TEST_F(LatentScreenshot, RendersNonBlank) {
  if (!has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  expect_renders("--panel latent", "latent");
}

// Pixels of the PNG that are emoji-face yellow (R > 200, G > 150, B < 100); -1 if unreadable.
long yellow_pixels(const fs::path& png) {
  int width = 0;
  const std::vector<unsigned char> rgb = convt::test::read_rgb(png, &width);
  if (rgb.empty()) return -1;
  long n = 0;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) {
    n += rgb[i] > 200 && rgb[i + 1] > 150 && rgb[i + 2] < 100;
  }
  return n;
}

// --latent-checkpoint opens the explorer on a shipped RGB generator, drawn in colour: the
// smileys' yellow faces fill many pixels, where the grayscale digits have none.
TEST_F(LatentScreenshot, OpensAShippedRgbGeneratorInColour) {
  if (!has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  const std::string file = convt::asset_path("checkpoints/rgb32_emoji_faces_G.safetensors");
  expect_renders("--latent-checkpoint '" + file + "'", "faces");
  expect_renders("--panel latent", "digits");
  const long faces = yellow_pixels(dir_ / "faces.png"), digits = yellow_pixels(dir_ / "digits.png");
  EXPECT_GT(faces, 5000) << "the smileys' samples are not yellow";
  EXPECT_LT(digits, 500) << "the digits are drawn in colour";
}

// A file that does not load: its error is on screen, and the shipped dcgan20 is shown instead.
TEST_F(LatentScreenshot, ABadCheckpointSaysSoAndShowsTheShippedOne) {
  if (!has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  const fs::path bad = dir_ / "bad.safetensors";
  { std::ofstream(bad) << "junk"; }
  expect_renders("--latent-checkpoint '" + bad.string() + "'", "bad");
  const std::string log = read_text(dir_ / "log.txt");
  EXPECT_NE(log.find("--latent-checkpoint: Could not load " + fs::weakly_canonical(bad).string()),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("Showing the shipped dcgan20 instead"), std::string::npos) << log;
  EXPECT_LT(yellow_pixels(dir_ / "bad.png"), 500);
}

}  // namespace
