#include "widgets/export_progress.h"

#include <imgui.h>

#include <cstdio>

namespace convt::widgets {

bool export_progress(lab::AnimationExport& exp, const char* unit, float width) {
  lab::AnimationProgress& p = exp.progress;
  if (!p.running && !exp.pending) return false;
  char overlay[64];
  std::snprintf(overlay, sizeof overlay, "%s %d of %d", unit, p.frames_done, p.frame_count);
  ImGui::ProgressBar(p.frame_count > 0 ? static_cast<float>(p.frames_done) / p.frame_count : 0.0f,
                     ImVec2(width, 0.0f), overlay);
  ImGui::SameLine();
  ImGui::PushID(&exp);
  if (ImGui::Button("Cancel")) p.cancel_requested = true;
  ImGui::PopID();
  return true;
}

}  // namespace convt::widgets
