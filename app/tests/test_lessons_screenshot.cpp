// The lessons panel renders headless: `--screenshot FILE --panel lessons --lesson N`
// exits 0 and writes a PNG that is not blank; with no --panel the app opens on the lessons;
// `--show-me N` renders the panel the lesson's Show me sets up. Needs a display (./test.sh runs
// ctest under xvfb-run -a -s '-screen 0 1280x800x24'); skipped without DISPLAY.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>

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

// Renders in a fresh directory of its own (LabRunDir); skipped without a display.
class LessonsScreenshot : public convt::test::LabRunDir {
 protected:
  void SetUp() override {
    if (!has_display()) {
      GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
    }
    LabRunDir::SetUp();
  }
};

TEST_F(LessonsScreenshot, MatrixLessonRendersNonBlank) {
  expect_renders("--panel lessons --lesson 2", "lesson2");
}

TEST_F(LessonsScreenshot, NoPanelOpensTheLessons) {
  const fs::path png = dir_ / "default.png", log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "'", log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("panel lessons"), std::string::npos) << read_text(log);
  int width = 0;
  EXPECT_GT(colour_count(png, &width), 50u) << "looks blank";
}

TEST_F(LessonsScreenshot, ShowMeRendersTheTargetPanel) {
  const fs::path png = dir_ / "show_me_4.png", log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --show-me 4", log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("panel stepper"), std::string::npos) << read_text(log);
  int width = 0;
  EXPECT_GT(colour_count(png, &width), 100u) << "looks blank";
}

// Lesson 8's saved runs open in the training panel at once (nothing to train first).
TEST_F(LessonsScreenshot, ShowMeSavedRunsRenderTheTrainingPanel) {
  for (const char* which : {"8.3", "8.4"}) {
    const fs::path png = dir_ / (std::string("show_me_") + which + ".png"), log = dir_ / "log.txt";
    ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --show-me " + which, log), 0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel training"), std::string::npos) << read_text(log);
    int width = 0;
    EXPECT_GT(colour_count(png, &width), 100u) << which << " looks blank";
  }
}

}  // namespace
