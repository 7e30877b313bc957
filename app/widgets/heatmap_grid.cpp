#include "widgets/heatmap_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "logic/cell_text.h"
#include "widgets/palette.h"

namespace convt::widgets {
namespace {

constexpr float kColorbarGap = 10.0f;      // grid to bar
constexpr float kColorbarWidth = 12.0f;    // the bar itself
constexpr float kColorbarLabelGap = 4.0f;  // bar to its labels
constexpr int kColorbarSteps = 128;        // rows of the bar's gradient texture
constexpr float kIndexGap = 4.0f;          // index labels to grid

// The visible part of an ImGui label: "x##input" -> "x".
std::string visible_title(const char* title) {
  const char* end = std::strstr(title, "##");
  return end ? std::string(title, end) : std::string(title);
}

struct Layout {
  float title_h = 0, index_w = 0, index_h = 0, grid_w = 0, grid_h = 0, bar_w = 0, bar_h = 0,
        label_w = 0;
  ImVec2 total() const {
    return {index_w + grid_w + bar_w, title_h + index_h + std::max(grid_h, bar_h)};
  }
};

void format_limit(char* out, size_t size, float v) { std::snprintf(out, size, "%.3g", v); }

// The widest row label: the first or the last one ("-1" can be wider than "5").
float row_index_width(int rows, const HeatmapGridOptions& o) {
  char first[16], last[16];
  std::snprintf(first, sizeof first, "%d", o.first_row_index);
  std::snprintf(last, sizeof last, "%d", o.first_row_index + std::max(rows, 1) - 1);
  return std::max(ImGui::CalcTextSize(first).x, ImGui::CalcTextSize(last).x);
}

Layout compute_layout(const char* title, int rows, int cols, const HeatmapGridOptions& o) {
  Layout l;
  const ImGuiStyle& style = ImGui::GetStyle();
  if (!visible_title(title).empty()) l.title_h = ImGui::GetTextLineHeight() + style.ItemSpacing.y;
  if (o.show_indices) {
    l.index_w = row_index_width(rows, o) + kIndexGap;
    l.index_h = ImGui::GetTextLineHeight() + 2.0f;
  }
  l.grid_w = static_cast<float>(std::max(cols, 0)) * o.cell_size;
  l.grid_h = static_cast<float>(std::max(rows, 0)) * o.cell_size;
  if (o.show_colorbar) {
    char lo[32], hi[32];
    format_limit(lo, sizeof lo, o.vmin);
    format_limit(hi, sizeof hi, o.vmax);
    l.label_w = std::max(ImGui::CalcTextSize(lo).x, ImGui::CalcTextSize(hi).x);
    l.bar_w = kColorbarGap + kColorbarWidth + kColorbarLabelGap + l.label_w;
    l.bar_h = std::max(l.grid_h, 3.0f * ImGui::GetTextLineHeight());
  }
  return l;
}

// One grid as drawn this frame: its values and where its parts are on the
// screen.
struct GridOnScreen {
  const float* values = nullptr;  // (rows, cols), row-major
  int rows = 0, cols = 0;
  Layout layout;
  ImVec2 origin;        // top left of the index labels, below the title
  ImVec2 grid0, grid1;  // top-left and bottom-right corners of the cells
  float cell = 0.0f;    // pixels per cell

  // Top-left corner of cell (row, col).
  ImVec2 cell_corner(int row, int col) const {
    return ImVec2(grid0.x + static_cast<float>(col) * cell,
                  grid0.y + static_cast<float>(row) * cell);
  }
};

// The ImGui handle of a GL texture.
ImTextureID texture_id(GLuint texture) {
  return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture));
}

