// The panels of convt-lab: one free function per panel, each in app/panels/<name>.cpp, taking
// the state it reads and writes. main.cpp shows them as tabs.
//
// To add a panel: add its id and a row to the table in logic/panel_table.{h,cpp}, write
// app/panels/<name>.cpp, and call it from draw_panel() in main.cpp.
#pragma once

#include "gfx/heatmap_renderer.h"
#include "logic/panel_table.h"
#include "logic/playground_model.h"

namespace convt::panels {

// ---- Panels ------------------------------------------------------------------------------------
// The transposed-convolution playground (playground.cpp).
void draw_playground_panel(lab::PlaygroundModel& model, lab::PlaygroundView& view,
                           gfx::HeatmapRenderer& heatmaps);

// The stepper and the formula panels: draw_stepper_panel, draw_formula_panel in
// panels/stepper_panels.h.

// The latent explorer: draw_latent_panel in panels/latent_panel.h.

// The training dashboard: draw_training_panel in panels/training_panel.h.

// The completion panel: draw_completion_panel in panels/completion_panel.h.

// Other generators (FFNN vs GAN, blank canvas, RGB): draw_experiments_panel in
// panels/experiments_panel.h.

// The lessons: draw_lessons_panel in panels/lessons_panel.h.

}  // namespace convt::panels
