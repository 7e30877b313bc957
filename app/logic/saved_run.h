// Saved runs (assets/runs/<name>/, lesson 8): a real training run kept on disk so the dashboard
// can show it read-only: its curves (log.csv), its generator's fixed-z sample grids at a few steps
// (PNG), and the diagnoses computed from them (logic/training_diagnoses.h). No GL.
//
//   assets/runs/mode_collapse/
//     run.json          what it is: title, the exact command, date, hyperparameters, seed, what
//                       to look for, the grid geometry, the grids (file, step), the trainer's
//                       error if a non-finite loss stopped it
//     log.csv           `convt-lab train`'s log, one row per step (step, epoch, loss_g, loss_d,
//                       d_real, d_fake, acc_real, acc_fake, ...); the dashboard's Export CSV
//                       (step, loss_G, loss_D, D(x), D(G(z)), ...) is read too
//     samples_step_00100.png ...   G(fixed z) after that step: `convt-lab sample` grids
//                       (convt::make_image_grid: 8 columns, pixels 2x2, 1 black pixel between
//                       tiles; run.json's "grid" says so)
//
// (scripts/make_saved_runs.sh makes the log and the grids; provenance in assets/README.md.)
//
// Everything a diagnosis needs is recomputed from these files: the curves from log.csv, the
// samples' diversity from the decoded grid, the class histogram by the dashboard's digit
// classifier on the decoded grid; of run.json only the trainer's error message (if any) feeds one.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "convt/nn/sequential.h"
#include "convt/tensor.h"
#include "convt/train/gan_trainer.h"
#include "logic/metric_series.h"
#include "logic/quality_score.h"
#include "logic/training_diagnoses.h"

namespace convt::lab {

// A file of a saved run that cannot be used: what() names the file (and the line, for CSV), what
// was expected and what was found.
class SavedRunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One sample grid of a saved run: G(fixed z) after `step` steps.
struct SavedGrid {
  int64_t step = 0;
  std::string file;        // path of the PNG
  Tensor samples;          // (N, 1, tile, tile) in [-1, 1], decoded from the PNG (8-bit)
  float diversity = 0.0f;  // batch_diversity(samples): mean per-pixel std over the grid
  bool has_score = false;  // set by score_saved_run()
  QualityScore score;      // of these N samples by the digit classifier
};

struct SavedRun {
  std::string name;      // the folder's name: "mode_collapse"
  std::string dir;       // the folder
  std::string title;     // "Mode collapse"
  std::string command;   // the exact command that made it
  std::string date;      // "2026-11-29"
  std::string commit;    // the commit whose build made it ("fdedfe8"; "" if not recorded): the
                         // trainer is deterministic per build, not across changes to it
  std::string look_for;  // what a student should see, with this run's numbers
  std::string model = "dcgan20", data = "digits";
  GanConfig gan;  // batch_size, lr_g, lr_d, beta1, beta2, seed (as trained)
  int threads = 1;
  std::string error;           // the trainer's message when a non-finite loss stopped it ("": none)
  MetricSeries series{16384};  // log.csv, one point per step (up to 16384 steps)
  std::vector<SavedGrid> grids;  // by step, ascending
  Tensor real;                   // (N, 1, 20, 20) real digits for comparison (score_saved_run)
  float real_diversity = -1.0f;  // batch_diversity(real); < 0: not computed
};

// Reads a training log: `convt-lab train`'s log.csv or the dashboard's Export CSV. Needs the
// columns step, loss_g|loss_G, loss_d|loss_D, d_real|D(x), d_fake|D(G(z)), acc_real, acc_fake
// (others are ignored); steps must increase. Throws SavedRunError naming `path` and the line for
// a missing file, a missing column, a short row, a value that is not a number, or a step that
// does not increase; an empty log (a header and no rows) is an error too.
std::vector<CurvePoint> read_training_log(const std::string& path);

// Decodes a PNG grid written by convt::make_image_grid(images, cols, scale, padding) of `count`
// 1-channel tile x tile images back to (count, 1, tile, tile) in [-1, 1] (convt::pixel_to_unit
// of the top-left pixel of each scale x scale block). Throws SavedRunError naming `path` if it
// cannot be decoded or its size is not the grid's (expected vs found).
Tensor read_png_grid(const std::string& path, int count, int tile, int cols, int scale,
                     int padding);

// Loads `dir`/run.json, its log and its grids. Throws SavedRunError naming the file for anything
// missing or malformed. Does not score the grids (score_saved_run()).
SavedRun load_saved_run(const std::string& dir);

// The folder of the shipped saved run `name` (assets/runs/<name>, via convt::asset_path).
std::string saved_run_dir(const std::string& name);
// The saved runs in `runs_dir`: the names of its folders that hold a run.json, sorted (empty if
// there are none or `runs_dir` is not a directory). Reads the directory each call: the dashboard
// calls it when its "Saved runs..." popup opens, not every frame.
std::vector<std::string> list_saved_runs_in(const std::string& runs_dir);
// The shipped saved runs: list_saved_runs_in() of the first assets directory that has a runs/.
std::vector<std::string> list_saved_runs();

// Fills `real` and `real_diversity` (if not yet done) with as many real digits as the last grid
// holds (64 without grids), picked as the dashboard picks them (the built-in digits spread
// evenly). The diversity diagnosis of mode collapse needs these, not the classifier. Throws what
// the dataset loader throws.
void add_real_digits(SavedRun& run);

// Scores every grid with the digit classifier (class histogram, quality score), then
// add_real_digits(). Throws what the classifier or the dataset loader throw.
void score_saved_run(SavedRun& run, nn::Sequential& classifier);

// The diagnoses of the run as the dashboard would give them at its end: the curves, the last
// grid's diversity against the real digits', the last grid's class histogram (when scored),
// and the trainer's error.
std::vector<Diagnosis> diagnose_saved_run(const SavedRun& run);

}  // namespace convt::lab
