#include "logic/stepper_view.h"

#include <algorithm>
#include <vector>

namespace convt::lab {

bool stepper_load_preset(StepperModel& model, StepperView& view, const std::string& name) {
  const std::vector<StepperPreset>& presets = stepper_presets();
  for (size_t i = 0; i < presets.size(); ++i) {
    if (presets[i].name != name) continue;
    model.load_preset(presets[i]);
    view.preset_index = static_cast<int>(i);
    view.playing = false;
    // Play shows the whole run in about 20 s (the 4x4 k4 example's 256 events at 12.8/s), and
    // no faster than 2 events/s for the short ones (the notes' 36 take 18 s).
    view.events_per_second = std::clamp(static_cast<float>(model.event_count()) / 20.0f, 2.0f,
                                        StepperView::kMaxEventsPerSecond);
    view.selected_y = view.selected_x = -1;
    view.selected_oc = 0;
    view.second = (name == "k3s2" || name == "k4s2") ? StepperView::Second::kOverlap
                  : presets[i].config.op == StepperOp::kConvTranspose2d
                      ? StepperView::Second::kGather
                      : StepperView::Second::kOverlap;
    return true;
  }
  return false;
}

}  // namespace convt::lab
