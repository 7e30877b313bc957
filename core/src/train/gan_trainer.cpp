#include "convt/train/gan_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/state_dict.h"
#include "convt/ops/losses.h"
#include "convt/train/checkpoint_file.h"
#include "convt/train/generator.h"

namespace convt {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "convt-gan-checkpoint/1";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool all_finite(nn::Sequential& net) {
  double sum = 0.0;
  for (const nn::NamedParam& p : net.params()) {
    for (int64_t i = 0; i < p.grad->numel(); ++i) sum += (*p.grad)[i] * (*p.grad)[i];
  }
  return std::isfinite(sum);
}

std::string shape_text(const std::vector<int64_t>& s) { return shape_to_string(s); }

// dst's buffers (BatchNorm running statistics) := src's (two networks built from the same
// layer list).
void copy_buffers(nn::Sequential& dst, nn::Sequential& src) {
  const std::vector<nn::NamedBuffer> db = dst.buffers(), sb = src.buffers();
  for (size_t k = 0; k < db.size(); ++k) *db[k].value = *sb[k].value;
}

// dst's parameters and buffers := src's.
void copy_state(nn::Sequential& dst, nn::Sequential& src) {
  const std::vector<nn::NamedParam> dp = dst.params(), sp = src.params();
  for (size_t k = 0; k < dp.size(); ++k) *dp[k].value = *sp[k].value;
  copy_buffers(dst, src);
}

}  // namespace

float ema_effective_decay(const GanConfig& cfg, int64_t n) {
  const int64_t s = std::max<int64_t>(0, n - cfg.ema_warmup_steps - 1);
  if (cfg.ema_decay <= 0.0f || s == 0) return 0.0f;
  const double ramp = (1.0 + static_cast<double>(s)) / (10.0 + static_cast<double>(s));
  return static_cast<float>(std::min(static_cast<double>(cfg.ema_decay), ramp));
}

void GanConfig::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (batch_size < 2) {
    bad("batch: expected an integer >= 2 (BatchNorm needs two samples), found " +
        std::to_string(batch_size));
  }
  if (!(lr_g > 0.0f) || !std::isfinite(lr_g))
    bad("lr (G): expected > 0, found " + std::to_string(lr_g));
  if (!(lr_d > 0.0f) || !std::isfinite(lr_d))
    bad("lr (D): expected > 0, found " + std::to_string(lr_d));
  if (!(beta1 >= 0.0f && beta1 < 1.0f))
    bad("beta1: expected in [0, 1), found " + std::to_string(beta1));
  if (!(beta2 >= 0.0f && beta2 < 1.0f))
    bad("beta2: expected in [0, 1), found " + std::to_string(beta2));
  if (!(ema_decay >= 0.0f && ema_decay < 1.0f)) {
    bad("ema_decay: expected in [0, 1) (0 = no EMA of G; e.g. 0.999), found " +
        std::to_string(ema_decay));
  }
  if (ema_warmup_steps < 0)
    bad("ema_warmup_steps: expected >= 0, found " + std::to_string(ema_warmup_steps));
  DiffAugmentPolicy::parse(diff_augment);  // throws naming an unknown transform
}

std::string config_to_json(const GanConfig& c) {
  json j{{"batch_size", c.batch_size},
         {"lr_g", c.lr_g},
         {"lr_d", c.lr_d},
         {"beta1", c.beta1},
         {"beta2", c.beta2},
         {"seed", c.seed},
         {"backend", nn::backend_name(c.backend)},
         {"init", c.init},
         {"ema_decay", c.ema_decay},
         {"ema_warmup_steps", c.ema_warmup_steps}};
  if (!c.diff_augment.empty()) j["diff_augment"] = c.diff_augment;  // older readers: absent
  return j.dump();
}

