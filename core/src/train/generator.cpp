#include "convt/train/generator.h"

#include <cstdio>
#include <stdexcept>

#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "convt/rng.h"
#include "convt/train/checkpoint_file.h"
#include "convt/train/gan_trainer.h"

namespace convt {

namespace {

using nlohmann::json;

const char* const kEmaStatisticsKey = "G_ema.batch_norm";
const char* const kReestimated = "reestimated";

}  // namespace

Tensor latent_batch(int64_t n, int latent_dim, uint64_t seed) {
  Rng rng(seed);
  Tensor z({n, static_cast<int64_t>(latent_dim)});  // (n, latent_dim)
  for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng.normal();
  return z;
}

void reestimate_batch_norm(nn::Sequential& G, int latent_dim, int64_t batches, int64_t batch_size,
                           uint64_t seed) {
  if (batches < 1) {
    throw std::invalid_argument("reestimate_batch_norm: batches: expected >= 1, found " +
                                std::to_string(batches));
  }
  if (batch_size < 2) {
    throw std::invalid_argument(
        "reestimate_batch_norm: batch_size: expected >= 2 (BatchNorm needs two samples), found " +
        std::to_string(batch_size));
  }
  std::vector<std::pair<nn::BatchNorm*, float>> bns;  // each BN layer and its own momentum
  for (size_t i = 0; i < G.size(); ++i) {
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(&G.layer(i))) {
      bns.emplace_back(bn, bn->momentum());
      bn->running_mean.fill(0.0f);
      bn->running_var.fill(1.0f);
    }
  }
  Rng rng(seed);  // the z of latent_batch(batches * batch_size, seed), batch after batch
  Tensor z({batch_size, static_cast<int64_t>(latent_dim)});
  G.set_training(true);
  try {
    for (int64_t k = 1; k <= batches; ++k) {
      for (int64_t i = 0; i < z.numel(); ++i) z[i] = rng.normal();
      // running = (1 - 1/k) running + (1/k) batch statistic: the mean of the k batches so far
      for (auto& bn : bns) bn.first->set_momentum(1.0f / static_cast<float>(k));
      G.forward(z);  // (batch_size, C, H, W); only the statistics are kept
    }
  } catch (...) {
    for (auto& bn : bns) bn.first->set_momentum(bn.second);
    G.set_training(false);
    throw;
  }
  for (auto& bn : bns) bn.first->set_momentum(bn.second);
  G.set_training(false);
}

Tensor generate_with_batch_statistics(nn::Sequential& G, const Tensor& z) {
  struct Kept {
    nn::BatchNorm* bn;
    Tensor mean, var;
  };
  std::vector<Kept> kept;
  for (size_t i = 0; i < G.size(); ++i) {
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(&G.layer(i))) {
      kept.push_back({bn, bn->running_mean, bn->running_var});
    }
  }
  auto restore = [&] {
    for (Kept& k : kept) {
      k.bn->running_mean = k.mean;
      k.bn->running_var = k.var;
    }
    G.set_training(false);
  };
  G.set_training(true);
  Tensor out;
  try {
    out = G.forward(z);
  } catch (...) {
    restore();
    throw;
  }
  restore();
  return out;
}

Generator build_generator(const nlohmann::json& spec, uint64_t seed) {
  nn::GanModel m = nn::build_gan(spec, seed);
  Generator out;
  out.G = std::move(m.G);
  out.spec = spec;
  out.name = m.name;
  out.latent_dim = m.latent_dim;
  out.image_shape = m.image_shape;
  out.G->set_backend(nn::Backend::fast);
  out.G->set_training(false);
  return out;
}

Generator load_generator(const std::string& path, GeneratorChoice which) {
  const CheckpointFile checkpoint(path, "GAN (convt-lab train or export-generator)");
  const SafetensorsFile& f = checkpoint.file();
  const json spec = checkpoint.meta_json("spec");
  const bool file_has_ema = nn::has_prefix(f.tensors, "G_ema.");
  if (which == GeneratorChoice::G_ema && !file_has_ema) {
    throw CheckpointError(path +
                          " holds no G_ema (train with --ema-decay D, e.g. 0.999, to keep an "
                          "averaged G); load G instead");
  }
  Generator out;
  try {
    out = build_generator(spec, 0);
  } catch (const std::exception& e) {
    throw CheckpointError(path + ": metadata \"spec\": " + e.what());
  }
  out.file_has_ema = file_has_ema;
  out.averaged = which != GeneratorChoice::G && file_has_ema;
  try {
    // Not strict: a full checkpoint's "G." names are G's, but the file also holds D's and the
    // optimisers' under other prefixes, which is expected.
    nn::load_state_dict(*out.G, f.tensors, out.averaged ? "G_ema." : "G.", path);
  } catch (const nn::StateDictError& e) {
    throw CheckpointError(e.what());
  }
  out.steps = checkpoint.has_meta("step") ? checkpoint.meta_count("step") : 0;
  out.data = checkpoint.meta_or("data", "");
  if (out.averaged && checkpoint.meta_or(kEmaStatisticsKey, "") != kReestimated) {
    reestimate_batch_norm(*out.G, out.latent_dim, 32, 256, kBatchNormSeed);  // ends in eval mode
  }
  return out;
}

std::string export_generator(const std::string& checkpoint_path, const std::string& out_path) {
  std::unique_ptr<GanTrainer> trainer = GanTrainer::from_checkpoint(checkpoint_path, nullptr);
  trainer->set_backend(nn::Backend::fast);  // as load_generator: the same statistics
  const SafetensorsFile source = read_safetensors(checkpoint_path);  // for its metadata
  std::map<std::string, Tensor> tensors = nn::state_dict(trainer->G(), "G.");
  std::map<std::string, std::string> metadata;
  for (const char* key : {"format", "model", "spec", "config", "step", "data", "data.images"}) {
    if (auto it = source.metadata.find(key); it != source.metadata.end())
      metadata[key] = it->second;
  }
  metadata["generator_only"] = "true";
  std::string what = "G";
  if (trainer->has_ema()) {
    trainer->reestimate_ema_batch_norm(32, 256, kBatchNormSeed);
    std::map<std::string, Tensor> ema = nn::state_dict(*trainer->G_ema(), "G_ema.");
    tensors.insert(ema.begin(), ema.end());
    metadata[kEmaStatisticsKey] = kReestimated;
    what = "G and G_ema";
  }
  write_safetensors(out_path, tensors, metadata);
  size_t bytes = 0;
  for (const auto& [name, t] : tensors) bytes += static_cast<size_t>(t.numel()) * 4;
  char line[160];
  std::snprintf(line, sizeof line, "%s of %s at step %lld, %zu tensors, %.1f MB of weights",
                what.c_str(), trainer->model().name.c_str(),
                static_cast<long long>(trainer->steps_done()), tensors.size(), bytes / 1e6);
  return line;
}

}  // namespace convt
