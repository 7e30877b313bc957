#include "widgets/line_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "widgets/palette.h"

namespace convt::widgets {
namespace {

// A "nice" tick step (1, 2, 5 x 10^n) giving about `count` ticks over `span`.
int tick_step(int span, int count) {
  const double raw = std::max(1.0, static_cast<double>(span) / std::max(count, 1));
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return std::max(1, static_cast<int>(m * p));
  return std::max(1, static_cast<int>(10 * p));
}

}  // namespace

int line_plot(const char* id, const std::vector<PlotSeriesPoint>& points,
              const LinePlotOptions& o) {
  ImGui::PushID(id);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", o.size);
  const bool hovered = ImGui::IsItemHovered();
  const float line_h = ImGui::GetTextLineHeight();
  // Frame: left margin for y ticks and label, bottom for x ticks and label.
  const float left = 48.0f, bottom = 2.2f * line_h + 6.0f, top = line_h + 6.0f, right = 12.0f;
  const ImVec2 a(p0.x + left, p0.y + top), b(p0.x + o.size.x - right, p0.y + o.size.y - bottom);

  int x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  bool any = false;
  for (const PlotSeriesPoint& p : points) {
    if (!any) {
      x_min = x_max = p.x;
      any = true;
    }
    x_min = std::min(x_min, p.x);
    x_max = std::max(x_max, p.x);
    if (p.valid) y_max = std::max(y_max, p.y);
    if (p.valid) y_min = std::min(y_min, p.y);
  }
  if (o.draw_diagonal_2x) y_max = std::max(y_max, 2 * x_max);
  if (x_max == x_min) x_max = x_min + 1;
  auto to_screen = [&](double x, double y) {
    return ImVec2(a.x + static_cast<float>((x - x_min) / (x_max - x_min)) * (b.x - a.x),
                  b.y - static_cast<float>((y - y_min) / std::max(1, y_max - y_min)) * (b.y - a.y));
  };
  const ImU32 axis = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid = palette().plot_grid;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  draw->AddRectFilled(a, b, palette().plot_bg);
  char buf[32];
  // Ticks.
  // At most 8 x ticks, fewer when the widest label and a gap do not fit between them; a label
  // that would still touch the one before it is skipped (its grid line stays).
  std::snprintf(buf, sizeof buf, "%d", std::abs(x_max) > std::abs(x_min) ? x_max : x_min);
  const float gap = 0.6f * ImGui::GetFontSize();
  const int fit = static_cast<int>((b.x - a.x) / (ImGui::CalcTextSize(buf).x + gap));
  const int xs = tick_step(x_max - x_min, std::clamp(fit, 1, 8)), ys = tick_step(y_max - y_min, 5);
  float last_label_end = -1e9f;
  for (int x = (x_min / xs) * xs; x <= x_max; x += xs) {
    if (x < x_min) continue;
    const ImVec2 s = to_screen(x, y_min);
    draw->AddLine(ImVec2(s.x, a.y), ImVec2(s.x, b.y), grid);
    std::snprintf(buf, sizeof buf, "%d", x);
    const float w = ImGui::CalcTextSize(buf).x;
    if (s.x - 0.5f * w < last_label_end + gap) continue;
    draw->AddText(ImVec2(s.x - 0.5f * w, b.y + 3.0f), axis, buf);
    last_label_end = s.x + 0.5f * w;
  }
  for (int y = (y_min / ys) * ys; y <= y_max; y += ys) {
    if (y < y_min) continue;
    const ImVec2 s = to_screen(x_min, y);
    draw->AddLine(ImVec2(a.x, s.y), ImVec2(b.x, s.y), grid);
    std::snprintf(buf, sizeof buf, "%d", y);
    draw->AddText(ImVec2(a.x - 6.0f - ImGui::CalcTextSize(buf).x, s.y - 0.5f * line_h), axis, buf);
  }
  draw->AddLine(ImVec2(a.x, b.y), b, axis, 1.5f);
  draw->AddLine(a, ImVec2(a.x, b.y), axis, 1.5f);
  // Labels.
  const ImVec2 xl = ImGui::CalcTextSize(o.x_label);
  draw->AddText(ImVec2(0.5f * (a.x + b.x - xl.x), b.y + line_h + 6.0f), text, o.x_label);
  draw->AddText(ImVec2(p0.x + 4.0f, p0.y), text, o.y_label);
  if (o.draw_diagonal_2x) {
    draw->AddLine(to_screen(x_min, 2 * x_min), to_screen(x_max, 2 * x_max),
                  IM_COL32(255, 255, 255, 60), 1.0f);
  }
  // The series.
  for (size_t i = 1; i < points.size(); ++i) {
    if (points[i - 1].valid && points[i].valid) {
      draw->AddLine(to_screen(points[i - 1].x, points[i - 1].y),
                    to_screen(points[i].x, points[i].y), o.colour, 2.0f);
    }
  }
  int hovered_x = -1;
  float best = 1e9f;
  const ImVec2 mouse = ImGui::GetMousePos();
  for (const PlotSeriesPoint& p : points) {
    const ImVec2 s = to_screen(p.x, p.valid ? p.y : y_min);
    if (p.valid)
      draw->AddCircleFilled(s, 3.0f, o.colour);
    else
      draw->AddText(ImVec2(s.x - 3.0f, s.y - line_h), IM_COL32(255, 90, 90, 255), "x");
    if (p.x == o.marked_x && p.valid) {
      draw->AddCircleFilled(s, 6.5f, IM_COL32(255, 214, 0, 255));
      draw->AddCircle(s, 6.5f, IM_COL32(20, 20, 20, 255), 0, 1.5f);
    }
    const float dx = std::fabs(mouse.x - s.x);
    if (hovered && dx < best) {
      best = dx;
      hovered_x = p.x;
    }
  }
  if (hovered_x >= 0) {
    for (const PlotSeriesPoint& p : points) {
      if (p.x != hovered_x) continue;
      const ImVec2 s = to_screen(p.x, p.valid ? p.y : y_min);
      draw->AddLine(ImVec2(s.x, a.y), ImVec2(s.x, b.y), palette().plot_cursor);
      if (p.valid) draw->AddCircle(s, 6.0f, text, 0, 1.5f);
      ImGui::BeginTooltip();
      if (p.valid) {
        ImGui::Text("%s = %d  ->  %s = %d", o.x_label, p.x, o.y_label, p.y);
      } else {
        ImGui::Text("%s = %d: not valid", o.x_label, p.x);
      }
      if (!p.note.empty()) {
        ImGui::PushTextWrapPos(420.0f);
        ImGui::TextDisabled("%s", p.note.c_str());
        ImGui::PopTextWrapPos();
      }
      ImGui::EndTooltip();
    }
  }
  ImGui::PopID();
  return hovered_x;
}

}  // namespace convt::widgets
