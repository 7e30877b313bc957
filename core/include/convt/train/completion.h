// The learn-to-complete CNN of the notes: a generator that is not a GAN.
//
//   masked image (N, C, H, W)            part hidden by a mask (convt/train/masks.h)
//   encoder: Conv2d(C -> c1, k, s1, p=(k-1)/2) + ReLU + MaxPool2d(2)   -> (N, c1, H/2, W/2)
//            Conv2d(c1 -> c2, k, s1, p=(k-1)/2) + ReLU + MaxPool2d(2)  -> (N, c2, H/4, W/4)
//            Flatten                                                    -> (N, F), F = c2 H W / 16
//   concatenate a latent code (N, L)                                   -> (N, F + L)
//   decoder: Linear(F + L -> F) + ReLU, Reshape (c2, H/4, W/4)
//            ConvTranspose2d(c2 -> c1, k, s2, p=(k-1)/2, op1) + ReLU   -> (N, c1, H/2, W/2)
//            ConvTranspose2d(c1 -> C, k, s2, p=(k-1)/2, op1) + Tanh    -> (N, C, H, W)
//   loss = MSE(output, whole image)
//
// Weight tying (CompletionConfig::tied): each decoder ConvTranspose2d uses the kernel of its
// mirror encoder Conv2d, the same storage (convt/nn/tied.h): decoder layer c2 -> c1 uses the
// (c2, c1, k, k) weight of the encoder's c1 -> c2 conv, and c1 -> C uses the first conv's. The
// decoder keeps its own biases. Tied, the conv weights are counted (and trained) once: half the
// conv weight parameters of the untied model.
//
// The latent code is N(0, 1) in training (drawn from the trainer's Rng) and zero at evaluation
// unless one is given, so a trained model completes deterministically and a random code varies
// the completion. Deterministic for a seed, backend and thread count, as GanTrainer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/optim.h"
#include "convt/nn/sequential.h"
#include "convt/train/gan_trainer.h"  // TrainingError, CheckpointError
#include "convt/train/masks.h"

namespace convt {

struct CompletionConfig {
  // Model
  int image_channels = 1;
  int image_size = 28;  // H = W; a multiple of 4
  int channels1 = 8;    // c1, the first encoder conv's output channels
  int channels2 = 16;   // c2
  int kernel_size = 3;  // k, odd
  int latent_dim = 8;   // L (0 = no code)
  bool tied = false;
  // Training
  MaskSpec mask;  // bottom half by default
  int64_t batch_size = 32;
  float lr = 1e-3f;  // Adam
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  uint64_t seed = 0;
  nn::Backend backend = nn::Backend::naive;

  // Throws std::invalid_argument naming the first bad value.
  void validate() const;
};
// As JSON text and back (checkpoint metadata); from_json throws CheckpointError on bad text.
std::string completion_config_to_json(const CompletionConfig& cfg);
CompletionConfig completion_config_from_json(const std::string& text);

// The network, without optimiser. Parameter names: "encoder.<i>.weight", "decoder.<i>.bias"
// (nn.Sequential's state_dict names under two submodules). Initialised as PyTorch 1.13's
// reset_parameters from Rng(seed): encoder layers first, then decoder.
class CompletionNet {
 public:
  explicit CompletionNet(const CompletionConfig& cfg);

  // masked (N, C, H, W), code (N, L) or nullptr (zeros) -> (N, C, H, W) in (-1, 1). The result
  // stays valid until the next forward.
  const Tensor& forward(const Tensor& masked, const Tensor* code = nullptr);
  // dout (N, C, H, W) of the last forward; adds into every parameter gradient (a tied weight
  // gets both uses' gradients). dmasked (nullptr = not wanted) gets dL/d(masked input).
  void backward(const Tensor& dout, Tensor* dmasked = nullptr);

  // Every trained tensor once (a tied weight only under its encoder name).
  std::vector<nn::NamedParam> params();
  void zero_grad();
  void set_training(bool training);
  void set_backend(nn::Backend b);
  int64_t parameter_count();
  // Parameters in conv and transposed-conv layers (weights and biases), tied weights once.
  int64_t conv_parameter_count();

  nn::Sequential& encoder() { return *encoder_; }
  nn::Sequential& decoder() { return *decoder_; }
  const CompletionConfig& config() const { return cfg_; }
  int64_t feature_count() const { return features_; }  // F

