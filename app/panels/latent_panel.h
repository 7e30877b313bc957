// The latent explorer panel: its draw function and the textures it keeps. What it shows is
// lab::LatentState (app/logic/latent_state.h, no GL).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/latent_state.h"
#include "logic/navigator.h"

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

// Draws the explorer. "Follow training" takes G from the dashboard's session and "Step through
// this" opens the stepper on a slice of G, both through `nav`.
void draw_latent_panel(lab::LatentState& state, LatentTextures& textures,
                       gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav);

}  // namespace convt::panels
