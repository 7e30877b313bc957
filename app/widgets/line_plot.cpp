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

// The plot box on the screen and the data range it shows.
struct PlotBox {
  ImVec2 p0;    // top left of the widget
  ImVec2 a, b;  // top-left and bottom-right corners of the axes' box
  float line_h = 0.0f;
  int x_min = 0, x_max = 1, y_min = 0, y_max = 1;

  // Data to screen pixels.
  ImVec2 to_screen(double x, double y) const {
    return ImVec2(a.x + static_cast<float>((x - x_min) / (x_max - x_min)) * (b.x - a.x),
                  b.y - static_cast<float>((y - y_min) / std::max(1, y_max - y_min)) * (b.y - a.y));
  }
  // Where point `p` is drawn: an invalid one on the x axis.
  ImVec2 point(const PlotSeriesPoint& p) const { return to_screen(p.x, p.valid ? p.y : y_min); }
};

// The data range: every point's x, the valid points' y and 0 to 1, and y = 2x up to the last x
// when the guide is drawn.
void fit_range(const std::vector<PlotSeriesPoint>& points, const LinePlotOptions& o, PlotBox& box) {
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
  box.x_min = x_min;
  box.x_max = x_max;
  box.y_min = y_min;
  box.y_max = y_max;
}

// Grid lines and tick labels. At most 8 x ticks, fewer when the widest label and a gap do not fit
// between them; a label that would still touch the one before it is skipped (its grid line stays).
void draw_ticks(ImDrawList* draw, const PlotBox& box) {
  const ImU32 axis = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid = palette().plot_grid;
  const ImVec2 a = box.a, b = box.b;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d",
                std::abs(box.x_max) > std::abs(box.x_min) ? box.x_max : box.x_min);
  const float gap = 0.6f * ImGui::GetFontSize();
  const int fit = static_cast<int>((b.x - a.x) / (ImGui::CalcTextSize(buf).x + gap));
  const int xs = tick_step(box.x_max - box.x_min, std::clamp(fit, 1, 8));
  const int ys = tick_step(box.y_max - box.y_min, 5);
  float last_label_end = -1e9f;
  for (int x = (box.x_min / xs) * xs; x <= box.x_max; x += xs) {
    if (x < box.x_min) continue;
    const ImVec2 s = box.to_screen(x, box.y_min);
    draw->AddLine(ImVec2(s.x, a.y), ImVec2(s.x, b.y), grid);
    std::snprintf(buf, sizeof buf, "%d", x);
    const float w = ImGui::CalcTextSize(buf).x;
    if (s.x - 0.5f * w < last_label_end + gap) continue;
    draw->AddText(ImVec2(s.x - 0.5f * w, b.y + 3.0f), axis, buf);
    last_label_end = s.x + 0.5f * w;
  }
  for (int y = (box.y_min / ys) * ys; y <= box.y_max; y += ys) {
    if (y < box.y_min) continue;
    const ImVec2 s = box.to_screen(box.x_min, y);
    draw->AddLine(ImVec2(a.x, s.y), ImVec2(b.x, s.y), grid);
    std::snprintf(buf, sizeof buf, "%d", y);
    draw->AddText(ImVec2(a.x - 6.0f - ImGui::CalcTextSize(buf).x, s.y - 0.5f * box.line_h), axis,
                  buf);
  }
}

// The two axis lines, the x label centred below, the y label at the top left, and the faint
// y = 2x guide when asked for.
void draw_axes(ImDrawList* draw, const PlotBox& box, const LinePlotOptions& o) {
  const ImU32 axis = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImVec2 a = box.a, b = box.b;
  draw->AddLine(ImVec2(a.x, b.y), b, axis, 1.5f);
  draw->AddLine(a, ImVec2(a.x, b.y), axis, 1.5f);
  const ImVec2 xl = ImGui::CalcTextSize(o.x_label);
  draw->AddText(ImVec2(0.5f * (a.x + b.x - xl.x), b.y + box.line_h + 6.0f), text, o.x_label);
  draw->AddText(ImVec2(box.p0.x + 4.0f, box.p0.y), text, o.y_label);
  if (o.draw_diagonal_2x) {
    draw->AddLine(box.to_screen(box.x_min, 2 * box.x_min), box.to_screen(box.x_max, 2 * box.x_max),
                  IM_COL32(255, 255, 255, 60), 1.0f);
  }
}

