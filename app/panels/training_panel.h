// The training dashboard panel: its draw function and the textures it keeps. What it shows and
// does is lab::TrainingDashboard (app/logic/training_dashboard.h, no GL); training itself runs in
// lab::TrainingSession (app/logic/training_session.h) on a worker thread: this panel only queues
// commands and draws the snapshots the worker publishes.
#pragma once

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/training_dashboard.h"

namespace convt::lab {
class Navigator;
}

namespace convt::panels {

// The colour grids of an RGB model (rgb32, dcgan64), 3 channels: G's samples, the real images,
// G_ema's samples. One-channel grids go through the heatmap renderer instead. Owned by main.cpp
// beside the renderer; destroyed before the GL context.
struct TrainingTextures {
  gfx::RgbTexture samples, real, ema;
};

// `nav` takes the panel's links to elsewhere: the "Saved runs..." popup opens a run through it.
void draw_training_panel(lab::TrainingDashboard& state, TrainingTextures& textures,
                         gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav);

}  // namespace convt::panels
