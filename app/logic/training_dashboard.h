// The training dashboard without GL: the form (model, data, hyperparameters), the worker's
// latest snapshot, a saved run opened read-only, the exports, and the headless run of a
// screenshot. Training itself runs in lab::TrainingSession (logic/training_session.h) on a
// worker thread; the panel (app/panels/training.cpp) draws this state and calls the functions
// below. Another panel reaches it only through lab::Navigator (logic/navigator.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "logic/animation_schedule.h"
#include "logic/folder_browser.h"
#include "logic/image_tiles.h"
#include "logic/lessons_model.h"
#include "logic/saved_run.h"
#include "logic/training_session.h"

namespace convt::lab {

// The dashboard's data choice (its radio buttons); config_from_form turns it into
// SessionConfig::data.
enum class DataChoice { kDigits, kFashionMnist, kFolder, kEmoji };

// Everything the training dashboard keeps but its textures. One member of AppState
// (`training`). Destroying it (the window closing) stops the worker between steps and saves the
// run's checkpoint.
struct TrainingDashboard {
  std::unique_ptr<TrainingSession> session;  // created on the first draw (or link)
  TrainingSnapshot snap;                     // the latest copy from the worker
  SessionConfig form;                        // the controls (used by Start)
  bool form_ready = false;                   // defaults (fast start preset) applied
  std::vector<std::string> models;           // assets/models/*.json names
  int model_index = 0;
  // The preset buttons of models[presets_model] (training_presets of its spec), read again by
  // follow_selected_model when model_index changes; presets_error says why the built-in ones are
  // shown instead (the spec could not be read, or a preset is out of range).
  std::vector<TrainingPreset> presets;
  int presets_model = -1;
  std::string presets_error;
  DataChoice data_choice = DataChoice::kDigits;
  // Set when follow_selected_model moved the data off the grayscale digits / Fashion-MNIST for a
  // colour model: the choice it left, restored for the next grayscale model unless the student
  // has chosen the data since (the panel's radio buttons clear it).
  bool data_switched = false;
  DataChoice data_before_switch = DataChoice::kDigits;
  bool fashion_installed = false;
  bool emoji_installed = false;  // scripts/setup.sh --with-emoji
  char folder[512] = "";
  FolderListing browse;  // the "Browse..." popup's folder (logic/folder_browser.h)
  char checkpoint_path[512] = "runs/dashboard/checkpoint.safetensors";
  nn::Backend backend = nn::Backend::fast;
  int smoothing = 10;  // moving-average window of the curves (steps of the series)
  bool timelapse = false;
  // "Export time-lapse...": the request main.cpp takes, and its progress.
  AnimationExport animation;
  bool grad_norms = false;  // curves show per-layer gradient norms (the session records them)
  std::string note;         // the result of the last export or saved-run action (UI side)
  bool note_ok = true;

  // Tiled grids (one channel: the heatmap renderer draws them), re-tiled when the snapshot's
  // samples change; UINT64_MAX: re-tile on the next draw.
  uint64_t tiled_samples_version = UINT64_MAX;
  TiledImage sample_tiles, real_tiles, ema_tiles;
  // Beside G's grid: G_ema's when the run keeps an averaged G, unless the real images are asked
  // for (always the real images when it does not).
  bool real_beside = false;

