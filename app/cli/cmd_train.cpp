// `convt-lab train`: trains a GAN spec on a dataset with GanTrainer, one batch per step, with a
// one-line progress bar, RUN_DIR/log.csv, a fixed-z sample grid per epoch, and an atomic
// RUN_DIR/checkpoint.safetensors every --checkpoint-every steps, at the end and on Ctrl-C.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "convt/data/dataset.h"
#include "convt/io/csv.h"
#include "convt/io/png.h"
#include "convt/nn/model_spec.h"
#include "convt/train/gan_trainer.h"
#include "logic/cell_text.h"
#include "logic/spec_preset.h"
#include "train_commands.h"
#include "training_run.h"

namespace convt::cli {

namespace {

namespace fs = std::filesystem;

// The ranges the flags accept (a spec's presets are held to the same): logic/spec_preset.h.
using lab::kMaxBatch;
using lab::kMaxBeta;
using lab::kMaxLr;
using lab::kMinLr;

// The flags of train's own; the shared ones (--out, --epochs, --steps, ...) come from kRules.
const std::vector<FlagSpec> kTrainOwnFlags = {
    {"--model", "NAME|FILE.json"},
    {"--data", "digits|fashion-mnist|emoji|emoji:CATEGORY|PATH"},
    {"--preset", "default|notes"},
    {"--batch", "B"},
    {"--lr", "LR"},
    {"--lr-d", "LR"},
    {"--beta1", "B1"},
    {"--beta2", "B2"},
    {"--init", "dcgan|pytorch"},
    {"--ema-decay", "D"},
    {"--ema-warmup", "N"},
    {"--diff-augment", "POLICY"}};

// --out RUN_DIR; --epochs (default 30), --steps or --seconds; --checkpoint-every (default 200).
const TrainingFlagRules kRules = {
    "train", "RUN_DIR", "(where checkpoint, log and samples go)", 0, "", true, true, 200};

// Names the files of an image folder that could not be used, and why (at most 10).
void print_skipped(const Dataset& data) {
  const size_t shown = std::min<size_t>(data.skipped.size(), 10);
  for (size_t i = 0; i < shown; ++i) {
    std::fprintf(stderr, "skipped %s: %s\n", data.skipped[i].path.c_str(),
                 data.skipped[i].reason.c_str());
  }
  if (data.skipped.size() > shown) {
    std::fprintf(stderr, "skipped %zu more files\n", data.skipped.size() - shown);
  }
}

// The preset's hyperparameters from the spec's "presets" (the CLI flags override them); a spec
// without a "default" preset keeps GanConfig's defaults (the notes').
void apply_preset(const nlohmann::json& spec, const std::string& name, GanConfig& cfg) {
  if (name == "default" && !lab::has_spec_preset(spec, name)) return;
  const std::string model = spec.value("name", std::string("?"));
  try {
    lab::apply_spec_preset(spec, name, cfg);
  } catch (const lab::UnknownSpecPresetError& e) {
    throw CliError("--preset: model '" + model + "' " + e.what());  // has no preset 'x'; ...
  } catch (const lab::SpecPresetError& e) {
    throw CliError("--model '" + model + "': " + e.what());  // presets.NAME.KEY: expected ...
  }
}

// --lr (G and D), --lr-d, --beta1, --beta2 over cfg's values, each within its range; the same
// for a new run and a resumed one.
void apply_optimiser_flags(const Args& a, GanConfig& cfg) {
  if (a.has("--lr")) {
    cfg.lr_g = static_cast<float>(parse_number("--lr", a.get("--lr"), kMinLr, kMaxLr));
    cfg.lr_d = cfg.lr_g;
  }
  if (a.has("--lr-d"))
    cfg.lr_d = static_cast<float>(parse_number("--lr-d", a.get("--lr-d"), kMinLr, kMaxLr));
  if (a.has("--beta1"))
    cfg.beta1 = static_cast<float>(parse_number("--beta1", a.get("--beta1"), 0, kMaxBeta));
  if (a.has("--beta2"))
    cfg.beta2 = static_cast<float>(parse_number("--beta2", a.get("--beta2"), 0, kMaxBeta));
}

// A float as its shortest digits: 0.0002, not 0.000200000001.
std::string float_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7g", v);
  return buf;
}

// train --resume --preset NAME: the checkpoint's values are used, so NAME is accepted when it
// sets the same ones (a script's repeated command line), refused naming the first that differs.
// The values a flag overrides (--lr, --lr-d, --beta1, --beta2: `flags`) are not compared.
void require_preset_matches(GanTrainer& probe, const std::string& name,
                            const std::string& ckpt_path, const Args& flags) {
  const GanConfig& have = probe.config();
  GanConfig want = have;
  apply_preset(probe.model().spec, name, want);
  const bool lr_flag = flags.has("--lr");
  const struct {
    const char* key;
    double preset, checkpoint;
    bool overridden;
  } values[] = {
      {"batch", static_cast<double>(want.batch_size), static_cast<double>(have.batch_size), false},
      {"lr_g", want.lr_g, have.lr_g, lr_flag},
      {"lr_d", want.lr_d, have.lr_d, lr_flag || flags.has("--lr-d")},
      {"beta1", want.beta1, have.beta1, flags.has("--beta1")},
      {"beta2", want.beta2, have.beta2, flags.has("--beta2")},
      {"ema_decay", want.ema_decay, have.ema_decay, false}};
  if (want.diff_augment != have.diff_augment) {
    throw CliError("train --resume: --preset " + name + " sets diff_augment '" + want.diff_augment +
                   "', " + ckpt_path + " was trained with diff_augment '" + have.diff_augment +
                   "'; resuming keeps the checkpoint's values (drop --preset, or start a new "
                   "run with another --out)");
  }
  for (const auto& v : values) {
    if (!v.overridden && v.preset != v.checkpoint) {
      throw CliError("train --resume: --preset " + name + " sets " + v.key + " " +
                     float_text(v.preset) + ", " + ckpt_path + " was trained with " + v.key + " " +
                     float_text(v.checkpoint) +
                     "; resuming keeps the checkpoint's values (drop --preset, or start a new "
                     "run with another --out)");
    }
  }
}

// train --resume: "overriding the checkpoint's lr_g 0.0002 -> 0.0005, ..." on stderr, naming each
// optimiser value the flags changed from `stored` to `cfg` (nothing when none did).
void say_overrides(const GanConfig& stored, const GanConfig& cfg) {
  std::string changed;
  const struct {
    const char* key;
    float from, to;
  } values[] = {{"lr_g", stored.lr_g, cfg.lr_g},
                {"lr_d", stored.lr_d, cfg.lr_d},
                {"beta1", stored.beta1, cfg.beta1},
                {"beta2", stored.beta2, cfg.beta2}};
  for (const auto& v : values) {
    if (v.from == v.to) continue;
    changed += std::string(changed.empty() ? "" : ", ") + v.key + " " + float_text(v.from) +
               " -> " + float_text(v.to);
  }
  if (!changed.empty()) {
    std::fprintf(stderr, "overriding the checkpoint's %s (stored in the new checkpoints)\n",
                 changed.c_str());
  }
}

// train --resume: `data` loaded at the checkpoint's image size and refused unless it is the run's
// own (an exact continuation needs the same images in the same order).
void load_resume_data(const Args& a, GanTrainer& probe, const std::string& ckpt_path,
                      Dataset& data) {
  const auto& shape = probe.model().image_shape;
  data = load_dataset(a.require("--data", "digits|fashion-mnist|emoji|emoji:CATEGORY|PATH"),
                      static_cast<int>(shape[1]), static_cast<int>(shape[0]));
  if (!probe.trained_on_name().empty() &&
      (probe.trained_on_name() != data.name || probe.trained_on_images() != data.size())) {
    throw CliError("train --resume: " + ckpt_path + " was trained on '" + probe.trained_on_name() +
                   "' (" + std::to_string(probe.trained_on_images()) + " images), --data '" +
                   a.get("--data") + "' is '" + data.name + "' (" + std::to_string(data.size()) +
                   " images); resuming continues the same data exactly. HINT: give the "
                   "run's own --data, or start a new run with another --out");
  }
}

// --ema-decay, --ema-warmup, --diff-augment of a new run over cfg's values, each checked.
void apply_new_run_flags(const Args& a, GanConfig& cfg) {
  if (a.has("--ema-decay")) {
    cfg.ema_decay =
        static_cast<float>(parse_number("--ema-decay", a.get("--ema-decay"), 0, kMaxBeta));
  }
  if (a.has("--ema-warmup")) {
    const double warmup = parse_number("--ema-warmup", a.get("--ema-warmup"), 0, 1e9);
    if (warmup != std::floor(warmup)) {
      throw CliError("--ema-warmup: expected a whole number of updates, found '" +
                     a.get("--ema-warmup") + "'");
    }
    cfg.ema_warmup_steps = static_cast<int64_t>(warmup);
  }
  if (a.has("--diff-augment")) {
    try {
      cfg.diff_augment = DiffAugmentPolicy::parse(a.get("--diff-augment")).to_string();
    } catch (const std::invalid_argument& e) {
      throw CliError(std::string("--diff-augment: ") + e.what());
    }
  }
}

// --batch, --seed, --init, --ema-decay, --ema-warmup and --diff-augment belong to a run: on
// resume each may be given (the same command again with --resume) but not changed. Throws
// CliError naming the flag, the checkpoint's value and the one found.
void refuse_changed_run_flags(const Args& a, const TrainingOptions& o, const GanConfig& stored) {
  GanConfig asked = stored;
  asked.batch_size = a.count("--batch", stored.batch_size, kMaxBatch);
  asked.seed = o.seed.value_or(stored.seed);
  if (a.has("--init")) asked.init = a.get("--init");
  apply_new_run_flags(a, asked);
  auto refuse = [](const char* flag, const std::string& have, const std::string& found) {
    throw CliError(std::string("train --resume: ") + flag +
                   " cannot change on resume: the checkpoint's run has " + have + ", found " +
                   found + " (drop the flag: the checkpoint's value is used)");
  };
  if (asked.batch_size != stored.batch_size) {
    refuse("--batch", std::to_string(stored.batch_size), std::to_string(asked.batch_size));
  }
  if (asked.seed != stored.seed) {
    refuse("--seed", std::to_string(stored.seed), std::to_string(asked.seed));
  }
  if (asked.init != stored.init) {
    refuse("--init", "'" + stored.init + "'", "'" + asked.init + "'");
  }
  if (asked.ema_decay != stored.ema_decay) {
    refuse("--ema-decay", format_number(stored.ema_decay), format_number(asked.ema_decay));
  }
  if (asked.ema_warmup_steps != stored.ema_warmup_steps) {
    refuse("--ema-warmup", std::to_string(stored.ema_warmup_steps),
           std::to_string(asked.ema_warmup_steps));
  }
  if (asked.diff_augment != stored.diff_augment) {
    refuse("--diff-augment", "'" + stored.diff_augment + "'", "'" + asked.diff_augment + "'");
  }
}

// train --resume: the run of `ckpt_path` continued on `data` (loaded here), with the flags that
// may change (--backend, --threads, --lr, --lr-d, --beta1, --beta2); the others must stay.
std::unique_ptr<GanTrainer> resume_trainer(const Args& a, const TrainingOptions& o,
                                           const std::string& ckpt_path, Dataset& data) {
  if (!fs::exists(ckpt_path)) {
    throw CliError("train --resume: no checkpoint " + ckpt_path +
                   " (start a new run without --resume)");
  }
  // The spec and image size come from the checkpoint; build with them.
  auto probe = GanTrainer::from_checkpoint(ckpt_path, nullptr);
  refuse_changed_run_flags(a, o, probe->config());
  if (a.has("--model") && probe->model().name != a.get("--model") &&
      a.get("--model").find(".json") == std::string::npos) {
    throw CliError("train --resume: " + ckpt_path + " is a checkpoint of model '" +
                   probe->model().name + "', not '" + a.get("--model") + "'");
  }
  if (a.has("--preset")) require_preset_matches(*probe, a.get("--preset"), ckpt_path, a);
  load_resume_data(a, *probe, ckpt_path, data);
  GanConfig cfg = probe->config();
  if (o.backend) cfg.backend = *o.backend;
  // --lr / --lr-d / --beta1 / --beta2 override the checkpoint's values from here on (the Adam
  // moments and everything else continue); the checkpoints written next carry them.
  const GanConfig stored = cfg;
  apply_optimiser_flags(a, cfg);
  try {
    cfg.validate();
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("train --resume: ") + e.what());
  }
  say_overrides(stored, cfg);
  probe.reset();
  return GanTrainer::from_checkpoint(ckpt_path, &data, &cfg);
}

