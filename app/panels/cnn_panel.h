// The CNN panel: image kernels on real pictures, and inside a digit classifier. A built-in digit,
// an emoji or a picture of the student's through the core's recorded conv2d with a preset or typed
// 3x3 / 5x5 kernel, then ReLU and max_pool2d; hovering an output pixel outlines its window and
// lists its products. The numbers come from lab::CnnModel (app/logic/cnn_model.h).
#pragma once

#include "gfx/heatmap_renderer.h"
#include "gfx/rgb_texture.h"
#include "logic/cnn_model.h"
#include "logic/navigator.h"

namespace convt::panels {

// The colour textures of the RGB stages (input, conv, ReLU, pool). Owned by main.cpp beside the
// heatmap renderer; destroyed before the GL context. Grayscale stages go through the renderer.
struct CnnTextures {
  gfx::RgbTexture stage[4];
};

// `nav` opens the stepper on the selected pixel's window ("Step through this"). Draws the
// section view.section names: image kernels, or "Inside the classifier" (draw_cnn_inside).
void draw_cnn_panel(lab::CnnModel& model, lab::CnnView& view, CnnTextures& textures,
                    gfx::HeatmapRenderer& heatmaps, lab::Navigator& nav);

// "Inside the classifier" (app/panels/cnn_inside.cpp): a 20x20 drawing through the digit
// classifier and a GAN's D, every layer's channels as heatmaps; `nav` opens the stepper on a
// clicked channel's output pixel.
void draw_cnn_inside(lab::InsideModel& model, lab::InsideView& view, gfx::HeatmapRenderer& heatmaps,
                     lab::Navigator& nav);

}  // namespace convt::panels
