// GanTrainer: the notes' GAN training algorithm, one batch per call, with the two steps exposed
// separately so the dashboard can step them one at a time.
//
//   Step A (step_generator):     z ~ N(0, 1)            (B, latent_dim)
//                                X_fake = G(z)          (B, C, H, W)
//                                L_G = BCE(D(X_fake), 1)
//                                backprop through D (its gradients are not kept) into G;
//                                Adam updates G only.
//   Step B (step_discriminator): the same X_fake, detached, and a real batch x (B, C, H, W):
//                                L_D = BCE(D(x), 1) + BCE(D(X_fake), 0)
//                                Adam updates D only.
//   step() = Step A then Step B.
//
// D's weights do not change between Step A and Step B, so D(X_fake) is the same function in
// both: Step B differentiates Step A's forward pass of D on X_fake (its activations and dropout
// masks, still held by D) instead of running it again, as TensorFlow's DCGAN tutorial computes
// one fake_output for both losses; then D runs forward/backward on the real batch (its own
// dropout masks). If D ran on anything else in between (or Step B comes without Step A), Step B
// runs D(X_fake) afresh. Both nets stay in training mode (batch statistics in G's BatchNorm,
// dropout in D); generate() uses evaluation mode.
//
// Optional (GanConfig::diff_augment): DiffAugment (convt/ops/diff_augment.h). D then sees T(x)
// and T(X_fake) with random transforms T drawn per sample from the trainer's own augmentation
// Rng, in both steps; Step A backpropagates through T into G, and Step B's fake half reuses Step
// A's T(X_fake). StepMetrics' D(x), D(G(z)) and accuracies are then D's on augmented images.
//
// Deterministic for a given seed, backend and thread count: z comes from the trainer's own Rng,
// each Dropout layer has its own Rng, batches come from convt::BatchSampler.
//
// Optional (GanConfig::ema_decay > 0): an exponential moving average of G's weights, G_ema, a
// second network built from the same spec and started as a copy of G. After each Step A,
//   ema = d * ema + (1 - d) * param        for every parameter of G (weights, biases, BN gamma
//                                          and beta), d = ema_effective_decay(cfg, n)
// G_ema is not trained and does not change G or D: training runs the same with or without it.
// The average of the iterates often gives better samples than the last G (Yazici et al. 2019,
// "The Unusual Effectiveness of Averaging in GAN Training"; Karras et al. 2018, "Progressive
// Growing of GANs", sample from such an average with d = 0.999).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "convt/data/dataset.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/optim.h"
#include "convt/ops/diff_augment.h"

namespace convt {

struct GanConfig {
  int64_t batch_size = 256;
  float lr_g = 1e-4f;  // the notes: Adam lr 1e-4, beta1 0.5, beta2 0.999
  float lr_d = 1e-4f;
  float beta1 = 0.5f;
  float beta2 = 0.999f;
  uint64_t seed = 0;
  nn::Backend backend = nn::Backend::naive;
  std::string init;  // "" = the spec's "init"; else "dcgan" | "pytorch"
  // Exponential moving average of G's weights: 0 = off; else the decay d in (0, 1), e.g. 0.999
  // (Karras et al. 2018). The n-th update uses ema_effective_decay(), which warms up as below.
  float ema_decay = 0.0f;
  // Updates before the average starts: the first ema_warmup_steps + 1 updates copy G (d = 0),
  // then d ramps up as TensorFlow's ExponentialMovingAverage with num_updates. Hugging Face
  // diffusers' EMAModel (update_after_step) uses the same rule.
  int64_t ema_warmup_steps = 0;
  // DiffAugment policy for D's inputs, as DiffAugmentPolicy's text ("" = off; e.g.
  // "color,translation,cutout", Zhao et al. 2020).
  std::string diff_augment;

