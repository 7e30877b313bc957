#include <imgui.h>

#include "panels/panels.h"

namespace convt::panels {

void draw_placeholder(const lab::PanelInfo& info) {
  ImGui::Spacing();
  ImGui::TextUnformatted(info.title);
  ImGui::Separator();
  ImGui::PushTextWrapPos(ImGui::GetContentRegionAvail().x * 0.8f);
  ImGui::TextUnformatted(info.summary);
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  ImGui::TextDisabled("Not built yet: this tab only marks where the panel will live.");
}

}  // namespace convt::panels
