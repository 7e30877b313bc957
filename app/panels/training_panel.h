// The training dashboard panel: its state and its draw function. Training itself runs
// in lab::TrainingSession (app/logic/training_session.h) on a worker thread; this panel only
// queues commands and draws the snapshots the worker publishes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/folder_browser.h"
#include "logic/image_tiles.h"
#include "logic/saved_run.h"
#include "logic/training_session.h"

namespace convt::panels {

// Everything the training panel keeps. One member of AppState (`training`). Destroying it (the
// window closing) stops the worker between steps and saves the run's checkpoint.
struct TrainingState {
  std::unique_ptr<lab::TrainingSession> session;  // created on the first draw
  lab::TrainingSnapshot snap;                     // the latest copy from the worker
  lab::SessionConfig form;                        // the controls (used by Start)
  bool form_ready = false;                        // defaults (fast start preset) applied
  std::vector<std::string> models;                // assets/models/*.json names
  int model_index = 0;
  int data_choice = 0;  // 0 digits, 1 Fashion-MNIST, 2 folder, 3 emoji (RGB)
  bool fashion_installed = false;
  bool emoji_installed = false;  // scripts/setup.sh --with-emoji
  char folder[512] = "";
  lab::FolderListing browse;  // the "Browse..." popup's folder (logic/folder_browser.h)
  char checkpoint_path[512] = "runs/dashboard/checkpoint.safetensors";
  int backend = 1;     // 0 naive, 1 fast
  int smoothing = 10;  // moving-average window of the curves (steps of the series)
  bool timelapse = false;
  bool grad_norms = false;  // curves show per-layer gradient norms (the session records them)
  std::string note;         // the result of the last export (UI side)
  bool note_ok = true;

  // Tiled grids, re-tiled when the snapshot's samples change.
  uint64_t tiled_samples_version = UINT64_MAX;
  lab::TiledImage sample_tiles, real_tiles, ema_tiles;  // 1 channel: the heatmap renderer
  gfx::RgbTexture sample_rgb, real_rgb, ema_rgb;        // 3 channels (rgb32, dcgan64): colour
  // Beside G's grid: G_ema's when the run keeps an averaged G, unless the real images are asked
  // for (always the real images when it does not).
  bool real_beside = false;

  // A saved run opened read-only (assets/runs/<name>, logic/saved_run.h; lesson 8): while set,
  // the panel shows it (curves, grids, diagnoses) instead of the live session, with a banner and
  // no training controls. The live run, if any, was paused and saved when it opened.
  std::shared_ptr<const lab::SavedRun> saved;
  int saved_grid = 0;  // the grid shown, index into saved->grids
  // The "Saved runs..." popup's list (lab::list_saved_runs()), read when the popup opens, not
  // every frame; each opening reads it again, so runs added meanwhile show up.
  std::vector<std::string> saved_run_names;
  bool open_saved_runs = false;  // open that popup on the next draw, as its button does

  // --train-seconds T (screenshot mode): train T seconds, then the screenshot may be taken.
  double headless_seconds = -1.0;
  // Meanwhile, for its report: frames drawn, and the wall clock and the UI thread's CPU time
  // (seconds) when the run was started.
  int64_t headless_frames = 0;
  double headless_began_seconds = 0.0;
  double headless_began_cpu_seconds = 0.0;
};

void draw_training_panel(TrainingState& state, gfx::HeatmapRenderer& heatmaps);

// Fills the form's defaults (the "fast start" preset, the fast backend, the model list) once, as
// the first draw does; for code that sets the form before the panel is drawn (a lesson's Show me).
void training_init_form(TrainingState& state);

// Opens the saved run in `dir` (lab::saved_run_dir(name) for a shipped one) read-only: loads and
// scores it (logic/saved_run.h), then pauses the live run (also one still loading or queued) and,
// if it has taken steps, saves it to <run_dir>/before_lesson_stepN.safetensors ("Close (back to
// the dashboard)" brings it back). `note` says what happened to the live run. Throws
// lab::SavedRunError (nothing changed) for a bad saved run. Needs no GL context.
void training_open_saved_run(TrainingState& state, const std::string& dir,
                             std::string* note = nullptr);
// Back to the live session (the paused run, if any, is shown again as it was).
void training_close_saved_run(TrainingState& state);
// "Run it yourself": closes the saved run and starts a new live run with its settings (model,
// the built-in digits, batch, lr_G, lr_D, betas, seed, threads; the spec's init; fast backend).
// The run it replaces was saved when the saved run opened. Nothing happens without a saved run;
// a saved run of a model this dashboard lacks, or of other data, starts nothing and says so in
// the note.
void training_run_saved_run_live(TrainingState& state);

// Screenshot mode: starts training now with the "fast start" preset on the fast backend
// (`threads` threads) for the screenshot taken after `seconds` seconds of training.
void training_begin_headless(TrainingState& state, double seconds, int threads = 2);
// True when no headless run was asked for, or when it has trained for its seconds and its sample
// grid was drawn after that. Called once a frame, from the UI thread; the window draws on the
// schedule of an interactive one (logic/frame_scheduler.h), so the run trains as it would there.
// When ready it prints the steps trained, the frames drawn per second, and the UI thread's share
// of a core (its CPU time over the wall time; llvmpipe's own threads not included).
bool training_screenshot_ready(TrainingState& state);

}  // namespace convt::panels
