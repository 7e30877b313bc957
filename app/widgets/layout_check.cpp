#include "widgets/layout_check.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <cstdio>

namespace convt::widgets {

std::vector<std::string> layout_problems() {
  std::vector<std::string> problems;
  const ImGuiContext* ctx = ImGui::GetCurrentContext();
  if (ctx == nullptr) return problems;
  // Less than an item spacing over is no cut widget (menu bars and bordered children count their
  // padding a little differently from the room computed here).
  const float kSlack = ImGui::GetStyle().ItemSpacing.x;
  for (const ImGuiWindow* w : ctx->Windows) {
    if (!w->WasActive || w->Hidden) continue;
    const float room_x = w->InnerRect.GetWidth() - 2.0f * w->WindowPadding.x;
    const float room_y = w->InnerRect.GetHeight() - 2.0f * w->WindowPadding.y;
    const bool scrolls_x =
        (w->Flags & (ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_AlwaysHorizontalScrollbar)) != 0;
    const bool scrolls_y = (w->Flags & ImGuiWindowFlags_NoScrollbar) == 0 ||
                           (w->Flags & ImGuiWindowFlags_NoScrollWithMouse) == 0;
    const bool auto_resize = (w->Flags & ImGuiWindowFlags_AlwaysAutoResize) != 0;
    if (auto_resize) continue;  // grows to its contents (popups, tooltips)
    char line[256];
    if (!scrolls_x && w->ContentSize.x > room_x + kSlack) {
      std::snprintf(line, sizeof line,
                    "window '%s': contents %.0f px wide in %.0f px, and it cannot scroll sideways",
                    w->Name, w->ContentSize.x, room_x);
      problems.emplace_back(line);
    }
    if (!scrolls_y && w->ContentSize.y > room_y + kSlack) {
      std::snprintf(line, sizeof line,
                    "window '%s': contents %.0f px tall in %.0f px, and it cannot scroll",
                    w->Name, w->ContentSize.y, room_y);
      problems.emplace_back(line);
    }
  }
  return problems;
}

}  // namespace convt::widgets