// A new run: --model's spec with --preset and the flags over it, on `data` (loaded here); refused
// when RUN_DIR already holds a checkpoint.
std::unique_ptr<GanTrainer> new_trainer(const Args& a, const TrainingOptions& o,
                                        const std::string& ckpt_path, Dataset& data) {
  const std::string model = a.require("--model", "NAME (e.g. dcgan20)");
  const nlohmann::json spec = nn::load_model_spec(model);
  GanConfig cfg;
  apply_preset(spec, a.has("--preset") ? a.get("--preset") : "default", cfg);
  cfg.batch_size = a.count("--batch", cfg.batch_size, kMaxBatch);
  apply_optimiser_flags(a, cfg);
  cfg.seed = o.seed.value_or(0);
  cfg.backend = o.backend.value_or(nn::Backend::fast);
  cfg.init = a.get("--init");
  apply_new_run_flags(a, cfg);
  try {
    cfg.validate();
  } catch (const std::invalid_argument& e) {
    throw CliError(std::string("train: ") + e.what());
  }
  if (fs::exists(ckpt_path)) {
    throw CliError("train: " + ckpt_path +
                   " exists; add --resume to continue it, or choose another --out");
  }
  data = load_dataset(a.require("--data", "digits|fashion-mnist|emoji|emoji:CATEGORY|PATH"),
                      static_cast<int>(spec["image_shape"][1].get<int64_t>()),
                      static_cast<int>(spec["image_shape"][0].get<int64_t>()));
  if (data.size() < cfg.batch_size) {
    throw CliError("--batch: " + std::to_string(cfg.batch_size) + " is larger than the " +
                   std::to_string(data.size()) + " images of " + data.name);
  }
  return build_from_model_flag(model,
                               [&] { return std::make_unique<GanTrainer>(spec, cfg, &data); });
}

