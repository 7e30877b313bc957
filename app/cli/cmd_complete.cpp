// convt-lab complete-train: the learn-to-complete CNN on the built-in digits, tied vs untied.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "complete_commands.h"
#include "convt/data/dataset.h"
#include "convt/io/csv.h"
#include "convt/train/completion.h"
#include "train_commands.h"
#include "training_run.h"

namespace convt::cli {

namespace fs = std::filesystem;

namespace {

// The flags of complete-train's own; the shared ones (--out, --steps, ...) come from kRules.
const std::vector<FlagSpec> kOwnFlags = {{"--batch", "B"},
                                         {"--lr", "LR"},
                                         {"--mask", "KIND"},
                                         {"--latent", "L"},
                                         {"--holdout-every", "K"},
                                         {"--eval-every", "N"},
                                         {"--data", "digits|fashion-mnist|DIR"},
                                         {"--size", "S"},
                                         {"--channels", "1|3"}};

// --out DIR; --steps required (no --seconds: tied and untied train the same steps).
const TrainingFlagRules kRules = {"complete-train", "DIR", "(where logs and checkpoints go)", 0,
                                  "(how many batches to train)"};

struct RunResult {
  std::string name;
  int64_t params = 0, conv_params = 0;
  CompletionEval before, after;
  float last_loss = 0.0f;
  double samples_per_second = 0.0;
  int64_t steps = 0;  // done: fewer than asked when a signal stopped the run
  std::string error;  // the TrainingError of a run that diverged; "" otherwise
};

// Trains one kind (tied or untied) for --steps in `dir`: log.csv, a line with the held-out MSE
// every `eval_every` steps and at the last, checkpoint.safetensors at the end (also when `stop`
// ends it early). A run that diverged has its message in `error` and no checkpoint.
RunResult train_one(CompletionConfig cfg, bool tied, const TrainingOptions& o, int64_t eval_every,
                    const Dataset& train, const Dataset& held, const fs::path& dir,
                    const StopSignals& stop) {
  cfg.tied = tied;
  RunResult r;
  r.name = tied ? "tied" : "untied";
  CompletionTrainer t(cfg, &train);
  r.params = t.net().parameter_count();
  r.conv_params = t.net().conv_parameter_count();
  std::printf("%s: %lld parameters (%lld in conv/transposed-conv layers)\n", r.name.c_str(),
              static_cast<long long>(r.params), static_cast<long long>(r.conv_params));
  fs::create_directories(dir);
  CsvWriter log((dir / "log.csv").string(),
                {"step", "epoch", "loss", "samples_per_second", "heldout_mse"});
  r.before = t.evaluate(held.images);
  double sps_sum = 0.0;
  TrainingLoop loop;
  loop.target_steps = o.steps;
  loop.step = [&] {
    const CompletionMetrics m = t.step();
    r.steps = m.step;
    sps_sum += m.samples_per_second;
    double heldout = -1.0;
    if ((m.step % eval_every) == 0 || m.step == o.steps) {
      heldout = t.evaluate(held.images).mse;
      std::printf("  %s step %lld: loss %.4f, held-out MSE %.4f, %.0f samples/s\n", r.name.c_str(),
                  static_cast<long long>(m.step), m.loss, heldout, m.samples_per_second);
      std::fflush(stdout);
    }
    log.write_row(std::vector<double>{static_cast<double>(m.step), static_cast<double>(m.epoch),
                                      m.loss, m.samples_per_second, heldout});
    r.last_loss = m.loss;
    return m.step;
  };
  loop.checkpoint = [&] { t.save_checkpoint((dir / "checkpoint.safetensors").string()); };
  const LoopResult end = run_training_loop(o, stop, loop);
  r.error = end.error;
  if (end.end == LoopEnd::kDiverged) return r;
  r.after = t.evaluate(held.images);
  r.samples_per_second = r.steps > 0 ? sps_sum / static_cast<double>(r.steps) : 0.0;
  return r;
}

// The network and training flags over CompletionConfig's defaults, each checked.
CompletionConfig completion_config(const Args& a, const TrainingOptions& o) {
  CompletionConfig cfg;
  cfg.batch_size = a.count("--batch", 32, 10000);
  if (a.has("--lr")) cfg.lr = static_cast<float>(parse_number("--lr", a.get("--lr"), 1e-8, 10));
  if (o.seed) cfg.seed = *o.seed;
  if (a.has("--mask")) {
    try {
      cfg.mask.kind = parse_mask(a.get("--mask"));
    } catch (const std::invalid_argument& e) {
      throw CliError(std::string("--mask: ") + e.what());
    }
  }
  if (a.has("--latent")) {
    cfg.latent_dim = static_cast<int>(parse_number("--latent", a.get("--latent"), 0, 4096));
  }
  cfg.backend = o.backend.value_or(nn::Backend::fast);
  cfg.validate();
  cfg.image_size = static_cast<int>(a.count("--size", 28, 1024));
  cfg.image_channels = static_cast<int>(a.count("--channels", 1, 3));
  if (cfg.image_channels != 1 && cfg.image_channels != 3) {
    throw CliError("--channels: expected 1 or 3, found " + std::to_string(cfg.image_channels));
  }
  if (cfg.image_size % 4 != 0) {
    throw CliError("--size: expected a multiple of 4 (two 2x2 max-pools), found " +
                   std::to_string(cfg.image_size));
  }
  cfg.validate();
  return cfg;
}

// The table of the runs done, then how the command ended: interrupted (which runs were saved
// after how many steps) or the held-out set's size.
void print_results(const std::vector<RunResult>& results, size_t runs, const TrainingOptions& o,
                   const StopSignals& stop) {
  const fs::path out = o.out;
  if (!results.empty()) {
    std::printf("\n%-8s %12s %12s %14s %14s %16s %12s\n", "model", "params", "conv params",
                "held-out MSE", "(before)", "hidden-part MSE", "samples/s");
  }
  for (const RunResult& r : results) {
    std::printf("%-8s %12lld %12lld %14.4f %14.4f %16.4f %12.0f\n", r.name.c_str(),
                static_cast<long long>(r.params), static_cast<long long>(r.conv_params),
                r.after.mse, r.before.mse, r.after.hidden_mse, r.samples_per_second);
  }
  if (stop.raised() && results.empty()) {
    std::printf("interrupted (%s) before the first step; nothing was saved\n", stop.name());
  } else if (stop.raised()) {
    std::printf("interrupted (%s):", stop.name());
    for (const RunResult& r : results) {
      std::printf(" %s after %lld of %lld steps, saved %s;", r.name.c_str(),
                  static_cast<long long>(r.steps), static_cast<long long>(o.steps),
                  (out / r.name / "checkpoint.safetensors").string().c_str());
    }
    std::printf(" %zu of %zu run(s) started\n", results.size(), runs);
  } else {
    std::printf("held-out: %lld images, code zero, after %lld steps\n",
                static_cast<long long>(results.front().after.images),
                static_cast<long long>(o.steps));
  }
}

}  // namespace

std::string complete_train_usage() {
  return "convt-lab complete-train [--tied] [--untied] --steps N --out DIR\n"
         "      [--batch 32] [--lr 1e-3] [--seed 0] [--mask bottom-half|left-half|random-square|"
         "everything]\n"
         "      [--latent 8] [--backend naive|fast] [--threads N] [--holdout-every 10]\n"
         "      [--eval-every N] [--data digits|fashion-mnist|DIR] [--size 28] [--channels 1]\n\n"
         "Trains the learn-to-complete CNN (encoder conv+ReLU+pool x2, Linear mixing a latent\n"
         "code, decoder ConvTranspose2d x2, tanh; MSE to the whole image) on the built-in 28x28\n"
         "digits (or --data: Fashion-MNIST, or a folder of PNG/JPG images such as the notes'\n"
         "64x64 grayscale pictures of one kind of object: --data DIR --size 64) with part of\n"
         "each image hidden. --tied: each decoder layer uses its mirror encoder conv's kernel\n"
         "(the same storage); --untied: its own; both flags or neither: both, one after the\n"
         "other with the same seed, data order and steps.\n"
         "Every --holdout-every-th image (default 10th: 1000 of the digits) is held out; the\n"
         "held-out MSE (code zero) is printed every --eval-every steps (default steps/10) and\n"
         "at the end.\n"
         "Writes DIR/<tied|untied>/log.csv and DIR/<tied|untied>/checkpoint.safetensors.\n"
         "Ctrl-C or SIGTERM stops the run after its current step and saves it; a run not yet\n"
         "started is not started.\n"
         "Exit status: 0 done or interrupted (saved); 1 training diverged; 2 bad input.\n";
}

int run_complete_train(int argc, char** argv) {
  StopSignals stop;  // before any slow work: a Ctrl-C while the data loads still stops the run
  const bool want_tied = take_switch(argc, argv, "--tied");
  const bool want_untied = take_switch(argc, argv, "--untied");
  Args a(argc, argv, 2, "complete-train", training_flags(kRules, kOwnFlags));
  if (a.help()) {
    std::fputs(complete_train_usage().c_str(), stdout);
    return 0;
  }
  const TrainingOptions o = parse_common_training_flags(a, kRules);
  const int64_t eval_every = a.count("--eval-every", std::max<int64_t>(1, o.steps / 10), 100000000);
  const int64_t every = a.count("--holdout-every", 10, 10000);
  const CompletionConfig cfg = completion_config(a, o);
  const std::string source = a.has("--data") ? a.get("--data") : "digits";
  const Dataset data = load_dataset(source, cfg.image_size, cfg.image_channels);
  if (data.size() < 2 * every) {
    throw CliError("complete-train: --data " + source + " has " + std::to_string(data.size()) +
                   " images; at least " + std::to_string(2 * every) +
                   " are needed to hold out every " + std::to_string(every) + "th");
  }
  const auto [train, held] = split_holdout(data, every);
  if (cfg.batch_size > train.size()) {
    throw CliError("--batch " + std::to_string(cfg.batch_size) + ": larger than the " +
                   std::to_string(train.size()) + " training images");
  }
  std::printf(
      "complete-train: %s; %lld training images, %lld held out (every %lldth), mask %s, "
      "batch %lld, lr %g, seed %llu, %lld steps\n",
      data.description.c_str(), static_cast<long long>(train.size()),
      static_cast<long long>(held.size()), static_cast<long long>(every), mask_name(cfg.mask.kind),
      static_cast<long long>(cfg.batch_size), static_cast<double>(cfg.lr),
      static_cast<unsigned long long>(cfg.seed), static_cast<long long>(o.steps));

  std::vector<bool> runs;
  if (want_untied || !want_tied) runs.push_back(false);
  if (want_tied || !want_untied) runs.push_back(true);
  std::vector<RunResult> results;
  for (bool tied : runs) {
    if (stop.raised()) break;  // the runs not started are not started
    results.push_back(train_one(cfg, tied, o, eval_every, train, held,
                                fs::path(o.out) / (tied ? "tied" : "untied"), stop));
    if (!results.back().error.empty()) {
      std::fprintf(stderr, "complete-train: %s\n", results.back().error.c_str());
      return 1;
    }
  }
  print_results(results, runs.size(), o, stop);
  return 0;
}

}  // namespace convt::cli
