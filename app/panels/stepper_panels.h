// The stepper and formula panels: their draw functions. Their view state is GL-free
// (lab::StepperView in logic/stepper_view.h, lab::FormulaView in logic/formula_model.h).
// What they show is decided by the GL-free classes in app/logic/ (unit-tested); these files only
// draw it with Dear ImGui and turn clicks into calls on those classes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "logic/formula_model.h"
#include "logic/stepper_model.h"
#include "logic/stepper_view.h"

namespace convt::panels {

// ---- Stepper ---------------------------------------------------------------------------------
void draw_stepper_panel(lab::StepperModel& model, lab::StepperView& view,
                        gfx::HeatmapRenderer& heatmaps);

// ---- Formula ---------------------------------------------------------------------------------

void draw_formula_panel(lab::FormulaView& view);

// The stepper's keys, read from ImGui's input of this frame (call between NewFrame and EndFrame),
// while no text field has focus (typing a cell value must not step): Space play / pause, Left /
// Right one event, Shift+Left / Right one input pixel (one window), Home / End, + / - speed (x1.5
// per press, within the slider's range). Each key does what the button it names does.
void handle_stepper_keys(lab::StepperModel& model, lab::StepperView& view);

}  // namespace convt::panels
