#include "convt/train/completion.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/tied.h"
#include "convt/ops/losses.h"
#include "convt/train/checkpoint_file.h"

namespace convt {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "convt-completion-checkpoint/1";

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// ---- Config -----------------------------------------------------------------------------------

void CompletionConfig::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (image_channels < 1)
    bad("image channels: expected >= 1, found " + std::to_string(image_channels));
  if (image_size < 4 || image_size % 4 != 0) {
    bad("image size: expected a multiple of 4 (two 2x2 max-pools), found " +
        std::to_string(image_size));
  }
  if (channels1 < 1 || channels2 < 1) {
    bad("encoder channels: expected >= 1, found " + std::to_string(channels1) + ", " +
        std::to_string(channels2));
  }
  if (kernel_size < 1 || kernel_size % 2 == 0) {
    bad("kernel size: expected an odd number >= 1, found " + std::to_string(kernel_size));
  }
  if (latent_dim < 0) bad("latent dim: expected >= 0, found " + std::to_string(latent_dim));
  if (batch_size < 1) bad("batch: expected >= 1, found " + std::to_string(batch_size));
  if (!(lr > 0.0f) || !std::isfinite(lr)) bad("lr: expected > 0, found " + std::to_string(lr));
  if (!(beta1 >= 0.0f && beta1 < 1.0f))
    bad("beta1: expected in [0, 1), found " + std::to_string(beta1));
  if (!(beta2 >= 0.0f && beta2 < 1.0f))
    bad("beta2: expected in [0, 1), found " + std::to_string(beta2));
}

std::string completion_config_to_json(const CompletionConfig& c) {
  json j{{"image_channels", c.image_channels},
         {"image_size", c.image_size},
         {"channels1", c.channels1},
         {"channels2", c.channels2},
         {"kernel_size", c.kernel_size},
         {"latent_dim", c.latent_dim},
         {"tied", c.tied},
         {"mask", mask_name(c.mask.kind)},
         {"square_size", c.mask.square_size},
         {"batch_size", c.batch_size},
         {"lr", c.lr},
         {"beta1", c.beta1},
         {"beta2", c.beta2},
         {"seed", c.seed},
         {"backend", nn::backend_name(c.backend)}};
  return j.dump();
}

CompletionConfig completion_config_from_json(const std::string& text) {
  CompletionConfig c;
  try {
    const json j = json::parse(text);
    c.image_channels = j.at("image_channels").get<int>();
    c.image_size = j.at("image_size").get<int>();
    c.channels1 = j.at("channels1").get<int>();
    c.channels2 = j.at("channels2").get<int>();
    c.kernel_size = j.at("kernel_size").get<int>();
    c.latent_dim = j.at("latent_dim").get<int>();
    c.tied = j.at("tied").get<bool>();
    c.mask.kind = parse_mask(j.at("mask").get<std::string>());
    c.mask.square_size = j.at("square_size").get<int>();
    c.batch_size = j.at("batch_size").get<int64_t>();
    c.lr = j.at("lr").get<float>();
    c.beta1 = j.at("beta1").get<float>();
    c.beta2 = j.at("beta2").get<float>();
    c.seed = j.at("seed").get<uint64_t>();
    c.backend = nn::parse_backend(j.at("backend").get<std::string>());
    c.validate();
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("completion checkpoint config: ") + e.what());
  }
  return c;
}

// ---- Network ----------------------------------------------------------------------------------

