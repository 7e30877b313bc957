// The latent explorer's state without GL: the generator (lab::LatentModel,
// logic/latent_model.h) and what the panel shows and remembers between frames (z, the grids, the
// interpolation strip, the plane, class directions, the stepper slice), with its background
// loads. The panel (app/panels/latent.cpp) draws it; another panel reaches it only through
// lab::Navigator (logic/navigator.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"
#include "convt/train/generator.h"
#include "logic/animation_schedule.h"
#include "logic/background_load.h"
#include "logic/generator_weights.h"
#include "logic/latent_model.h"

namespace convt::lab {

// Everything the latent explorer keeps but its textures; no GL. One member of AppState
// (`latent`).
struct LatentState {
  LatentModel model;
  bool started = false;         // the first draw loads the shipped checkpoint and its real images
  bool load_cancelled = false;  // Cancel was pressed during that first load
  // ... off the UI thread, with a spinner meanwhile (false: at once, as screenshots need).
  bool load_in_background = true;
  BackgroundLoad<std::shared_ptr<LatentState>> loading;  // that first load, while it runs
  char path[512] = "";                                   // the checkpoint path field
  // The file the first load opens (--latent-checkpoint FILE); empty: the shipped dcgan20.
  std::string start_path;
  std::string message;  // the last load's result (error text when !message_ok)
  bool message_ok = true;
  // Real images read for a model (the panel's real_to_load) and their real_key; key "" when
  // none were read.
  struct RealImages {
    Dataset images;
    std::string key;
  };
  // "Load checkpoint" reads the file off the UI thread (the old model stays meanwhile).
  struct FileLoad {
    std::string path;
    Generator generator;  // generator.G is null when the load failed
    std::string error;
    RealImages real;  // the model's real images, when they change
  };
  BackgroundLoad<std::shared_ptr<FileLoad>> file_loading;
  uint64_t seed = 1;  // Randomise draws z from this seed

  // "Follow training": G taken from the dashboard's run about once a second
  // (logic/generator_weights.h); loading a checkpoint stops following.
  FollowSchedule follow{1.0};

  // The nearest real image: searched over `real`, the images of lab::nearest_real_spec at the
  // model's size ("digits@20", "emoji:smileys-emotion@32": real_key; "" while none are loaded).
  Dataset real;
  std::string real_key;
  std::string real_note;  // why the model's real images could not be loaded (a tooltip)
  Latent neighbour_z;     // the z the neighbour was found for
  Neighbour neighbour;

  // A random grid of samples; clicking one makes its z the current one.
  uint64_t grid_seed = 1000;
  Tensor grid_z, grid_images;  // (64, latent_dim), (64, C, H, W)

  // Interpolation A -> B.
  Latent a, b;
  std::string a_what, b_what;  // what A and B are, in words: "z of seed 7", "an edited z"
  int steps = 9;
  Interpolation mode = Interpolation::kSpherical;
  std::vector<Latent> strip_z;
  Tensor strip_images;
  AnimationExport animation;  // "Export animation...": A -> B and back (main.cpp writes it)

  // 2D plane around z.
  bool plane_random = true;  // two random orthonormal directions, else two components
  int comp_i = 0, comp_j = 1;
  uint64_t plane_seed = 7;
  int plane_n = 5;
  float spacing = 1.0f;
  std::vector<Latent> plane_z;
  Tensor plane_images;
  Latent plane_center;

  // Class directions: labels from the dashboard's CNN digit classifier (1-nearest-neighbour over
  // the digits when it cannot be loaded).
  std::unique_ptr<nn::Sequential> classifier;  // assets/classifier/digits20.safetensors
  bool classifier_tried = false;
  ClassDirections dirs;
  // "Compute from 512 samples" runs on a copy of G off the UI thread.
  BackgroundLoad<std::shared_ptr<ClassDirections>> dirs_loading;
  int target_class = 0;
  float class_amount = 0.5f;
  std::string class_note;  // why the classifier could not be loaded: true for every model

  // Inside G and the stepper slice.
  int channels_shown = 12;
  bool show_flat = false;  // also the flat (6400) outputs of dense, BatchNorm1d, LeakyReLU
  int slice_layer = -1;    // a ConvTranspose2d of G; -1: the first one
  int slice_ic = -1, slice_oc = 0, slice_oy = 0, slice_ox = 0;  // slice_ic -1: most active input
  std::string slice_message;

  bool stale = true;  // grids, strip and plane need recomputing (new model)
};

// The shipped checkpoint, assets/checkpoints/dcgan20_digits.safetensors.
inline constexpr const char* kShippedCheckpoint = "checkpoints/dcgan20_digits.safetensors";

// The generators the project ships (under assets/), offered by the explorer's "Shipped" menu
// when the file is there: {file, what it makes}.
struct ShippedGenerator {
  const char* file;
  const char* label;
};
inline constexpr ShippedGenerator kShippedGenerators[] = {
    {"checkpoints/dcgan20_digits.safetensors", "dcgan20: 20x20 digits"},
    {"checkpoints/dcgan28_digits_G.safetensors", "dcgan28: 28x28 digits"},
    {"checkpoints/dcgan28_fashion_G.safetensors", "dcgan28: 28x28 Fashion-MNIST"},
    {"checkpoints/rgb32_emoji_G.safetensors", "rgb32: 32x32 emoji (colour)"},
    {"checkpoints/rgb32_emoji_faces_G.safetensors", "rgb32: 32x32 emoji smileys (colour)"},
    {"checkpoints/dcgan64_emoji_faces_G.safetensors", "dcgan64: 64x64 emoji smileys (colour)"},
};

// True while the panel has work on another thread (its first load, a checkpoint, the class
// directions) or a finished one to take: the window keeps drawing until it is taken.
bool latent_working(const LatentState& state);

}  // namespace convt::lab
