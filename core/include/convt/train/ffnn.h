// The notes' first experiment: an FFNN + transposed convolutions trained
// from noise with MSE, the generator that is "not a GAN and not a completer".
//
//   z ~ N(0, 1)                                   (B, latent_dim)
//   fully connected layers (the FFNN)             -> (B, C0 * 8 * 8), reshaped to an 8x8 map
//   ConvTranspose2d layers upsample it            -> (B, C, H, W), tanh
//   loss = MSE(G(z), x), x a real batch drawn in shuffled order, independent of z
//
// The pairing of z and x is random and changes every step (as in the notes), so no z has a target
// of its own: the MSE is smallest when G(z) is the mean of the targets, E[x] (for any z,
// E||G(z) - x||^2 = ||G(z) - E[x]||^2 + E||x - E[x]||^2). The samples drift towards the average
// image, a blur; the GAN's adversarial loss has no such optimum (D tells a blur from a digit).
//
// The architecture comes from a JSON spec (assets/models/ffnn/ffnn20.json, apart from the GAN
// specs) with "latent_dim", "image_shape" [C, H, W] and a "generator" layer list, built by
// nn::build_sequential with shape inference. Deterministic for a seed, backend and thread count, as
// GanTrainer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "convt/data/dataset.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/optim.h"
#include "convt/train/gan_trainer.h"  // TrainingError, CheckpointError

namespace convt {

struct FfnnConfig {
  int64_t batch_size = 64;
  float lr = 1e-3f;  // Adam
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  uint64_t seed = 0;
  nn::Backend backend = nn::Backend::fast;
  // Throws std::invalid_argument naming the first bad value (batch < 1, lr <= 0, betas not in
  // [0, 1)).
  void validate() const;
};

struct FfnnMetrics {
  int64_t step = 0;                 // completed steps after this one
  int64_t epoch = 0;                // epoch of the real batch used
  float loss = 0.0f;                // MSE(G(z), x) of the batch
  double seconds = 0.0;             // wall time of the step
  double samples_per_second = 0.0;  // batch_size / seconds
};

class FfnnTrainer {
 public:
  // Builds G from spec["generator"] ((latent_dim) -> image_shape; SpecError / ShapeError when it
  // does not fit), initialised with the spec's "init" scheme from Rng(cfg.seed). `data` (nullptr:
  // pass batches to step(batch)) must outlive the trainer and hold images (N, C, H, W) of the
  // spec's image_shape. Throws std::invalid_argument naming both shapes otherwise.
  FfnnTrainer(const nlohmann::json& spec, const FfnnConfig& cfg, const Dataset* data);

  // One Adam step: fresh z (B, latent_dim) from the trainer's Rng, the next shuffled real batch
  // (or `batch`, (B, C, H, W)), loss = MSE(G(z), x). Throws TrainingError (nothing updated) on a
  // non-finite loss or gradient.
  FfnnMetrics step();
  FfnnMetrics step(const Tensor& batch);

  // G(z) in evaluation mode. z (N, latent_dim) -> (N, C, H, W).
  Tensor generate(const Tensor& z);
  // N latent vectors from their own Rng(seed) (the same numbers as GanTrainer::latent_batch).
  Tensor latent_batch(int64_t n, uint64_t seed) const;

  // Weights-only checkpoint (safetensors, atomic): G's parameters and buffers ("G.0.weight", ...)
  // and metadata (format "convt-ffnn-checkpoint/1", the spec, the config, step). No optimiser
  // state: it is for sampling, not for resuming.
  void save_checkpoint(const std::string& path) const;
  // Builds G from a checkpoint's spec and loads its weights. Refuses (CheckpointError) a file of
  // another format, or missing / mis-shaped tensors, naming the file and the tensor. G is in
  // evaluation mode on the naive backend (set_backend(fast) for speed).
  static std::unique_ptr<nn::Sequential> load_generator(const std::string& path,
                                                        nlohmann::json* spec_out = nullptr,
                                                        int64_t* steps_out = nullptr);

  nn::Sequential& G() { return *G_; }
  const FfnnConfig& config() const { return cfg_; }
  int latent_dim() const { return latent_dim_; }
  int64_t steps_done() const { return steps_; }
  int64_t batches_per_epoch() const { return sampler_ ? sampler_->batches_per_epoch() : 0; }
  const FfnnMetrics& last_metrics() const { return metrics_; }

 private:
  FfnnMetrics step_on(const Tensor& x, int64_t epoch, std::chrono::steady_clock::time_point t0);

  FfnnConfig cfg_;
  nlohmann::json spec_;
  int latent_dim_ = 0;
  std::unique_ptr<nn::Sequential> G_;
  const Dataset* data_;
  std::unique_ptr<BatchSampler> sampler_;
  std::unique_ptr<nn::Adam> opt_;
  Rng rng_;  // z of training steps
  int64_t steps_ = 0;
  Tensor z_, batch_, dout_;
  FfnnMetrics metrics_;
};

// The pixel-wise mean of every image of `data`, (1, C, H, W): the image an MSE-to-random-targets
// generator converges to. Throws std::invalid_argument for an empty dataset.
Tensor mean_image(const Dataset& data);

// How blurred and how alike a set of samples is, the two numbers that tell the MSE generator from
// the GAN: for samples (N, C, H, W) and a reference image `mean` (1, C, H, W),
//   mse_to_mean = mean over samples and pixels of (x - mean)^2   (0: every sample is the mean)
//   spread      = mean over pixels of the standard deviation across the N samples
//                 (0: every sample is the same image, whatever the z).
struct SampleSpread {
  double mse_to_mean = 0.0;
  double spread = 0.0;
};
// Throws std::invalid_argument if the shapes do not match or N < 1.
SampleSpread sample_spread(const Tensor& samples, const Tensor& mean);

}  // namespace convt