CompletionNet::CompletionNet(const CompletionConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  const int C = cfg_.image_channels, S = cfg_.image_size, k = cfg_.kernel_size;
  const int c1 = cfg_.channels1, c2 = cfg_.channels2, q = S / 4;
  features_ = int64_t{c2} * q * q;
  Conv2dParams conv;
  conv.padding = Pair((k - 1) / 2);
  Pool2dParams pool;  // 2x2, stride 2
  ConvTranspose2dParams up;
  up.stride = Pair(2);
  up.padding = Pair((k - 1) / 2);
  up.output_padding = Pair(1);  // (n - 1) 2 - (k - 1) + k + 1 = 2n

  encoder_ = std::make_unique<nn::Sequential>("encoder", std::vector<int64_t>{C, S, S});
  auto conv1 = std::make_unique<nn::Conv2d>(C, c1, Pair(k), conv);
  auto conv2 = std::make_unique<nn::Conv2d>(c1, c2, Pair(k), conv);
  nn::Conv2d* conv1_ptr = conv1.get();
  nn::Conv2d* conv2_ptr = conv2.get();
  encoder_->add(std::move(conv1), "conv1");
  encoder_->add(std::make_unique<nn::ReLU>());
  encoder_->add(std::make_unique<nn::MaxPool2d>(pool), "pool1");
  encoder_->add(std::move(conv2), "conv2");
  encoder_->add(std::make_unique<nn::ReLU>());
  encoder_->add(std::make_unique<nn::MaxPool2d>(pool), "pool2");
  encoder_->add(std::make_unique<nn::Flatten>());

  decoder_ = std::make_unique<nn::Sequential>("decoder",
                                              std::vector<int64_t>{features_ + cfg_.latent_dim});
  decoder_->add(std::make_unique<nn::Linear>(features_ + cfg_.latent_dim, features_), "mix");
  decoder_->add(std::make_unique<nn::ReLU>());
  decoder_->add(std::make_unique<nn::Reshape>(std::vector<int64_t>{c2, q, q}));
  if (cfg_.tied) {
    decoder_->add(std::make_unique<nn::TiedConvTranspose2d>(*conv2_ptr, up), "up1");
  } else {
    decoder_->add(std::make_unique<nn::ConvTranspose2d>(c2, c1, Pair(k), up), "up1");
  }
  decoder_->add(std::make_unique<nn::ReLU>());
  if (cfg_.tied) {
    decoder_->add(std::make_unique<nn::TiedConvTranspose2d>(*conv1_ptr, up), "up2");
  } else {
    decoder_->add(std::make_unique<nn::ConvTranspose2d>(c1, C, Pair(k), up), "up2");
  }
  decoder_->add(std::make_unique<nn::Tanh>());

  Rng rng(cfg_.seed);
  encoder_->reset_parameters(nn::InitScheme::pytorch, rng);
  decoder_->reset_parameters(nn::InitScheme::pytorch, rng);
  set_backend(cfg_.backend);
}

const Tensor& CompletionNet::forward(const Tensor& masked, const Tensor* code) {
  const Tensor& f = encoder_->forward(masked);  // (N, F)
  const int64_t N = f.dim(0), F = features_, L = cfg_.latent_dim;
  if (code) check_shape(*code, {N, L}, "CompletionNet::forward: code", "[N, L]");
  mixed_.resize({N, F + L});  // (N, F + L), zeros: the code part stays 0 without a code
  for (int64_t n = 0; n < N; ++n) {
    std::copy(f.data() + n * F, f.data() + (n + 1) * F, mixed_.data() + n * (F + L));
    if (code) {
      std::copy(code->data() + n * L, code->data() + (n + 1) * L, mixed_.data() + n * (F + L) + F);
    }
  }
  return decoder_->forward(mixed_);
}

void CompletionNet::backward(const Tensor& dout, Tensor* dmasked) {
  decoder_->backward(&dmixed_, dout);  // (N, F + L)
  const int64_t N = dmixed_.dim(0), F = features_, L = cfg_.latent_dim;
  dfeatures_.resize({N, F});
  for (int64_t n = 0; n < N; ++n) {
    std::copy(dmixed_.data() + n * (F + L), dmixed_.data() + n * (F + L) + F,
              dfeatures_.data() + n * F);
  }
  encoder_->backward(dmasked, dfeatures_);
}

std::vector<nn::NamedParam> CompletionNet::params() {
  std::vector<nn::NamedParam> out;
  for (const nn::NamedParam& p : encoder_->params())
    out.push_back({"encoder." + p.name, p.value, p.grad});
  for (const nn::NamedParam& p : decoder_->params())
    out.push_back({"decoder." + p.name, p.value, p.grad});
  return out;
}

void CompletionNet::zero_grad() {
  encoder_->zero_grad();
  decoder_->zero_grad();
}
void CompletionNet::set_training(bool training) {
  encoder_->set_training(training);
  decoder_->set_training(training);
}
void CompletionNet::set_backend(nn::Backend b) {
  cfg_.backend = b;
  encoder_->set_backend(b);
  decoder_->set_backend(b);
}
int64_t CompletionNet::parameter_count() {
  int64_t n = 0;
  for (const nn::NamedParam& p : params()) n += p.value->numel();
  return n;
}
int64_t CompletionNet::conv_parameter_count() {
  int64_t n = 0;
  for (nn::Sequential* s : {encoder_.get(), decoder_.get()}) {
    for (size_t i = 0; i < s->size(); ++i) {
      const std::string type = s->layer(i).type();
      if (type == "Conv2d" || type == "ConvTranspose2d") n += s->layer(i).parameter_count();
    }
  }
  return n;
}

