// The stepper and formula panels: their view state and draw functions.
// What they show is decided by the GL-free classes in app/logic/ (unit-tested); these files only
// draw it with Dear ImGui and turn clicks into calls on those classes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "logic/formula_model.h"
#include "logic/stepper_model.h"

namespace convt::panels {

// ---- Stepper ---------------------------------------------------------------------------------
struct StepperView {
  int preset_index = 0;  // -1: edited by hand
  bool playing = false;
  bool link_hw = true;  // kernel_size, stride, padding, ... : one slider moves both H and W
  float events_per_second = 3.0f;  // play speed
  static constexpr float kMinEventsPerSecond = lab::StepperLimits::kMinEventsPerSecond;
  static constexpr float kMaxEventsPerSecond = lab::StepperLimits::kMaxEventsPerSecond;
  double play_carry = 0.0;  // fractional events not yet played
  // The selected output cell (click on the canvas, the output or the gather view); -1: none.
  int selected_oc = 0, selected_y = -1, selected_x = -1;
  enum class Second { kGather, kOverlap, kOutput };
  Second second = Second::kGather;  // what the right-hand slot shows
  uint32_t seed = 1;
  // The value being edited in the popup.
  enum class EditTarget { kNone, kInput, kWeight };
  EditTarget edit_target = EditTarget::kNone;
  int edit_a = 0, edit_b = 0, edit_y = 0, edit_x = 0;
  float edit_value = 0.0f;
  bool open_edit_popup = false;
  // Cached from the model (recomputed when StepperModel::version() changes).
  int64_t cached_version = -1;
  std::string backward_summary;
  bool backward_same = false;
  lab::GatherView gather;     // model.gather_view()
  lab::OverlapMap overlap;    // model.overlap()
  float canvas_limit = 1.0f;  // colour scale of the canvas: max |value| over all its writes
  float output_limit = 1.0f;  // ... of the output
};

// Loads preset `name` into model and view (and picks the view that suits it). False if unknown.
bool stepper_load_preset(lab::StepperModel& model, StepperView& view, const std::string& name);

void draw_stepper_panel(lab::StepperModel& model, StepperView& view,
                        gfx::HeatmapRenderer& heatmaps);

// ---- Formula ---------------------------------------------------------------------------------
struct FormulaView {
  lab::FormulaParams params;       // the current numbers (one axis)
  bool second_vs_padding = false;  // the second plot: H_out against stride (false) or padding
  int model_index = 0;             // network table
  bool models_loaded = false;
  std::vector<lab::ModelSpec> models;
  std::vector<std::string> model_errors;
};

void draw_formula_panel(FormulaView& view);

// The stepper's keys, read from ImGui's input of this frame (call between NewFrame and EndFrame),
// while no text field has focus (typing a cell value must not step): Space play / pause, Left /
// Right one event, Shift+Left / Right one input pixel (one window), Home / End, + / - speed (x1.5
// per press, within the slider's range). Each key does what the button it names does.
void handle_stepper_keys(lab::StepperModel& model, StepperView& view);

}  // namespace convt::panels
