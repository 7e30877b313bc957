// Nothing out of reach at the sizes students have: every panel rendered headless at 1024x700,
// 1280x800 and 1920x1080, each at UI scale 100% and 200%, with --check-layout, which lists every
// window that cuts off what it holds and cannot scroll to it (widgets/layout_check.h), and exits
// 3 if there is one. Also the scale and size flags' errors. Needs a display for the renders.
#include <gtest/gtest.h>

#include <string>

#include "lab_process.h"
#include "panels/panels.h"

namespace {

using convt::test::has_display;

class LayoutTest : public convt::test::LabRunDir {};

TEST_F(LayoutTest, EveryPanelFitsOrScrollsAtEverySize) {
  if (!has_display()) GTEST_SKIP() << "no DISPLAY (run under xvfb-run)";
  for (const char* size_scale :
       {"--size 1024x700 --scale 100", "--size 1024x700 --scale 200", "--size 1280x800 --scale 100",
        "--size 1280x800 --scale 200", "--size 1920x1080 --scale 100",
        "--size 1920x1080 --scale 200"}) {
    for (const auto& panel : convt::lab::all_panels()) {
      const std::string args = std::string("--screenshot shot.png --check-layout --panel ") +
                               panel.name + " " + size_scale;
      const CmdResult r = run(args);
      EXPECT_EQ(r.status, 0) << args << "\n" << r.out;
      EXPECT_EQ(r.out.find("layout:"), std::string::npos) << args << "\n" << r.out;
      EXPECT_NE(r.out.find("wrote"), std::string::npos) << args << "\n" << r.out;
    }
  }
}

TEST_F(LayoutTest, SizeScaleAndThemeFlagsSayWhatTheyExpect) {
  CmdResult r = run("--size 300x200");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--size expects WxH in pixels, from 640x480"), std::string::npos) << r.out;
  r = run("--scale 900");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--scale expects the UI scale in percent"), std::string::npos) << r.out;
  r = run("--theme pink");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--theme expects dark, light or high-contrast, found 'pink'"), std::string::npos)
      << r.out;
  r = run("--check-layout");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--check-layout only applies with --screenshot"), std::string::npos)
      << r.out;
}

}  // namespace