GanConfig config_from_json(const std::string& text) {
  GanConfig c;
  try {
    const json j = json::parse(text);
    c.batch_size = j.at("batch_size").get<int64_t>();
    c.lr_g = j.at("lr_g").get<float>();
    c.lr_d = j.at("lr_d").get<float>();
    c.beta1 = j.at("beta1").get<float>();
    c.beta2 = j.at("beta2").get<float>();
    c.seed = j.at("seed").get<uint64_t>();
    c.backend = nn::parse_backend(j.at("backend").get<std::string>());
    c.init = j.at("init").get<std::string>();
    // absent in checkpoints written before the EMA of G: off
    c.ema_decay = j.value("ema_decay", 0.0f);
    c.ema_warmup_steps = j.value("ema_warmup_steps", int64_t{0});
    c.diff_augment = j.value("diff_augment", std::string());  // absent before DiffAugment: off
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("checkpoint config: ") + e.what());
  }
  c.validate();
  return c;
}

GanTrainer::GanTrainer(const json& spec, const GanConfig& cfg, const Dataset* data)
    : cfg_(cfg),
      model_(nn::build_gan(spec, cfg.seed, cfg.init)),
      data_(data),
      rng_(cfg.seed * 0x2545F4914F6CDD1DULL + 17),
      augment_rng_(cfg.seed * 0x2545F4914F6CDD1DULL + 29) {
  cfg_.validate();
  augment_ = DiffAugmentPolicy::parse(cfg_.diff_augment);
  if (data_) {
    const std::vector<int64_t> shape{data_->images.dim(1), data_->images.dim(2),
                                     data_->images.dim(3)};
    if (shape != model_.image_shape) {
      throw std::invalid_argument(
          "GanTrainer: model '" + model_.name + "' makes images " + shape_text(model_.image_shape) +
          " [C, H, W], the dataset '" + data_->name + "' has " + shape_text(shape) +
          (shape[0] != model_.image_shape[0] ? ". HINT: the built-in digits, Fashion-MNIST and IDX "
                                               "files are grayscale; a 3-channel model trains on a "
                                               "folder of pictures (loaded as RGB) or on emoji"
                                             : ""));
    }
    sampler_ = std::make_unique<BatchSampler>(*data_, cfg_.batch_size, cfg_.seed);
  }
  if (cfg_.ema_decay > 0.0f) {
    // Same layers (and Dropout seeds) as G; weights and statistics copied from G.
    g_ema_ =
        nn::build_sequential(model_.spec["generator"], {model_.latent_dim}, "G_ema", cfg_.seed);
    copy_state(*g_ema_, *model_.G);
    g_ema_->set_training(false);
    g_ema_->set_requires_grad(false);
  }
  set_backend(cfg_.backend);
  opt_g_ = std::make_unique<nn::Adam>(model_.G->params(), cfg_.lr_g, cfg_.beta1, cfg_.beta2);
  opt_d_ = std::make_unique<nn::Adam>(model_.D->params(), cfg_.lr_d, cfg_.beta1, cfg_.beta2);
  ones_ = Tensor({cfg_.batch_size, 1}, 1.0f);
  zeros_ = Tensor({cfg_.batch_size, 1}, 0.0f);
}

void GanTrainer::set_backend(nn::Backend b) {
  cfg_.backend = b;
  model_.G->set_backend(b);
  model_.D->set_backend(b);
  if (g_ema_) g_ema_->set_backend(b);
}

void GanTrainer::set_hyperparameters(float lr_g, float lr_d, float beta1, float beta2) {
  GanConfig next = cfg_;
  next.lr_g = lr_g;
  next.lr_d = lr_d;
  next.beta1 = beta1;
  next.beta2 = beta2;
  next.validate();  // before anything changes; GanConfig's ranges are within Adam's
  opt_g_->set_hyperparameters(lr_g, beta1, beta2);
  opt_d_->set_hyperparameters(lr_d, beta1, beta2);
  cfg_ = next;
}

