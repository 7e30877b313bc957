// The training subcommands' shared flags and run loop (training_run.h).
#include "training_run.h"

#include <chrono>

#include "convt/train/gan_trainer.h"  // TrainingError

namespace convt::cli {

namespace {

constexpr int64_t kMaxSteps = 1000000000;
constexpr int64_t kMaxEpochs = 1000000;
constexpr int64_t kDefaultEpochs = 30;

// "--epochs, --steps, --seconds": the flags that set a run's length, those the command takes.
std::vector<std::string> length_flags(const TrainingFlagRules& rules) {
  std::vector<std::string> flags;
  if (rules.epochs) flags.push_back("--epochs");
  flags.push_back("--steps");
  if (rules.seconds) flags.push_back("--seconds");
  return flags;
}

// --epochs, --steps, --seconds into `o`: at most one of them, each in its range.
void parse_length(const Args& a, const TrainingFlagRules& rules, TrainingOptions& o) {
  const std::vector<std::string> flags = length_flags(rules);
  int given = 0;
  std::string names;
  for (const std::string& f : flags) {
    given += a.has(f) ? 1 : 0;
    names += (names.empty() ? "" : ", ") + f;
  }
  if (given > 1) throw CliError(rules.command + ": give at most one of " + names);
  if (rules.epochs) o.epochs = a.count("--epochs", given == 0 ? kDefaultEpochs : 0, kMaxEpochs);
  o.steps = a.count("--steps", rules.default_steps, kMaxSteps);
  if (a.has("--seconds")) o.seconds = parse_number("--seconds", a.get("--seconds"), 1, 1e7);
  if (o.steps == 0 && o.epochs == 0 && o.seconds == 0.0) {
    throw CliError(rules.command + ": missing --steps N " + rules.steps_what);
  }
}

}  // namespace

std::vector<FlagSpec> training_flags(const TrainingFlagRules& rules, std::vector<FlagSpec> own) {
  own.push_back({"--out", rules.out_value});
  if (rules.epochs) own.push_back({"--epochs", "E"});
  own.push_back({"--steps", "N"});
  if (rules.seconds) own.push_back({"--seconds", "T"});
  own.push_back({"--seed", "N"});
  own.push_back({"--threads", "N"});
  own.push_back({"--backend", "fast|naive"});
  if (rules.default_checkpoint_every > 0) own.push_back({"--checkpoint-every", "N"});
  return own;
}

TrainingOptions parse_common_training_flags(const Args& a, const TrainingFlagRules& rules) {
  TrainingOptions o;
  o.out = a.require("--out", rules.out_value + " " + rules.out_what);
  parse_length(a, rules, o);
  if (rules.default_checkpoint_every > 0) {
    o.checkpoint_every = a.count("--checkpoint-every", rules.default_checkpoint_every, kMaxSteps);
  }
  o.threads = apply_threads(a);
  if (a.has("--seed")) {
    o.seed = static_cast<uint64_t>(parse_number("--seed", a.get("--seed"), 0, 1e15));
  }
  if (a.has("--backend")) o.backend = parse_backend_flag(a.get("--backend"));
  return o;
}

LoopResult run_training_loop(const TrainingOptions& options, const StopSignals& stop,
                             const TrainingLoop& loop) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };
  LoopResult r;
  r.step = loop.first_step;
  while (options.seconds > 0.0 ? elapsed() < options.seconds : r.step < loop.target_steps) {
    if (stop.raised()) break;
    try {
      r.step = loop.step();
    } catch (const TrainingError& e) {
      r.end = LoopEnd::kDiverged;
      r.error = e.what();
      r.seconds = elapsed();
      return r;
    }
    if (loop.checkpoint && options.checkpoint_every > 0 && r.step % options.checkpoint_every == 0) {
      loop.checkpoint();
    }
    if (!loop.progress) continue;
    LoopProgress p;
    p.step = r.step;
    p.seconds = elapsed();
    const int64_t done = r.step - loop.first_step;
    if (options.seconds > 0.0) {
      p.eta = options.seconds - p.seconds;
    } else if (done > 0) {
      p.eta =
          p.seconds / static_cast<double>(done) * static_cast<double>(loop.target_steps - r.step);
    }
    loop.progress(p);
  }
  if (loop.checkpoint) loop.checkpoint();
  r.end = stop.raised() ? LoopEnd::kInterrupted : LoopEnd::kDone;
  r.seconds = elapsed();
  return r;
}

std::string loop_end_text(const StopSignals& stop) {
  return stop.raised() ? std::string("interrupted (") + stop.name() + ")" : "done";
}

int loop_exit_status(const LoopResult& result) { return result.end == LoopEnd::kDiverged ? 1 : 0; }

}  // namespace convt::cli