 private:
  CompletionConfig cfg_;
  int64_t features_;
  std::unique_ptr<nn::Sequential> encoder_, decoder_;
  Tensor mixed_, dmixed_, dfeatures_;  // (N, F + L), (N, F + L), (N, F)
};

struct CompletionMetrics {
  int64_t step = 0;                 // completed steps after this one
  int64_t epoch = 0;                // epoch of the batch used
  float loss = 0.0f;                // MSE(output, whole image) of the batch
  double seconds = 0.0;             // wall time of the step
  double samples_per_second = 0.0;  // batch_size / seconds
};

struct CompletionEval {
  int64_t images = 0;
  double mse = 0.0;         // mean over every pixel of every image
  double hidden_mse = 0.0;  // mean over the hidden pixels only (0 if none is hidden)
};

class CompletionTrainer {
 public:
  // `data` (nullptr: pass batches to step(batch)) must outlive the trainer and hold images
  // (N, image_channels, image_size, image_size). Throws std::invalid_argument.
  CompletionTrainer(const CompletionConfig& cfg, const Dataset* data);

  // One Adam step on the next batch of the dataset / on `batch` (B, C, H, W): mask it, complete
  // it with a random code, MSE to the whole batch. Throws TrainingError (nothing updated) on a
  // non-finite loss or gradient.
  CompletionMetrics step();
  CompletionMetrics step(const Tensor& batch);

  // Held-out evaluation in evaluation mode, code zero, masks from the config (random squares
  // drawn from Rng(mask_seed), so every call sees the same masks). images (N, C, H, W).
  CompletionEval evaluate(const Tensor& images, uint64_t mask_seed = 1, int64_t chunk = 250);
  // The completion of an already masked batch (N, C, H, W); code (N, L) or nullptr = zeros.
  Tensor complete(const Tensor& masked, const Tensor* code = nullptr);
  // The notes' iterative refinement: pass 1 completes `masked`; each next pass completes the
  // previous pass's output, with the visible pixels put back from `masked` when `masks`
  // (N, 1, H, W), 1 kept, as apply_mask gives them) is given, else the whole output fed back.
  // Returns every pass's output (passes >= 1), each (N, C, H, W). Evaluation mode, same code
  // every pass. Throws std::invalid_argument for passes < 1 or mis-shaped masks.
  std::vector<Tensor> refine(const Tensor& masked, int passes, const Tensor* code = nullptr,
                             const Tensor* masks = nullptr);
  // Drawing from a blank canvas: the completion of n all-zero images with codes ~ N(0, 1) from
  // Rng(seed) (the same seed gives the same drawings). (n, C, H, W).
  Tensor generate_from_blank(int64_t n, uint64_t seed);
  // n latent codes (n, L) ~ N(0, 1) from their own Rng(seed).
  Tensor latent_batch(int64_t n, uint64_t seed) const;

  // Checkpoint (safetensors, atomic): parameters ("encoder.0.weight", ...), Adam moments
  // ("opt.exp_avg.<name>", ...), metadata (format "convt-completion-checkpoint/1", config, step,
  // sampler position, Rng state). load refuses (CheckpointError, nothing changed) a corrupt
  // file, another format or another architecture (tied vs untied included).
  void save_checkpoint(const std::string& path) const;
  void load_checkpoint(const std::string& path);
  static std::unique_ptr<CompletionTrainer> from_checkpoint(const std::string& path,
                                                            const Dataset* data);

  CompletionNet& net() { return net_; }
  const CompletionConfig& config() const { return cfg_; }
  int64_t steps_done() const { return steps_; }
  const CompletionMetrics& last_metrics() const { return metrics_; }

 private:
  CompletionConfig cfg_;
  CompletionNet net_;
  const Dataset* data_;
  std::unique_ptr<BatchSampler> sampler_;
  std::unique_ptr<nn::Adam> opt_;
  Rng rng_;  // codes and random-square masks of training steps
  int64_t steps_ = 0;
  Tensor batch_, masked_, code_, dout_;
  CompletionMetrics metrics_;
};

// Splits `data` into (train, held_out): image i is held out when i % every == every - 1 (every
// `every`-th image, so every class is represented in both parts of the class-sorted digits).
// Throws std::invalid_argument for every < 2 or data smaller than every.
std::pair<Dataset, Dataset> split_holdout(const Dataset& data, int64_t every);

}  // namespace convt
