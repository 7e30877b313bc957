// The completion panel renders headless with the shipped models: `--screenshot FILE
// --panel completion` exits 0 and writes a PNG that is not blank. Needs a display (./test.sh runs
// ctest under xvfb-run -a -s '-screen 0 1280x800x24'); skipped without DISPLAY. completion_open()
// (how the Lessons panel sets it up) needs none.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "lab_process.h"
#include "logic/completion_state.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

TEST(CompletionOpen, SetsWhatALessonAsksAndLoadsTheShippedModels) {
  convt::lab::CompletionState s;
  convt::lab::CompletionRequest r;
  r.region = convt::MaskKind::left_half;
  r.show = convt::lab::CompletionShow::kTiedOnly;
  r.section = convt::lab::CompletionSection::kBlankCanvas;
  r.heldout_digit = 5;
  r.refine_passes = 3;
  r.blank_seed = 42;
  convt::lab::completion_open(s, r);
  EXPECT_TRUE(s.started);
  EXPECT_TRUE(s.model.loaded(convt::lab::Tying::kTied)) << s.model.error(convt::lab::Tying::kTied);
  EXPECT_TRUE(s.model.loaded(convt::lab::Tying::kUntied));
  EXPECT_EQ(s.model.region(), convt::MaskKind::left_half);
  EXPECT_EQ(s.show, convt::lab::CompletionShow::kTiedOnly);
  EXPECT_EQ(s.section, convt::lab::CompletionSection::kBlankCanvas);
  EXPECT_TRUE(s.select_section);
  EXPECT_EQ(s.digit, 5);
  EXPECT_FALSE(s.drawn);
  ASSERT_EQ(s.heldout.size(), 1000);
  EXPECT_EQ(s.model.canvas()[300], s.heldout.images[5 * 784 + 300]);
  EXPECT_EQ(s.refine_passes, 3);
  EXPECT_EQ(s.blank_seed, 42u);

  convt::lab::CompletionRequest blank;  // an empty canvas to draw on; "keep" fields kept
  blank.blank = true;
  convt::lab::completion_open(s, blank);
  EXPECT_TRUE(s.drawn);
  for (int64_t i = 0; i < s.model.canvas().numel(); ++i) ASSERT_EQ(s.model.canvas()[i], -1.0f);
  EXPECT_EQ(s.model.region(), convt::MaskKind::bottom_half);
  EXPECT_EQ(s.refine_passes, 3);
  EXPECT_EQ(s.blank_seed, 42u);
}

class CompletionScreenshot : public convt::test::LabRunDir {};

TEST_F(CompletionScreenshot, RendersNonBlank) {
  if (!has_display()) {
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  }
  expect_renders("--panel completion", "completion");
}

}  // namespace
