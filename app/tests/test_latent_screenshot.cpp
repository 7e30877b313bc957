// The latent explorer renders headless with the shipped checkpoint: `--screenshot FILE
// --panel latent` exits 0 and writes a PNG that is not blank. Needs a display (./test.sh runs
// ctest under xvfb-run -a -s '-screen 0 1280x800x24'); skipped without DISPLAY. The shipped
// checkpoint itself is checked without a display.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
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

}  // namespace