int64_t GanTrainer::epoch() const { return sampler_ ? sampler_->epoch() : 0; }
int64_t GanTrainer::batches_per_epoch() const {
  return sampler_ ? sampler_->batches_per_epoch() : 0;
}

void GanTrainer::fill_latent(Tensor& z) {
  z.resize({cfg_.batch_size, model_.latent_dim});
  for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng_.normal();
}

Tensor GanTrainer::latent_batch(int64_t n, uint64_t seed) const {
  return convt::latent_batch(n, model_.latent_dim, seed);
}

const Tensor& GanTrainer::d_input(const Tensor& x, Tensor& augmented, DiffAugmentDraw& draw) {
  if (!augment_.any()) return x;
  draw = draw_diff_augment(augment_, x.shape(), augment_rng_);
  diff_augment_forward(augmented, x, draw);  // T(x)
  return augmented;
}

float GanTrainer::step_generator() {
  const auto t0 = std::chrono::steady_clock::now();
  nn::Sequential& G = *model_.G;
  nn::Sequential& D = *model_.D;
  G.set_training(true);
  D.set_training(true);
  d_holds_fake_forward_ = false;
  fill_latent(z_);                                                             // (B, latent_dim)
  x_fake_ = G.forward(z_);                                                     // (B, C, H, W)
  logits_fake_ = D.forward(d_input(x_fake_, fake_augmented_, augment_fake_));  // (B, 1)
  const float loss_g = bce_with_logits_forward(logits_fake_, ones_);  // L_G = BCE(D(G(z)), 1)
  dlogits_.resize(logits_fake_.shape());
  bce_with_logits_backward(dlogits_, logits_fake_, ones_);
  D.set_requires_grad(false);  // D is frozen in Step A: only dL/dX_fake is wanted
  if (augment_.any()) {        // dL/dX_fake = T^T dL/dT(X_fake)
    D.backward(&dfake_augmented_, dlogits_);
    dfake_.resize(x_fake_.shape());
    diff_augment_backward(dfake_, dfake_augmented_, augment_fake_);
  } else {
    D.backward(&dfake_, dlogits_);
  }
  D.set_requires_grad(true);
  G.zero_grad();
  G.backward(nullptr, dfake_);
  if (!std::isfinite(loss_g) || !all_finite(G)) {
    have_fake_ = false;
    throw TrainingError(
        "step " + std::to_string(steps_ + 1) +
        ", Step A (generator): L_G = " + std::to_string(loss_g) +
        (std::isfinite(loss_g) ? " but G's gradients are not finite" : " is not finite") +
        "; G was not updated. Try a lower learning rate (--lr) or a smaller batch (--batch).");
  }
  opt_g_->step();
  if (g_ema_) update_ema();
  metrics_.loss_g = loss_g;
  have_fake_ = true;
  d_holds_fake_forward_ = true;  // D's weights are unchanged: Step B reuses this D(X_fake)
  step_a_seconds_ = seconds_since(t0);
  return loss_g;
}

void GanTrainer::make_fakes_without_update() {
  model_.G->set_training(true);
  fill_latent(z_);
  x_fake_ = model_.G->forward(z_);
  if (augment_.any()) d_input(x_fake_, fake_augmented_, augment_fake_);
  have_fake_ = true;
  d_holds_fake_forward_ = false;
  step_a_seconds_ = 0.0;
}

StepMetrics GanTrainer::step_discriminator() {
  if (!sampler_) {
    throw std::logic_error("GanTrainer::step_discriminator(): no dataset; pass a real batch");
  }
  metrics_.epoch = sampler_->epoch();
  sampler_->next_batch(real_);
  return step_discriminator(real_);
}

