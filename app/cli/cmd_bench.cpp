// `convt-lab bench train`: training throughput of a GAN spec on synthetic data (uniform [-1, 1]
// images, as scripts/bench_torch_dcgan20.py), after 2 warm-up steps. Last line: samples/s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "convt/data/dataset.h"
#include "convt/nn/layers.h"
#include "convt/train/gan_trainer.h"
#include "train_commands.h"

namespace convt::cli {

namespace {

// Multiply-adds of one forward pass for one sample, over the conv / linear layers.
double forward_macs(nn::Sequential& net) {
  double macs = 0.0;
  std::vector<int64_t> in = net.input_shape();
  for (size_t i = 0; i < net.size(); ++i) {
    const std::vector<int64_t>& out = net.shape_after(i);
    nn::Layer& l = net.layer(i);
    const std::string type = l.type();
    double weights = 0.0;
    for (const nn::ParamRef& p : l.params()) weights += p.name == "weight" ? p.value->numel() : 0;
    if (type == "Linear") macs += weights;
    if (type == "Conv2d")
      macs += weights * static_cast<double>(out[1] * out[2]);  // per output pixel
    if (type == "ConvTranspose2d")
      macs += weights * static_cast<double>(in[1] * in[2]);  // per input pixel
    in = out;
  }
  return macs;
}

// Along one axis, the (grid position g, tap k) pairs whose pixel g*S - P + k*D lies inside the
// image [0, image): the taps that are not in a conv's zero padding, or not cropped from a
// transposed conv's output (Dumoulin & Visin 2016, sections 2 and 4).
int64_t inside_pairs(int64_t grid, int64_t image, int64_t K, int S, int P, int D) {
  int64_t n = 0;
  for (int64_t g = 0; g < grid; ++g)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t i = g * S - P + k * D;
      n += i >= 0 && i < image ? 1 : 0;
    }
  return n;
}

// Multiply-adds of a conv layer's taps inside the image, for one sample: `channel_pairs`
// (C_in * C_out) times the inside pairs along y and x. grid (H, W) and image (H, W) as in
// fast/lowering.h: a Conv2d's grid is its output, a ConvTranspose2d's its input.
double inside_macs(int64_t channel_pairs, const int64_t* grid, const int64_t* image,
                   const Tensor& weight, Pair S, Pair P, Pair D) {
  return static_cast<double>(channel_pairs) *
         static_cast<double>(inside_pairs(grid[0], image[0], weight.dim(2), S.h, P.h, D.h)) *
         static_cast<double>(inside_pairs(grid[1], image[1], weight.dim(3), S.w, P.w, D.w));
}

// Like forward_macs, counting only the products of two real values (no tap in the padding or
// cropped off), which is what the fast backend's box paths compute (its one-channel layers,
// lowered whole, also multiply the padding: 0.6 MFLOP more per sample for dcgan20). `first` gets
// layer 0's share when layer 0 is a conv or linear layer: Sequential::backward computes no
// input gradient for layer 0.
double forward_macs_inside(nn::Sequential& net, double* first) {
  double macs = 0.0;
  *first = 0.0;
  std::vector<int64_t> in = net.input_shape();  // (C, H, W) or (features)
  for (size_t i = 0; i < net.size(); ++i) {
    const std::vector<int64_t>& out = net.shape_after(i);
    nn::Layer& l = net.layer(i);
    double layer = -1.0;
    if (std::string(l.type()) == "Linear") {
      layer = 0.0;
      for (const nn::ParamRef& p : l.params()) layer += p.name == "weight" ? p.value->numel() : 0;
    } else if (auto* c = dynamic_cast<nn::Conv2d*>(&l)) {
      const Conv2dParams& o = c->options();
      layer =
          inside_macs(in[0] * out[0], &out[1], &in[1], c->weight, o.stride, o.padding, o.dilation);
    } else if (auto* t = dynamic_cast<nn::ConvTranspose2d*>(&l)) {
      const ConvTranspose2dParams& o = t->options();
      layer =
          inside_macs(in[0] * out[0], &in[1], &out[1], t->weight, o.stride, o.padding, o.dilation);
    }
    if (layer >= 0.0) macs += layer;
    if (i == 0) *first = std::max(layer, 0.0);
    in = out;
  }
  return macs;
}

}  // namespace