// The run's first line on stderr (model, data, hyperparameters, backend, new or resumed), and for
// a new run G's and D's parameter counts.
void print_run_header(GanTrainer& t, const Dataset& data, int threads, bool resume) {
  const GanConfig& cfg = t.config();
  std::fprintf(stderr,
               "%s: %s, %lld images %s; batch %lld, lr G %g D %g, betas (%g, %g), "
               "%s%s%sseed %llu, backend %s, %d thread(s); %s\n",
               t.model().name.c_str(), data.description.c_str(),
               static_cast<long long>(data.size()), shape_to_string(t.model().image_shape).c_str(),
               static_cast<long long>(cfg.batch_size), cfg.lr_g, cfg.lr_d, cfg.beta1, cfg.beta2,
               cfg.ema_decay > 0 ? ("G_ema decay " + float_text(cfg.ema_decay) + ", ").c_str() : "",
               cfg.diff_augment.empty() ? "" : "DiffAugment ",
               cfg.diff_augment.empty() ? "" : (cfg.diff_augment + ", ").c_str(),
               static_cast<unsigned long long>(cfg.seed), nn::backend_name(cfg.backend), threads,
               resume ? ("resuming at step " + std::to_string(t.steps_done())).c_str() : "new run");
  if (!resume) {
    std::fprintf(stderr, "%s%s", t.G().parameter_summary().c_str(),
                 t.D().parameter_summary().c_str());
  }
}

