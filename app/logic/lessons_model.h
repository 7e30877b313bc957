// Lessons: the student's questions, each answered in a screen of plain words, with a
// "Show me" that sets up another panel in the state that shows the answer. No GL, no ImGui.
//
//   lessons()            the lessons, in order: text, formulas, and their Show me targets, read
//                        once from assets/lessons/*.json (one file a lesson, in file-name order;
//                        the format: assets/lessons/README.md)
//   load_lessons(dir)    the same from any folder, strictly checked: a file that cannot be used
//                        becomes a Lesson whose load_error names the file, the field, what was
//                        expected and what was found; the other lessons still load
//   ShowMe               where a button goes: the panel's command-line name and that panel's
//                        preset, step and selection (applied to the app's state by
//                        lab::Navigator::show_me, logic/navigator.h)
//   conv_matrix_view()   lesson 2's matrix view: the convolution as a matrix C and the
//                        transposed convolution as its transpose, both measured by running the
//                        core's kernels on unit images (one column per unit image)
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "logic/completion_state.h"  // CompletionShow, CompletionSection
#include "logic/exercises.h"
#include "logic/formula_model.h"
#include "logic/stepper_model.h"  // StepperSecondView

namespace convt::lab {

// ---- Show me targets -----------------------------------------------------------------------

// The stepper: a preset, a position and a selected output cell.
struct StepperTarget {
  std::string preset;          // lab::stepper_presets() name: "notes", "conv2d", "k3s2", ...
  int64_t step = -1;           // events done; -1: all of them (the finished computation)
  int oc = 0, y = -1, x = -1;  // selected output cell (y, x = -1: none)
  // The right-hand view; none: what the preset picks (gather view for the scatter presets,
  // overlap map for k3s2 / k4s2 / conv2d / max_pool2d).
  std::optional<StepperSecondView> view;
};

// The formula panel: one axis of a transposed convolution, and the network table.
struct FormulaTarget {
  FormulaParams params;
  std::string model;  // a network table model by name ("dcgan20_D"); "": leave it as it is
};

// The training dashboard.
struct TrainingTarget {
  std::string preset = "fast start";  // one of lab::training_preset_names()
  float lr_g = 0.0f, lr_d = 0.0f;     // > 0: replaces the preset's value
  // What happens after the form is set:
  //   kNone: nothing (the student presses Start);
  //   kStepA: a new run, paused before its first step, then exactly one Step A (G update);
  //   kStart: a new run that starts training at once.
  // A run in progress is saved to its checkpoint first (nothing lost).
  enum class Action { kNone, kStepA, kStart };
  static const char* action_name(Action action);  // "none", "step_a", "start"
  Action action = Action::kNone;
  // Not empty: instead of all the above, open the saved run assets/runs/<saved_run>/ read-only
  // (logic/saved_run.h): its curves, sample grids and diagnoses. A run in progress is saved
  // and paused first.
  std::string saved_run;
  // The curves' moving-average window (the panel's smoothing slider; 1: every point raw). The
  // panel's default unless a lesson quotes raw numbers that smoothing would hide.
  int smoothing = 10;
};

// The latent explorer.
struct LatentTarget {
  uint64_t seed = 1;  // z = the trainer's latent_batch(1, seed), as the panel's Randomise
  int steps = 9;      // images in the interpolation strip
  bool slerp = true;  // spherical (true) or linear interpolation
};

// The completion panel: the learn-to-complete CNN, tied vs untied (as CompletionRequest,
// logic/completion_state.h, with the region by name).
struct CompletionTarget {
  std::string region = "bottom-half";  // convt::mask_name(): "bottom-half", "left-half", ...
  CompletionShow show = CompletionShow::kBoth;
  CompletionSection section = CompletionSection::kRefine;  // the panel's lower tab
  int heldout_digit = -1;   // which held-out digit is the input; -1: keep
  int refine_passes = 0;    // iterative refinement passes; 0: keep
  int64_t blank_seed = -1;  // seed of the blank-canvas codes; -1: keep
};

// The CNN panel: a kernel preset on a built-in digit, and the stages after it.
struct CnnTarget {
  std::string kernel = "sobel_x";  // lab::cnn_kernel_presets() name
  int digit = 3119;                // index into the built-in digits (3119: a 3)
  int stride = 1, padding = 1;     // dilation 1
  bool relu = false, pool = false;
  int y = -1, x = -1;  // the selected output pixel; -1: the centre
};

struct ShowMe {
  std::string label;     // the button: "Show me the window sliding"
  std::string panel;     // the target panel's command-line name (lab::find_panel)
  std::string look_for;  // one or two sentences: what to look at once there
  StepperTarget stepper;
  FormulaTarget formula;
  TrainingTarget training;
  LatentTarget latent;
  CompletionTarget completion;
  CnnTarget cnn;
};

// ---- Lessons -------------------------------------------------------------------------------

struct Lesson {
  std::string title;                    // "Convolution as a gather"
  std::string question;                 // the student's question it answers
  std::vector<std::string> paragraphs;  // short, plain words
  std::vector<std::string> formulas;    // one per line, shown in a box
  bool matrix_view = false;             // lesson 2: draw conv_matrix_view() under the text
  std::vector<ShowMe> show_me;          // at least one; the first is the main one
  std::string file;                     // the file it was read from ("01-convolution.json")
  // "" when the file loaded. Otherwise why not (LessonError's message); the lesson then has
  // only this, its file and the title "Lesson N could not be loaded": no text, no Show me.
  std::string load_error;
};

// A lesson file that cannot be used: what() is "<file>: <JSON path>: <what was expected and
// what was found>", e.g. ".../08-curves.json: show_me[2].training.saved_run: no saved run
// "mode_colapse" in assets/runs/ (have: d_too_strong, divergence, healthy, mode_collapse)".
class LessonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and checks one lesson file (format: assets/lessons/README.md). Absent fields keep the
// structs' defaults. Throws LessonError for a file that cannot be read or is not JSON, an
// unknown key, a value of the wrong type or out of range, a missing title, question, paragraph
// or Show me, and a name that does not exist: a panel (lab::find_panel), a stepper preset
// (lab::stepper_presets()), a training preset (lab::training_preset_names()), a saved run (a folder
// of assets/runs/ with a run.json), a formula model (assets/models/), a completion region
// (convt::mask_name()), a CNN kernel preset (lab::cnn_kernel_presets()), an enum's name.
Lesson load_lesson(const std::string& path);

// Every *.json file in `dir`, sorted by file name: lesson n is the n-th file. Never throws: a
// file that load_lesson() refuses gives a Lesson with load_error set, in its place; a folder
// that cannot be read or holds no lesson file gives one such Lesson saying so.
std::vector<Lesson> load_lessons(const std::string& dir);

// The lessons folder: lessons/ in the first asset search directory that has one
// (convt::asset_search_dirs()); "" when none has.
std::string lessons_dir();

// The shipped lessons, in order (lesson n is lessons()[n - 1]): load_lessons(lessons_dir()),
// read once at first use; each load_error is also printed to stderr. Never empty.
const std::vector<Lesson>& lessons();

// ---- Lesson 2: the matrix view -------------------------------------------------------------

// A dense matrix, row-major: values[r * cols + c].
struct Matrix {
  int rows = 0, cols = 0;
  std::vector<float> values;
  float at(int r, int c) const { return values[static_cast<size_t>(r) * cols + c]; }
};

Matrix transpose(const Matrix& m);

// The matrix C of conv2d on one channel: y = C x with x the (H, W) input flattened row by row
// and y the (H_out, W_out) output flattened the same way; C is (H_out*W_out, H*W). Column j is the
// core's conv2d_forward of the unit image e_j. kernel: (kH, kW) row-major, one channel.
// Throws ShapeError (from the core) for sizes the core refuses.
Matrix conv2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW, int stride,
                     int padding);
