// Exercises: predict, then see. Each lesson asks the student to commit to an answer before the
// app shows it; every exercise is generated from a seed (so "New one" always has another, and a
// teacher's fixed seed gives a class the same ones), and every expected answer is computed by
// the core: the recorded naive ops (which cells a scatter-add writes, which a gather reads),
// shape.h (output sizes), the ops' values, the losses. Nothing is an answer key written by hand.
// No GL, no ImGui.
//
//   exercise_kinds(lesson)     the kinds a lesson offers, in order (its 1st, 2nd, ... exercise)
//   make_exercise(kind, seed)  one exercise: the question, what is shown, the expected answer
//   check(exercise, answer)    right or wrong, and why, from the numbers
//   parse_answer(exercise, s)  an answer typed as text (the --answer option, tests)
//   ExerciseProgress           right / tried per kind and the streak, kept in a JSON file in the
//                              user's configuration directory
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace convt::lab {

enum class ExerciseKind {
  kConvValue,           // lesson 1: type out[r, c] of a small conv2d
  kConvWindow,          // lesson 1: click the input cells conv2d's out[r, c] gathers from
  kLandingCells,        // lesson 2: click every output cell input pixel (i, j) writes to
  kTransposedReach,     // lesson 2: click the input pixels whose stamps reach out[r, c]
  kTransposedValue,     // lesson 2: type out[r, c] of a small conv_transpose2d
  kOutputSize,          // lesson 3: type H_out of conv_transpose2d, or "invalid"
  kOverlapCounts,       // lesson 4: paint how many stamps land on each output cell
  kCheckerboardFree,    // lesson 4: pick the (kernel_size, stride) with no checkerboard
  kPoolValue,           // lesson 5: type out[r, c] of max_pool2d
  kPoolOrConv,          // lesson 5: which two of max_pool2d, avg_pool2d, a strided conv agree
  kWeightTying,         // lesson 6: which decoder changes when the encoder's kernel is edited
  kDiscriminatorLoss,   // lesson 7: type loss_D (or loss_G) for given D outputs
  kReadCurves,          // lesson 8: name each of four saved runs' failure from its curves
  kYouAgainstD,         // lesson 7: mark the fakes among 16 digits; D marks them too
  kLatentLength,        // lesson 9: type |z| at the middle of a lerp (or a slerp) from z_A to z_B
  kBlurryAverage,       // lesson 10: pick the output an MSE-trained model gives when unsure
};

// "You against D": the training steps whose D and G samples are shipped in
// assets/exercises/you_vs_d/ (d_step_NNNNN.safetensors: D's tensors and the model spec;
// fakes_step_NNNNN.png: 64 samples of G at that step; scripts/make_you_vs_d.sh makes them).
constexpr int kYouVsDSteps[] = {100, 500, 3000};

// How the student answers.
enum class AnswerForm {
  kCells,   // click cells of a grid on and off (a set)
  kCounts,  // click cells of a grid to cycle a count through `count_values`
  kNumber,  // type a number (kOutputSize: or "invalid")
  kChoice,  // pick one of `choices`
  kMatch,   // pick one of `choices` for each of `runs` (cells[i]: run i's pick, -1 none)
};

// A small matrix shown with the question (an input, a kernel), with one cell ringed.
struct ShownGrid {
  std::string label;          // "input x (4 x 4)"
  int h = 0, w = 0;
  std::vector<float> values;  // (h, w) row-major
  int mark_y = -1, mark_x = -1;  // the cell the question is about; -1: none
  bool picture = false;          // draw the values as a grayscale image ([-1, 1]), not numbers
};

// A training run shown without its name (lesson 8): its curves, one value per step (at most
// kShownRunPoints, evenly thinned), and its last sample grid's diversity against real digits'.
struct ShownRun {
  std::string label;  // "Run A"
  int64_t steps = 0;
  std::vector<float> loss_g, loss_d, d_real, d_fake;
  float sample_diversity = -1.0f, real_diversity = -1.0f;  // mean per-pixel std; < 0: unknown
};
constexpr size_t kShownRunPoints = 300;

struct Exercise {
  ExerciseKind kind = ExerciseKind::kConvValue;
  uint64_t seed = 0;
  std::string title;   // "Where does this pixel land?"
  std::string prompt;  // the question with its numbers
  AnswerForm form = AnswerForm::kNumber;
  std::vector<ShownGrid> shown;
  std::vector<ShownRun> runs;  // kMatch: the runs to name
  // kYouAgainstD: one image per answer-grid cell, (grid_h * grid_w, image_size, image_size) in
  // [-1, 1], row by row, and D's probability that each is real (sigmoid of its logit).
  int image_size = 0;
  std::vector<float> images;
  std::vector<float> d_real_prob;
  // The op's setting, for the explanations of wrong answers (kinds with a grid): a square input of
  // H, kernel_size, stride, padding, dilation; (at_y, at_x) the pixel or cell asked about.
  int H = 0, kernel_size = 0, stride = 1, padding = 0, dilation = 1;
  int at_y = -1, at_x = -1;

  // kCells / kCounts: the grid the student clicks.
  std::string grid_label;           // "output (5 x 5)"
  int grid_h = 0, grid_w = 0;
  int mark_y = -1, mark_x = -1;     // a cell of the answer grid to ring (the pixel asked about)
  std::vector<int> count_values;    // kCounts: the values a click cycles through (1, 2, 4, ...)
  std::vector<std::string> choices;  // kChoice

  // The expected answer, computed by the core.
  std::vector<int> expected_cells;   // kCells: 0/1 per grid cell; kCounts: the count per cell;
                                     // kMatch: the right choice for each run
  std::optional<double> expected_number;  // kNumber; nullopt: "invalid" (kOutputSize only)
  double tolerance = 0.0;                 // kNumber: |typed - expected| <= tolerance is right
  int expected_choice = -1;               // kChoice: index into choices
  // What the reveal shows beside the marks: the contributions list, the formula with its terms,
  // each option's output.
  std::vector<std::string> reveal;
};

// The student's answer. kCells / kCounts: `cells` has grid_h * grid_w entries; kNumber: `text`;
// kChoice: `choice`.
struct ExerciseAnswer {
  std::vector<int> cells;
  std::string text;
  int choice = -1;
};

struct ExerciseFeedback {
  bool right = false;
  std::string verdict;               // one line: "Right: 6 cells." / "Not quite: ..."
  std::vector<std::string> reasons;  // why, from the numbers (one line per wrong cell, capped)
};

// The kinds lesson `lesson` (0-based) offers, in order; empty for a lesson without exercises.
std::vector<ExerciseKind> exercise_kinds(int lesson);
// The lesson (0-based) a kind belongs to.
int exercise_lesson(ExerciseKind kind);
// "Where does this pixel land?" and so on.
std::string exercise_title(ExerciseKind kind);

// One exercise of `kind`, the same for the same seed. Its expected answer comes from running the
// core's ops (TraceRecorder events, shape.h, the forward functions, bce_with_logits), or, for
// kReadCurves, from the dashboard's diagnoses of the shipped saved runs (assets/runs/healthy,
// d_too_strong, mode_collapse, divergence), which it loads: it throws what load_saved_run throws
// (SavedRunError naming the file) when they are missing; kYouAgainstD runs the shipped D on the
// images (throws naming a missing or broken file).
Exercise make_exercise(ExerciseKind kind, uint64_t seed);

// The answer the student starts from: no cells, all counts at the first value, "" , no choice.
ExerciseAnswer blank_answer(const Exercise& exercise);

// Right or wrong, and why. A malformed answer (a number that is not one, a grid of the wrong
// size) is wrong with a verdict saying what was expected.
ExerciseFeedback check(const Exercise& exercise, const ExerciseAnswer& answer);

// Reads an answer typed as text, for --answer and tests:
//   kCells   "r,c r,c ..." (0-based row, column), or "none"
//   kCounts  the counts row by row, separated by spaces or commas ("1 2 1 2 4 2 1 2 1")
//   kNumber  the number, or "invalid"
//   kChoice  the option's number, 1-based
//   kMatch   one option number (1-based) per run, in the runs' order ("1 3 2 4")
// Throws std::invalid_argument naming what was expected and what was found.
ExerciseAnswer parse_answer(const Exercise& exercise, const std::string& text);

// The expected answer written as parse_answer reads it (for tests, and a teacher's key).
std::string expected_answer_text(const Exercise& exercise);

// The seed of the n-th exercise (0-based) of `kind` in a session whose base seed is `base`: a
// teacher who fixes the base (--exercise-seed) gives everyone the same sequence.
uint64_t exercise_seed(uint64_t base, ExerciseKind kind, int n);

// ---- Progress, kept between runs ----------------------------------------------------------------

struct KindScore {
  int right = 0, tried = 0;
};

struct ExerciseProgress {
  std::vector<KindScore> by_kind;  // indexed by ExerciseKind
  int streak = 0;                  // right answers in a row (any kind)
  int best_streak = 0;
  // Adds one checked answer.
  void add(ExerciseKind kind, bool right);
  KindScore total() const;
  KindScore of(ExerciseKind kind) const;
};

// $XDG_CONFIG_HOME/convt-lab/exercises.json (else ~/.config/convt-lab/...); "" if neither is set.
std::string exercise_progress_path();
// Reads `path`. A missing file: empty progress, no warning. A corrupt or unreadable one: empty
// progress and one line in `warnings` naming the file and what was wrong (never throws).
ExerciseProgress load_exercise_progress(const std::string& path,
                                        std::vector<std::string>* warnings);
// Writes through a temporary file and a rename (creating the directory). Returns "" on success,
// else what failed; the old file is left as it was then.
std::string save_exercise_progress(const std::string& path, const ExerciseProgress& progress);

// ---- A session of exercises (the lessons panel's state) ----------------------------------------

// The exercise on screen, the student's answer, its feedback, the session's score and the kept
// progress. The panel draws it and calls these; nothing here needs a window.
class ExerciseSession {
 public:
  // base_seed: the session's exercises (--exercise-seed, else a random one). progress_path:
  // where progress is kept ("" : nowhere, e.g. for screenshots); it is read now.
  ExerciseSession(uint64_t base_seed = 1, std::string progress_path = "");

  // Shows exercise kind `kind_index` of lesson `lesson` (0-based): the same one as before if it
  // is already there, else a new one.
  void open(int lesson, int kind_index);
  // A new exercise of the current kind (the "New one" button).
  void new_one();
  // Checks the answer (once per exercise): feedback() then holds the verdict, and the answer
  // counts in the session's score and the kept progress, which is saved. A malformed answer (a
  // word where a number goes, no option picked) is not counted: message() says what was
  // expected and the student can answer again.
  void submit();
  // Forgets the kept progress (and the file's numbers) and the session's score.
  void reset_progress();

  bool has_exercise() const { return exercise_.has_value(); }
  const Exercise& exercise() const { return *exercise_; }
  ExerciseAnswer& answer() { return answer_; }
  const std::optional<ExerciseFeedback>& feedback() const { return feedback_; }
  int lesson() const { return lesson_; }
  int kind_index() const { return kind_index_; }
  KindScore session_score() const { return session_; }
  int session_streak() const { return session_streak_; }
  const ExerciseProgress& progress() const { return progress_; }
  // What to tell the student besides the feedback ("" if nothing): a malformed answer, or a
  // problem with the progress file.
  const std::string& message() const { return message_; }

 private:
  uint64_t base_seed_;
  std::string progress_path_;
  ExerciseProgress progress_;
  std::vector<int> made_;  // per kind: exercises made so far (the n of exercise_seed)
  int lesson_ = -1, kind_index_ = 0;
  bool opened_ = false;  // (lesson_, kind_index_) has been opened (even if making it failed)
  std::optional<Exercise> exercise_;
  ExerciseAnswer answer_;
  std::optional<ExerciseFeedback> feedback_;
  KindScore session_;
  int session_streak_ = 0;
  std::string message_;
};

}  // namespace convt::lab
