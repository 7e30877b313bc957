// The training dashboard rendered headless after a short real training run
// (`--screenshot FILE --panel training --train-seconds T`): the PNG is written and not blank, and
// closing the window mid-run saved the checkpoint. Needs a display (./test.sh runs ctest under
// xvfb-run; skipped without DISPLAY). The flag errors need none.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb

#include <filesystem>
#include <set>
#include <string>

#include "lab_process.h"

namespace {

namespace fs = std::filesystem;

// Runs convt-lab in a fresh directory of its own (LabRunDir; its runs/ directory lands there).
class TrainingScreenshotTest : public convt::test::LabRunDir {
 protected:
  // Returns the exit status.
  int run_lab(const std::string& args) { return run(args).status; }
};

TEST_F(TrainingScreenshotTest, RendersAfterTrainingAndSavesOnClose) {
  if (!convt::test::has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  ASSERT_EQ(run_lab("--screenshot shot.png --panel training --train-seconds 2"), 0);
  int width = 0, height = 0, channels = 0;
  unsigned char* rgb = stbi_load((dir_ / "shot.png").c_str(), &width, &height, &channels, 3);
  ASSERT_NE(rgb, nullptr);
  EXPECT_EQ(width, 1280);
  EXPECT_EQ(height, 800);
  std::set<int> colours;
  for (int i = 0; i < width * height; i += 7) {
    colours.insert((rgb[3 * i] << 16) | (rgb[3 * i + 1] << 8) | rgb[3 * i + 2]);
  }
  stbi_image_free(rgb);
  EXPECT_GT(colours.size(), 100u);  // text, curves, grayscale digits: far from blank
  EXPECT_TRUE(fs::exists(dir_ / "runs" / "dashboard" / "checkpoint.safetensors"));
}

TEST_F(TrainingScreenshotTest, TrainSecondsNeedsTheTrainingPanelAndAScreenshot) {
  EXPECT_EQ(run_lab("--train-seconds 2"), 2);
  EXPECT_EQ(run_lab("--screenshot x.png --panel playground --train-seconds 2"), 2);
  EXPECT_EQ(run_lab("--screenshot x.png --panel training --train-seconds 0"), 2);
  EXPECT_EQ(run_lab("--screenshot x.png --panel training --train-seconds abc"), 2);
}

}  // namespace
