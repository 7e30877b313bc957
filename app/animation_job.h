// Exporting an animation: frames drawn by the panels' own code into an offscreen ImGui frame
// (gfx/offscreen.h), written by export/animation_writer.h. The CLI (`convt-lab animate`,
// app/animate_command.cpp) runs a job to the end in a headless EGL context; the window runs it
// a few frames per loop iteration (pump_animation_export) with a progress bar and Cancel.
//
//   stepper    the stepper panel (panels/stepper_panels.h) on a copy of the model and view,
//              position stepped through lab::stepper_positions(from, to), right-hand slot as
//              asked (scatter: the running output; gather; overlap)
//   timelapse  a run's sample grids (lab::timelapse_frames), each with its step and epoch
//   formula    the formula panel, one parameter swept across (part of) its slider's range
//   latent     G(z) as z moves from A to B and back (the latent explorer's interpolation)
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "export/animation_writer.h"
#include "gfx/offscreen.h"
#include "logic/animation_schedule.h"
#include "logic/formula_model.h"
#include "logic/latent_model.h"
#include "logic/stepper_model.h"
#include "logic/stepper_view.h"
#include "widgets/palette.h"

namespace convt {

// The look of the exported frames: the window's UI scale and theme (the CLI's: 100, dark).
struct FrameLook {
  int scale_percent = 100;
  widgets::Theme theme = widgets::Theme::kDark;
};

class AnimationJob {
 public:
  // Draws frame i (0-based) into the current ImGui window.
  using DrawFrame = std::function<void(int frame, gfx::HeatmapRenderer& heatmaps)>;

  // Opens the writer (the temporary file) and the offscreen frame; needs a current GL 3.3
  // context. `delays_cs` has one delay per frame (lab::frame_delays_cs). Throws
  // lab::AnimationError (bad path, size) or std::runtime_error (GL).
  AnimationJob(const lab::AnimationRequest& request, std::vector<int> delays_cs, DrawFrame draw,
               FrameLook look);

  int frame_count() const { return static_cast<int>(delays_.size()); }
  int frames_done() const { return next_; }
  bool all_rendered() const { return next_ >= frame_count(); }
  // Draws, reads back and writes the next frame. Throws as the writer does.
  void render_next();
  // After all frames: completes the file and renames it into place. Returns its size in bytes.
  int64_t finish();
  const std::string& path() const { return writer_->path(); }

 private:
  std::unique_ptr<exporting::AnimationWriter> writer_;
  gfx::OffscreenImGui offscreen_;
  std::vector<int> delays_;
  DrawFrame draw_;
  int next_ = 0;
};

// The stepper run from request.from to request.to events, on copies of `model` and `view`.
// Throws lab::AnimationError naming --from / --to / --fps when they do not fit the run.
std::unique_ptr<AnimationJob> make_stepper_job(const lab::StepperModel& model,
                                               const lab::StepperView& view,
                                               const lab::AnimationRequest& request,
                                               FrameLook look);

// The sample grids of `run_dir` (lab::timelapse_frames; at most kMaxAnimationFrames of them,
// evenly spaced, the last included), each shown `1 / fps` seconds, the last held longer. Checks
// every grid's header first: throws lab::AnimationError naming a file that cannot be read.
std::unique_ptr<AnimationJob> make_timelapse_job(const std::string& run_dir,
                                                 const lab::AnimationRequest& request,
                                                 FrameLook look);

// The formula panel with request.sweep_param (a formula_param_ranges() name) going from
// request.from to request.to, one value a frame, the other parameters as in `view`. Throws
// lab::AnimationError naming --param / --from / --to.
std::unique_ptr<AnimationJob> make_formula_job(const lab::FormulaView& view,
                                               const lab::AnimationRequest& request,
                                               FrameLook look);

// The two ends of a latent interpolation and how it runs between them.
struct LatentPath {
  lab::Latent a, b;
  lab::Interpolation mode = lab::Interpolation::kSpherical;
  std::string a_what, b_what;  // "z of seed 7"
};

// G(z) for z at t = round_trip_ts(request.frames_each_way)[i] on `path` (lerp or slerp), A -> B
// -> A, each frame the image as large as fits with t, the mode and the two ends named; the
// images are computed here with `model`'s G, before anything is written. Throws
// lab::AnimationError when no generator is loaded or --frames is out of range.
std::unique_ptr<AnimationJob> make_latent_job(lab::LatentModel& model, const LatentPath& path,
                                              const lab::AnimationRequest& request,
                                              FrameLook look);

// Makes the job a request asks for (make_stepper_job or make_timelapse_job on the panel's data).
using MakeAnimationJob =
    std::function<std::unique_ptr<AnimationJob>(const lab::AnimationRequest& request)>;

// The window's side of an export: starts `exp.request` with `make` when `exp.pending` (making
// the output's folder first), renders frames for up to `budget_seconds`, honours Cancel,
// finishes, and reports in `exp.progress`. `job` holds the export under way between calls.
// Call between frames, with the window's GL context current.
void pump_animation_export(lab::AnimationExport& exp, std::unique_ptr<AnimationJob>& job,
                           const MakeAnimationJob& make, double budget_seconds);

}  // namespace convt
