// The stepper and formula panels render headless: every stepper preset at the start, in the
// middle and at the end of its trace, and the formula panel. Each must exit 0 and write a PNG that
// is not blank. Needs a display (./test.sh runs ctest under xvfb-run -a -s '-screen 0
// 1280x800x24'); skipped without DISPLAY. Bad --preset / --step values exit 2 without one.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "lab_process.h"
#include "logic/stepper_model.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

class StepperScreenshot : public convt::test::LabRunDir {};

TEST_F(StepperScreenshot, EveryPresetAtSeveralSteps) {
  if (!has_display())
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  for (const convt::lab::StepperPreset& p : convt::lab::stepper_presets()) {
    convt::lab::StepperModel m;
    m.load_preset(p);
    for (int64_t step : {int64_t{0}, m.event_count() / 2, m.event_count()}) {
      expect_renders("--panel stepper --preset " + p.name + " --step " + std::to_string(step),
                     p.name + "_" + std::to_string(step));
    }
  }
}

TEST_F(StepperScreenshot, FormulaPanel) {
  if (!has_display())
    GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
  expect_renders("--panel formula", "formula");
}

TEST_F(StepperScreenshot, BadPresetOrStepExits2) {
  const fs::path log = dir_ / "log.txt";
  EXPECT_EQ(run_lab("--panel stepper --preset nope --screenshot x.png", log), 2);
  EXPECT_NE(read_text(log).find("notes"), std::string::npos) << read_text(log);
  EXPECT_EQ(run_lab("--panel stepper --step -3 --screenshot x.png", log), 2);
  EXPECT_NE(read_text(log).find("--step"), std::string::npos) << read_text(log);
}

}  // namespace