// ---- Trainer ----------------------------------------------------------------------------------

CompletionTrainer::CompletionTrainer(const CompletionConfig& cfg, const Dataset* data)
    : cfg_(cfg), net_(cfg), data_(data), rng_(cfg.seed * 0x2545F4914F6CDD1DULL + 29) {
  if (data_) {
    const std::vector<int64_t> shape{data_->images.dim(1), data_->images.dim(2),
                                     data_->images.dim(3)};
    const std::vector<int64_t> want{cfg_.image_channels, cfg_.image_size, cfg_.image_size};
    if (shape != want) {
      throw std::invalid_argument("CompletionTrainer: the model completes images " +
                                  shape_to_string(want) + " [C, H, W], the dataset '" +
                                  data_->name + "' has " + shape_to_string(shape));
    }
    sampler_ = std::make_unique<BatchSampler>(*data_, cfg_.batch_size, cfg_.seed);
  }
  opt_ = std::make_unique<nn::Adam>(net_.params(), cfg_.lr, cfg_.beta1, cfg_.beta2);
}

CompletionMetrics CompletionTrainer::step() {
  if (!sampler_) throw std::logic_error("CompletionTrainer::step(): no dataset; pass a batch");
  metrics_.epoch = sampler_->epoch();
  sampler_->next_batch(batch_);
  return step(batch_);
}

CompletionMetrics CompletionTrainer::step(const Tensor& batch) {
  const auto t0 = std::chrono::steady_clock::now();
  check_shape(batch, {cfg_.batch_size, cfg_.image_channels, cfg_.image_size, cfg_.image_size},
              "CompletionTrainer::step: batch", "[B, C, H, W]");
  apply_mask(masked_, batch, cfg_.mask, rng_);  // (B, C, H, W)
  code_.resize({cfg_.batch_size, cfg_.latent_dim});
  for (int64_t i = 0; i < code_.numel(); ++i) code_[i] = rng_.normal();
  net_.set_training(true);
  const Tensor& out = net_.forward(masked_, &code_);  // (B, C, H, W)
  const float loss = mse_forward(out, batch);
  dout_.resize(out.shape());
  mse_backward(dout_, out, batch);
  net_.zero_grad();
  net_.backward(dout_);
  double sum = 0.0;
  for (const nn::NamedParam& p : net_.params()) {
    for (int64_t i = 0; i < p.grad->numel(); ++i) sum += (*p.grad)[i] * (*p.grad)[i];
  }
  if (!std::isfinite(loss) || !std::isfinite(sum)) {
    throw TrainingError(
        "step " + std::to_string(steps_ + 1) + " (completion): MSE = " + std::to_string(loss) +
        (std::isfinite(loss) ? " but the gradients are not finite" : " is not finite") +
        "; nothing was updated. Try a lower learning rate (--lr).");
  }
  opt_->step();
  ++steps_;
  metrics_.step = steps_;
  metrics_.loss = loss;
  metrics_.seconds = seconds_since(t0);
  metrics_.samples_per_second =
      metrics_.seconds > 0.0 ? static_cast<double>(cfg_.batch_size) / metrics_.seconds : 0.0;
  return metrics_;
}

Tensor CompletionTrainer::complete(const Tensor& masked, const Tensor* code) {
  net_.set_training(false);
  Tensor out = net_.forward(masked, code);
  net_.set_training(true);
  return out;
}