  // A saved run opened read-only (assets/runs/<name>, logic/saved_run.h; lesson 8): while set,
  // the panel shows it (curves, grids, diagnoses) instead of the live session, with a banner and
  // no training controls. The live run, if any, was paused and saved when it opened.
  std::shared_ptr<const SavedRun> saved;
  int saved_grid = 0;  // the grid shown, index into saved->grids
  // The "Saved runs..." popup's list (list_saved_runs()), read when the popup opens, not
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

// ---- The form -------------------------------------------------------------------------------

// Fills the form's defaults (the "fast start" preset, the fast backend, every core, the model
// list, which datasets are installed) once: does nothing when form_ready. Called by the first
// draw, and by code that sets the form before the panel is drawn (a lesson's Show me).
void init_training_form(TrainingDashboard& dash);
// Sets the form for the selected model (models[model_index]) when it is not the one it was set
// for: reads its preset buttons, and when the form's hyperparameters are still one of the old
// model's presets (untouched since a button or the start), they become the new model's preset of
// that name, so "fast start" follows the model, as `convt-lab train --model M` does; values the
// student typed are kept. The data follows the model's channels (its spec's image_shape[0]): a
// colour model on the grayscale digits or Fashion-MNIST moves to the emoji (to the folder when
// they are not installed); a grayscale model goes back to what that move left, or from the emoji
// to the digits; a folder the student chose stays.
void follow_selected_model(TrainingDashboard& dash);
// The session's configuration from the form: its model (models[model_index], "dcgan20" with no
// list), its data ("digits", "fashion-mnist", the folder, "emoji" for the four DataChoice values)
// and its backend.
SessionConfig config_from_form(const TrainingDashboard& dash);
// The input checks of the form's fields: batch size within 2..1024; lr_G, lr_D within
// [1e-7, 1]; beta1 within [0, 0.999], beta2 within [0, 0.9999]; a negative seed becomes 0.
int64_t checked_batch_size(int batch);
void check_hyperparameters(GanConfig& gan);
uint64_t checked_seed(int seed);

// ---- Runs -------------------------------------------------------------------------------------

// Saves the session's run, when it has taken steps, to <run_dir>/before_lesson_stepN.safetensors
// (N its steps; run_dir from `snap`'s configuration), queued on the worker. Returns N and that
// path; the path is "" when the run has taken no steps (nothing saved). Used before another run
// replaces it or a saved run hides it: nothing of the student's run is lost.
struct RunSavedBefore {
  int64_t steps = 0;
  std::string path;
};
RunSavedBefore save_before_lesson(TrainingSession& session, const TrainingSnapshot& snap);
// A lesson's training Show me (its "lesson run"): closes a saved run, sets the form to
// `target`'s preset (and lr_G / lr_D when given) on dcgan20 and the built-in digits, and, for
// an action other than kNone, saves a run in progress (save_before_lesson; `note` says where)
// and starts a new run (kStart) or prepares one and takes one Step A (kStepA). With a saved run
// named, opens it instead (open_saved_run). Throws std::logic_error for an unknown preset.
void start_lesson_run(TrainingDashboard& dash, const TrainingTarget& target, std::string* note);

// ---- Exports (the FILES section) -------------------------------------------------------------

// Writes G's current fixed-z grid (8 per row, 4 px apart) to
// <run_dir>/samples_step_<step>.png; nothing without samples. Sets note / note_ok to what
// happened ("wrote PATH" or the error).
void export_sample_grid(TrainingDashboard& dash);
// Writes the curves and their events to <run_dir>/metrics.csv; sets note / note_ok likewise.
void export_metrics_csv(TrainingDashboard& dash);

// ---- A saved run, read-only -----------------------------------------------------------------

// What the panel draws for grid `g` of a saved run: its curves, that grid, its score; version
// g + 1, and the live session's next snapshot replaces it when the saved run is closed. Throws
// std::out_of_range for a bad g.
TrainingSnapshot saved_snapshot(const SavedRun& run, int g);
// Shows grid g (clamped to the run's grids) of the open saved run.
void show_saved_grid(TrainingDashboard& dash, int g);
// Opens the saved run in `dir` (saved_run_dir(name) for a shipped one) read-only: loads and
// scores it (logic/saved_run.h), then pauses the live run (also one still loading or queued) and,
// if it has taken steps, saves it (save_before_lesson; "Close (back to the dashboard)" brings it
// back). `note` says what happened to the live run. Throws SavedRunError (nothing changed) for a
// bad saved run. Needs no GL context.
void open_saved_run(TrainingDashboard& dash, const std::string& dir, std::string* note = nullptr);
// Back to the live session (the paused run, if any, is shown again as it was).
void close_saved_run(TrainingDashboard& dash);
// "Run it yourself": closes the saved run and starts a new live run with its settings (model,
// the built-in digits, batch, lr_G, lr_D, betas, seed, threads; the spec's init; fast backend).
// The run it replaces was saved when the saved run opened. Nothing happens without a saved run;
// a saved run of a model this dashboard lacks, or of other data, starts nothing and says so in
// the note.
void run_saved_run_live(TrainingDashboard& dash);

// ---- Screenshots ------------------------------------------------------------------------------

// Screenshot mode: starts training now with the "fast start" preset on the fast backend
// (`threads` threads) for the screenshot taken after `seconds` seconds of training.
void begin_headless_training(TrainingDashboard& dash, double seconds, int threads = 2);
// True when no headless run was asked for, or when it has trained for its seconds and its sample
// grid was drawn after that. Called once a frame, from the UI thread; the window draws on the
// schedule of an interactive one (logic/frame_scheduler.h), so the run trains as it would there.
// When ready it prints the steps trained, the frames drawn per second, and the UI thread's share
// of a core (its CPU time over the wall time; llvmpipe's own threads not included).
bool headless_training_ready(TrainingDashboard& dash);
// Screenshot mode after --show-me: false (after a 30 ms sleep) while a Show me's training command
// is still being carried out (a run loading, or its Step A), so the picture shows its result.
bool lesson_run_ready(const TrainingDashboard& dash);

}  // namespace convt::lab
