// The playground: a 3x3 input and a 3x3 kernel through the core's conv_transpose2d_forward, with
// stride / padding / output_padding sliders. Shows input, kernel, the uncropped canvas and the
// output as numbered heatmaps; hovering a cell shows how it is connected to the others.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gfx/colormap.h"
#include "panels/panels.h"
#include "widgets/heatmap_grid.h"
#include "widgets/palette.h"
#include "widgets/text.h"

namespace convt::panels {

using lab::PlaygroundModel;
using lab::PlaygroundPreset;
using lab::PlaygroundView;

namespace {

using Grid = PlaygroundView::Grid;

const ImU32 kHighlight = IM_COL32(255, 204, 0, 255);  // "connected to the cell under the mouse"

std::string fmt(float v) {
  char buf[32];
  widgets::format_cell_value(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Outline colours for each grid, from what the mouse was over last frame.
struct Highlights {
  std::vector<ImU32> input, kernel, canvas, output;
};

Highlights compute_highlights(const PlaygroundModel& m, const PlaygroundView& v) {
  const int n = PlaygroundModel::kSize;
  Highlights h;
  h.input.assign(static_cast<size_t>(n * n), 0);
  h.kernel.assign(static_cast<size_t>(n * n), 0);
  h.canvas.assign(static_cast<size_t>(m.canvas_h() * m.canvas_w()), 0);
  h.output.assign(static_cast<size_t>(m.out_h() * m.out_w()), 0);
  if (!m.ok || v.hovered_grid == Grid::kNone) return h;

  auto mark_canvas = [&](int cy, int cx) {
    if (cy < 0 || cy >= m.canvas_h() || cx < 0 || cx >= m.canvas_w()) return;
    h.canvas[static_cast<size_t>(cy * m.canvas_w() + cx)] = kHighlight;
    const int oy = cy - m.padding, ox = cx - m.padding;
    if (oy >= 0 && oy < m.out_h() && ox >= 0 && ox < m.out_w()) {
      h.output[static_cast<size_t>(oy * m.out_w() + ox)] = kHighlight;
    }
  };
  const int r = v.hovered_row, c = v.hovered_col;
  switch (v.hovered_grid) {
    case Grid::kInput:
      if (r >= n || c >= n) break;
      h.input[static_cast<size_t>(r * n + c)] = kHighlight;
      for (const auto& cell : m.stamp_of_input(r, c)) mark_canvas(cell.row, cell.col);
      break;
    case Grid::kKernel:
      if (r >= n || c >= n) break;
      h.kernel[static_cast<size_t>(r * n + c)] = kHighlight;
      for (const auto& cell : m.cells_of_weight(r, c)) mark_canvas(cell.row, cell.col);
      break;
    case Grid::kCanvas:
    case Grid::kOutput: {
      const int cy = v.hovered_grid == Grid::kCanvas ? r : r + m.padding;
      const int cx = v.hovered_grid == Grid::kCanvas ? c : c + m.padding;
      mark_canvas(cy, cx);
      for (const auto& k : m.contributions_to_canvas(cy, cx)) {
        h.input[static_cast<size_t>(k.iy * n + k.ix)] = kHighlight;
        h.kernel[static_cast<size_t>(k.ky * n + k.kx)] = kHighlight;
      }
      break;
    }
    case Grid::kNone:
      break;
  }
  return h;
}

// One line (or two) saying what the hovered cell is made of.
std::string describe_hover(const PlaygroundModel& m, const PlaygroundView& v) {
  const int n = PlaygroundModel::kSize;
  const int r = v.hovered_row, c = v.hovered_col;
  char buf[256];
  switch (v.hovered_grid) {
    case Grid::kInput: {
      if (r >= n || c >= n) return "";
      std::snprintf(buf, sizeof buf,
                    "Input pixel x[%d, %d] = %s stamps %s x kernel onto the canvas, top-left "
                    "corner at (%d*%d, %d*%d) = (%d, %d).",
                    r, c, fmt(m.input[static_cast<size_t>(r * n + c)]).c_str(),
                    fmt(m.input[static_cast<size_t>(r * n + c)]).c_str(), r, m.stride, c, m.stride,
                    r * m.stride, c * m.stride);
      return buf;
    }
    case Grid::kKernel: {
      if (r >= n || c >= n) return "";
      std::snprintf(buf, sizeof buf,
                    "Weight w[%d, %d] = %s is used once by every input pixel: it lands on canvas "
                    "cells (iy*%d + %d, ix*%d + %d).",
                    r, c, fmt(m.kernel[static_cast<size_t>(r * n + c)]).c_str(), m.stride, r,
                    m.stride, c);
      return buf;
    }
    case Grid::kCanvas:
    case Grid::kOutput: {
      const bool on_canvas = v.hovered_grid == Grid::kCanvas;
      const int cy = on_canvas ? r : r + m.padding, cx = on_canvas ? c : c + m.padding;
      if (cy < 0 || cy >= m.canvas_h() || cx < 0 || cx >= m.canvas_w()) return "";
      std::string text;
      if (on_canvas) {
        std::snprintf(buf, sizeof buf, "canvas[%d, %d]", cy, cx);
        text = buf;
        if (m.canvas_cell_kept(cy, cx)) {
          std::snprintf(buf, sizeof buf, " (= out[%d, %d])", cy - m.padding, cx - m.padding);
          text += buf;
        } else {
          text += " (cropped away by padding)";
        }
      } else {
        std::snprintf(buf, sizeof buf, "out[%d, %d] (= canvas[%d, %d])", r, c, cy, cx);
        text = buf;
      }
      const auto list = m.contributions_to_canvas(cy, cx);
      if (list.empty()) return text + " = 0: no stamp reaches this cell.";
      std::string terms, numbers;
      for (size_t i = 0; i < list.size(); ++i) {
        const auto& k = list[i];
        std::snprintf(buf, sizeof buf, "%sx[%d,%d]*w[%d,%d]", i ? " + " : "", k.iy, k.ix, k.ky,
                      k.kx);
        terms += buf;
        numbers += (i ? " + " : "") + fmt(k.x) + "*" + fmt(k.w);
      }
      const float value = m.canvas.at(0, 0, cy, cx);
      return text + " = " + terms + "\n    = " + numbers + " = " + fmt(value);
    }
    case Grid::kNone:
      break;
  }
  return "Hover over a cell to see how it is connected (outlined in yellow).";
}

void remember_hover(PlaygroundView& view, Grid grid, const widgets::HeatmapGridEvents& e,
                    bool& any) {
  if (!e.hovered()) return;
  view.hovered_grid = grid;
  view.hovered_row = e.hovered_row;
  view.hovered_col = e.hovered_col;
  any = true;
}

// Left-click adds 1 to an input or kernel cell, right-click subtracts 1.
bool apply_click(float* values, const widgets::HeatmapGridEvents& e) {
  if (!e.clicked()) return false;
  float& v = values[e.clicked_row * PlaygroundModel::kSize + e.clicked_col];
  v += e.clicked_button == ImGuiMouseButton_Right ? -1.0f : 1.0f;
  return true;
}

bool preset_combo(const char* label, int* selected, const std::vector<PlaygroundPreset>& presets,
                  float* values) {
  bool changed = false;
  const char* preview = *selected >= 0 ? presets[static_cast<size_t>(*selected)].name : "(edited)";
  if (ImGui::BeginCombo(label, preview)) {
    for (int i = 0; i < static_cast<int>(presets.size()); ++i) {
      if (ImGui::Selectable(presets[static_cast<size_t>(i)].name, i == *selected)) {
        *selected = i;
        std::copy(presets[static_cast<size_t>(i)].values.begin(),
                  presets[static_cast<size_t>(i)].values.end(), values);
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

// The three moves of a transposed convolution, and how to use the grids.
void draw_explanation() {
  ImGui::TextUnformatted(
      "Transposed convolution turns a small input into a bigger output in three moves:");
  widgets::push_wrap_at_visible_edge();
  ImGui::TextUnformatted(
      "  1. Stamp: every input pixel x[i, j] puts a copy of the kernel, multiplied by x[i, j], "
      "onto a canvas, with its top-left corner at row i*stride, column j*stride.");
  ImGui::TextUnformatted(
      "  2. Add: where stamps overlap, their numbers add up. A bigger stride spreads the stamps "
      "further apart.");
  ImGui::TextUnformatted(
      "  3. Crop: padding cuts `padding` cells off every side of the canvas (grey); output_padding "
      "gives back rows and columns at the bottom and right.");
  ImGui::TextDisabled(
      "Blue is negative, white zero, red positive. Hover over any cell to see how it is "
      "connected; left-click an input or kernel cell to add 1, right-click to subtract 1.");
  ImGui::PopTextWrapPos();
}

// The controls (left): stride / padding / output_padding sliders, the input and kernel presets,
// Reset and "As PyTorch". True when a setting changed.
bool draw_controls(PlaygroundModel& model, PlaygroundView& view) {
  bool changed = false;
  ImGui::BeginGroup();
  ImGui::PushItemWidth(200.0f);
  changed |= ImGui::SliderInt("stride", &model.stride, 1, 3, "%d", ImGuiSliderFlags_AlwaysClamp);
  changed |= ImGui::SliderInt("padding", &model.padding, 0, 2, "%d", ImGuiSliderFlags_AlwaysClamp);
  changed |= ImGui::SliderInt("output_padding", &model.output_padding, 0, 2, "%d",
                              ImGuiSliderFlags_AlwaysClamp);
  changed |= preset_combo("input", &view.input_preset, lab::playground_input_presets(),
                          model.input.data());
  changed |= preset_combo("kernel", &view.kernel_preset, lab::playground_kernel_presets(),
                          model.kernel.data());
  ImGui::PopItemWidth();
  if (ImGui::Button("Reset")) {
    model = PlaygroundModel{};
    view.input_preset = 0;
    view.kernel_preset = 0;
    changed = true;
  }
  ImGui::SameLine();
  ImGui::BeginDisabled(!model.ok);
  if (ImGui::Button("As PyTorch")) {
    const lab::PytorchExport e =
        lab::save_pytorch_script(model.pytorch_call(), "runs/pytorch", "playground.py");
    ImGui::SetClipboardText(e.script.c_str());
    view.pytorch_note = e.message;
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::SetTooltip(
        "A Python script with these exact numbers: torch.nn.functional.conv_transpose2d on this "
        "input and kernel, which checks that PyTorch's output equals the one shown here. "
        "Copied to the clipboard and saved under runs/pytorch/.");
  }
  if (!view.pytorch_note.empty()) {
    widgets::push_wrap_at_visible_edge();
    ImGui::TextDisabled("%s", view.pytorch_note.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndGroup();
  return changed;
}

// The output size (right): H_out with the numbers, then the canvas and the crop that make it;
// or why the setting is not valid.
void draw_output_size(const PlaygroundModel& model) {
  const int n = PlaygroundModel::kSize;
  ImGui::BeginGroup();
  ImGui::TextUnformatted("Output size (kernel_size 3, dilation 1, H = W = 3):");
  if (model.ok) {
    widgets::push_wrap_at_visible_edge();
    ImGui::Bullet();
    ImGui::TextUnformatted(model.formula_h.c_str());
    ImGui::PopTextWrapPos();
    ImGui::Bullet();
    ImGui::TextUnformatted("W_out: the same numbers (every slider sets both axes)");
    ImGui::Spacing();
    const int extra = model.canvas_h() - ((n - 1) * model.stride + n);  // output_padding > padding
    ImGui::Text("canvas: (H - 1)*stride + kernel_size = (3 - 1)*%d + 3 = %d", model.stride,
                model.canvas_h() - extra);
    if (extra > 0) {
      ImGui::SameLine();
      ImGui::TextDisabled("(drawn with %d more empty row(s) and column(s) for output_padding)",
                          extra);
    }
    ImGui::Text("output: canvas - 2*padding + output_padding = %d - 2*%d + %d = %d",
                model.canvas_h() - extra, model.padding, model.output_padding, model.out_h());
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, widgets::palette().error);
    widgets::push_wrap_at_visible_edge();
    ImGui::TextUnformatted(model.error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::TextDisabled("Change a slider to get a valid combination.");
  }
  ImGui::EndGroup();
}

// The input x and the kernel w (3 x 3 each), outlined where they meet the hovered cell; a click
// adds or subtracts 1. True when a value changed.
bool draw_input_and_kernel(PlaygroundModel& model, PlaygroundView& view,
                           gfx::HeatmapRenderer& heatmaps, const Highlights& h, float gap,
                           bool& any_hover) {
  const int n = PlaygroundModel::kSize;
  bool changed = false;
  widgets::HeatmapGridOptions small;
  small.cell_size = widgets::px(46.0f);
  small.vmax = gfx::symmetric_limit(model.input.data(), model.input.size());
  small.vmin = -small.vmax;
  small.cell_outline = h.input.data();
  auto e = widgets::heatmap_grid(heatmaps, "input x (3 x 3)", model.input.data(), n, n, small);
  remember_hover(view, Grid::kInput, e, any_hover);
  if (apply_click(model.input.data(), e)) {
    view.input_preset = -1;
    changed = true;
  }

  ImGui::SameLine(0.0f, gap);
  small.vmax = gfx::symmetric_limit(model.kernel.data(), model.kernel.size());
  small.vmin = -small.vmax;
  small.cell_outline = h.kernel.data();
  e = widgets::heatmap_grid(heatmaps, "kernel w (3 x 3)", model.kernel.data(), n, n, small);
  remember_hover(view, Grid::kKernel, e, any_hover);
  if (apply_click(model.kernel.data(), e)) {
    view.kernel_preset = -1;
    changed = true;
  }
  return changed;
}

// The uncropped canvas (the cropped cells grey) and the output beside the kernel grid, one size
// and one colour scale for both, as large as the rest of the row allows.
void draw_canvas_and_output(const PlaygroundModel& model, PlaygroundView& view,
                            gfx::HeatmapRenderer& heatmaps, const Highlights& h, float gap,
                            bool& any_hover) {
  const int ch = model.canvas_h(), cw = model.canvas_w();
  widgets::HeatmapGridOptions big;
  big.vmax = gfx::symmetric_limit(model.canvas.data(), static_cast<size_t>(model.canvas.numel()));
  big.vmin = -big.vmax;
  // The canvas and the output share one size and one colour scale.
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float bottom = ImGui::GetWindowPos().y + ImGui::GetWindowContentRegionMax().y;
  const float left = ImGui::GetItemRectMax().x;  // right edge of the kernel grid
  const float top = ImGui::GetItemRectMin().y;   // top of the grids' row
  const float below = 3.0f * ImGui::GetTextLineHeightWithSpacing();  // the hover description
  ImVec2 room((right - left - 2.0f * gap) * 0.5f, bottom - top - below);
  big.cell_size = widgets::fit_cell_size(room, "canvas", ch, cw, big, 14.0f, 46.0f);

  std::vector<uint8_t> greyed(static_cast<size_t>(ch * cw), 0);
  for (int y = 0; y < ch; ++y) {
    for (int x = 0; x < cw; ++x)
      greyed[static_cast<size_t>(y * cw + x)] = !model.canvas_cell_kept(y, x);
  }
  char title[96];
  ImGui::SameLine(0.0f, gap);
  std::snprintf(title, sizeof title, "canvas: all stamps added (%d x %d)##canvas", ch, cw);
  big.greyed = greyed.data();
  big.cell_outline = h.canvas.data();
  auto e = widgets::heatmap_grid(heatmaps, title, model.canvas.data(), ch, cw, big);
  remember_hover(view, Grid::kCanvas, e, any_hover);

  ImGui::SameLine(0.0f, gap);
  std::snprintf(title, sizeof title, "output = canvas without the grey (%d x %d)##output",
                model.out_h(), model.out_w());
  big.greyed = nullptr;
  big.cell_outline = h.output.data();
  e = widgets::heatmap_grid(heatmaps, title, model.output.data(), model.out_h(), model.out_w(),
                            big);
  remember_hover(view, Grid::kOutput, e, any_hover);
}

}  // namespace

void draw_playground_panel(PlaygroundModel& model, PlaygroundView& view,
                           gfx::HeatmapRenderer& heatmaps) {
  if (!model.ok && model.error.empty()) model.recompute();  // first frame

  draw_explanation();
  ImGui::Separator();

  // Controls (left) and the formula (right).
  bool changed = draw_controls(model, view);
  ImGui::SameLine(0.0f, widgets::px(40.0f));
  draw_output_size(model);
  ImGui::Separator();

  // The four grids, then what the hovered cell is made of.
  const Highlights h = compute_highlights(model, view);
  bool any_hover = false;
  const float gap = 28.0f;
  changed |= draw_input_and_kernel(model, view, heatmaps, h, gap, any_hover);
  if (model.ok) draw_canvas_and_output(model, view, heatmaps, h, gap, any_hover);

  if (!any_hover) view.hovered_grid = Grid::kNone;
  ImGui::Separator();
  widgets::push_wrap_at_visible_edge();
  ImGui::TextUnformatted(describe_hover(model, view).c_str());
  ImGui::PopTextWrapPos();

  if (changed) model.recompute();
}

}  // namespace convt::panels