  // Throws std::invalid_argument naming the first bad value (batch < 2, lr <= 0, betas or
  // ema_decay not in [0, 1), ema_warmup_steps < 0, an unknown DiffAugment transform).
  void validate() const;
};

struct StepMetrics {
  int64_t step = 0;                 // completed steps after this one (1 after the first)
  int64_t epoch = 0;                // epoch of the real batch used
  float loss_g = 0.0f;              // L_G of Step A
  float loss_d = 0.0f;              // L_D of Step B
  float d_real = 0.0f;              // mean sigmoid(D(x)) over the real batch
  float d_fake = 0.0f;              // mean sigmoid(D(X_fake)) in Step B
  float acc_real = 0.0f;            // fraction of real images with D(x) > 0 (called real)
  float acc_fake = 0.0f;            // fraction of fakes with D(X_fake) < 0 (called fake)
  double seconds = 0.0;             // wall time of Step A + Step B
  double samples_per_second = 0.0;  // batch_size / seconds
};

// The decay of the n-th EMA update (n = 1, 2, ...: one per Step A while EMA is on), as Hugging
// Face diffusers' EMAModel.get_decay (training_utils.py) with update_after_step = W =
// cfg.ema_warmup_steps and the ramp of TensorFlow's tf.train.ExponentialMovingAverage:
//   s = max(0, n - W - 1)
//   d = 0                                  if s = 0 (G_ema becomes a copy of G)
//   d = min(ema_decay, (1 + s) / (10 + s)) otherwise: 2/11, 3/12, 4/13, ... until ema_decay
// With W = 0: 0, 0.1818, 0.25, 0.3077, ... An early G (near its random start) therefore never
// dominates the average; d reaches 0.999 after about 9000 updates. 0 when ema_decay is 0.
float ema_effective_decay(const GanConfig& cfg, int64_t n);

// A non-finite loss or gradient. Nothing was updated; what() names the step and what to try.
class TrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A checkpoint that cannot be used here (corrupt, another model, missing tensors).
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class GanTrainer {
 public:
  // Builds G and D from `spec` (convt/nn/model_spec.h), initialised from cfg.seed. `data` (may be
  // nullptr: then pass real batches to step_discriminator) must outlive the trainer and match
  // the model's image shape. Throws SpecError/ShapeError/std::invalid_argument.
  GanTrainer(const nlohmann::json& spec, const GanConfig& cfg, const Dataset* data);

  // Step A. Returns L_G. Throws TrainingError (no update) if L_G or G's gradients are not finite.
  // With EMA on, then updates G_ema's parameters from G's new ones and copies G's BatchNorm
  // running statistics into G_ema (as StyleGAN2-ADA's training loop copies G's buffers).
  float step_generator();
  // Step B on the next batch of the dataset / on `real` (B, C, H, W). Uses the X_fake of the
  // last step_generator(); without one, it first draws z and runs G (training mode, no update).
  // D's weights have not changed since Step A, so BCE(D(X_fake), 0) is differentiated through
  // Step A's forward pass of D (its activations and dropout masks), not a new one, unless D ran
  // on something else in between; D therefore runs forward twice per step (X_fake, then the real
  // batch), and a D with BatchNorm updates its running statistics twice, not three times.
  // Completes the step: returns its metrics. Throws TrainingError (no update) on a non-finite L_D.
  StepMetrics step_discriminator();
  StepMetrics step_discriminator(const Tensor& real);
  // Step A then Step B.
  StepMetrics step();

  // G(z) in evaluation mode (BatchNorm running statistics). z (N, latent_dim) -> (N, C, H, W).
  Tensor generate(const Tensor& z);
  // N latent vectors from their own Rng(seed): the same seed gives the same z everywhere.
  Tensor latent_batch(int64_t n, uint64_t seed) const;

  // ---- EMA of G (GanConfig::ema_decay > 0) ----
  bool has_ema() const { return g_ema_ != nullptr; }
  // G_ema, the averaged generator (same layers as G, kept in evaluation mode); nullptr when off.
  nn::Sequential* G_ema() { return g_ema_.get(); }
  // Number of EMA updates so far (the n of the last ema_effective_decay); 0 when off.
  int64_t ema_updates() const { return ema_updates_; }
  // G_ema(z) in evaluation mode. z (N, latent_dim) -> (N, C, H, W). Throws std::logic_error when
  // EMA is off.
  Tensor generate_ema(const Tensor& z);
  // Recomputes G_ema's BatchNorm running statistics for its own (averaged) weights: G's
  // statistics belong to G's weights, and an average of G's past statistics to none of the
  // averaged weights. Resets them (mean 0, var 1), runs G_ema in training mode on `batches`
  // batches of `batch_size` fresh z, and sets each running mean/var to the plain average of the
  // batch means / unbiased variances (PyTorch's momentum=None, as torch.optim.swa_utils.update_bn
  // does for SWA; Izmailov et al. 2018). Batch k (0-based) is rows [k*batch_size, (k+1)*
  // batch_size) of latent_batch(batches * batch_size, seed); the training Rng is not used.
  // G, D and training are unchanged; the next Step A copies G's statistics again, so call this
  // after training and before sampling. Throws std::logic_error when EMA is off,
  // std::invalid_argument if batches < 1 or batch_size < 2.
  void reestimate_ema_batch_norm(int64_t batches, int64_t batch_size, uint64_t seed);

  // Checkpoint: G and D parameters and BN running statistics ("G.0.weight", "G.1.running_mean",
  // ... as PyTorch's state_dict of nn.Sequential), Adam moments ("optG.exp_avg.0.weight", ...),
  // and metadata: the model spec, config, step, batch position, every Rng state. With EMA on,
  // also G_ema's parameters and statistics ("G_ema.0.weight", "G_ema.1.running_mean", ...) and
  // the update count ("ema.updates"); with DiffAugment on, its Rng state ("rng.augment"). Written
  // atomically. Throws std::logic_error between Step A
  // and Step B (X_fake is not saved).
  void save_checkpoint(const std::string& path) const;
  // Restores everything save_checkpoint wrote; training then continues exactly as it would
  // have. Refuses (CheckpointError, nothing changed) a corrupt file, a checkpoint of another
  // model, or missing/mis-shaped tensors (of G_ema too, once the file has any "G_ema." tensor).
  // EMA on, a checkpoint without G_ema (EMA was off): G_ema starts again as a copy of the loaded
  // G, its update count at 0 (the warm-up runs again). EMA off, a checkpoint with G_ema: its
  // G_ema tensors are ignored (the next save_checkpoint leaves them out).
  void load_checkpoint(const std::string& path);
  // Reads the spec and config from a checkpoint's metadata, builds the trainer, loads it.
  static std::unique_ptr<GanTrainer> from_checkpoint(const std::string& path, const Dataset* data,
                                                     const GanConfig* override_cfg = nullptr);
  // The dataset a loaded checkpoint was trained on (metadata "data" and "data.images"): its
  // Dataset::name and image count. Empty name and 0 for a checkpoint older than these keys, or
  // before any load_checkpoint. Saved again with the next checkpoint when there is no dataset.
  const std::string& trained_on_name() const { return trained_on_name_; }
  int64_t trained_on_images() const { return trained_on_images_; }
  // The name save_checkpoint records as "data": the dataset's, else trained_on_name().
  std::string data_name() const { return data_ ? data_->name : trained_on_name_; }

  nn::GanModel& model() { return model_; }
  nn::Sequential& G() { return *model_.G; }
  nn::Sequential& D() { return *model_.D; }
  const GanConfig& config() const { return cfg_; }
  int64_t steps_done() const { return steps_; }
  // Epoch and batch index of the next real batch (0, 0 without a dataset).
  int64_t epoch() const;
  int64_t batches_per_epoch() const;
  bool step_a_pending() const { return have_fake_; }
  const StepMetrics& last_metrics() const { return metrics_; }
  // The fakes of the last Step A (B, C, H, W).
  const Tensor& last_fakes() const { return x_fake_; }
  void set_backend(nn::Backend b);
  // New learning rates and betas for the steps to come, as assigning "lr" and "betas" in both
  // optimisers' param_groups in PyTorch: the weights, Adam moments (exp_avg, exp_avg_sq) and step
  // counts, every Rng and the data position are kept; config() and the next checkpoint carry
  // the new values. Between Step A and Step B too (Step B then uses the new lr_d). Throws
  // std::invalid_argument naming the first bad value, as GanConfig::validate (with which `train`
  // checks its flags): "lr (D): expected > 0, found ..."; nothing changes then.
  void set_hyperparameters(float lr_g, float lr_d, float beta1, float beta2);

 private:
  void make_fakes_without_update();
  void fill_latent(Tensor& z);
  void update_ema();
  void copy_g_into_ema();
  // What D sees of x: x itself, or T(x) into `augmented` with fresh values in `draw`.
  const Tensor& d_input(const Tensor& x, Tensor& augmented, DiffAugmentDraw& draw);

  GanConfig cfg_;
  nn::GanModel model_;
  const Dataset* data_;
  std::unique_ptr<BatchSampler> sampler_;
  std::unique_ptr<nn::Adam> opt_g_, opt_d_;
  Rng rng_;                                // z for training steps
  std::unique_ptr<nn::Sequential> g_ema_;  // nullptr when EMA is off
  DiffAugmentPolicy augment_;
  Rng augment_rng_;  // DiffAugment's random values (unused when off)
  DiffAugmentDraw augment_fake_, augment_real_;
  Tensor fake_augmented_, real_augmented_, dfake_augmented_;
  int64_t ema_updates_ = 0;
  int64_t steps_ = 0;
  std::string trained_on_name_;
  int64_t trained_on_images_ = 0;
  bool have_fake_ = false;
  // Step A's D(X_fake): its logits (B, 1), and whether D still holds that forward pass (its
  // activations and dropout masks), which Step B then differentiates instead of running it again.
  Tensor logits_fake_;
  bool d_holds_fake_forward_ = false;
  double step_a_seconds_ = 0.0;
  Tensor z_, x_fake_, real_, ones_, zeros_, dlogits_, dfake_;
  StepMetrics metrics_;
};

// The GanConfig as JSON text and back (checkpoint metadata). from_json throws on bad values;
// JSON without "ema_decay" / "ema_warmup_steps" (older checkpoints) gives EMA off, without
// "diff_augment" no DiffAugment.
std::string config_to_json(const GanConfig& cfg);
GanConfig config_from_json(const std::string& text);

}  // namespace convt
