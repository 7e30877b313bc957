// `convt-lab ffnn-train`: the notes' FFNN + transposed-convolution generator trained from noise
// with MSE to random real images (convt/train/ffnn.h), and its samples beside a GAN's.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/io/csv.h"
#include "convt/io/png.h"
#include "convt/train/ffnn.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "ffnn_commands.h"
#include "train_commands.h"
#include "training_run.h"

namespace convt::cli {

namespace fs = std::filesystem;

namespace {

// The flags of ffnn-train's own; the shared ones (--out, --steps, ...) come from kRules.
const std::vector<FlagSpec> kOwnFlags = {{"--model", "ffnn20|FILE.json"},
                                         {"--data", "digits|fashion-mnist|emoji|PATH"},
                                         {"--batch", "B"},
                                         {"--lr", "LR"},
                                         {"--gan", "CHECKPOINT|none"}};

// --out DIR; --steps (default 1000) or --seconds.
const TrainingFlagRules kRules = {"ffnn-train", "DIR", "(where checkpoint, log and samples go)",
                                  1000,         "",    true};

constexpr int kSamples = 64;
constexpr uint64_t kSampleSeed = 2024;  // the same z for the FFNN and the GAN grids

// The GAN to compare with: --gan, else the shipped checkpoint when the FFNN's spec makes 20x20
// grayscale (`digits_shape`); "none": no GAN (gan.G stays null). Its path into `gan_path`.
// CliError when its images or z differ from the FFNN's.
Generator comparison_gan(const Args& a, FfnnTrainer& t, bool digits_shape, std::string& gan_path) {
  Generator gan;
  gan_path = a.get("--gan");
  if (gan_path.empty() && digits_shape) {
    try {
      gan_path = asset_path("checkpoints/dcgan20_digits.safetensors");
    } catch (const std::exception&) {
      gan_path = "none";
    }
  }
  if (gan_path.empty() || gan_path == "none") return gan;
  gan = load_generator(gan_path);
  if (gan.image_shape != t.G().output_shape() || gan.latent_dim != t.latent_dim()) {
    throw CliError("--gan " + gan_path + ": model '" + gan.name + "' makes " +
                   shape_to_string(gan.image_shape) + " from z of " +
                   std::to_string(gan.latent_dim) + "; the FFNN makes " +
                   shape_to_string(t.G().output_shape()) + " from " +
                   std::to_string(t.latent_dim()));
  }
  return gan;
}

// The end of a run: samples_ffnn.png, mean.png and with a GAN samples_gan.png from the same z,
// and on stdout the summary line and the FFNN vs GAN table.
void report_samples(FfnnTrainer& t, const Dataset& data, const Generator& gan,
                    const std::string& gan_path, const fs::path& out, const std::string& summary) {
  const Tensor z = t.latent_batch(kSamples, kSampleSeed);
  const Tensor ffnn_samples = t.generate(z);
  const Tensor mean = mean_image(data);
  write_png_grid((out / "samples_ffnn.png").string(), ffnn_samples, 8, 3);
  write_png_grid((out / "mean.png").string(), mean, 1, 3);
  const SampleSpread f = sample_spread(ffnn_samples, mean);
  std::printf("%s\n", summary.c_str());
  std::printf("%-6s %16s %14s\n", "G", "MSE to the mean", "pixel spread");
  std::printf("%-6s %16.4f %14.4f\n", "FFNN", f.mse_to_mean, f.spread);
  if (gan.G) {
    const Tensor gan_samples = gan.G->forward(z);  // evaluation mode
    write_png_grid((out / "samples_gan.png").string(), gan_samples, 8, 3);
    const SampleSpread g = sample_spread(gan_samples, mean);
    std::printf("%-6s %16.4f %14.4f   (%s)\n", "GAN", g.mse_to_mean, g.spread, gan_path.c_str());
  }
  std::printf(
      "(64 samples from the same z; pixel spread: the std across samples, per pixel, "
      "averaged; 0 = all alike)\nwrote %s\n",
      (out / "checkpoint.safetensors").string().c_str());
}

// Trains `t` in DIR = o.out: a log.csv row per step, a line on stdout at the first step and every
// tenth of --steps, DIR/checkpoint.safetensors at the end; then report_samples. Returns the exit
// status.
int train_and_report(FfnnTrainer& t, const Dataset& data, const Generator& gan,
                     const std::string& gan_path, const TrainingOptions& o,
                     const StopSignals& stop) {
  const fs::path out = o.out;
  CsvWriter log((out / "log.csv").string(), {"step", "epoch", "loss", "samples_per_second"});
  float first_loss = 0.0f, last_loss = 0.0f;
  const int64_t print_every = std::max<int64_t>(1, o.steps / 10);
  TrainingLoop loop;
  loop.first_step = t.steps_done();
  loop.target_steps = o.steps;
  loop.step = [&] {
    const FfnnMetrics m = t.step();
    if (m.step == 1) first_loss = m.loss;
    last_loss = m.loss;
    log.write_row(std::vector<double>{static_cast<double>(m.step), static_cast<double>(m.epoch),
                                      m.loss, m.samples_per_second});
    if (m.step % print_every == 0 || m.step == 1) {
      std::printf("  step %lld: MSE %.4f, %.0f samples/s\n", static_cast<long long>(m.step), m.loss,
                  m.samples_per_second);
      std::fflush(stdout);
    }
    return m.step;
  };
  loop.checkpoint = [&] { t.save_checkpoint((out / "checkpoint.safetensors").string()); };
  const LoopResult r = run_training_loop(o, stop, loop);
  if (r.end == LoopEnd::kDiverged) {
    std::fprintf(stderr, "ffnn-train: %s\n", r.error.c_str());
    return loop_exit_status(r);
  }
  char summary[160];
  std::snprintf(summary, sizeof summary, "%s: %lld steps in %.1f s, MSE %.4f -> %.4f",
                loop_end_text(stop).c_str(), static_cast<long long>(t.steps_done()), r.seconds,
                first_loss, last_loss);
  report_samples(t, data, gan, gan_path, out, summary);
  return loop_exit_status(r);
}

}  // namespace

std::string ffnn_train_usage() {
  return "Usage: convt-lab ffnn-train --out DIR [--model ffnn20|FILE.json] [--data digits]\n"
         "      [--steps N | --seconds T] [--batch 64] [--lr 1e-3] [--seed 0] [--threads N]\n"
         "      [--backend fast|naive] [--gan CHECKPOINT|none]\n\n"
         "The notes' experiment: a fully connected network maps noise z to an 8x8 feature map,\n"
         "transposed convolutions upsample it to an image (assets/models/ffnn/ffnn20.json), "
         "trained\n"
         "with MSE to real images drawn at random (no z has a target of its own). The best such\n"
         "G outputs the average image: expect blurry, alike samples.\n"
         "  --data   the images (default digits: the built-in 20x20 digits)\n"
         "  --steps  batches to train (default 1000), or --seconds of wall time\n"
         "  --gan    a GAN checkpoint of the same image shape to compare with (default: the\n"
         "           shipped assets/checkpoints/dcgan20_digits.safetensors for 20x20 grayscale)\n\n"
         "Writes DIR/checkpoint.safetensors (weights only), DIR/log.csv, DIR/samples_ffnn.png\n"
         "(64 samples), DIR/mean.png (the average training image), and with a GAN\n"
         "DIR/samples_gan.png from the same 64 z. Prints how far the samples are from the mean\n"
         "image and how much they differ from each other (pixel spread), FFNN vs GAN.\n"
         "Ctrl-C or SIGTERM stops after the current step and writes the same files.\n"
         "Exit status: 0 done or interrupted (saved); 1 training diverged; 2 bad input.\n";
}

int run_ffnn_train(int argc, char** argv) {
  StopSignals stop;  // before any slow work: a Ctrl-C while the data loads still stops the run
  Args a(argc, argv, 2, "ffnn-train", training_flags(kRules, kOwnFlags));
  if (a.help()) {
    std::fputs(ffnn_train_usage().c_str(), stdout);
    return 0;
  }
  const TrainingOptions o = parse_common_training_flags(a, kRules);
  const fs::path out = o.out;

  // FFNN specs live in assets/models/ffnn/ (not GANs: the training dashboard lists models/*.json).
  const std::string model_flag = a.has("--model") ? a.get("--model") : "ffnn20";
  std::string model = model_flag;
  if (model.find(".json") == std::string::npos && model.find('/') == std::string::npos) {
    model = "ffnn/" + model;
  }
  const nlohmann::json spec = nn::load_model_spec(model);
  FfnnConfig cfg;
  cfg.batch_size = a.count("--batch", cfg.batch_size, 65536);
  if (a.has("--lr")) cfg.lr = static_cast<float>(parse_number("--lr", a.get("--lr"), 1e-9, 10));
  if (o.seed) cfg.seed = *o.seed;
  cfg.backend = o.backend.value_or(nn::Backend::fast);
  if (!spec.contains("image_shape") || !spec["image_shape"].is_array() ||
      spec["image_shape"].size() != 3) {
    throw CliError("--model: expected a spec with \"image_shape\": [C, H, W]");
  }
  const int channels = spec["image_shape"][0].get<int>();
  const int size = spec["image_shape"][1].get<int>();
  const Dataset data = load_dataset(a.has("--data") ? a.get("--data") : "digits", size, channels);
  if (data.size() < cfg.batch_size) {
    throw CliError("--batch: " + std::to_string(cfg.batch_size) + " is larger than the " +
                   std::to_string(data.size()) + " images of " + data.name);
  }
  const std::unique_ptr<FfnnTrainer> trainer = build_from_model_flag(
      model_flag, [&] { return std::make_unique<FfnnTrainer>(spec, cfg, &data); });
  FfnnTrainer& t = *trainer;
  std::string gan_path;
  const Generator gan = comparison_gan(a, t, channels == 1 && size == 20, gan_path);

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw CliError("--out: cannot create directory " + out.string() + ": " + ec.message());
  std::printf("ffnn-train: %s, %s; batch %lld, Adam lr %g, seed %llu, backend %s, %d thread(s)\n",
              spec.value("name", std::string("?")).c_str(), data.description.c_str(),
              static_cast<long long>(cfg.batch_size), static_cast<double>(cfg.lr),
              static_cast<unsigned long long>(cfg.seed), nn::backend_name(cfg.backend), o.threads);
  std::printf("%s", t.G().parameter_summary().c_str());
  return train_and_report(t, data, gan, gan_path, o, stop);
}

}  // namespace convt::cli
