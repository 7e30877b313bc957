// FfnnTrainer: noise -> FFNN -> 8x8 map -> transposed convolutions -> image, MSE to a random
// real batch (convt/train/ffnn.h).
#include "convt/train/ffnn.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "convt/io/safetensors.h"
#include "convt/nn/state_dict.h"
#include "convt/ops/losses.h"
#include "convt/shape.h"
#include "convt/train/checkpoint_file.h"

namespace convt {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "convt-ffnn-checkpoint/1";

bool grads_finite(nn::Sequential& net) {
  double sum = 0.0;
  for (const nn::NamedParam& p : net.params()) {
    for (int64_t i = 0; i < p.grad->numel(); ++i) sum += (*p.grad)[i] * (*p.grad)[i];
  }
  return std::isfinite(sum);
}

// Reads latent_dim and image_shape and builds G from spec["generator"], initialised from `seed`.
std::unique_ptr<nn::Sequential> build_generator(const json& spec, uint64_t seed, int& latent_dim) {
  const std::string at = "model '" + spec.value("name", std::string("unnamed")) + "'";
  if (!spec.is_object() || !spec.contains("latent_dim") ||
      !spec["latent_dim"].is_number_integer() || spec["latent_dim"].get<int>() < 1) {
    throw nn::SpecError(at + ": expected \"latent_dim\": a positive integer");
  }
  if (!spec.contains("image_shape") || !spec["image_shape"].is_array() ||
      spec["image_shape"].size() != 3) {
    throw nn::SpecError(at + ": expected \"image_shape\": [C, H, W]");
  }
  if (!spec.contains("generator"))
    throw nn::SpecError(at + ": expected a \"generator\" layer list");
  latent_dim = spec["latent_dim"].get<int>();
  std::vector<int64_t> image_shape;
  for (const json& d : spec["image_shape"]) image_shape.push_back(d.get<int64_t>());
  auto G = nn::build_sequential(spec["generator"], {latent_dim}, "G", seed);
  if (G->output_shape() != image_shape) {
    throw ShapeError(at + ": G's output " + shape_to_string(G->output_shape()) +
                     " is not image_shape " + shape_to_string(image_shape));
  }
  Rng rng(seed);
  G->reset_parameters(nn::parse_init(spec.value("init", std::string("dcgan"))), rng);
  return G;
}

}  // namespace

void FfnnConfig::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (batch_size < 1) bad("batch: expected an integer >= 1, found " + std::to_string(batch_size));
  if (!(lr > 0.0f) || !std::isfinite(lr)) bad("lr: expected > 0, found " + std::to_string(lr));
  if (!(beta1 >= 0.0f && beta1 < 1.0f)) {
    bad("beta1: expected in [0, 1), found " + std::to_string(beta1));
  }
  if (!(beta2 >= 0.0f && beta2 < 1.0f)) {
    bad("beta2: expected in [0, 1), found " + std::to_string(beta2));
  }
}

FfnnTrainer::FfnnTrainer(const json& spec, const FfnnConfig& cfg, const Dataset* data)
    : cfg_(cfg), spec_(spec), data_(data), rng_(cfg.seed * 0x2545F4914F6CDD1DULL + 29) {
  cfg_.validate();
  G_ = build_generator(spec, cfg_.seed, latent_dim_);
  if (data_) {
    const std::vector<int64_t> shape{data_->images.dim(1), data_->images.dim(2),
                                     data_->images.dim(3)};
    if (shape != G_->output_shape()) {
      throw std::invalid_argument("FfnnTrainer: model '" + spec.value("name", std::string("?")) +
                                  "' makes images " + shape_to_string(G_->output_shape()) +
                                  " [C, H, W], the dataset '" + data_->name + "' has " +
                                  shape_to_string(shape));
    }
    sampler_ = std::make_unique<BatchSampler>(*data_, cfg_.batch_size, cfg_.seed);
  }
  G_->set_backend(cfg_.backend);
  opt_ = std::make_unique<nn::Adam>(G_->params(), cfg_.lr, cfg_.beta1, cfg_.beta2);
}

FfnnMetrics FfnnTrainer::step() {
  if (!sampler_) throw std::logic_error("FfnnTrainer::step(): no dataset; call step(batch)");
  const auto t0 = std::chrono::steady_clock::now();
  const BatchSampler::BatchInfo info = sampler_->next_batch(batch_);  // (B, C, H, W)
  return step_on(batch_, info.epoch, t0);
}

FfnnMetrics FfnnTrainer::step(const Tensor& batch) {
  std::vector<int64_t> expected{batch.ndim() == 4 ? batch.dim(0) : 0};
  expected.insert(expected.end(), G_->output_shape().begin(), G_->output_shape().end());
  if (batch.shape() != expected || batch.dim(0) < 1) {
    throw ShapeError("FfnnTrainer::step: expected a batch (B, " +
                     shape_to_string(G_->output_shape()).substr(1) + ", found " +
                     batch.shape_str());
  }
  return step_on(batch, 0, std::chrono::steady_clock::now());
}

