// A GAN's generator G on its own, for sampling: read from `convt-lab train`'s full checkpoint or
// from a generator file, which holds only what sampling needs (G's parameters and BatchNorm
// running statistics, G_ema's when the run kept an average, and the model spec): a quarter of a
// full checkpoint's size, since D and the Adam moments are dropped. A generator file cannot
// resume training.
//
// Generator file (.safetensors, convt/io/safetensors.h):
//   tensors  "G.<i>.weight", "G.<i>.running_mean", ...     as nn::Sequential names them
//            "G_ema.<i>.weight", ...                         optional: the averaged G
//   metadata "spec" (the model JSON), "model", "step", "generator_only" = "true",
//            "G_ema.batch_norm" = "reestimated" when G_ema's statistics are its own
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convt/nn/sequential.h"
#include "convt/tensor.h"

namespace convt {

// Which of a file's generators to load.
enum class GeneratorChoice {
  G,           // the trained G
  G_ema,       // the moving average of G's weights (train --ema-decay); an error when absent
  prefer_ema,  // G_ema when the file holds it, else G
};

struct Generator {
  std::unique_ptr<nn::Sequential> G;  // in evaluation mode, fast backend
  nlohmann::json spec;                // the model spec (convt/nn/model_spec.h)
  std::string name;                   // "dcgan20"
  int latent_dim = 0;                 // 100
  std::vector<int64_t> image_shape;   // (C, H, W)
  int64_t steps = 0;                  // training steps recorded in the file
  bool averaged = false;              // G is the file's G_ema
  bool file_has_ema = false;          // the file holds G_ema (whichever was loaded)
  // The training data's name as the file records it (Dataset::name: "digits20",
  // "fashion-mnist-train", "emoji:smileys-emotion", a folder's name); "" when it does not say
  // (generator files exported before export_generator kept it).
  std::string data;
};

// G of a model spec (convt/nn/model_spec.h) with the spec's random initialisation from `seed`,
// fast backend, evaluation mode, steps 0: to sample untrained, or to load weights into.
// Throws what nn::build_gan throws for a bad spec.
Generator build_generator(const nlohmann::json& spec, uint64_t seed);

// Reads a full checkpoint or a generator file. G_ema from a full checkpoint carries G's
// BatchNorm statistics, which do not match the averaged weights: they are re-estimated here
// (reestimate_batch_norm, 32 batches of 256 z, seed kBatchNormSeed) unless the file says they
// already were. Throws CheckpointError naming the file and what is missing or mis-shaped.
Generator load_generator(const std::string& path, GeneratorChoice which = GeneratorChoice::G);

// N latent vectors z ~ N(0, 1) from Rng(seed): (n, latent_dim). The same seed gives the same z
// in the trainer (GanTrainer::latent_batch), `sample`, the latent explorer and the panels.
Tensor latent_batch(int64_t n, int latent_dim, uint64_t seed);

// Sets every BatchNorm running mean / variance of G to the average, over `batches` batches of
// `batch_size` fresh z ~ N(0, 1) (latent_batch(batches * batch_size, latent_dim, seed), batch
// after batch), of that layer's batch mean / unbiased variance in training mode; leaves G in
// evaluation mode with its momenta unchanged. For averaged weights (Yazici et al. 2019, sec. 3:
// the averaged network's statistics must be recomputed). Throws std::invalid_argument if
// batches < 1 or batch_size < 2.
void reestimate_batch_norm(nn::Sequential& G, int latent_dim, int64_t batches, int64_t batch_size,
                           uint64_t seed);
inline constexpr uint64_t kBatchNormSeed = 0x5eed;

// G(z) with every BatchNorm normalising by z's own batch statistics (training mode), for an
// averaged G whose running statistics are not its own, when re-estimating them is too slow (the
// dashboard's live G_ema grid). The running statistics are left exactly as they were; G is left
// in evaluation mode. Dropout layers, if G has any, drop as in training. z (N, latent_dim), N >= 2
// -> (N, C, H, W).
Tensor generate_with_batch_statistics(nn::Sequential& G, const Tensor& z);

// Writes a generator file from a full training checkpoint: G as trained, and G_ema when the run
// kept one, its BatchNorm statistics re-estimated first. Atomic (temp name + rename). Returns a
// one-line summary ("G and G_ema, 14 tensors, 5.2 MB"). Throws CheckpointError / SafetensorsError.
std::string export_generator(const std::string& checkpoint_path, const std::string& out_path);

}  // namespace convt
