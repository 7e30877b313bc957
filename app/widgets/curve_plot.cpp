#include "widgets/curve_plot.h"

#include <algorithm>
#include <cstdio>

#include "widgets/palette.h"

namespace convt::widgets {

double nice_tick_step(double range, int target) {
  if (!(range > 0.0) || target < 1) return 1.0;
  const double raw = range / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / power;
  return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * power;
}

namespace {

void format_tick(char* buf, size_t size, double v, double step) {
  if (std::fabs(v) < step * 1e-6) v = 0.0;
  if (step >= 1.0 && std::fabs(v) < 1e6) {
    std::snprintf(buf, size, "%.0f", v);
  } else {
    std::snprintf(buf, size, "%.3g", v);
  }
}

// Index of the point of `x` (increasing) nearest to `value`; -1 if empty.
int nearest_index(const std::vector<float>& x, float value) {
  if (x.empty()) return -1;
  const auto it = std::lower_bound(x.begin(), x.end(), value);
  if (it == x.begin()) return 0;
  if (it == x.end()) return static_cast<int>(x.size()) - 1;
  const int i = static_cast<int>(it - x.begin());
  return (value - x[i - 1] <= x[i] - value) ? i - 1 : i;
}

// The plot box on the screen and the data range it shows.
struct PlotFrame {
  ImVec2 origin;                                               // top left of the widget
  float font = 0.0f;                                           // font size, pixels
  float left = 0.0f, right = 0.0f, top = 0.0f, bottom = 0.0f;  // the axes' box, screen pixels
  double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0;               // the data range shown

