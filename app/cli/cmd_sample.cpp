// `convt-lab sample`: images from a checkpoint's generator, in evaluation mode (BatchNorm running
// statistics), for N latent vectors z ~ N(0, 1) drawn from --seed (or read from --z FILE).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "convt/io/assets.h"
#include "convt/io/npy.h"
#include "convt/io/png.h"
#include "convt/train/gan_trainer.h"
#include "convt/train/generator.h"
#include "logic/quality_score.h"
#include "output_files.h"
#include "train_commands.h"

namespace convt::cli {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The dashboard's quality score (logic/quality_score.h) of images (N, 1, 20, 20) or
// (N, 1, 28, 28), one line.
void print_quality_score(const Tensor& images) {
  auto classifier = lab::load_classifier(asset_path(lab::kDigitClassifierAsset));
  const lab::QualityScore q = lab::quality_score(*classifier, images);
  std::printf("quality score %.2f (1..10), confident (p >= 0.9) %.1f%%, histogram", q.score,
              100.0 * q.confident);
  for (int c = 0; c < 10; ++c) std::printf(" %d:%d", c, q.histogram[c]);
  std::printf("\n");
}

}  // namespace

std::string sample_usage() {
  return "Usage: convt-lab sample --checkpoint FILE [--n 1000] [--seed S] [--z z.npy]\n"
         "      [--ema | --no-ema] [--batch-stats] [--backend fast|naive] [--threads N] [--score]\n"
         "      --out samples.npy|samples.png\n\n"
         "  --checkpoint a train run's checkpoint.safetensors, or a generator file\n"
         "               (export-generator; the shipped assets/checkpoints/*_G.safetensors)\n"
         "  --n, --seed  N latent vectors z ~ N(0, 1) from convt::Rng(S) (default 1000, 0)\n"
         "  --z          a (N, latent_dim) float32 .npy of latent vectors instead\n"
         "  --out        .npy: (N, C, H, W) float32 in [-1, 1]; .png: a grid of the images\n"
         "  --ema        sample G_ema, the moving average of G's weights (train --ema-decay;\n"
         "               the default preset keeps one), with BatchNorm statistics of its own\n"
         "               (re-estimated from 32 batches of 256 fresh z when the file holds G's,\n"
         "               as a training checkpoint does). The default when the file has G_ema;\n"
         "               --ema makes a file without one an error\n"
         "  --no-ema     sample G, the last trained weights, even when the file has G_ema\n"
         "  --batch-stats BatchNorm normalises with each chunk's own statistics (training\n"
         "               mode, chunks of 256 z) instead of the running statistics\n"
         "  --score      also print the dashboard's quality score of the samples (digit\n"
         "               models, 1x20x20, or 1x28x28 area-resized to 20x20):\n"
         "               exp(E[KL(p(y|x) || p(y))]) by the shipped digit classifier, the\n"
         "               fraction with p >= 0.9, and the class histogram; refused when the\n"
         "               file says it was trained on something other than digits\n"
         "Exit status: 0 done; 2 bad input or unusable checkpoint (nothing written).\n";
}

std::string export_generator_usage() {
  return "Usage: convt-lab export-generator --checkpoint RUN/checkpoint.safetensors --out "
         "G.safetensors\n\n"
         "Writes a generator file: what sampling needs and nothing else, about a quarter of\n"
         "the checkpoint's size. It holds G's parameters and BatchNorm running statistics,\n"
         "G_ema's when the run kept an average (train --ema-decay; its statistics re-estimated\n"
         "from 32 batches of 256 fresh z), and the model spec. `sample`, the latent explorer\n"
         "and the Other generators panel read it; `train --resume` cannot (no D, no Adam state).\n"
         "Written to a temporary name and renamed.\n"
         "Exit status: 0 done; 2 bad input or unusable checkpoint (nothing written).\n";
}

int run_export_generator(int argc, char** argv) {
  Args a(argc, argv, 2, "export-generator",
         {{"--checkpoint", "FILE"}, {"--out", "FILE.safetensors"}});
  if (a.help()) {
    std::fputs(export_generator_usage().c_str(), stdout);
    return 0;
  }
  const std::string ckpt = a.require("--checkpoint", "FILE (a train run's checkpoint)");
  const std::string out = a.require("--out", "FILE.safetensors");
  if (!ends_with(out, ".safetensors")) {
    throw CliError("--out: expected a name ending in .safetensors, found '" + out + "'");
  }
  StagedOutputs outputs;
  outputs.check_path("--out", out);
  const std::string what = export_generator(ckpt, out);
  std::printf("%s -> %s\n", what.c_str(), out.c_str());
  return 0;
}

