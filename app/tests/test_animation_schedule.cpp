// The GL-free half of animation export: which stepper positions and delays an export uses, which
// sample grids a time-lapse shows, and the GIF palette (export/gif_palette.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "export/gif_palette.h"
#include "gfx/colormap.h"
#include "logic/animation_schedule.h"

namespace {

namespace fs = std::filesystem;
using convt::exporting::GifPalette;
using convt::exporting::Rgb8;
using namespace convt::lab;

// ---- Frame schedule ------------------------------------------------------------------------

TEST(AnimationSchedule, AllEventsOfTheGanPresetAreOneFrameEach) {
  const std::vector<int64_t> p = stepper_positions(625, 0, -1);
  ASSERT_EQ(p.size(), 626u);  // 0 events done .. 625 done, both shown
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], static_cast<int64_t>(i));
}

TEST(AnimationSchedule, FromAndToAreBothShown) {
  EXPECT_EQ(stepper_positions(625, 0, 8), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(stepper_positions(625, 620, 625), (std::vector<int64_t>{620, 621, 622, 623, 624, 625}));
  EXPECT_EQ(stepper_positions(625, 7, 7), (std::vector<int64_t>{7}));
}

TEST(AnimationSchedule, ALongRunIsStridedToAtMostTheFrameLimitAndEndsOnTo) {
  const std::vector<int64_t> p = stepper_positions(100000, 0, -1);
  EXPECT_LE(p.size(), static_cast<size_t>(kMaxAnimationFrames));
  EXPECT_GT(p.size(), static_cast<size_t>(kMaxAnimationFrames) / 2);
  EXPECT_EQ(p.front(), 0);
  EXPECT_EQ(p.back(), 100000);
  EXPECT_EQ(p[1] - p[0], 51);  // ceil(100000 / 1999)
  for (size_t i = 1; i < p.size(); ++i) EXPECT_GT(p[i], p[i - 1]);
}

TEST(AnimationSchedule, FromAfterToOrToPastTheEndIsRefusedNamingTheFlag) {
  try {
    stepper_positions(625, 0, 700);
    FAIL() << "no error";
  } catch (const AnimationError& e) {
    EXPECT_NE(std::string(e.what()).find("--to: expected at most 625"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("found 700"), std::string::npos) << e.what();
  }
  EXPECT_THROW(stepper_positions(625, 9, 8), AnimationError);
  EXPECT_THROW(stepper_positions(625, -1, 8), AnimationError);
}

TEST(AnimationSchedule, DelaysAtTwelveFpsAddUpToTheExactTimePlusTheHold) {
  const std::vector<int> d = frame_delays_cs(12, 12);
  // 100/12 = 8.33 cs: rounded cumulative times 0, 8, 17, 25, 33, 42, 50, 58, 67, 75, 83, 92, 100.
  EXPECT_EQ(d, (std::vector<int>{8, 9, 8, 8, 9, 8, 8, 9, 8, 8, 9, 8 + 150}));
  const std::vector<int> all = frame_delays_cs(626, 12);
  EXPECT_EQ(std::accumulate(all.begin(), all.end(), 0), 5217 + 150);  // round(626 * 100 / 12)
}

TEST(AnimationSchedule, DelaysAreAtLeastTwoHundredthsAndFpsIsChecked) {
  for (int v : frame_delays_cs(5, 50)) EXPECT_GE(v, 2);
  EXPECT_EQ(frame_delays_cs(3, 4), (std::vector<int>{25, 25, 25 + 150}));
  EXPECT_THROW(frame_delays_cs(10, 0), AnimationError);
  EXPECT_THROW(frame_delays_cs(10, 51), AnimationError);
  EXPECT_THROW(frame_delays_cs(0, 12), AnimationError);
}

TEST(AnimationSchedule, ASweepGoesUpOrDownAndStaysInTheParametersRange) {
  EXPECT_EQ(sweep_values("stride", 1, 6, 1, 6), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(sweep_values("padding", 0, 6, 3, 1), (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(sweep_values("H", 1, 32, 5, 5), (std::vector<int>{5}));
  try {
    sweep_values("stride", 1, 6, 0, 4);
    FAIL() << "no error";
  } catch (const AnimationError& e) {
    EXPECT_NE(std::string(e.what()).find("--from: expected a value of stride from 1 to 6, found 0"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(sweep_values("stride", 1, 6, 1, 7), AnimationError);
}

TEST(AnimationSchedule, FormatComesFromTheExtension) {
  EXPECT_EQ(animation_format_for("a/b.gif"), AnimationFormat::kGif);
  EXPECT_EQ(animation_format_for("B.GIF"), AnimationFormat::kGif);
  EXPECT_EQ(animation_format_for("x.mp4"), AnimationFormat::kMp4);
  EXPECT_FALSE(animation_format_for("x.png").has_value());
  EXPECT_FALSE(animation_format_for("gif").has_value());
  EXPECT_EQ(find_animation_view("overlap"), AnimationView::kOverlap);
  EXPECT_FALSE(find_animation_view("diagonal").has_value());
}

// ---- Time-lapse ----------------------------------------------------------------------------

class TimelapseFrames : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convt_timelapse_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void touch(const std::string& name, const std::string& text = "x") {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(TimelapseFrames, EpochGridsInOrderWithTheLastStepOfTheirEpochFromTheLog) {
  for (const char* n : {"samples_epoch_010.png", "samples_epoch_002.png", "samples_epoch_001.png",
                        "samples_latest.png", "notes.txt"})
    touch(n);
  // 3 steps per epoch: steps 1..3 epoch 0, 4..6 epoch 1, ...; grid NNN follows epoch NNN - 1.
  std::string log = "step,epoch,loss_g\n";
  for (int s = 1; s <= 30; ++s)
    log += std::to_string(s) + "," + std::to_string((s - 1) / 3) + ",1\n";
  touch("log.csv", log);
  const std::vector<TimelapseFrame> f = timelapse_frames(dir_.string());
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(fs::path(f[0].path).filename(), "samples_epoch_001.png");
  EXPECT_EQ(f[0].step, 3);
  EXPECT_EQ(f[1].epoch, 2);
  EXPECT_EQ(f[1].step, 6);
  EXPECT_EQ(f[2].step, 30);
  EXPECT_EQ(timelapse_caption(f[1]), "step 6 (epoch 2)");
}

TEST_F(TimelapseFrames, StepGridsWithoutALogAndEpochGridsWithout) {
  touch("samples_step_00600.png");
  touch("samples_step_00100.png");
  std::vector<TimelapseFrame> f = timelapse_frames(dir_.string());
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].step, 100);
  EXPECT_EQ(timelapse_caption(f[1]), "step 600");
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  touch("samples_epoch_004.png");
  f = timelapse_frames(dir_.string());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(timelapse_caption(f[0]), "epoch 4");
}

TEST_F(TimelapseFrames, AMissingFolderOrOneWithoutGridsIsRefusedNamingIt) {
  touch("samples_latest.png");
  EXPECT_THROW(timelapse_frames((dir_ / "nope").string()), AnimationError);
  EXPECT_THROW(timelapse_frames((dir_ / "samples_latest.png").string()), AnimationError);
  try {
    timelapse_frames(dir_.string());
    FAIL() << "no error";
  } catch (const AnimationError& e) {
    EXPECT_NE(std::string(e.what()).find(dir_.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("found none"), std::string::npos) << e.what();
  }
}

// ---- GIF palette ---------------------------------------------------------------------------

Rgb8 to_rgb8(convt::gfx::Rgb c) {  // as the shader's RGBA8 output stores it
  auto u8 = [](float v) { return static_cast<uint8_t>(std::lround(v * 255.0f)); };
  return {u8(c.r), u8(c.g), u8(c.b)};
}

TEST(GifPalette, TheDivergingMapsWhiteCentreAndBothEndsAreExact) {
  GifPalette palette;
  using convt::gfx::Colormap;
  const Rgb8 zero = to_rgb8(convt::gfx::colormap_rgb(Colormap::kDiverging, 0.0f, -1.0f, 1.0f));
  EXPECT_EQ(zero, (Rgb8{247, 247, 247}));
  EXPECT_EQ(palette.index_of(zero), GifPalette::kDivergingCentre);
  EXPECT_EQ(palette.colours()[GifPalette::kDivergingCentre], zero);
  for (float v : {-1.0f, 1.0f}) {
    const Rgb8 end = to_rgb8(convt::gfx::colormap_rgb(Colormap::kDiverging, v, -1.0f, 1.0f));
    EXPECT_EQ(palette.colours()[palette.index_of(end)], end) << v;
  }
  EXPECT_EQ(palette.index_of({5, 48, 97}), GifPalette::kDivergingFirst);
  EXPECT_EQ(palette.index_of({103, 0, 31}),
            GifPalette::kDivergingFirst + GifPalette::kDivergingCount - 1);
}

TEST(GifPalette, EveryStopOfTheColourMapAndPureBlackAndWhiteMapToThemselves) {
  GifPalette palette;
  for (int i = 0; i < convt::gfx::kRdbuStopCount; ++i) {
    const Rgb8 stop = to_rgb8(convt::gfx::kRdbuR[i]);
    EXPECT_EQ(palette.colours()[palette.index_of(stop)], stop) << "stop " << i;
  }
  for (Rgb8 c : {Rgb8{255, 255, 255}, Rgb8{0, 0, 0}, Rgb8{255, 214, 0}, Rgb8{28, 31, 36}}) {
    EXPECT_EQ(palette.colours()[palette.index_of(c)], c);
  }
}

TEST(GifPalette, OtherColoursGoToANearEntryAndNeverToTheTransparentIndex) {
  GifPalette palette;
  int worst = 0;
  for (int r = 0; r < 256; r += 15)
    for (int g = 0; g < 256; g += 15)
      for (int b = 0; b < 256; b += 15) {
        const Rgb8 c{static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)};
        const uint8_t i = palette.index_of(c);
        ASSERT_NE(i, GifPalette::kTransparent);
        const Rgb8 p = palette.colours()[i];
        worst = std::max({worst, std::abs(p.r - r), std::abs(p.g - g), std::abs(p.b - b)});
      }
  EXPECT_LE(worst, 64);  // the 5 x 5 x 4 cube's half-spacing, about
  // A colour between two colour-map entries lands on one of the two.
  const Rgb8 between{250, 233, 223};  // halfway from the centre to the next stop
  const Rgb8 got = palette.colours()[palette.index_of(between)];
  EXPECT_LE(std::abs(got.r - 250) + std::abs(got.g - 233) + std::abs(got.b - 223), 12);
}

TEST(GifPalette, MapConvertsAWholeRow) {
  GifPalette palette;
  const uint8_t rgb[] = {247, 247, 247, 255, 255, 255, 5, 48, 97};
  uint8_t idx[3] = {};
  palette.map(rgb, 3, idx);
  EXPECT_EQ(idx[0], GifPalette::kDivergingCentre);
  EXPECT_EQ(palette.colours()[idx[1]], (Rgb8{255, 255, 255}));
  EXPECT_EQ(idx[2], 0);
}

}  // namespace

TEST(AnimationSchedule, ALatentRoundTripGoesUpToOneAndBackToZero) {
  const std::vector<float> ts = convt::lab::round_trip_ts(4);
  const std::vector<float> want = {0.0f, 1.0f / 3, 2.0f / 3, 1.0f, 2.0f / 3, 1.0f / 3, 0.0f};
  ASSERT_EQ(ts.size(), want.size());
  for (size_t i = 0; i < ts.size(); ++i) EXPECT_FLOAT_EQ(ts[i], want[i]) << i;
  EXPECT_EQ(convt::lab::round_trip_ts(2), (std::vector<float>{0.0f, 1.0f, 0.0f}));
  // The images shown: the way there's 0..3, then 2, 1, 0 again (t = image / 3, as above).
  std::vector<int> images;
  for (int frame = 0; frame < 7; ++frame) images.push_back(convt::lab::round_trip_image(frame, 4));
  EXPECT_EQ(images, (std::vector<int>{0, 1, 2, 3, 2, 1, 0}));
  for (int bad : {1, 0, 501}) {
    try {
      convt::lab::round_trip_ts(bad);
      ADD_FAILURE() << bad;
    } catch (const convt::lab::AnimationError& e) {
      EXPECT_NE(std::string(e.what()).find("--frames"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::to_string(bad)), std::string::npos) << e.what();
    }
  }
}