StepMetrics GanTrainer::step_discriminator(const Tensor& real) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int64_t> expected{cfg_.batch_size};
  expected.insert(expected.end(), model_.image_shape.begin(), model_.image_shape.end());
  check_shape(real, expected, "GanTrainer::step_discriminator: real batch", "[B, C, H, W]");
  if (!have_fake_) make_fakes_without_update();
  nn::Sequential& D = *model_.D;
  D.set_training(true);
  D.zero_grad();
  const float B = static_cast<float>(cfg_.batch_size);

  // L_D = BCE(D(X_fake), 0) + BCE(D(x), 1), the fake half first.
  // BCE(D(X_fake), 0), X_fake detached: the gradient stops at D's input. D still holds Step A's
  // forward pass on X_fake (same weights), unless its output shows it ran on something since.
  bool reuse = d_holds_fake_forward_;
  if (reuse) {
    const Tensor& d_out = D.activation_after(D.size() - 1);
    reuse = d_out.shape() == logits_fake_.shape() &&
            std::equal(d_out.data(), d_out.data() + d_out.numel(), logits_fake_.data());
  }
  if (!reuse) logits_fake_ = D.forward(augment_.any() ? fake_augmented_ : x_fake_);  // (B, 1)
  d_holds_fake_forward_ = false;
  const Tensor& logits_fake = logits_fake_;
  const float loss_fake = bce_with_logits_forward(logits_fake, zeros_);
  float d_fake = 0.0f, acc_fake = 0.0f;
  for (int64_t i = 0; i < logits_fake.numel(); ++i) {
    d_fake += 1.0f / (1.0f + std::exp(-logits_fake[i]));
    acc_fake += logits_fake[i] < 0.0f ? 1.0f : 0.0f;
  }
  dlogits_.resize(logits_fake.shape());
  bce_with_logits_backward(dlogits_, logits_fake, zeros_);
  D.backward(nullptr, dlogits_);

  // BCE(D(x), 1)
  const Tensor& logits_real = D.forward(d_input(real, real_augmented_, augment_real_));  // (B, 1)
  const float loss_real = bce_with_logits_forward(logits_real, ones_);
  float d_real = 0.0f, acc_real = 0.0f;
  for (int64_t i = 0; i < logits_real.numel(); ++i) {
    d_real += 1.0f / (1.0f + std::exp(-logits_real[i]));
    acc_real += logits_real[i] > 0.0f ? 1.0f : 0.0f;
  }
  dlogits_.resize(logits_real.shape());
  bce_with_logits_backward(dlogits_, logits_real, ones_);
  D.backward(nullptr, dlogits_);

  const float loss_d = loss_real + loss_fake;
  if (!std::isfinite(loss_d) || !all_finite(D)) {
    throw TrainingError(
        "step " + std::to_string(steps_ + 1) +
        ", Step B (discriminator): L_D = " + std::to_string(loss_d) +
        (std::isfinite(loss_d) ? " but D's gradients are not finite" : " is not finite") +
        "; D was not updated. Try a lower learning rate (--lr) or a smaller batch (--batch).");
  }
  opt_d_->step();
  have_fake_ = false;
  ++steps_;
  metrics_.step = steps_;
  metrics_.loss_d = loss_d;
  metrics_.d_real = d_real / B;
  metrics_.d_fake = d_fake / B;
  metrics_.acc_real = acc_real / B;
  metrics_.acc_fake = acc_fake / B;
  metrics_.seconds = step_a_seconds_ + seconds_since(t0);
  metrics_.samples_per_second = metrics_.seconds > 0.0 ? B / metrics_.seconds : 0.0;
  return metrics_;
}

StepMetrics GanTrainer::step() {
  if (!sampler_) {
    throw std::logic_error(
        "GanTrainer::step(): no dataset; call step_generator() and step_discriminator(real)");
  }
  metrics_ = StepMetrics();
  step_generator();
  return step_discriminator();
}

