// The window's side of an export (app/animation_job.h): a request from the stepper panel or the
// training dashboard, pumped between frames as main.cpp does, in a headless EGL context (no
// display needed): the file and the progress it reports, Cancel, and a bad request.
#include <gif_lib.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "animation_job.h"
#include "convt/io/png.h"

namespace {

namespace fs = std::filesystem;
using namespace convt;

int gif_frame_count(const fs::path& path, int* width = nullptr) {
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (gif == nullptr) return -1;
  const int n = DGifSlurp(gif) == GIF_OK ? gif->ImageCount : -1;
  if (width) *width = gif->SWidth;
  DGifCloseFile(gif, &error);
  return n;
}

class AnimationJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convt_animation_job_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    lab::stepper_load_preset(model_, view_, "gan");
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Pumps until the export is over (at most `max_calls` times); returns the calls made.
  int pump_until_done(lab::AnimationExport& exp, std::unique_ptr<AnimationJob>& job,
                      const MakeAnimationJob& make, int max_calls = 500) {
    int calls = 0;
    do {
      pump_animation_export(exp, job, make, 0.01);
      ++calls;
    } while ((exp.pending || exp.progress.running) && calls < max_calls);
    return calls;
  }
  MakeAnimationJob stepper_maker() {
    return [this](const lab::AnimationRequest& r) {
      return make_stepper_job(model_, view_, r, FrameLook{});
    };
  }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(dir_))
      if (e.is_regular_file()) names.push_back(fs::relative(e.path(), dir_).string());
    return names;
  }
  fs::path dir_;
  gfx::HeadlessGl gl_;
  lab::StepperModel model_;
  lab::StepperView view_;
};

TEST_F(AnimationJobTest, TheStepperPanelsRequestIsWrittenAndReported) {
  lab::AnimationExport exp;
  exp.request.path = (dir_ / "sub" / "gan.gif").string();  // its folder is made
  exp.request.width = 320;
  exp.request.height = 240;
  exp.request.to = 5;
  exp.pending = true;
  std::unique_ptr<AnimationJob> job;
  pump_until_done(exp, job, stepper_maker());
  EXPECT_FALSE(exp.pending);
  EXPECT_FALSE(exp.progress.running);
  EXPECT_FALSE(exp.progress.failed) << exp.progress.message;
  EXPECT_NE(exp.progress.message.find("wrote " + exp.request.path + " (6 frames"),
            std::string::npos)
      << exp.progress.message;
  int width = 0;
  EXPECT_EQ(gif_frame_count(dir_ / "sub" / "gan.gif", &width), 6);
  EXPECT_EQ(width, 320);
  EXPECT_EQ(job, nullptr);
  // The panel's own position is untouched: the export ran on a copy.
  EXPECT_EQ(model_.position(), 0);
}

TEST_F(AnimationJobTest, CancelStopsItAndLeavesNoFile) {
  lab::AnimationExport exp;
  exp.request.path = (dir_ / "gan.gif").string();
  exp.request.width = 320;
  exp.request.height = 240;
  exp.pending = true;
  std::unique_ptr<AnimationJob> job;
  pump_animation_export(exp, job, stepper_maker(), 0.01);
  ASSERT_TRUE(exp.progress.running);
  EXPECT_EQ(exp.progress.frame_count, 626);
  EXPECT_LT(exp.progress.frames_done, 626);
  ASSERT_EQ(files().size(), 1u);  // the temporary
  exp.progress.cancel_requested = true;
  pump_animation_export(exp, job, stepper_maker(), 0.01);
  EXPECT_FALSE(exp.progress.running);
  EXPECT_NE(exp.progress.message.find("cancelled"), std::string::npos) << exp.progress.message;
  EXPECT_EQ(job, nullptr);
  EXPECT_EQ(files(), std::vector<std::string>{});
}

TEST_F(AnimationJobTest, ABadRequestIsReportedNotThrown) {
  lab::AnimationExport exp;
  exp.request.path = (dir_ / "gan.gif").string();
  exp.request.to = 9999;
  exp.pending = true;
  std::unique_ptr<AnimationJob> job;
  pump_animation_export(exp, job, stepper_maker(), 0.01);
  EXPECT_TRUE(exp.progress.failed);
  EXPECT_NE(exp.progress.message.find("--to: expected at most 625"), std::string::npos)
      << exp.progress.message;
  EXPECT_EQ(files(), std::vector<std::string>{});
}

TEST_F(AnimationJobTest, TheDashboardsTimelapseFramesBecomeOneFrameEach) {
  fs::create_directories(dir_ / "run" / "timelapse");
  for (int i = 0; i < 3; ++i) {
    const std::string name =
        "frame_0000" + std::to_string(i) + "_step_" + std::to_string(40 * i) + ".png";
    write_png_grid((dir_ / "run" / "timelapse" / name).string(),
                   Tensor({4, 1, 6, 6}, -0.9f + 0.8f * static_cast<float>(i)), 2, 2);
  }
  const std::vector<lab::TimelapseFrame> frames =
      lab::timelapse_frames((dir_ / "run" / "timelapse").string());
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(lab::timelapse_caption(frames[2]), "step 80");
  lab::AnimationExport exp;
  exp.request.source_dir = (dir_ / "run" / "timelapse").string();
  exp.request.path = (dir_ / "run" / "timelapse.gif").string();
  exp.request.width = 320;
  exp.request.height = 240;
  exp.request.fps = 4;
  exp.pending = true;
  std::unique_ptr<AnimationJob> job;
  pump_until_done(exp, job, [](const lab::AnimationRequest& r) {
    return make_timelapse_job(r.source_dir, r, FrameLook{});
  });
  EXPECT_FALSE(exp.progress.failed) << exp.progress.message;
  EXPECT_EQ(gif_frame_count(dir_ / "run" / "timelapse.gif"), 3);
}

}  // namespace