// A diverged run's message on stderr: what happened, and what is kept. Say only what is true: a
// run can diverge before its first checkpoint.
void say_diverged(const LoopResult& r, const TrainingOptions& o, const std::string& ckpt_path) {
  if (fs::exists(ckpt_path)) {
    std::fprintf(stderr, "\nconvt-lab train: %s\nThe last good checkpoint is kept: %s\n",
                 r.error.c_str(), ckpt_path.c_str());
  } else {
    std::fprintf(stderr,
                 "\nconvt-lab train: %s\nNo checkpoint was saved (it diverged before the "
                 "first, every %lld steps); %s holds the log.\n",
                 r.error.c_str(), static_cast<long long>(o.checkpoint_every), o.out.c_str());
  }
}

// Trains `t` in RUN_DIR = o.out: a log.csv row per step, a grid of the fixed z when an epoch ends,
// the progress line, checkpoints; at the end samples_latest.png and a summary line. Returns the
// exit status.
int train_steps(GanTrainer& t, const Dataset& data, const TrainingOptions& o,
                const StopSignals& stop, bool resume) {
  const fs::path dir(o.out);
  const std::string ckpt_path = (dir / "checkpoint.safetensors").string();
  CsvWriter log((dir / "log.csv").string(),
                {"step", "epoch", "loss_g", "loss_d", "d_real", "d_fake", "acc_real", "acc_fake",
                 "samples_per_second", "seconds"},
                resume);
  const Tensor fixed_z = t.latent_batch(64, t.config().seed + 12345);
  TrainingLoop loop;
  loop.first_step = t.steps_done();
  loop.target_steps = o.steps > 0 ? o.steps : o.epochs * t.batches_per_epoch();
  print_run_header(t, data, o.threads, resume);
  StepMetrics m;
  double sps_avg = 0.0;
  int64_t last_grid_step = -1;  // step of the last samples_epoch_NNN.png of this invocation
  loop.step = [&] {
    const int64_t epoch_before = t.epoch();
    m = t.step();
    log.write_row({static_cast<double>(m.step), static_cast<double>(m.epoch), m.loss_g, m.loss_d,
                   m.d_real, m.d_fake, m.acc_real, m.acc_fake, m.samples_per_second, m.seconds});
    sps_avg = sps_avg == 0.0 ? m.samples_per_second : 0.9 * sps_avg + 0.1 * m.samples_per_second;
    // An epoch ended with this step. On a small dataset (169 emoji are 2 steps of 64) epochs
    // end every few steps, so a grid is written only when checkpoint_every steps have passed
    // since the last one: a 200,000-step run writes hundreds of grids, not 100,000.
    if (t.epoch() != epoch_before &&
        (last_grid_step < 0 || m.step - last_grid_step >= o.checkpoint_every)) {
      last_grid_step = m.step;
      char name[64];
      std::snprintf(name, sizeof name, "samples_epoch_%03lld.png",
                    static_cast<long long>(epoch_before + 1));
      write_png_grid((dir / name).string(), t.generate(fixed_z), 8, 3);
    }
    return m.step;
  };
  loop.checkpoint = [&] { t.save_checkpoint(ckpt_path); };
  loop.progress = [&](const LoopProgress& p) {
    const std::string of_total =
        o.seconds > 0.0 ? "" : "/" + std::to_string(static_cast<long long>(loop.target_steps));
    std::fprintf(stderr,
                 "\repoch %lld step %lld%s | loss_G %.3f loss_D %.3f | D(x) %.2f D(G(z)) %.2f "
                 "| %.0f samples/s | ETA %s   ",
                 static_cast<long long>(m.epoch + 1), static_cast<long long>(m.step),
                 of_total.c_str(), m.loss_g, m.loss_d, m.d_real, m.d_fake, sps_avg,
                 lab::format_duration(p.eta).c_str());
  };
  const LoopResult r = run_training_loop(o, stop, loop);
  if (r.end == LoopEnd::kDiverged) say_diverged(r, o, ckpt_path);
  std::fputc('\n', stderr);
  if (r.end == LoopEnd::kDiverged) return loop_exit_status(r);
  write_png_grid((dir / "samples_latest.png").string(), t.generate(fixed_z), 8, 3);
  std::fprintf(stderr, "%s at step %lld (%lld full epochs), %.1f s; saved %s\n",
               loop_end_text(stop).c_str(), static_cast<long long>(t.steps_done()),
               static_cast<long long>(t.epoch()), r.seconds, ckpt_path.c_str());
  if (stop.raised()) std::fprintf(stderr, "continue with the same command and --resume\n");
  return loop_exit_status(r);
}

}  // namespace

