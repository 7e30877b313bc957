#include "widgets/drawing_canvas.h"

#include <algorithm>

namespace convt::widgets {

CanvasInput canvas_input(const char* id, int rows, int cols, float cell, lab::StrokeState& stroke,
                         lab::Brush brush) {
  CanvasInput in;
  in.origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id,
                         ImVec2(static_cast<float>(cols) * cell, static_cast<float>(rows) * cell),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  in.active = ImGui::IsItemActive();
  in.hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float y = std::clamp((mouse.y - in.origin.y) / cell, 0.0f, static_cast<float>(rows));
  const float x = std::clamp((mouse.x - in.origin.x) / cell, 0.0f, static_cast<float>(cols));
  brush.erase = brush.erase || ImGui::IsMouseDown(ImGuiMouseButton_Right);
  in.brush = brush;
  if (in.active) {
    if (!stroke.stroking) {
      stroke.last_y = y;
      stroke.last_x = x;
    }
    in.has_segment = true;
    in.y0 = stroke.last_y;
    in.x0 = stroke.last_x;
    in.y1 = y;
    in.x1 = x;
    stroke.last_y = y;
    stroke.last_x = x;
  }
  stroke.stroking = in.active;
  return in;
}

void canvas_overlay(const CanvasInput& in, int rows, int cols, float cell) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p0 = in.origin;
  const ImVec2 p1(p0.x + static_cast<float>(cols) * cell, p0.y + static_cast<float>(rows) * cell);
  draw->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1),
                IM_COL32(200, 200, 200, 160));
  if (in.hovered || in.active) {
    draw->AddCircle(ImGui::GetIO().MousePos, in.brush.outer * cell, IM_COL32(120, 255, 120, 200),
                    24, 1.5f);
  }
}

}  // namespace convt::widgets
