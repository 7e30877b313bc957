// The latent explorer panel: its draw function and the textures it keeps. What it shows is
// lab::LatentState (app/logic/latent_state.h, no GL).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/latent_state.h"
#include "logic/panel_table.h"
#include "logic/stepper_view.h"
#include "logic/training_session.h"

namespace convt::panels {

// The colour images the panel draws (RGB models: rgb32, dcgan64) as textures, one per drawn
// image, by ImGui ID; uploaded again only when the image's pixels change. Owned by main.cpp
// beside the heatmap renderer; destroyed before the GL context.
struct LatentTextures {
  struct RgbImage {
    gfx::RgbTexture texture;
    std::vector<uint8_t> pixels;  // what the texture holds
  };
  std::map<unsigned int, RgbImage> images;
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

void draw_latent_panel(lab::LatentState& state, LatentTextures& textures,
                       gfx::HeatmapRenderer& heatmaps, const LatentLinks& links);

}  // namespace convt::panels