std::string train_usage() {
  return "Usage: convt-lab train --model dcgan20 --out RUN_DIR\n"
         "      --data digits|fashion-mnist|emoji|emoji:CATEGORY|PATH\n"
         "      [--preset default|notes] [--batch B] [--lr LR] [--lr-d LR] [--beta1 B1]\n"
         "      [--beta2 B2] [--epochs E | --steps N | --seconds T] [--seed N] [--threads N]\n"
         "      [--backend fast|naive] [--init dcgan|pytorch] [--checkpoint-every N]\n"
         "      [--ema-decay D [--ema-warmup N]] [--diff-augment POLICY] [--resume]\n\n"
         "  --model     a spec in assets/models (dcgan20, dcgan28, rgb32, dcgan64) or a .json "
         "file\n"
         "  --data      digits: the built-in 10,000 MNIST digits (no download);\n"
         "              fashion-mnist: Debian's dataset-fashion-mnist; emoji: the Twemoji RGB\n"
         "              images (scripts/setup.sh --with-emoji; for rgb32 / dcgan64);\n"
         "              emoji:CATEGORY: one category of them, e.g. emoji:smileys-emotion\n"
         "              (a wrong name lists them all); or an image\n"
         "              folder (RGB for 3-channel models, transparency on white) / IDX file\n"
         "  --preset    hyperparameters from the spec: 'default' (chosen by measurement) or\n"
         "              'notes' (batch 256, Adam lr 1e-4, beta1 0.5, beta2 0.999)\n"
         "  --lr        Adam learning rate of G (and of D unless --lr-d)\n"
         "  --epochs/--steps: total for the run (a resumed run stops at the same total);\n"
         "              --seconds: wall time of this invocation. Default: --epochs 30\n"
         "  --ema-decay also keep G_ema, an exponential moving average of G's weights with this\n"
         "              decay (0 = off; the default preset's 0.999, the notes' 0), stored as\n"
         "              G_ema.* in the checkpoint; `sample` draws from it unless --no-ema.\n"
         "              Training itself is unchanged\n"
         "  --ema-warmup updates that copy G before the average starts (default 0), then the\n"
         "              decay ramps up as (1 + s) / (10 + s) to D\n"
         "  --diff-augment  DiffAugment (Zhao et al. 2020): D sees real and fake images\n"
         "              through the same kind of random transforms, a comma-separated list of\n"
         "              color, translation, cutout (none = off; default: the preset's, else\n"
         "              none). Keeps D from memorising a small dataset; G's samples are not\n"
         "              augmented\n"
         "  --checkpoint-every  steps between checkpoints (default 200); also at the end and\n"
         "              on Ctrl-C\n"
         "  --resume    continue RUN_DIR/checkpoint.safetensors exactly (its model, data order,\n"
         "              hyperparameters, Adam state; --backend/--threads may change; a --preset\n"
         "              is accepted only if its batch, lr, betas, EMA decay and DiffAugment\n"
         "              are the run's, apart from those given as flags). --lr, --lr-d, --beta1, "
         "--beta2\n"
         "              override the checkpoint's values for the steps to come (Adam's\n"
         "              moments kept); a line 'overriding the checkpoint's lr_g 0.0002 -> ...'\n"
         "              names each change, and the new checkpoints store the new values.\n"
         "              --batch, --seed, --init, --ema-*, --diff-augment may be repeated\n"
         "              but not changed (the same command with --resume works)\n\n"
         "Writes RUN_DIR/checkpoint.safetensors (atomically), RUN_DIR/log.csv (one row per step),\n"
         "RUN_DIR/samples_epoch_NNN.png (64 fixed z) at the end of each epoch (at most one per\n"
         "--checkpoint-every steps when epochs are shorter) and RUN_DIR/samples_latest.png.\n"
         "Exit status: 0 done or interrupted (Ctrl-C, saved); 1 training diverged (non-finite\n"
         "loss; the last good checkpoint is kept); 2 bad input (nothing written).\n";
}

int run_train(int argc, char** argv) {
  StopSignals stop;  // before any slow work: a Ctrl-C while the data loads still stops the run
  const bool resume = take_switch(argc, argv, "--resume");
  Args a(argc, argv, 2, "train", training_flags(kRules, kTrainOwnFlags));
  if (a.help()) {
    std::fputs(train_usage().c_str(), stdout);
    return 0;
  }
  const TrainingOptions o = parse_common_training_flags(a, kRules);
  const std::string ckpt_path = (fs::path(o.out) / "checkpoint.safetensors").string();
  // Model, config, data: every check before anything is written.
  Dataset data;
  const std::unique_ptr<GanTrainer> trainer =
      resume ? resume_trainer(a, o, ckpt_path, data) : new_trainer(a, o, ckpt_path, data);
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) throw CliError("--out: cannot create directory " + o.out + ": " + ec.message());
  print_skipped(data);
  return train_steps(*trainer, data, o, stop, resume);
}

}  // namespace convt::cli
