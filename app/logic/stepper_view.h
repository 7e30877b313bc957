// What the stepper panel remembers between frames besides its model: the preset chosen, play
// speed, the selected output cell, the right-hand view, the value being edited, and what it
// cached from the model. No GL: another panel (a lesson's Show me, the latent explorer's "Step
// through this") sets it through lab::Navigator (logic/navigator.h).
#pragma once

#include <cstdint>
#include <string>

#include "logic/animation_schedule.h"
#include "logic/stepper_model.h"

namespace convt::lab {

// The stepper panel's view state (every field the panel reads or writes besides the model).
struct StepperView {
  int preset_index = 0;  // -1: edited by hand
  bool playing = false;
  bool link_hw = true;  // kernel_size, stride, padding, ... : one slider moves both H and W
  float events_per_second = 3.0f;  // play speed
  static constexpr float kMinEventsPerSecond = StepperLimits::kMinEventsPerSecond;
  static constexpr float kMaxEventsPerSecond = StepperLimits::kMaxEventsPerSecond;
  double play_carry = 0.0;  // fractional events not yet played
  int64_t play_until = -1;  // playing stops at this position (one pixel's stamp); -1: the end
  // The selected output cell (click on the canvas, the output or the gather view); -1: none.
  int selected_oc = 0, selected_y = -1, selected_x = -1;
  using Second = StepperSecondView;
  Second second = Second::kGather;  // what the right-hand slot shows
  uint32_t seed = 1;
  // The value being edited in the popup.
  enum class EditTarget { kNone, kInput, kWeight };
  EditTarget edit_target = EditTarget::kNone;
  int edit_a = 0, edit_b = 0, edit_y = 0, edit_x = 0;
  float edit_value = 0.0f;
  bool open_edit_popup = false;
  std::string pytorch_note;  // what "As PyTorch" did (saved where, or why not)
  // "Export animation...": the dialog's settings, the request main.cpp takes, its progress.
  AnimationExport animation;
  bool open_export_popup = false;
  char export_path[512] = "runs/animations/stepper.gif";
  bool recording = false;  // drawn into an exported frame: no export controls
  // Cached from the model (recomputed when StepperModel::version() changes).
  int64_t cached_version = -1;
  std::string backward_summary;
  bool backward_same = false;
  GatherView gather;          // model.gather_view()
  OverlapMap overlap;         // model.overlap()
  float canvas_limit = 1.0f;  // colour scale of the canvas: max |value| over all its writes
  float output_limit = 1.0f;  // ... of the output
};

// Loads preset `name` (a stepper_presets() name) into model and view: the preset's index, play
// stopped, a play speed that shows the whole run in about 20 s, no cell selected, and the
// right-hand view that suits it. Returns false (nothing changed) if there is no such preset.
bool stepper_load_preset(StepperModel& model, StepperView& view, const std::string& name);

}  // namespace convt::lab