  // Data to screen pixels.
  float sx(double x) const {
    return static_cast<float>(left + (x - x0) / (x1 - x0) * (right - left));
  }
  float sy(double y) const {
    return static_cast<float>(bottom - (y - y0) / (y1 - y0) * (bottom - top));
  }
};

// Where each series' legend entry goes: right of the y label, wrapping onto more lines when it
// does not fit (many curves).
std::vector<ImVec2> place_legend(const std::vector<CurveSeries>& series, ImVec2 origin,
                                 const CurvePlotOptions& options) {
  const float font = ImGui::GetFontSize();
  std::vector<ImVec2> legend_at;
  const float line_height = 1.15f * font;
  float lx = origin.x + ImGui::CalcTextSize(options.y_label).x + 1.5f * font, ly = origin.y;
  for (const auto& s : series) {
    const float w = font + ImGui::CalcTextSize(s.label.c_str()).x;
    if (lx + w > origin.x + options.size.x && !legend_at.empty()) {
      lx = origin.x + 4.5f * font;
      ly += line_height;
    }
    legend_at.emplace_back(lx, ly);
    lx += w + 0.8f * font;
  }
  return legend_at;
}

// The data range: every finite point, or the fixed y range of the options, with a margin above
// and below when it comes from the data. Returns false when there is no finite point.
bool fit_range(const std::vector<CurveSeries>& series, const CurvePlotOptions& options,
               PlotFrame& f) {
  double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0;
  bool any = false;
  for (const auto& s : series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      if (!any) {
        x0 = x1 = s.x[i];
        y0 = y1 = s.y[i];
        any = true;
      }
      x0 = std::min<double>(x0, s.x[i]);
      x1 = std::max<double>(x1, s.x[i]);
      y0 = std::min<double>(y0, s.y[i]);
      y1 = std::max<double>(y1, s.y[i]);
    }
  }
  if (!std::isnan(options.y_min)) y0 = options.y_min;
  if (!std::isnan(options.y_max)) y1 = options.y_max;
  if (x1 - x0 < 1e-9) x1 = x0 + 1.0;
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const double y_pad = 0.04 * (y1 - y0);
  if (std::isnan(options.y_min)) y0 -= y_pad;
  if (std::isnan(options.y_max)) y1 += y_pad;
  f.x0 = x0;
  f.x1 = x1;
  f.y0 = y0;
  f.y1 = y1;
  return any;
}

// Horizontal grid lines with their labels: about 4 y ticks, fewer in a short plot (a large UI
// scale); overlapping labels are skipped.
void draw_y_ticks(ImDrawList* draw, const PlotFrame& f) {
  const ImU32 axis_colour = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid_colour = palette().plot_grid;
  char buf[64];
  const double y_step = nice_tick_step(
      f.y1 - f.y0, std::clamp(static_cast<int>((f.bottom - f.top) / (2.0f * f.font)), 2, 4));
  float last_label_top = 1e9f;
  for (double v = std::ceil(f.y0 / y_step) * y_step; v <= f.y1 + 1e-9; v += y_step) {
    const float py = f.sy(v);
    draw->AddLine(ImVec2(f.left, py), ImVec2(f.right, py), grid_colour);
    format_tick(buf, sizeof buf, v, y_step);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    if (py + ts.y * 0.5f > last_label_top) continue;
    draw->AddText(ImVec2(f.left - ts.x - 6.0f, py - ts.y * 0.5f), axis_colour, buf);
    last_label_top = py - ts.y * 0.5f;
  }
}

// Vertical grid lines with their labels: as many x ticks as the widest label and a gap allow (at
// least 2); a label that would still touch the one before it is skipped (its grid line stays).
void draw_x_ticks(ImDrawList* draw, const PlotFrame& f) {
  const ImU32 axis_colour = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const ImU32 grid_colour = palette().plot_grid;
  char buf[64];
  const float gap = 0.6f * f.font;
  format_tick(buf, sizeof buf, std::abs(f.x1) > std::abs(f.x0) ? f.x1 : f.x0, 1.0);
  const float widest = ImGui::CalcTextSize(buf).x + gap;
  const double x_step = nice_tick_step(
      f.x1 - f.x0, std::max(2, static_cast<int>((f.right - f.left) / (1.5f * widest))));
  float last_label_end = -1e9f;
  for (double v = std::ceil(f.x0 / x_step) * x_step; v <= f.x1 + 1e-9; v += x_step) {
    const float px = f.sx(v);
    draw->AddLine(ImVec2(px, f.top), ImVec2(px, f.bottom), grid_colour);
    format_tick(buf, sizeof buf, v, x_step);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    if (px - ts.x * 0.5f < last_label_end + gap) continue;
    draw->AddText(ImVec2(px - ts.x * 0.5f, f.bottom + 3.0f), axis_colour, buf);
    last_label_end = px + ts.x * 0.5f;
  }
}

// The two axis lines, the x label under the right end and the y label at the top left.
void draw_axes(ImDrawList* draw, const PlotFrame& f, const CurvePlotOptions& options) {
  const ImU32 axis_colour = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  draw->AddLine(ImVec2(f.left, f.top), ImVec2(f.left, f.bottom), axis_colour);
  draw->AddLine(ImVec2(f.left, f.bottom), ImVec2(f.right, f.bottom), axis_colour);
  const ImVec2 xl = ImGui::CalcTextSize(options.x_label);
  draw->AddText(ImVec2(f.right - xl.x, f.bottom + 1.25f * f.font), axis_colour, options.x_label);
  draw->AddText(ImVec2(f.origin.x, f.origin.y), axis_colour, options.y_label);
}

// Each series' legend entry: a short line and the label, both in the curve's colour.
void draw_legend(ImDrawList* draw, const std::vector<CurveSeries>& series,
                 const std::vector<ImVec2>& legend_at, float font) {
  for (size_t k = 0; k < series.size(); ++k) {
    const ImVec2 at = legend_at[k];
    draw->AddLine(ImVec2(at.x, at.y + 0.55f * font),
                  ImVec2(at.x + 0.8f * font, at.y + 0.55f * font), series[k].colour, 2.5f);
    draw->AddText(ImVec2(at.x + font, at.y), series[k].colour, series[k].label.c_str());
  }
}

// Markers: dotted vertical lines.
void draw_markers(ImDrawList* draw, const PlotFrame& f, const std::vector<CurveMarker>& markers) {
  for (const auto& m : markers) {
    const float px = f.sx(m.x);
    for (float py = f.top; py < f.bottom; py += 6.0f) {
      draw->AddLine(ImVec2(px, py), ImVec2(px, std::min(py + 3.0f, f.bottom)),
                    IM_COL32(255, 210, 90, 200), 1.5f);
    }
  }
}

// The curves, as polylines broken where y is not finite.
void draw_curves(ImDrawList* draw, const PlotFrame& f, const std::vector<CurveSeries>& series) {
  std::vector<ImVec2> pts;
  for (const auto& s : series) {
    pts.clear();
    const size_t n = std::min(s.x.size(), s.y.size());
    // At most ~2 points per pixel column: long runs cost the same to draw as short ones.
    const size_t every =
        std::max<size_t>(1, n / static_cast<size_t>(2.0f * (f.right - f.left) + 1));
    auto next = [&](size_t i) {  // every `every`-th point, the last one always, then n
      if (i + 1 >= n) return i + 1;
      return std::min(i + every, n - 1);
    };
    for (size_t i = 0; i <= n; i = next(i)) {
      if (i == n || !std::isfinite(s.y[i])) {
        if (pts.size() >= 2)
          draw->AddPolyline(pts.data(), static_cast<int>(pts.size()), s.colour, 0, 1.6f);
        pts.clear();
        continue;
      }
      pts.emplace_back(f.sx(s.x[i]), f.sy(s.y[i]));
    }
  }
}

// Hover: a vertical cursor line, a dot on each curve's nearest point, and a tooltip with their
// values and the notes of the markers near the cursor.
void show_hover(ImDrawList* draw, const PlotFrame& f, const std::vector<CurveSeries>& series,
                const std::vector<CurveMarker>& markers, const char* x_label) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const double mx = f.x0 + (mouse.x - f.left) / (f.right - f.left) * (f.x1 - f.x0);
  draw->AddLine(ImVec2(mouse.x, f.top), ImVec2(mouse.x, f.bottom), palette().plot_cursor);
  ImGui::BeginTooltip();
  bool header = false;
  for (const auto& s : series) {
    const int i = nearest_index(s.x, static_cast<float>(mx));
    if (i < 0) continue;
    if (!header) {
      ImGui::Text("%s %.0f", x_label, static_cast<double>(s.x[i]));
      header = true;
    }
    draw->AddCircleFilled(ImVec2(f.sx(s.x[i]), f.sy(s.y[i])), 3.5f, s.colour);
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.colour), "%s = %.4f", s.label.c_str(),
                       static_cast<double>(s.y[i]));
  }
  const float near_px = 6.0f;
  for (const auto& m : markers) {
    if (std::fabs(f.sx(m.x) - mouse.x) <= near_px) {
      ImGui::TextColored(palette().accent, "step %.0f: %s", static_cast<double>(m.x),
                         m.text.c_str());
    }
  }
  ImGui::EndTooltip();
}

}  // namespace

