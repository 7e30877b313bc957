// What the training subcommands (train, ffnn-train, complete-train) share: the flags they all
// take (--out, the run's length as --steps / --epochs / --seconds, --seed, --threads, --backend,
// train's --checkpoint-every), parsed into TrainingOptions with the same checks and messages;
// and the loop that steps a trainer until that length or Ctrl-C / SIGTERM, with a checkpoint
// every N steps and at the end. Each command keeps its model, data, per-step work and own flags.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "args.h"
#include "convt/nn/layer.h"
#include "train_commands.h"  // StopSignals

namespace convt::cli {

// Which of the shared flags a command takes, and how it names them.
struct TrainingFlagRules {
  std::string command;     // "ffnn-train": begins the messages about the command line
  std::string out_value;   // --out's placeholder: "RUN_DIR" or "DIR"
  std::string out_what;    // said when --out is missing: "(where logs and checkpoints go)"
  int64_t default_steps;   // --steps when no length is given; 0: required (or --epochs)
  std::string steps_what;  // said when a required --steps is missing: "(how many batches ...)"
  bool seconds = false;    // takes --seconds T, the wall time of this invocation
  bool epochs = false;     // takes --epochs E (30 when no length is given)
  int64_t default_checkpoint_every = 0;  // takes --checkpoint-every N with this default; 0: not
};

// The shared flags, parsed. Unset optionals leave the command's own defaults.
struct TrainingOptions {
  std::string out;       // --out: the folder everything is written to
  int64_t steps = 0;     // --steps, else the rules' default_steps (train's is 0)
  int64_t epochs = 0;    // --epochs (train), 30 when no length is given, else 0
  double seconds = 0.0;  // --seconds of wall time; 0: the run is as long as its steps
  // --checkpoint-every: steps between checkpoints (train: default 200); 0: at the end only.
  int64_t checkpoint_every = 0;
  std::optional<uint64_t> seed;        // --seed, 0 .. 1e15
  std::optional<nn::Backend> backend;  // --backend fast|naive
  int threads = 1;                     // --threads (1 .. 64), already applied to the fast backend
};

// The flags a command accepts: `own` (in its order), then the shared ones its rules take.
std::vector<FlagSpec> training_flags(const TrainingFlagRules& rules, std::vector<FlagSpec> own);

// Reads the shared flags of `a` (built with training_flags(rules, ...)) and applies --threads.
// Throws CliError naming the flag, what was expected and what was found: a missing --out or a
// required --steps, more than one of --epochs / --steps / --seconds, a value out of its range
// (--steps 1 .. 1e9, --epochs 1 .. 1e6, --seconds 1 .. 1e7, --checkpoint-every 1 .. 1e9).
TrainingOptions parse_common_training_flags(const Args& a, const TrainingFlagRules& rules);

// After each step, what the progress callback is told.
struct LoopProgress {
  int64_t step = 0;      // the step just done, counted over the whole run (a resumed run goes on)
  double seconds = 0.0;  // wall time since the loop began, in seconds
  double eta = 0.0;      // seconds left: of --seconds, else at this invocation's pace so far
};

// The command's part of a training loop. Callbacks left empty are skipped.
struct TrainingLoop {
  int64_t first_step = 0;    // steps done before the loop (a resumed run's)
  int64_t target_steps = 0;  // the run's total, counted from its start; unused with --seconds
  // One step; returns its number, counted like first_step. A TrainingError ends the loop.
  std::function<int64_t()> step;
  // Saves the run: every --checkpoint-every steps and at the end (not after a TrainingError).
  std::function<void()> checkpoint;
  // After each step and its checkpoint: the progress line.
  std::function<void(const LoopProgress&)> progress;
};

enum class LoopEnd { kDone, kInterrupted, kDiverged };

struct LoopResult {
  LoopEnd end = LoopEnd::kDone;
  int64_t step = 0;      // steps done at the end, counted like first_step
  double seconds = 0.0;  // wall time of the loop and its last checkpoint, in seconds
  std::string error;     // kDiverged: the TrainingError's message (the step, the loss, a hint)
};

// Calls loop.step() until loop.target_steps are done (or options.seconds have passed, when > 0)
// or `stop` is raised (checked before each step: a signal that came while the data loaded stops
// the run before its first step, and it still saves). Then, unless a step threw TrainingError,
// saves once more. kInterrupted when `stop` ended the loop.
LoopResult run_training_loop(const TrainingOptions& options, const StopSignals& stop,
                             const TrainingLoop& loop);

// "done", or "interrupted (Ctrl-C)" / "interrupted (SIGTERM)": how a summary line begins.
std::string loop_end_text(const StopSignals& stop);

// The exit status the training commands share: 0 done or interrupted (saved), 1 diverged.
int loop_exit_status(const LoopResult& result);

}  // namespace convt::cli