FfnnMetrics FfnnTrainer::step_on(const Tensor& x, int64_t epoch,
                                 std::chrono::steady_clock::time_point t0) {
  const int64_t B = x.dim(0);
  z_.resize({B, latent_dim_});  // (B, latent_dim), drawn afresh: no z keeps a target
  for (int64_t i = 0; i < z_.numel(); ++i) z_[i] = rng_.normal();
  G_->set_training(true);
  const Tensor& out = G_->forward(z_);  // (B, C, H, W)
  const float loss = mse_forward(out, x);
  dout_.resize(out.shape());
  mse_backward(dout_, out, x);
  G_->zero_grad();
  G_->backward(nullptr, dout_);
  if (!std::isfinite(loss) || !grads_finite(*G_)) {
    throw TrainingError("FFNN step " + std::to_string(steps_ + 1) +
                        ": the MSE or a gradient is not finite (loss " + std::to_string(loss) +
                        "); nothing was updated. Try a lower --lr.");
  }
  opt_->step();
  ++steps_;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_ = {steps_, epoch, loss, seconds, seconds > 0.0 ? static_cast<double>(B) / seconds : 0.0};
  return metrics_;
}

Tensor FfnnTrainer::generate(const Tensor& z) {
  G_->set_training(false);
  Tensor out = G_->forward(z);
  G_->set_training(true);
  return out;
}

Tensor FfnnTrainer::latent_batch(int64_t n, uint64_t seed) const {
  Rng rng(seed);
  Tensor z({n, latent_dim_});
  for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng.normal();
  return z;
}

void FfnnTrainer::save_checkpoint(const std::string& path) const {
  const std::map<std::string, Tensor> tensors = nn::state_dict(*G_, "G.");
  const json config{{"batch_size", cfg_.batch_size},
                    {"lr", cfg_.lr},
                    {"beta1", cfg_.beta1},
                    {"beta2", cfg_.beta2},
                    {"seed", cfg_.seed},
                    {"backend", nn::backend_name(cfg_.backend)}};
  const std::map<std::string, std::string> meta{{"format", kFormat},
                                                {"spec", spec_.dump()},
                                                {"config", config.dump()},
                                                {"step", std::to_string(steps_)}};
  write_safetensors(path, tensors, meta);
}

std::unique_ptr<nn::Sequential> FfnnTrainer::load_generator(const std::string& path, json* spec_out,
                                                            int64_t* steps_out) {
  const CheckpointFile f(path, "FFNN (convt-lab ffnn-train)");
  f.require_format(kFormat);
  const json spec = f.meta_json("spec");
  int latent_dim = 0;
  auto G = build_generator(spec, 0, latent_dim);
  try {
    nn::load_state_dict(*G, f.file().tensors, "G.", path);
  } catch (const nn::StateDictError& e) {
    throw CheckpointError(e.what());
  }
  G->set_training(false);
  if (spec_out) *spec_out = spec;
  if (steps_out) *steps_out = f.meta_count("step");
  return G;
}

Tensor mean_image(const Dataset& data) {
  const int64_t n = data.size();
  if (n == 0) throw std::invalid_argument("mean_image: the dataset " + data.name + " is empty");
  const int64_t per = data.images.numel() / n;
  std::vector<double> sum(static_cast<size_t>(per), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < per; ++j) sum[static_cast<size_t>(j)] += data.images[i * per + j];
  }
  Tensor out({1, data.images.dim(1), data.images.dim(2), data.images.dim(3)});
  for (int64_t j = 0; j < per; ++j) {
    out[j] = static_cast<float>(sum[static_cast<size_t>(j)] / static_cast<double>(n));
  }
  return out;
}

SampleSpread sample_spread(const Tensor& samples, const Tensor& mean) {
  if (samples.ndim() != 4 || samples.dim(0) < 1 || mean.ndim() != 4 || mean.dim(0) != 1 ||
      samples.numel() / samples.dim(0) != mean.numel()) {
    throw std::invalid_argument(
        "sample_spread: expected samples (N, C, H, W) and a mean (1, C, H, W), found " +
        samples.shape_str() + " and " + mean.shape_str());
  }
  const int64_t n = samples.dim(0), per = mean.numel();
  SampleSpread r;
  double spread_sum = 0.0, sq_sum = 0.0;
  for (int64_t j = 0; j < per; ++j) {
    double s1 = 0.0, s2 = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double x = samples[i * per + j];
      s1 += x;
      s2 += x * x;
      sq_sum += (x - mean[j]) * (x - mean[j]);
    }
    const double mu = s1 / static_cast<double>(n);
    spread_sum += std::sqrt(std::max(0.0, s2 / static_cast<double>(n) - mu * mu));
  }
  r.mse_to_mean = sq_sum / static_cast<double>(n * per);
  r.spread = spread_sum / static_cast<double>(per);
  return r;
}

}  // namespace convt