namespace {

// G or G_ema of a checkpoint or generator file, as --ema / --no-ema / neither ask.
Generator load_sample_generator(const std::string& ckpt, bool ema, bool no_ema) {
  if (ema && no_ema) throw CliError("sample: --ema and --no-ema contradict each other; keep one");
  try {
    return load_generator(ckpt, ema      ? GeneratorChoice::G_ema
                                : no_ema ? GeneratorChoice::G
                                         : GeneratorChoice::prefer_ema);
  } catch (const CheckpointError& e) {
    throw CliError(std::string(ema ? "--ema: " : "") + e.what());
  }
}

// The latent vectors (N, latent_dim): --z's file, checked, or n of them from seed.
Tensor read_z(const Args& a, int64_t n, uint64_t seed, int latent_dim) {
  Tensor z = a.has("--z") ? read_npy(a.get("--z")) : latent_batch(n, latent_dim, seed);
  if (z.ndim() != 2 || z.dim(1) != latent_dim || z.dim(0) < 1) {
    throw CliError("--z: expected shape (N, " + std::to_string(latent_dim) +
                   ") [N, latent_dim], found " + z.shape_str());
  }
  const int64_t non_finite = std::count_if(z.values().begin(), z.values().end(),
                                           [](float v) { return !std::isfinite(v); });
  if (non_finite > 0) {
    throw CliError("--z '" + a.get("--z") + "': expected finite latent vectors, found " +
                   std::to_string(non_finite) + " NaN or infinite value(s) of " +
                   std::to_string(z.numel()));
  }
  return z;
}

// G(z) for every row of z (N, latent_dim) -> (N, C, H, W), in chunks of 256 (evaluation mode:
// each image depends on its own z only; in training mode, on its chunk's statistics too).
Tensor generate(nn::Sequential& G, const Tensor& z, const std::vector<int64_t>& image_shape) {
  const int64_t N = z.dim(0), chunk = 256, latent = z.dim(1);
  const int64_t per_image = image_shape[0] * image_shape[1] * image_shape[2];
  Tensor images({N, image_shape[0], image_shape[1], image_shape[2]});
  for (int64_t s = 0; s < N; s += chunk) {
    const int64_t m = std::min(chunk, N - s);
    Tensor zc({m, latent}, std::vector<float>(z.data() + s * latent, z.data() + (s + m) * latent));
    const Tensor x = G.forward(zc);  // (m, C, H, W)
    std::copy(x.data(), x.data() + m * per_image, images.data() + s * per_image);
  }
  return images;
}

}  // namespace

int run_sample(int argc, char** argv) {
  const bool score = take_switch(argc, argv, "--score");
  const bool ema = take_switch(argc, argv, "--ema");
  const bool no_ema = take_switch(argc, argv, "--no-ema");
  const bool batch_stats = take_switch(argc, argv, "--batch-stats");
  Args a(argc, argv, 2, "sample",
         {{"--checkpoint", "FILE"},
          {"--n", "N"},
          {"--seed", "S"},
          {"--z", "z.npy"},
          {"--backend", "fast|naive"},
          {"--threads", "N"},
          {"--out", "FILE.npy|FILE.png"}});
  if (a.help()) {
    std::fputs(sample_usage().c_str(), stdout);
    return 0;
  }
  const std::string ckpt = a.require("--checkpoint", "FILE (a train run's checkpoint)");
  const std::string out = a.require("--out", "samples.npy|samples.png");
  const bool png = ends_with(out, ".png");
  if (!png && !ends_with(out, ".npy")) {
    throw CliError("--out: expected a name ending in .npy or .png, found '" + out + "'");
  }
  if (a.has("--z") && (a.has("--n") || a.has("--seed"))) {
    throw CliError("sample: --z gives the latent vectors; drop --n / --seed");
  }
  StagedOutputs outputs;
  outputs.check_path("--out", out);
  apply_threads(a);
  const int64_t n = a.count("--n", 1000, 1000000);
  const uint64_t seed =
      a.has("--seed") ? static_cast<uint64_t>(parse_number("--seed", a.get("--seed"), 0, 1e15)) : 0;

  Generator gen = load_sample_generator(ckpt, ema, no_ema);
  if (a.has("--backend")) gen.G->set_backend(parse_backend_flag(a.get("--backend")));
  const auto& shape = gen.image_shape;
  if (score && !lab::classifier_takes(shape)) {
    throw CliError("--score: the digit classifier takes 1x20x20 or 1x28x28 samples; model " +
                   gen.name + " makes " + shape_to_string(shape));
  }
  if (score && !gen.data.empty() && !lab::draws_digits(shape, gen.data)) {
    throw CliError("--score: the digit classifier judges digits; " + ckpt + " was trained on '" +
                   gen.data + "'");
  }
  const Tensor z = read_z(a, n, seed, gen.latent_dim);
  gen.G->set_training(batch_stats);
  const Tensor images = generate(*gen.G, z, shape);  // (N, C, H, W)
  const int64_t N = images.dim(0);
  if (png) {
    const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(N))));
    write_png_grid(out, images, cols, 2);
  } else {
    outputs.stage_npy(out, images);
    outputs.commit();
  }
  std::printf("%lld samples %s from %s (model %s, step %lld, %s, BatchNorm %s) -> %s\n",
              static_cast<long long>(N), shape_to_string(shape).c_str(), ckpt.c_str(),
              gen.name.c_str(), static_cast<long long>(gen.steps),
              gen.averaged ? "G_ema, the averaged G" : "G",
              batch_stats ? "batch statistics"
                          : (gen.averaged ? "statistics re-estimated" : "running statistics"),
              out.c_str());
  if (score && shape[1] == 28) {
    std::printf(
        "scored at 20x20: the samples area-resized, as the built-in 20x20 digits were made from "
        "MNIST's 28x28 (the classifier knows digits only)\n");
  }
  if (score) print_quality_score(images);
  return 0;
}

}  // namespace convt::cli