std::vector<Tensor> CompletionTrainer::refine(const Tensor& masked, int passes, const Tensor* code,
                                              const Tensor* masks) {
  if (passes < 1) {
    throw std::invalid_argument("refine: passes: expected >= 1, found " + std::to_string(passes));
  }
  if (masks) {
    check_shape(*masks, {masked.dim(0), 1, masked.dim(2), masked.dim(3)}, "refine: masks",
                "[N, 1, H, W]");
  }
  std::vector<Tensor> out;
  out.push_back(complete(masked, code));
  const int64_t C = masked.ndim() == 4 ? masked.dim(1) : 0;
  const int64_t hw = masked.ndim() == 4 ? masked.dim(2) * masked.dim(3) : 0;
  Tensor input;
  for (int k = 1; k < passes; ++k) {
    input = out.back();  // (N, C, H, W)
    if (masks) {
      for (int64_t i = 0; i < input.numel(); ++i) {
        const int64_t n = i / (C * hw), pix = i % hw;
        if ((*masks)[n * hw + pix] != 0.0f) input[i] = masked[i];
      }
    }
    out.push_back(complete(input, code));
  }
  return out;
}

Tensor CompletionTrainer::latent_batch(int64_t n, uint64_t seed) const {
  Rng rng(seed);
  Tensor z({n, cfg_.latent_dim});
  for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng.normal();
  return z;
}

Tensor CompletionTrainer::generate_from_blank(int64_t n, uint64_t seed) {
  const Tensor blank({n, cfg_.image_channels, cfg_.image_size, cfg_.image_size}, 0.0f);
  const Tensor code = latent_batch(n, seed);
  return complete(blank, &code);
}

CompletionEval CompletionTrainer::evaluate(const Tensor& images, uint64_t mask_seed,
                                           int64_t chunk) {
  if (images.ndim() != 4) {
    throw ShapeError("CompletionTrainer::evaluate: images: expected (N, C, H, W), found " +
                     images.shape_str());
  }
  check_shape(images, {images.dim(0), cfg_.image_channels, cfg_.image_size, cfg_.image_size},
              "CompletionTrainer::evaluate: images", "[N, C, H, W]");
  if (chunk < 1)
    throw std::invalid_argument("evaluate: chunk: expected >= 1, found " + std::to_string(chunk));
  Rng rng(mask_seed);
  CompletionEval e;
  e.images = images.dim(0);
  const int64_t per = images.numel() / std::max<int64_t>(1, images.dim(0));
  const int64_t hw = int64_t{cfg_.image_size} * cfg_.image_size;
  double sum = 0.0, hidden_sum = 0.0;
  int64_t hidden_count = 0;
  Tensor part, masked, masks;
  net_.set_training(false);
  for (int64_t start = 0; start < images.dim(0); start += chunk) {
    const int64_t n = std::min(chunk, images.dim(0) - start);
    part.resize({n, images.dim(1), images.dim(2), images.dim(3)});
    std::copy(images.data() + start * per, images.data() + (start + n) * per, part.data());
    apply_mask(masked, part, cfg_.mask, rng, 0.0f, &masks);
    const Tensor& out = net_.forward(masked, nullptr);
    for (int64_t s = 0; s < n; ++s) {
      for (int64_t c = 0; c < cfg_.image_channels; ++c) {
        for (int64_t i = 0; i < hw; ++i) {
          const int64_t at = s * per + c * hw + i;
          const double d = static_cast<double>(out[at]) - part[at];
          sum += d * d;
          if (masks[s * hw + i] == 0.0f) {
            hidden_sum += d * d;
            ++hidden_count;
          }
        }
      }
    }
  }
  net_.set_training(true);
  e.mse = e.images > 0 ? sum / static_cast<double>(e.images * per) : 0.0;
  e.hidden_mse = hidden_count > 0 ? hidden_sum / static_cast<double>(hidden_count) : 0.0;
  return e;
}

// ---- Checkpoints ------------------------------------------------------------------------------

namespace {

std::map<std::string, Tensor*> state_tensors(CompletionNet& net, nn::Adam& opt) {
  std::map<std::string, Tensor*> out;
  for (const nn::NamedParam& p : net.params()) out[p.name] = p.value;
  for (size_t k = 0; k < opt.params.size(); ++k) {
    out["opt.exp_avg." + opt.params[k].name] = &opt.exp_avg[k];
    out["opt.exp_avg_sq." + opt.params[k].name] = &opt.exp_avg_sq[k];
  }
  return out;
}

CheckpointFile read_checkpoint_file(const std::string& path) {
  CheckpointFile f(path, "completion");
  f.require_format(kFormat);
  return f;
}

}  // namespace