std::string bench_usage() {
  return "Usage: convt-lab bench train --model dcgan20 [--batch 256] [--steps 20] [--threads N]\n"
         "      [--backend fast|naive] [--seed N]\n\n"
         "Times --steps training steps (Step A + Step B) on synthetic images after 2 warm-up\n"
         "steps. The last line is `samples/s: <x>` (real images consumed per second).\n";
}

int run_bench(int argc, char** argv) {
  if (argc < 3 || std::string(argv[2]) != "train") {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
      std::fputs(bench_usage().c_str(), stdout);
      return 0;
    }
    throw CliError("bench: expected `bench train ...`, found '" +
                   std::string(argc >= 3 ? argv[2] : "") + "'");
  }
  Args a(argc, argv, 3, "bench train",
         {{"--model", "NAME"},
          {"--batch", "B"},
          {"--steps", "S"},
          {"--threads", "N"},
          {"--backend", "fast|naive"},
          {"--seed", "N"}});
  if (a.help()) {
    std::fputs(bench_usage().c_str(), stdout);
    return 0;
  }
  const int threads = apply_threads(a);
  const std::string model = a.has("--model") ? a.get("--model") : "dcgan20";
  const nlohmann::json spec = nn::load_model_spec(model);
  GanConfig cfg;  // the notes' Adam settings
  cfg.batch_size = a.count("--batch", 256, 65536);
  if (cfg.batch_size < 2) throw CliError("--batch: expected >= 2, found 1");
  cfg.backend = a.has("--backend") ? parse_backend_flag(a.get("--backend")) : nn::Backend::fast;
  cfg.seed = static_cast<uint64_t>(a.count("--seed", 1, 1000000000)) - 1;
  const int64_t steps = a.count("--steps", 20, 1000000);

  const std::unique_ptr<GanTrainer> trainer = build_from_model_flag(
      model, [&] { return std::make_unique<GanTrainer>(spec, cfg, nullptr); });
  GanTrainer& t = *trainer;
  Rng rng(cfg.seed + 99);
  const auto& s = t.model().image_shape;
  Tensor real({cfg.batch_size, s[0], s[1], s[2]});
  for (int64_t i = 0; i < real.numel(); ++i) real[i] = rng.uniform(-1.0f, 1.0f);
  auto one_step = [&]() {
    t.step_generator();
    t.step_discriminator(real);
  };
  one_step();
  one_step();
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) one_step();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double per_step = seconds / static_cast<double>(steps);
  const double sps = static_cast<double>(cfg.batch_size) / per_step;
  // Useful work per sample and step: G forward + backward (dx and dW: 3 passes), D in Step A
  // (forward + dx: 2), D in Step B on real and fake (forward + dW + dx: 3 each); 2 flops per MAC.
  const double g = forward_macs(t.G()), d = forward_macs(t.D());
  const double flops_per_sample = 2.0 * (3.0 * g + 2.0 * d + 6.0 * d);
  std::printf(
      "model %s batch %lld backend %s threads %d steps %lld: %.1f ms/step, "
      "%.0f MFLOP/sample/step, %.1f GFLOP/s\n",
      t.model().name.c_str(), static_cast<long long>(cfg.batch_size), nn::backend_name(cfg.backend),
      threads, static_cast<long long>(steps), per_step * 1e3, flops_per_sample / 1e6,
      flops_per_sample * sps / 1e9);
  // What the trainer computes: G forward, dW and dx except into its input (3g - g1); D in Step A
  // forward and dx (2d); in Step B forward on the real batch only (Step A's D(X_fake) is reused),
  // then dW and dx except into the images for the real and the fake batch (d + 2 (2d - d1)).
  double g1 = 0.0, d1 = 0.0;
  const double gi = forward_macs_inside(t.G(), &g1), di = forward_macs_inside(t.D(), &d1);
  const double computed_per_sample = 2.0 * (3.0 * gi - g1 + 7.0 * di - 2.0 * d1);
  std::printf(
      "computed (taps inside the image, D(X_fake) run once, no gradient into z or into Step B's "
      "images): %.0f MFLOP/sample/step, %.1f GFLOP/s\n",
      computed_per_sample / 1e6, computed_per_sample * sps / 1e9);
  std::printf("samples/s: %.1f\n", sps);
  return 0;
}

}  // namespace convt::cli
