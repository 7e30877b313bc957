// The progress of an animation export under way (lab::AnimationExport), as every panel with an
// Export button shows it: a bar "frame i of n" (or another unit) and Cancel.
#pragma once

#include "logic/animation_schedule.h"

namespace convt::widgets {

// While `exp` is pending or running: draws the bar (`unit`: "frame", "grid") `width` wide (< 0:
// the available width minus that much, as ImGui::ProgressBar takes it) and a Cancel button that
// sets exp.progress.cancel_requested, and returns true. Otherwise draws nothing and returns
// false (the panel then draws its Export button).
bool export_progress(lab::AnimationExport& exp, const char* unit, float width);

}  // namespace convt::widgets