void GanTrainer::update_ema() {
  ++ema_updates_;
  const float d = ema_effective_decay(cfg_, ema_updates_);
  const std::vector<nn::NamedParam> ema = g_ema_->params(), g = model_.G->params();
  for (size_t k = 0; k < ema.size(); ++k) {
    Tensor& e = *ema[k].value;
    const Tensor& p = *g[k].value;
    for (int64_t i = 0; i < e.numel(); ++i) e[i] = d * e[i] + (1.0f - d) * p[i];
  }
  // BN running statistics: G's, as StyleGAN2-ADA's training loop copies G's buffers
  copy_buffers(*g_ema_, *model_.G);
}

void GanTrainer::copy_g_into_ema() {
  copy_state(*g_ema_, *model_.G);
  ema_updates_ = 0;
}

Tensor GanTrainer::generate_ema(const Tensor& z) {
  if (!g_ema_) {
    throw std::logic_error("GanTrainer::generate_ema: EMA of G is off (set ema_decay > 0)");
  }
  g_ema_->set_training(false);
  return g_ema_->forward(z);
}

void GanTrainer::reestimate_ema_batch_norm(int64_t batches, int64_t batch_size, uint64_t seed) {
  if (!g_ema_) {
    throw std::logic_error(
        "GanTrainer::reestimate_ema_batch_norm: EMA of G is off (set ema_decay > 0)");
  }
  reestimate_batch_norm(*g_ema_, model_.latent_dim, batches, batch_size, seed);
}

Tensor GanTrainer::generate(const Tensor& z) {
  nn::Sequential& G = *model_.G;
  G.set_training(false);
  Tensor out;
  try {
    out = G.forward(z);
  } catch (...) {
    G.set_training(true);
    throw;
  }
  G.set_training(true);
  return out;
}

// ---- Checkpoints ------------------------------------------------------------------------------

namespace {

// Every tensor a checkpoint of this trainer holds, by name, pointing at the live tensor.
std::map<std::string, Tensor*> state_tensors(nn::GanModel& m, nn::Adam& og, nn::Adam& od) {
  std::map<std::string, Tensor*> out;
  for (auto [prefix, net] : {std::pair<std::string, nn::Sequential*>{"G.", m.G.get()},
                             std::pair<std::string, nn::Sequential*>{"D.", m.D.get()}}) {
    for (const nn::NamedParam& p : net->params()) out[prefix + p.name] = p.value;
    for (const nn::NamedBuffer& b : net->buffers()) out[prefix + b.name] = b.value;
  }
  for (auto [prefix, opt] : {std::pair<std::string, nn::Adam*>{"optG.", &og},
                             std::pair<std::string, nn::Adam*>{"optD.", &od}}) {
    for (size_t k = 0; k < opt->params.size(); ++k) {
      out[prefix + "exp_avg." + opt->params[k].name] = &opt->exp_avg[k];
      out[prefix + "exp_avg_sq." + opt->params[k].name] = &opt->exp_avg_sq[k];
    }
  }
  return out;
}

// G_ema's parameters and statistics by name ("G_ema.0.weight", ...), pointing at the live tensors.
std::map<std::string, Tensor*> ema_tensors(nn::Sequential& g_ema) {
  std::map<std::string, Tensor*> out;
  for (const nn::NamedParam& p : g_ema.params()) out["G_ema." + p.name] = p.value;
  for (const nn::NamedBuffer& b : g_ema.buffers()) out["G_ema." + b.name] = b.value;
  return out;
}

// Layers with their own Rng, keyed "rng.G.<index>".
std::map<std::string, Rng*> layer_rngs(nn::GanModel& m) {
  std::map<std::string, Rng*> out;
  for (auto [prefix, net] : {std::pair<std::string, nn::Sequential*>{"rng.G.", m.G.get()},
                             std::pair<std::string, nn::Sequential*>{"rng.D.", m.D.get()}}) {
    for (size_t i = 0; i < net->size(); ++i) {
      if (Rng* r = net->layer(i).rng()) out[prefix + std::to_string(i)] = r;
    }
  }
  return out;
}

// The file at `path`, refused unless it is a GAN training checkpoint (a generator file is named
// as such: it samples but cannot resume).
CheckpointFile read_checkpoint_file(const std::string& path) {
  CheckpointFile f(path, "GAN");
  if (f.meta_or("generator_only", "") == "true") {
    throw CheckpointError(path +
                          ": a generator file (G only, no D or optimiser state): it samples "
                          "(convt-lab sample, the latent explorer) but cannot resume training; "
                          "resume from the run's own checkpoint.safetensors");
  }
  f.require_format(kFormat);
  return f;
}

// The file's model against the model being trained: its "spec" is a JSON object named as its
// "model", with the same layers and latent size as `model`. Throws CheckpointError naming `path`.
void check_same_model(const CheckpointFile& f, const std::string& path, const nn::GanModel& model) {
  const std::string& model_name = f.meta("model");
  const json spec = f.meta_json("spec");
  if (!spec.is_object()) {
    throw CheckpointError(path +
                          ": metadata \"spec\": expected a JSON object (a model spec), found " +
                          std::string(spec.type_name()));
  }
  // The name the file's spec builds (as build_gan names it) against its "model": a file whose two
  // disagree was changed after it was saved, whatever is being trained.
  const std::string spec_name = spec.value("name", std::string("unnamed"));
  if (model_name != spec_name) {
    throw CheckpointError(path + ": metadata \"model\" is '" + model_name +
                          "' but its \"spec\" is of model '" + spec_name +
                          "'; expected the same name (was the file edited after it was saved?)");
  }
  if (model_name != model.name ||
      spec.value("generator", json()) != model.spec.value("generator", json()) ||
      spec.value("discriminator", json()) != model.spec.value("discriminator", json()) ||
      spec.value("latent_dim", 0) != model.latent_dim) {
    throw CheckpointError(path + ": this checkpoint is of model '" + model_name + "' (images " +
                          spec.value("image_shape", json::array()).dump() +
                          "), not of the model being trained, '" + model.name + "' (images " +
                          model.spec.value("image_shape", json::array()).dump() +
                          (model_name == model.name ? "; same name, different layers" : "") +
                          "); load it into a run of its own model");
  }
}

}  // namespace

