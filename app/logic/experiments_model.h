// What the "Other generators" panel (experiments) shows, computed without GL:
//   - FFNN + transposed conv (MSE) vs GAN: samples of the shipped ffnn20 and dcgan20 checkpoints
//     from the same z, the mean training digit, and how far each set is from it / how alike;
//   - blank canvas: for dcgan20's G with random weights and after training, the decoder's dream
//     of a constant map, and for each ConvTranspose2d an impulse (the kernel it stamps) and the
//     impulse's footprint in the image;
//   - RGB generators: the notes' rgb32 G with random weights (noise, the starting point), the
//     samples of a trained rgb32 (on the emoji smileys, or on all emoji) and of a trained
//     dcgan64 (64x64, on the smileys) when they are shipped.
// Nothing here throws: each part that cannot be loaded keeps a message and stays empty.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convt/nn/sequential.h"
#include "convt/tensor.h"
#include "convt/train/ffnn.h"
#include "convt/train/generator.h"
#include "logic/blank_canvas.h"
#include "logic/image_tiles.h"

namespace convt::lab {

// A dcgan-family generator with its spec's random initialisation from `seed`, in evaluation mode.
Generator random_generator(const std::string& model, uint64_t seed);

// One ConvTranspose2d layer seen through an impulse.
struct ImpulseView {
  ConvTLayer layer;
  int ic = 0;        // the input channel that got the impulse
  Tensor kernels;    // (shown, 1, kH, kW): the stamped window of the first `shown` outputs
  int shown = 0;     // min(out_channels, max_kernels)
  Tensor footprint;  // (1, C, H, W): the impulse's difference at the image
};

// The blank-canvas views of one generator.
struct CanvasView {
  std::string title;                // "random weights (seed 1)" / "trained (1708 steps)"
  Tensor dream;                     // (1, C, H, W): the decoder on a constant map
  std::vector<ImpulseView> layers;  // one per ConvTranspose2d
};
// `ic` is clamped to each layer's input channels; `max_kernels` output channels are shown;
// `footprint_amplitude` is the impulse's size for the footprint (the kernels use 1).
CanvasView blank_canvas(nn::Sequential& G, const std::string& title, float dream_value, int ic,
                        int max_kernels = 8, float footprint_amplitude = 4.0f);

class ExperimentsModel {
 public:
  // Paths are resolved by convt::asset_path when relative to assets/.
  struct Paths {
    std::string ffnn = "checkpoints/ffnn20_digits.safetensors";
    std::string gan = "checkpoints/dcgan20_digits.safetensors";
    std::string rgb = "checkpoints/rgb32_emoji_G.safetensors";              // on all emoji
    std::string rgb_faces = "checkpoints/rgb32_emoji_faces_G.safetensors";  // on the smileys
    std::string rgb64 = "checkpoints/dcgan64_emoji_faces_G.safetensors";
  };
  ExperimentsModel() = default;
  explicit ExperimentsModel(Paths paths) : paths_(std::move(paths)) {}

  // Loads the checkpoints and the digits and computes every view. Call again after changing
  // the settings below.
  void load();
  // Recomputes the samples (new z from `sample_seed`) and the blank canvases; no file is read.
  void recompute();

  // Settings.
  uint64_t sample_seed = 2024;  // z of the FFNN / GAN / RGB samples
  int samples = 16;
  int samples64 = 8;         // dcgan64's (the first of the same z)
  uint64_t random_seed = 1;  // the random-weights generators
  float dream_value = 1.0f;
  int impulse_channel = 0;
  bool rgb_all_emoji = false;  // rgb32's samples: trained on all emoji, else on the smileys

  // FFNN vs GAN.
  Tensor ffnn_samples, gan_samples, mean_digit;  // (samples, 1, 20, 20), ..., (1, 1, 20, 20)
  SampleSpread ffnn_spread, gan_spread;
  int64_t ffnn_steps = 0, gan_steps = 0;
  bool gan_averaged = false;  // the GAN samples come from the file's averaged G (G_ema)
  std::string ffnn_message, gan_message;

  // Blank canvas: dcgan20's G random and trained.
  CanvasView canvas_random, canvas_trained;

  // RGB generators. rgb_trained, rgb_steps, rgb_averaged and rgb_message are those of the
  // rgb32 that rgb_all_emoji chooses.
  Tensor rgb_random, rgb_trained;  // (samples, 3, 32, 32)
  int64_t rgb_steps = 0;
  bool rgb_averaged = false;  // likewise for the RGB generator
  std::string rgb_message;
  Tensor rgb64_trained;  // (samples64, 3, 64, 64): dcgan64 on the emoji smileys
  int64_t rgb64_steps = 0;
  bool rgb64_averaged = false;
  std::string rgb64_message;

  bool loaded() const { return loaded_; }

 private:
  Paths paths_;
  bool loaded_ = false;
  std::unique_ptr<nn::Sequential> ffnn_G_;
  Generator gan_, gan_random_, rgb_random_G_, rgb_, rgb_faces_, rgb64_;  // convt/train/generator.h
  std::string rgb_all_message_, rgb_faces_message_;
};

// Everything the "Other generators" panel keeps but its textures; no GL. One member of AppState
// (`experiments`).
struct ExperimentsState {
  ExperimentsModel model;  // loads the shipped checkpoints on the first draw
  bool stale = true;       // tiles and textures need rebuilding
  TiledImage ffnn_tiles, gan_tiles;
  float rgb_width = 0.0f;  // the RGB generators' group as last drawn (pixels): it goes below the
                           // FFNN vs GAN group when it does not fit beside it
};

}  // namespace convt::lab
