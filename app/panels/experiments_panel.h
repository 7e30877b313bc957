// The "Other generators" panel: FFNN + transposed conv trained with MSE beside the GAN, the blank
// canvas (the decoder's dream, an impulse through each ConvT layer) before and after training,
// and the notes' RGB generators (rgb32 from random weights and trained, dcgan64 trained). The
// numbers come from lab::ExperimentsModel (app/logic/experiments_model.h).
#pragma once

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/experiments_model.h"

namespace convt::panels {

// The RGB generators' grids as colour textures (rgb32 random and trained, dcgan64 trained). Owned by main.cpp
// beside the heatmap renderer; destroyed before the GL context.
struct ExperimentsTextures {
  gfx::RgbTexture rgb_random, rgb_trained, rgb64_trained;
};

void draw_experiments_panel(lab::ExperimentsState& state, ExperimentsTextures& textures,
                            gfx::HeatmapRenderer& heatmaps);

}  // namespace convt::panels
