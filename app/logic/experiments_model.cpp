#include "logic/experiments_model.h"

#include <algorithm>
#include <exception>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/nn/model_spec.h"
#include "convt/rng.h"
#include "convt/train/gan_trainer.h"

namespace convt::lab {

namespace {

// assets/<path> when it exists there, else the path as given.
std::string resolve(const std::string& path) {
  try {
    return asset_path(path);
  } catch (const std::exception&) {
    return path;
  }
}

// The file's averaged G (G_ema) if it has one, else G; or, when it cannot be read, an empty
// Generator and `message` = "<what>: <why>" followed by `how` (a line saying how to make one).
Generator load_or_explain(const std::string& path, const std::string& what, const std::string& how,
                          std::string& message) {
  try {
    return load_generator(resolve(path), GeneratorChoice::prefer_ema);
  } catch (const std::exception& e) {
    message = what + ": " + e.what() + how;
    return Generator();
  }
}

Tensor run_eval(nn::Sequential& G, const Tensor& z) {
  G.set_training(false);
  return G.forward(z);
}

}  // namespace

Generator random_generator(const std::string& model, uint64_t seed) {
  return build_generator(nn::load_model_spec(model), seed);
}

CanvasView blank_canvas(nn::Sequential& G, const std::string& title, float dream_value, int ic,
                        int max_kernels, float footprint_amplitude) {
  CanvasView v;
  v.title = title;
  v.dream = decoder_dream(G, dream_value);
  for (const ConvTLayer& layer : convt_layers(G)) {
    ImpulseView iv;
    iv.layer = layer;
    iv.ic = std::clamp(ic, 0, layer.in_channels - 1);
    const int iy = static_cast<int>(layer.in_shape[1] / 2),
              ix = static_cast<int>(layer.in_shape[2] / 2);
    const Tensor window = stamped_window(impulse_response(G, layer, iv.ic, false), layer, iy, ix);
    iv.shown = std::min(layer.out_channels, max_kernels);
    const int kh = layer.kernel_size.h, kw = layer.kernel_size.w;
    iv.kernels = Tensor({iv.shown, 1, kh, kw});  // (shown, 1, kH, kW)
    std::copy(window.data(), window.data() + static_cast<int64_t>(iv.shown) * kh * kw,
              iv.kernels.data());
    iv.footprint = impulse_response(G, layer, iv.ic, true, footprint_amplitude);
    v.layers.push_back(std::move(iv));
  }
  return v;
}

void ExperimentsModel::load() {
  loaded_ = true;
  ffnn_message.clear();
  gan_message.clear();
  rgb_message.clear();
  rgb64_message.clear();
  try {
    ffnn_G_ = FfnnTrainer::load_generator(resolve(paths_.ffnn), nullptr, &ffnn_steps);
    ffnn_G_->set_backend(nn::Backend::fast);
  } catch (const std::exception& e) {
    ffnn_G_.reset();
    ffnn_message = std::string("No FFNN checkpoint: ") + e.what() +
                   "\nTrain one: convt-lab ffnn-train --out RUN";
  }
  gan_ = load_or_explain(paths_.gan, "No GAN checkpoint", "", gan_message);
  gan_steps = gan_.steps;
  gan_averaged = gan_.averaged;
  try {
    const Dataset digits = load_builtin_digits(20);
    mean_digit = mean_image(digits);
  } catch (const std::exception& e) {
    ffnn_message += std::string(ffnn_message.empty() ? "" : "\n") + "No digits: " + e.what();
  }
  rgb_all_message_.clear();
  rgb_faces_message_.clear();
  rgb_ =
      load_or_explain(paths_.rgb, "No rgb32 trained on all emoji",
                      "\nTrain one: scripts/setup.sh --with-emoji; convt-lab train --model rgb32 "
                      "--data emoji --out RUN",
                      rgb_all_message_);
  rgb_faces_ = load_or_explain(paths_.rgb_faces, "No rgb32 trained on the smileys",
                               "\nTrain one: scripts/setup.sh --with-emoji; convt-lab train "
                               "--model rgb32 --data emoji:smileys-emotion --out RUN",
                               rgb_faces_message_);
  rgb64_ = load_or_explain(paths_.rgb64, "No trained dcgan64",
                           "\nTrain one: scripts/setup.sh --with-emoji; convt-lab train --model "
                           "dcgan64 --data emoji:smileys-emotion --out RUN",
                           rgb64_message);
  rgb64_steps = rgb64_.steps;
  rgb64_averaged = rgb64_.averaged;
  recompute();
}

void ExperimentsModel::recompute() {
  try {
    gan_random_ = random_generator("dcgan20", random_seed);
    rgb_random_G_ = random_generator("rgb32", random_seed);
  } catch (const std::exception& e) {
    gan_message += std::string(gan_message.empty() ? "" : "\n") + e.what();
    return;
  }
  const Tensor z = latent_batch(samples, 100, sample_seed);
  if (ffnn_G_) ffnn_samples = run_eval(*ffnn_G_, z);
  if (gan_.G) gan_samples = run_eval(*gan_.G, z);
  if (mean_digit.numel() > 0) {
    if (ffnn_samples.numel() > 0) ffnn_spread = sample_spread(ffnn_samples, mean_digit);
    if (gan_samples.numel() > 0) gan_spread = sample_spread(gan_samples, mean_digit);
  }
  canvas_random =
      blank_canvas(*gan_random_.G, "random weights (seed " + std::to_string(random_seed) + ")",
                   dream_value, impulse_channel);
  if (gan_.G) {
    canvas_trained = blank_canvas(*gan_.G, "trained (" + std::to_string(gan_steps) + " steps)",
                                  dream_value, impulse_channel);
  }
  // As G(z) right after construction: PyTorch modules start in training mode, so BatchNorm uses
  // the batch's statistics and the output is noise spread over the whole range (in evaluation
  // mode, with running statistics still 0 and 1, it would be a nearly flat gray).
  rgb_random_G_.G->set_training(true);
  rgb_random =
      rgb_random_G_.G->forward(latent_batch(samples, rgb_random_G_.latent_dim, sample_seed));
  rgb_random_G_.G->set_training(false);
  Generator& rgb = rgb_all_emoji ? rgb_ : rgb_faces_;
  rgb_steps = rgb.steps;
  rgb_averaged = rgb.averaged;
  rgb_message = rgb_all_emoji ? rgb_all_message_ : rgb_faces_message_;
  rgb_trained =
      rgb.G ? run_eval(*rgb.G, latent_batch(samples, rgb.latent_dim, sample_seed)) : Tensor();
  if (rgb64_.G) {
    rgb64_trained = run_eval(*rgb64_.G, latent_batch(samples64, rgb64_.latent_dim, sample_seed));
  }
}

}  // namespace convt::lab