void GanTrainer::save_checkpoint(const std::string& path) const {
  if (have_fake_) {
    throw std::logic_error(
        "GanTrainer::save_checkpoint: Step A is done but Step B is not; "
        "finish the step first (X_fake is not saved)");
  }
  auto* self = const_cast<GanTrainer*>(this);  // the maps point at live tensors; nothing changes
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, t] : state_tensors(self->model_, *self->opt_g_, *self->opt_d_)) {
    tensors[name] = *t;
  }
  std::map<std::string, std::string> m;
  m["format"] = kFormat;
  m["model"] = model_.name;
  m["spec"] = model_.spec.dump();
  m["config"] = config_to_json(cfg_);
  m["step"] = std::to_string(steps_);
  m["optG.steps"] = std::to_string(opt_g_->steps);
  m["optD.steps"] = std::to_string(opt_d_->steps);
  m["sampler.epoch"] = std::to_string(sampler_ ? sampler_->epoch() : 0);
  m["sampler.index"] = std::to_string(sampler_ ? sampler_->batch_index() : 0);
  m["rng"] = rng_.state();
  if (augment_.any()) m["rng.augment"] = augment_rng_.state();
  for (const auto& [key, r] : layer_rngs(self->model_)) m[key] = r->state();
  const std::string data_name = this->data_name();
  if (!data_name.empty()) {
    m["data"] = data_name;
    m["data.images"] = std::to_string(data_ ? data_->size() : trained_on_images_);
  }
  if (g_ema_) {
    for (const auto& [name, t] : ema_tensors(*g_ema_)) tensors[name] = *t;
    m["ema.updates"] = std::to_string(ema_updates_);
    for (size_t i = 0; i < g_ema_->size(); ++i) {
      if (Rng* r = g_ema_->layer(i).rng()) m["rng.G_ema." + std::to_string(i)] = r->state();
    }
  }
  write_safetensors(path, tensors, m);
}

