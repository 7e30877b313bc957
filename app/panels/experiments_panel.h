// The "Other generators" panel: FFNN + transposed conv trained with
// MSE beside the GAN, the blank canvas (the decoder's dream, an impulse through each ConvT layer)
// before and after training, and the notes' RGB generator from random weights and trained. The
// numbers come from lab::ExperimentsModel (app/logic/experiments_model.h).
#pragma once

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/experiments_model.h"
#include "logic/image_tiles.h"

namespace convt::panels {

// Everything the panel keeps. One member of AppState (`experiments`).
struct ExperimentsState {
  lab::ExperimentsModel model;  // loads the shipped checkpoints on the first draw
  bool stale = true;            // tiles and textures need rebuilding
  lab::TiledImage ffnn_tiles, gan_tiles;
  gfx::RgbTexture rgb_random, rgb_trained;
};

void draw_experiments_panel(ExperimentsState& state, gfx::HeatmapRenderer& heatmaps);

}  // namespace convt::panels