void curve_plot(const char* id, const std::vector<CurveSeries>& series,
                const std::vector<CurveMarker>& markers, const CurvePlotOptions& options) {
  ImGui::PushID(id);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size = options.size;
  ImGui::InvisibleButton("##plot", size);
  const bool hovered = ImGui::IsItemHovered();

  // The plot starts below the legend.
  const std::vector<ImVec2> legend_at = place_legend(series, origin, options);
  const float legend_bottom = legend_at.empty() ? origin.y : legend_at.back().y;
  PlotFrame f;
  f.origin = origin;
  f.font = ImGui::GetFontSize();
  f.left = origin.x + 4.5f * f.font;
  f.right = origin.x + size.x - 8.0f;
  f.top = legend_bottom + 1.4f * f.font;
  f.bottom = origin.y + size.y - 2.6f * f.font;
  const bool any = fit_range(series, options, f);

  draw_y_ticks(draw, f);
  draw_x_ticks(draw, f);
  draw_axes(draw, f, options);
  draw_legend(draw, series, legend_at, f.font);
  // Markers, then curves on top.
  draw->PushClipRect(ImVec2(f.left, f.top - 1.0f), ImVec2(f.right + 1.0f, f.bottom + 1.0f), true);
  draw_markers(draw, f, markers);
  draw_curves(draw, f, series);
  draw->PopClipRect();
  if (hovered && any) show_hover(draw, f, series, markers, options.x_label);
  ImGui::PopID();
}

}  // namespace convt::widgets