void GanTrainer::load_checkpoint(const std::string& path) {
  const CheckpointFile f = read_checkpoint_file(path);
  check_same_model(f, path, model_);
  // Check everything before changing anything.
  auto targets = state_tensors(model_, *opt_g_, *opt_d_);
  f.require_tensors(targets);
  const int64_t step = f.meta_count("step");
  const int64_t og = f.meta_count("optG.steps"), od = f.meta_count("optD.steps");
  const int64_t epoch = f.meta_count("sampler.epoch");
  const int64_t index = f.meta_count("sampler.index");
  if (sampler_ && index >= sampler_->batches_per_epoch()) {
    throw CheckpointError(path + ": batch index " + std::to_string(index) +
                          " is outside this dataset's " +
                          std::to_string(sampler_->batches_per_epoch()) +
                          " batches per epoch (another dataset or batch size?)");
  }
  // G_ema: loaded when both this trainer and the file have it; else see the header.
  const bool load_ema = g_ema_ && nn::has_prefix(f.file().tensors, "G_ema.");
  std::map<std::string, Tensor*> ema_targets;
  std::map<std::string, Rng*> ema_rngs;
  int64_t ema_updates = 0;
  if (load_ema) {
    ema_targets = ema_tensors(*g_ema_);
    f.require_tensors(ema_targets);
    ema_updates = f.meta_count("ema.updates");
    for (size_t i = 0; i < g_ema_->size(); ++i) {
      if (Rng* r = g_ema_->layer(i).rng()) ema_rngs["rng.G_ema." + std::to_string(i)] = r;
    }
  }
  Rng check;
  auto rngs = layer_rngs(model_);
  try {
    check.set_state(f.meta("rng"));
    if (augment_.any()) check.set_state(f.meta("rng.augment"));
    for (const auto& [key, r] : rngs) check.set_state(f.meta(key));
    for (const auto& [key, r] : ema_rngs) check.set_state(f.meta(key));
  } catch (const std::invalid_argument& e) {
    throw CheckpointError(path + ": " + e.what());
  }
  const bool has_data = f.has_meta("data");
  const int64_t data_images = has_data ? f.meta_count("data.images") : 0;
  // Apply.
  for (const auto& [name, t] : targets) *t = f.file().tensors.at(name);
  trained_on_name_ = f.meta_or("data", "");
  trained_on_images_ = data_images;
  steps_ = step;
  opt_g_->steps = og;
  opt_d_->steps = od;
  if (sampler_) sampler_->set_position(epoch, index);
  rng_.set_state(f.meta("rng"));
  if (augment_.any()) augment_rng_.set_state(f.meta("rng.augment"));
  for (const auto& [key, r] : rngs) r->set_state(f.meta(key));
  if (load_ema) {
    for (const auto& [name, t] : ema_targets) *t = f.file().tensors.at(name);
    ema_updates_ = ema_updates;
    for (const auto& [key, r] : ema_rngs) r->set_state(f.meta(key));
  } else if (g_ema_) {
    copy_g_into_ema();  // a checkpoint without G_ema: the average starts again from G
  }
  have_fake_ = false;
  d_holds_fake_forward_ = false;
}

std::unique_ptr<GanTrainer> GanTrainer::from_checkpoint(const std::string& path,
                                                        const Dataset* data,
                                                        const GanConfig* override_cfg) {
  const CheckpointFile f = read_checkpoint_file(path);
  const json spec = f.meta_json("spec");
  const GanConfig cfg = override_cfg ? *override_cfg : config_from_json(f.meta("config"));
  auto trainer = std::make_unique<GanTrainer>(spec, cfg, data);
  trainer->load_checkpoint(path);
  return trainer;
}

}  // namespace convt
