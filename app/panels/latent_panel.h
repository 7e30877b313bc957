// The latent explorer panel: its state and its draw function. The numbers come from
// lab::LatentModel (app/logic/latent_model.h); this file only adds what the panel shows and
// remembers between frames.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"
#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/background_load.h"
#include "logic/generator_weights.h"
#include "logic/latent_model.h"
#include "logic/stepper_model.h"
#include "logic/training_session.h"

namespace convt::lab {
enum class PanelId;
struct StepperView;
struct CameFrom;
}  // namespace convt::lab

namespace convt::panels {

// Everything the latent panel keeps. One member of AppState (`latent`).
struct LatentState {
  lab::LatentModel model;
  bool started = false;  // the first draw loads the shipped checkpoint and the digits
  bool load_cancelled = false;  // Cancel was pressed during that first load
  // ... off the UI thread, with a spinner meanwhile (false: at once, as screenshots need).
  bool load_in_background = true;
  lab::BackgroundLoad<std::shared_ptr<LatentState>> loading;  // that first load, while it runs
  char path[512] = "";                                        // the checkpoint path field
  std::string message;  // the last load's result (error text when !message_ok)
  bool message_ok = true;
  // "Load checkpoint" reads the file off the UI thread (the old model stays meanwhile).
  struct FileLoad {
    std::string path;
    Generator generator;  // generator.G is null when the load failed
    std::string error;
  };
  lab::BackgroundLoad<std::shared_ptr<FileLoad>> file_loading;
  uint64_t seed = 1;  // Randomise draws z from this seed

  // "Follow training": G taken from the dashboard's run about once a second
  // (logic/generator_weights.h); loading a checkpoint stops following.
  lab::FollowSchedule follow{1.0};

  // Nearest real neighbour over the built-in digits.
  Dataset digits;
  lab::Latent neighbour_z;  // the z the neighbour was found for
  lab::Neighbour neighbour;

  // A random grid of samples; clicking one makes its z the current one.
  uint64_t grid_seed = 1000;
  Tensor grid_z, grid_images;  // (64, latent_dim), (64, C, H, W)

  // Interpolation A -> B.
  lab::Latent a, b;
  std::string a_what, b_what;  // what A and B are, in words: "z of seed 7", "an edited z"
  int steps = 9;
  lab::Interpolation mode = lab::Interpolation::kSpherical;
  std::vector<lab::Latent> strip_z;
  Tensor strip_images;

  // 2D plane around z.
  bool plane_random = true;  // two random orthonormal directions, else two components
  int comp_i = 0, comp_j = 1;
  uint64_t plane_seed = 7;
  int plane_n = 5;
  float spacing = 1.0f;
  std::vector<lab::Latent> plane_z;
  Tensor plane_images;
  lab::Latent plane_center;

  // Class directions: labels from the dashboard's CNN digit classifier (1-nearest-neighbour over
  // the digits when it cannot be loaded).
  std::unique_ptr<nn::Sequential> classifier;  // assets/classifier/digits20.safetensors
  bool classifier_tried = false;
  lab::ClassDirections dirs;
  // "Compute from 512 samples" runs on a copy of G off the UI thread.
  lab::BackgroundLoad<std::shared_ptr<lab::ClassDirections>> dirs_loading;
  int target_class = 0;
  float class_amount = 0.5f;
  std::string class_note;

  // Inside G and the stepper slice.
  int channels_shown = 12;
  bool show_flat = false;  // also the flat (6400) outputs of dense, BatchNorm1d, LeakyReLU
  int slice_layer = -1;    // a ConvTranspose2d of G; -1: the first one
  int slice_ic = -1, slice_oc = 0, slice_oy = 0, slice_ox = 0;  // slice_ic -1: most active input
  std::string slice_message;

  bool stale = true;  // grids, strip and plane need recomputing (new model)

  // Colour images (RGB models: rgb32, dcgan64) as textures, one per drawn image, by ImGui ID;
  // uploaded again only when the image's pixels change.
  struct RgbImage {
    gfx::RgbTexture texture;
    std::vector<uint8_t> pixels;  // what the texture holds
  };
  std::map<unsigned int, RgbImage> rgb_images;
};

// What the panel may reach outside itself: the stepper (to load a ConvT slice into it) and the
// tab switch. Any may be nullptr (then "Step through this" is disabled).
struct LatentLinks {
  lab::StepperModel* stepper = nullptr;
  // Its view: "edited by hand", the chosen pixel selected.
  lab::StepperView* stepper_view = nullptr;
  lab::PanelId* active_panel = nullptr;
  bool* select_requested = nullptr;
  // The training dashboard's session (created by its first draw), for "Follow training".
  const std::unique_ptr<lab::TrainingSession>* training = nullptr;
  lab::CameFrom* came_from = nullptr;  // "Step through this" names the slice and links back here
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
    {"checkpoints/dcgan64_emoji_G.safetensors", "dcgan64: 64x64 emoji (colour)"},
};

// True while the panel has work on another thread (its first load, a checkpoint, the class
// directions) or a finished one to take: the window keeps drawing until it is taken.
bool latent_working(const LatentState& state);

void draw_latent_panel(LatentState& state, gfx::HeatmapRenderer& heatmaps,
                       const LatentLinks& links);

}  // namespace convt::panels