void CompletionTrainer::save_checkpoint(const std::string& path) const {
  auto* self = const_cast<CompletionTrainer*>(this);  // the map points at live tensors; read only
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, t] : state_tensors(self->net_, *self->opt_)) tensors[name] = *t;
  std::map<std::string, std::string> m;
  m["format"] = kFormat;
  m["config"] = completion_config_to_json(cfg_);
  m["step"] = std::to_string(steps_);
  m["opt.steps"] = std::to_string(opt_->steps);
  m["sampler.epoch"] = std::to_string(sampler_ ? sampler_->epoch() : 0);
  m["sampler.index"] = std::to_string(sampler_ ? sampler_->batch_index() : 0);
  m["rng"] = rng_.state();
  write_safetensors(path, tensors, m);
}

void CompletionTrainer::load_checkpoint(const std::string& path) {
  const CheckpointFile f = read_checkpoint_file(path);
  const CompletionConfig saved = completion_config_from_json(f.meta("config"));
  if (saved.tied != cfg_.tied || saved.image_channels != cfg_.image_channels ||
      saved.image_size != cfg_.image_size || saved.channels1 != cfg_.channels1 ||
      saved.channels2 != cfg_.channels2 || saved.kernel_size != cfg_.kernel_size ||
      saved.latent_dim != cfg_.latent_dim) {
    throw CheckpointError(path + ": this checkpoint is of another completion model: " +
                          completion_config_to_json(saved) + "; the model here is " +
                          completion_config_to_json(cfg_));
  }
  auto targets = state_tensors(net_, *opt_);
  f.require_tensors(targets);
  const int64_t step = f.meta_count("step"), opt_steps = f.meta_count("opt.steps");
  const int64_t epoch = f.meta_count("sampler.epoch");
  const int64_t index = f.meta_count("sampler.index");
  if (sampler_ && index >= sampler_->batches_per_epoch()) {
    throw CheckpointError(path + ": batch index " + std::to_string(index) +
                          " is outside this dataset's " +
                          std::to_string(sampler_->batches_per_epoch()) + " batches per epoch");
  }
  Rng check;
  try {
    check.set_state(f.meta("rng"));
  } catch (const std::invalid_argument& e) {
    throw CheckpointError(path + ": " + e.what());
  }
  for (const auto& [name, t] : targets) *t = f.file().tensors.at(name);
  steps_ = step;
  opt_->steps = opt_steps;
  if (sampler_) sampler_->set_position(epoch, index);
  rng_ = check;
}

std::unique_ptr<CompletionTrainer> CompletionTrainer::from_checkpoint(const std::string& path,
                                                                      const Dataset* data) {
  const CheckpointFile f = read_checkpoint_file(path);
  const CompletionConfig cfg = completion_config_from_json(f.meta("config"));
  auto trainer = std::make_unique<CompletionTrainer>(cfg, data);
  trainer->load_checkpoint(path);
  return trainer;
}

// ---- Held-out split ---------------------------------------------------------------------------

std::pair<Dataset, Dataset> split_holdout(const Dataset& data, int64_t every) {
  if (every < 2 || data.size() < every) {
    throw std::invalid_argument(
        "split_holdout: expected every >= 2 and at least `every` images, "
        "found every = " +
        std::to_string(every) + ", " + std::to_string(data.size()) + " images");
  }
  const int64_t N = data.size(), per = data.images.numel() / N;
  const int64_t held = N / every, kept = N - held;
  std::pair<Dataset, Dataset> out;
  Dataset& train = out.first;
  Dataset& test = out.second;
  train.images.resize({kept, data.images.dim(1), data.images.dim(2), data.images.dim(3)});
  test.images.resize({held, data.images.dim(1), data.images.dim(2), data.images.dim(3)});
  int64_t a = 0, b = 0;
  for (int64_t i = 0; i < N; ++i) {
    const bool hold = i % every == every - 1;
    Tensor& dst = hold ? test.images : train.images;
    int64_t& at = hold ? b : a;
    std::copy(data.images.data() + i * per, data.images.data() + (i + 1) * per,
              dst.data() + at * per);
    (hold ? test.labels : train.labels)
        .push_back(i < static_cast<int64_t>(data.labels.size()) ? data.labels[i] : -1);
    ++at;
  }
  train.name = data.name + "-train";
  test.name = data.name + "-heldout";
  train.description =
      data.description + " (train part: all but every " + std::to_string(every) + "th)";
  test.description = data.description + " (held out: every " + std::to_string(every) + "th)";
  return out;
}

}  // namespace convt
