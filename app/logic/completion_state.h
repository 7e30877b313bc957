// The completion panel's state without GL: the two models (tied, untied), the held-out digits,
// the input (a digit or a drawing), what is compared and which lower tab is open, and
// completion_open(), which sets it up as a lesson asks. The numbers come from lab::CompletionModel
// (logic/completion_model.h); the panel (app/panels/completion.cpp) draws this state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "convt/data/dataset.h"
#include "convt/train/masks.h"
#include "logic/background_load.h"
#include "logic/completion_model.h"

namespace convt::lab {

// Which models the panel compares.
enum class CompletionShow { kBoth, kTiedOnly, kUntiedOnly };
const char* completion_show_name(CompletionShow show);  // "both", "tied_only", "untied_only"
// Which lower tab is open: iterative refinement or drawing from a blank canvas.
enum class CompletionSection { kRefine, kBlankCanvas };
const char* completion_section_name(CompletionSection section);  // "refine", "blank_canvas"

// What a lesson asks the completion panel to show (completion_open()). region, show and section
// are always applied; the other fields left at their "keep" value (-1 or 0) leave the panel's
// current setting alone.
struct CompletionRequest {
  MaskKind region = MaskKind::bottom_half;
  CompletionShow show = CompletionShow::kBoth;
  CompletionSection section = CompletionSection::kRefine;
  int heldout_digit = -1;   // index into the 1000 held-out digits; -1 keep; ignored when blank
  bool blank = false;       // start from an empty canvas for the student to draw on
  int refine_passes = 0;    // 1..CompletionModel::kMaxPasses; 0 keep
  int64_t blank_seed = -1;  // seed of the blank-canvas codes; -1 keep
};

// Everything the completion panel keeps; no GL. One member of AppState (`completion`).
struct CompletionState {
  CompletionModel model;
  bool started = false;         // the first draw loads the shipped models, logs and held-out digits
  bool load_cancelled = false;  // Cancel was pressed during that first load
  // ... off the UI thread, with a spinner meanwhile (false: at once, as screenshots need).
  bool load_in_background = true;
  BackgroundLoad<std::shared_ptr<CompletionState>> loading;  // that first load
  Dataset heldout;  // every 10th built-in digit (1000), as complete-train held them out
  std::string data_error;

  // The input: held-out digit `digit`, or the student's drawing once they draw or clear.
  int digit = 600;  // a 6 whose loop the bottom-half models must guess
  bool drawn = false;
  uint64_t pick_seed = 1;  // "Random digit"
  bool erase = false;      // the brush: draw (false) or erase
  StrokeState stroke;      // the stroke the mouse is drawing on the canvas

  CompletionShow show = CompletionShow::kBoth;
  CompletionSection section = CompletionSection::kRefine;
  bool select_section = false;  // select `section`'s tab on the next frame
  int refine_passes = 5;
  uint64_t blank_seed = 1;
  int blank_count = 8;

  // Held-out MSE of each model with the current region, computed once per region (cached).
  MaskKind eval_region = MaskKind::bottom_half;
  uint64_t eval_square_seed = 0;
  bool eval_valid = false;
  CompletionEval eval[2];
};

// The shipped models and their training logs (assets/README.md says how they were trained).
inline constexpr const char* kCompletionCheckpoint[2] = {
    "checkpoints/completion28_tied.safetensors", "checkpoints/completion28_untied.safetensors"};
inline constexpr const char* kCompletionLog[2] = {"runs/completion28/tied/log.csv",
                                                  "runs/completion28/untied/log.csv"};

// Loads the shipped models, their logs and the held-out digits into `state` (the panel's first
// load; errors are kept in the model and in data_error for the panel to show) and marks it
// started.
void completion_load(CompletionState& state);
// Makes held-out digit `digit` (clamped to the 1000) the input; nothing without held-out digits.
void completion_pick_digit(CompletionState& state, int digit);

// Sets the panel up as a lesson asks (region, models compared, section, input). Loads the models
// first if the panel was never drawn. Switching to the tab is the caller's (lab::Navigator).
void completion_open(CompletionState& state, const CompletionRequest& request);

}  // namespace convt::lab