// The matrix T of conv_transpose2d on one channel with the same kernel: x' = T y with y the
// (H, W) input flattened; T is (H_out*W_out, H*W). Column i is the core's
// conv_transpose2d_forward of the unit image e_i. T equals the transpose of conv2d_matrix for the
// matching sizes (transposed convolution is the adjoint of convolution).
Matrix conv_transpose2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW,
                               int stride, int padding);

struct ConvMatrixView {
  int H = 3, W = 3;  // conv2d's input; conv_transpose2d's output
  int kernel_size = 2, stride = 1, padding = 0;
  std::vector<float> kernel;          // (kernel_size, kernel_size) row-major
  int H_out = 0, W_out = 0;           // conv2d's output; conv_transpose2d's input
  Matrix C;                           // (H_out*W_out, H*W), from conv2d_forward
  Matrix T;                           // (H*W, H_out*W_out), from conv_transpose2d_forward
  float max_diff_from_transpose = 0;  // max |T - C^T| (0: T is exactly C^T)
  std::vector<float> x;               // an example input, 1..H*W
  std::vector<float> Cx;              // C x: the convolution of x
  std::vector<float> TCx;             // T C x: back to x's shape, not to x's values
};
// Lesson 2's tiny case: a 3x3 input, a 2x2 kernel [[1, 2], [3, 4]], stride 1, padding 0, so the
// transposed convolution takes a 2x2 input to 3x3 (C is 4x9, T is 9x4).
ConvMatrixView conv_matrix_view();

// ---- The lessons panel's view state ---------------------------------------------------------

struct LessonsView {
  int current = 0;         // index into lessons()
  std::string note;        // the last Show me's result when it could not do everything ("" if none)
  std::string stamp_note;  // why "Play the stamp in the stepper" could not ("" if it did)
  std::optional<ConvMatrixView> matrix;  // lesson 2's matrix view, computed once
  ExerciseSession exercises;             // the exercise under the lesson, and the scores
  bool scroll_to_exercise = false;       // scroll the lesson down to its exercise (once)
};

}  // namespace convt::lab