// The mouse: one invisible button over the cells; fills in the hovered and the clicked cell.
void read_mouse(const GridOnScreen& g, HeatmapGridEvents& events) {
  ImGui::SetCursorScreenPos(g.grid0);
  ImGui::InvisibleButton("##cells",
                         ImVec2(std::max(g.layout.grid_w, 1.0f), std::max(g.layout.grid_h, 1.0f)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  if (!ImGui::IsItemHovered()) return;
  ImVec2 m = ImGui::GetMousePos();
  int col = static_cast<int>(std::floor((m.x - g.grid0.x) / g.cell));
  int row = static_cast<int>(std::floor((m.y - g.grid0.y) / g.cell));
  if (row < 0 || row >= g.rows || col < 0 || col >= g.cols) return;
  events.hovered_row = row;
  events.hovered_col = col;
  for (ImGuiMouseButton b : {ImGuiMouseButton_Left, ImGuiMouseButton_Right}) {
    if (ImGui::IsMouseClicked(b)) {
      events.clicked_row = row;
      events.clicked_col = col;
      events.clicked_button = b;
    }
  }
}

// Cells: coloured on the GPU, one texel each, drawn with nearest filtering; then grid lines, only
// where they will not turn the picture into a mesh.
void draw_cell_colours(ImDrawList* draw, gfx::HeatmapRenderer& renderer, const GridOnScreen& g,
                       const HeatmapGridOptions& o) {
  const uint64_t key = ImGui::GetID("##cells");
  GLuint texture = renderer.render(key, g.values, g.rows, g.cols, o.vmin, o.vmax, o.colormap);
  draw->AddImage(texture_id(texture), g.grid0, g.grid1);
  if (g.cell < 6.0f) return;
  const ImU32 line = IM_COL32(30, 30, 30, 255);
  for (int c = 0; c <= g.cols; ++c) {
    float x = g.grid0.x + static_cast<float>(c) * g.cell;
    draw->AddLine(ImVec2(x, g.grid0.y), ImVec2(x, g.grid1.y), line);
  }
  for (int r = 0; r <= g.rows; ++r) {
    float y = g.grid0.y + static_cast<float>(r) * g.cell;
    draw->AddLine(ImVec2(g.grid0.x, y), ImVec2(g.grid1.x, y), line);
  }
}

// Row and column numbers. Column labels: every stride-th, the stride chosen so the widest label and
// a gap fit (never "1011121 3"); rows need only the line height.
void draw_indices(ImDrawList* draw, const GridOnScreen& g, const HeatmapGridOptions& o) {
  const ImU32 text_dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float font_size = ImGui::GetFontSize();
  const float cell = g.cell;
  char buf[16];
  const float gap = 0.3f * font_size;
  float widest = 0.0f;
  for (int c : {0, g.cols - 1}) {
    std::snprintf(buf, sizeof buf, "%d", o.first_col_index + c);
    widest = std::max(widest, ImGui::CalcTextSize(buf).x);
  }
  const int col_stride = std::max(1, static_cast<int>(std::ceil((widest + gap) / cell)));
  const int stride =
      cell >= 0.9f * font_size ? 1 : static_cast<int>(std::ceil(font_size / cell)) + 1;
  for (int c = 0; c < g.cols; c += col_stride) {
    std::snprintf(buf, sizeof buf, "%d", o.first_col_index + c);
    ImVec2 ts = ImGui::CalcTextSize(buf);
    draw->AddText(
        ImVec2(g.grid0.x + (static_cast<float>(c) + 0.5f) * cell - 0.5f * ts.x, g.origin.y),
        text_dim, buf);
  }
  for (int r = 0; r < g.rows; r += stride) {
    std::snprintf(buf, sizeof buf, "%d", o.first_row_index + r);
    ImVec2 ts = ImGui::CalcTextSize(buf);
    draw->AddText(ImVec2(g.grid0.x - kIndexGap - ts.x,
                         g.grid0.y + (static_cast<float>(r) + 0.5f) * cell - 0.5f * ts.y),
                  text_dim, buf);
  }
}

// A cell's number as it will be written: the text, its font size and its size in pixels.
struct CellNumber {
  std::string text;
  float font_size = 0.0f;
  ImVec2 text_size;
};

// The number at the full font size or, too wide for the cell, at a smaller size and then in a
// shorter form (cell_text.h).
CellNumber fit_cell_number(float value, const char* format, float cell) {
  ImFont* font = ImGui::GetFont();
  CellNumber n;
  n.text = lab::format_cell(format, value);
  n.font_size = ImGui::GetFontSize();
  n.text_size = font->CalcTextSizeA(n.font_size, FLT_MAX, 0.0f, n.text.c_str());
  if (n.text_size.x > cell - 4.0f) {
    n.font_size = ImGui::GetFontSize() * 0.78f;
    n.text = lab::fit_cell_text(value, format, cell - 3.0f, [&](const std::string& t) {
      return font->CalcTextSizeA(n.font_size, FLT_MAX, 0.0f, t.c_str()).x;
    });
    n.text_size = font->CalcTextSizeA(n.font_size, FLT_MAX, 0.0f, n.text.c_str());
  }
  return n;
}

// Black or white, whichever reads better on the cell's colour; the dim text colour on a greyed
// cell.
ImU32 number_colour(float value, bool is_greyed, const HeatmapGridOptions& o) {
  if (is_greyed) return ImGui::GetColorU32(ImGuiCol_TextDisabled);
  gfx::Rgb bg = gfx::colormap_rgb(o.colormap, value, o.vmin, o.vmax);
  return gfx::luminance(bg) > 0.45f ? IM_COL32(20, 20, 20, 255) : IM_COL32(250, 250, 250, 255);
}

// Greyed cells, numbers, outlines. Returns true when the hovered cell's number is shortened or not
// shown (the tooltip then shows it whole).
bool draw_cell_marks(ImDrawList* draw, const GridOnScreen& g, const HeatmapGridOptions& o,
                     const HeatmapGridEvents& events) {
  const float cell = g.cell;
  bool hovered_shortened = false;
  // Greyed cells fade toward the background: on a light one, a mid grey shows them instead.
  const ImU32 grey = theme() == Theme::kLight ? IM_COL32(120, 120, 120, 150)
                                              : ImGui::GetColorU32(ImGuiCol_WindowBg, 0.72f);
  for (int r = 0; r < g.rows; ++r) {
    for (int c = 0; c < g.cols; ++c) {
      const size_t i =
          static_cast<size_t>(r) * static_cast<size_t>(g.cols) + static_cast<size_t>(c);
      const float value = g.values[i];
      const ImVec2 p0 = g.cell_corner(r, c);
      const ImVec2 p1(p0.x + cell, p0.y + cell);
      const bool is_greyed = o.greyed != nullptr && o.greyed[i] != 0;
      if (is_greyed) draw->AddRectFilled(ImVec2(p0.x + 1, p0.y + 1), p1, grey);
      if (o.value_format != nullptr) {
        const CellNumber n = fit_cell_number(value, o.value_format, cell);
        const bool drawn = n.text_size.x <= cell - 3.0f && n.text_size.y <= cell;
        if (r == events.hovered_row && c == events.hovered_col) {
          hovered_shortened = !drawn || lab::cell_text_shortened(n.text, o.value_format, value);
        }
        if (drawn) {
          draw->AddText(ImGui::GetFont(), n.font_size,
                        ImVec2(std::floor(0.5f * (p0.x + p1.x - n.text_size.x)),
                               std::floor(0.5f * (p0.y + p1.y - n.text_size.y))),
                        number_colour(value, is_greyed, o), n.text.c_str());
        }
      }
      if (o.cell_outline != nullptr && o.cell_outline[i] != 0) {
        float t = std::clamp(cell * 0.08f, 2.0f, 3.0f);
        draw->AddRect(ImVec2(p0.x + 0.5f * t, p0.y + 0.5f * t),
                      ImVec2(p1.x - 0.5f * t, p1.y - 0.5f * t), o.cell_outline[i], 0.0f, 0, t);
      }
    }
  }
  return hovered_shortened;
}

// The hovered cell: its whole number (to 6 significant digits) in a tooltip when the cell shows it
// shortened, and a thin outline.
void show_hovered_cell(ImDrawList* draw, const GridOnScreen& g, const HeatmapGridOptions& o,
                       const HeatmapGridEvents& events, bool hovered_shortened) {
  if (hovered_shortened) {
    const size_t i = static_cast<size_t>(events.hovered_row * g.cols + events.hovered_col);
    ImGui::SetTooltip("%s", lab::format_cell("%g", g.values[i]).c_str());
  }
  if (o.outline_hovered && events.hovered()) {
    ImVec2 p0 = g.cell_corner(events.hovered_row, events.hovered_col);
    draw->AddRect(p0, ImVec2(p0.x + g.cell, p0.y + g.cell), ImGui::GetColorU32(ImGuiCol_Text), 0.0f,
                  0, 1.5f);
  }
}

// Colour-scale bar: the same shader over values running from vmax (top) to vmin (bottom), labelled
// with vmax, vmin and, on a diverging map that crosses it, 0.
void draw_colorbar(ImDrawList* draw, gfx::HeatmapRenderer& renderer, const GridOnScreen& g,
                   const HeatmapGridOptions& o) {
  const ImVec2 bar0(g.grid1.x + kColorbarGap, g.grid0.y);
  const ImVec2 bar1(bar0.x + kColorbarWidth, g.grid0.y + g.layout.bar_h);
  float ramp[kColorbarSteps];
  for (int k = 0; k < kColorbarSteps; ++k) {
    float f = (static_cast<float>(k) + 0.5f) / kColorbarSteps;
    ramp[k] = o.vmax + (o.vmin - o.vmax) * f;
  }
  GLuint bar = renderer.render(ImGui::GetID("##colorbar"), ramp, kColorbarSteps, 1, o.vmin, o.vmax,
                               o.colormap);
  draw->AddImage(texture_id(bar), bar0, bar1);
  draw->AddRect(bar0, bar1, IM_COL32(90, 90, 90, 255));
  const ImU32 label = ImGui::GetColorU32(ImGuiCol_Text);
  const float lx = bar1.x + kColorbarLabelGap;
  const float lh = ImGui::GetTextLineHeight();
  char buf[32];
  format_limit(buf, sizeof buf, o.vmax);
  draw->AddText(ImVec2(lx, bar0.y), label, buf);
  format_limit(buf, sizeof buf, o.vmin);
  draw->AddText(ImVec2(lx, bar1.y - lh), label, buf);
  if (o.colormap == gfx::Colormap::kDiverging && o.vmin < 0.0f && o.vmax > 0.0f) {
    float y0 = bar0.y + (bar1.y - bar0.y) * (o.vmax / (o.vmax - o.vmin));  // where zero is
    if (y0 - 0.5f * lh > bar0.y + lh && y0 + 0.5f * lh < bar1.y - lh) {
      draw->AddLine(ImVec2(bar0.x - 3.0f, y0), ImVec2(bar0.x, y0), label);
      draw->AddText(ImVec2(lx, y0 - 0.5f * lh), label, "0");
    }
  }
}

}  // namespace

void format_cell_value(char* out, size_t out_size, const char* format, float value) {
  std::snprintf(out, out_size, "%s", lab::format_cell(format, value).c_str());
}

ImVec2 heatmap_grid_size(const char* title, int rows, int cols, const HeatmapGridOptions& options) {
  return compute_layout(title, rows, cols, options).total();
}

float fit_cell_size(ImVec2 available, const char* title, int rows, int cols,
                    const HeatmapGridOptions& options, float min_cell, float max_cell) {
  HeatmapGridOptions o = options;
  o.cell_size = 0.0f;
  Layout fixed = compute_layout(title, rows, cols, o);  // everything but the cells
  float by_width =
      (available.x - fixed.index_w - fixed.bar_w) / static_cast<float>(std::max(cols, 1));
  float by_height =
      (available.y - fixed.title_h - fixed.index_h) / static_cast<float>(std::max(rows, 1));
  const float scale = ImGui::GetFontSize() / 16.0f;  // widgets::px
  return std::clamp(std::floor(std::min(by_width, by_height)), std::floor(min_cell * scale),
                    std::floor(max_cell * scale));
}

HeatmapGridEvents heatmap_grid(gfx::HeatmapRenderer& renderer, const char* title,
                               const float* values, int rows, int cols,
                               const HeatmapGridOptions& o) {
  HeatmapGridEvents events;
  ImGui::PushID(title);
  ImGui::BeginGroup();
  const std::string shown_title = visible_title(title);
  if (!shown_title.empty()) ImGui::TextUnformatted(shown_title.c_str());
  if (rows < 1 || cols < 1 || values == nullptr) {
    ImGui::TextDisabled("(empty: %d x %d)", rows, cols);
    ImGui::EndGroup();
    ImGui::PopID();
    return events;
  }

  GridOnScreen g;
  g.values = values;
  g.rows = rows;
  g.cols = cols;
  g.layout = compute_layout(title, rows, cols, o);
  g.origin = ImGui::GetCursorScreenPos();  // below the title
  g.grid0 = ImVec2(g.origin.x + g.layout.index_w, g.origin.y + g.layout.index_h);
  g.grid1 = ImVec2(g.grid0.x + g.layout.grid_w, g.grid0.y + g.layout.grid_h);
  g.cell = o.cell_size;
  events.cell_origin = g.grid0;
  events.cell_size = g.cell;

  ImDrawList* draw = ImGui::GetWindowDrawList();
  read_mouse(g, events);
  draw_cell_colours(draw, renderer, g, o);
  if (o.show_indices) draw_indices(draw, g, o);
  const bool hovered_shortened = draw_cell_marks(draw, g, o, events);
  show_hovered_cell(draw, g, o, events, hovered_shortened);
  if (o.show_colorbar) draw_colorbar(draw, renderer, g, o);

  // Reserve the whole area so the group has the right size.
  const Layout& l = g.layout;
  ImGui::SetCursorScreenPos(g.origin);
  ImGui::Dummy(ImVec2(l.index_w + l.grid_w + l.bar_w, l.index_h + std::max(l.grid_h, l.bar_h)));
  ImGui::EndGroup();
  ImGui::PopID();
  return events;
}

}  // namespace convt::widgets
