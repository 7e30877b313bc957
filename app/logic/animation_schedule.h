// What an exported animation shows and when, without GL: the frames of a stepper run or of a
// training time-lapse, each frame's delay, and the request a panel sends to start an export
// (main.cpp renders it; app/animation_job.h) with the progress it reads back.
//
//   stepper   frame i shows the stepper after positions[i] events: from, from + stride, ...,
//             to (always the last), stride 1 unless that would exceed kMaxFrames frames
//   timelapse frame i shows sample grid i of a run (logic/saved_run.h reads no grids; this
//             header finds RUN_DIR/samples_epoch_NNN.png and samples_step_NNNNN.png)
//   latent    frame i shows G(z) at t = round_trip_ts(n)[i] on the interpolation A -> B -> A
//   delays    in hundredths of a second (GIF's unit): frames at `fps` whose delays add up to
//             the exact time, and the last frame held kHoldSeconds longer before the loop
//             starts again
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace convt::lab {

// Bad export settings: the message names the setting, what was expected and what was found.
class AnimationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kMaxAnimationFrames = 2000;  // a stepper run longer than this is strided
inline constexpr double kHoldSeconds = 1.5;       // the last frame, before the loop restarts
inline constexpr int kMinFps = 1, kMaxFps = 50;   // GIF delays are 1/100 s: 50 fps is 2 cs
inline constexpr int kMinAnimationWidth = 320, kMinAnimationHeight = 240;
inline constexpr int kMaxAnimationWidth = 3840, kMaxAnimationHeight = 2160;

enum class AnimationFormat { kGif, kMp4 };

// The format a path's extension names (".gif", ".mp4", any case); nullopt for another.
std::optional<AnimationFormat> animation_format_for(const std::string& path);

// The stepper positions (events done, 0..event_count) to show, first `from`, last `to`, in steps
// of max(1, ceil((to - from) / (kMaxAnimationFrames - 1))). `to` < 0 means event_count.
// Throws AnimationError naming --from / --to for from > to or to > event_count.
std::vector<int64_t> stepper_positions(int64_t event_count, int64_t from, int64_t to);

// The delays of `frame_count` frames at `fps` frames per second, in 1/100 s: frame i lasts
// round((i + 1) * 100 / fps) - round(i * 100 / fps), so the sum is the exact total (12 fps:
// 8, 9, 8, 8, 9, 8, ...), and the last frame kHoldSeconds more. Each delay is at least 2
// (browsers show a delay of 0 or 1 as 10). Throws AnimationError for fps outside kMinFps..kMaxFps
// or frame_count < 1.
std::vector<int> frame_delays_cs(int frame_count, int fps);

// One saved sample grid of a training run.
struct TimelapseFrame {
  std::string path;    // RUN_DIR/samples_epoch_003.png
  int64_t epoch = -1;  // from samples_epoch_NNN.png (1-based, as named); -1 if unknown
  int64_t step = -1;   // samples_step_NNNNN.png's, or the step log.csv gives the epoch's end
};

// The sample grids of `run_dir` in training order: samples_epoch_NNN.png by epoch,
// samples_step_NNNNN.png by step (samples_latest.png is not a time point), or the training
// dashboard's time-lapse frames (<run>/timelapse/frame_NNNNN_step_S.png) by N. An epoch grid's step
// is the last step of that epoch in RUN_DIR/log.csv (its rows: step, epoch, ...), when the log
// has it. Throws AnimationError naming the folder when it does not exist, is not a folder, or
// holds no grid.
std::vector<TimelapseFrame> timelapse_frames(const std::string& run_dir);

// The caption of a time-lapse frame: "step 1170 (epoch 3)", "step 600", "epoch 3".
std::string timelapse_caption(const TimelapseFrame& frame);

// The values a formula sweep shows: from, from +- 1, ..., to (down when from > to), both in
// [lo, hi], the range of parameter `name`. Throws AnimationError naming --from / --to, the
// parameter and its range.
std::vector<int> sweep_values(const std::string& name, int lo, int hi, int from, int to);

// The t of each frame of a latent interpolation A -> B and back: 0, 1/(n-1), ..., 1, then back
// down to 0 (2n - 1 frames, A first and last, B once in the middle), n = frames_each_way.
// Throws AnimationError naming --frames for n outside kMinLatentFrames..kMaxLatentFrames.
inline constexpr int kMinLatentFrames = 2, kMaxLatentFrames = 500;
std::vector<float> round_trip_ts(int frames_each_way);
// Which image of the way there (0 .. n-1, t = image / (n-1)) frame `frame` of that round trip
// (0 .. 2n-2) shows: `frame` on the way there, 2(n-1) - frame on the way back.
int round_trip_image(int frame, int frames_each_way);

// What the stepper panel shows in an exported animation's right-hand slot.
enum class AnimationView { kScatter, kGather, kOverlap };
const char* animation_view_name(AnimationView view);  // "scatter", "gather", "overlap"
std::optional<AnimationView> find_animation_view(const std::string& name);

// The export a panel asks for (its "Export animation..." dialog), and how it is going: the panel
// writes `request` and sets `pending`; main.cpp starts the job, clears `pending`, and keeps
// `progress` up to date; the panel's Cancel sets `progress.cancel_requested`.
struct AnimationRequest {
  std::string path;  // .gif or .mp4
  int width = 1280, height = 800;
  int fps = 12;
  int64_t from = 0, to = -1;  // stepper: events; -1: the last
  AnimationView view = AnimationView::kGather;
  std::string source_dir;   // timelapse: the folder of sample grids
  std::string sweep_param;  // formula sweep: the parameter moved from `from` to `to`
  int frames_each_way = 24;  // latent: frames from A to B (round_trip_ts)
};

struct AnimationProgress {
  bool running = false;
  int frames_done = 0, frame_count = 0;
  bool cancel_requested = false;
  std::string
      message;  // the last result: "wrote runs/x.gif (626 frames, 3.1 MB, 9.8 s)" or why not
  bool failed = false;  // message is an error
};

struct AnimationExport {
  bool pending = false;  // request waits for main.cpp
  AnimationRequest request;
  AnimationProgress progress;
};

}  // namespace convt::lab