// The series: lines between neighbouring valid points, a dot on each valid point, a red x on the
// axis for each invalid one, and a large dot on the marked point.
void draw_series(ImDrawList* draw, const PlotBox& box, const std::vector<PlotSeriesPoint>& points,
                 const LinePlotOptions& o) {
  for (size_t i = 1; i < points.size(); ++i) {
    if (points[i - 1].valid && points[i].valid) {
      draw->AddLine(box.to_screen(points[i - 1].x, points[i - 1].y),
                    box.to_screen(points[i].x, points[i].y), o.colour, 2.0f);
    }
  }
  for (const PlotSeriesPoint& p : points) {
    const ImVec2 s = box.point(p);
    if (p.valid)
      draw->AddCircleFilled(s, 3.0f, o.colour);
    else
      draw->AddText(ImVec2(s.x - 3.0f, s.y - box.line_h), IM_COL32(255, 90, 90, 255), "x");
    if (p.x == o.marked_x && p.valid) {
      draw->AddCircleFilled(s, 6.5f, IM_COL32(255, 214, 0, 255));
      draw->AddCircle(s, 6.5f, IM_COL32(20, 20, 20, 255), 0, 1.5f);
    }
  }
}

// The x of the point nearest to the mouse along x (the first of equals); -1 when the plot is not
// hovered.
int hovered_point_x(const PlotBox& box, const std::vector<PlotSeriesPoint>& points, bool hovered) {
  int hovered_x = -1;
  float best = 1e9f;
  const ImVec2 mouse = ImGui::GetMousePos();
  for (const PlotSeriesPoint& p : points) {
    const float dx = std::fabs(mouse.x - box.point(p).x);
    if (hovered && dx < best) {
      best = dx;
      hovered_x = p.x;
    }
  }
  return hovered_x;
}

// The hovered point: a cursor line, a ring around it, and a tooltip with its values and note.
void show_hovered_point(ImDrawList* draw, const PlotBox& box,
                        const std::vector<PlotSeriesPoint>& points, int hovered_x,
                        const LinePlotOptions& o) {
  for (const PlotSeriesPoint& p : points) {
    if (p.x != hovered_x) continue;
    const ImVec2 s = box.point(p);
    draw->AddLine(ImVec2(s.x, box.a.y), ImVec2(s.x, box.b.y), palette().plot_cursor);
    if (p.valid) draw->AddCircle(s, 6.0f, ImGui::GetColorU32(ImGuiCol_Text), 0, 1.5f);
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

}  // namespace

int line_plot(const char* id, const std::vector<PlotSeriesPoint>& points,
              const LinePlotOptions& o) {
  ImGui::PushID(id);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  PlotBox box;
  box.p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plot", o.size);
  const bool hovered = ImGui::IsItemHovered();
  box.line_h = ImGui::GetTextLineHeight();
  // Frame: left margin for y ticks and label, bottom for x ticks and label.
  const float left = 48.0f, bottom = 2.2f * box.line_h + 6.0f, top = box.line_h + 6.0f,
              right = 12.0f;
  box.a = ImVec2(box.p0.x + left, box.p0.y + top);
  box.b = ImVec2(box.p0.x + o.size.x - right, box.p0.y + o.size.y - bottom);
  fit_range(points, o, box);

  draw->AddRectFilled(box.a, box.b, palette().plot_bg);
  draw_ticks(draw, box);
  draw_axes(draw, box, o);
  draw_series(draw, box, points, o);
  const int hovered_x = hovered_point_x(box, points, hovered);
  if (hovered_x >= 0) show_hovered_point(draw, box, points, hovered_x, o);
  ImGui::PopID();
  return hovered_x;
}

}  // namespace convt::widgets
