// heatmap_grid: a numbered heatmap, the building block of every panel that shows a tensor.
//
//   title
//        0     1     2          <- column indices (optional)
//   0  [1.0] [2.0] [0.0]  ▇ 3    <- colour-scale bar with vmax / 0 / vmin labels
//   1  [-1 ] [0.0] [3.0]  ▇ 0
//   2  [0.0] [1.0] [-2 ]  ▇ -3
//
// Cells are coloured on the GPU (gfx::HeatmapRenderer, shaders/heatmap.frag) and the number is
// written in every cell in black or white, whichever reads better on that colour. A number too
// wide for its cell is written smaller, then shorter (logic/cell_text.h: "-.42", "1.2e3", ".."
// when nothing fits), and hovering that cell shows the whole value. The range is
// explicit (vmin, vmax): for signed data pass a symmetric one (gfx::symmetric_limit) so zero is
// white and equal magnitudes get equal strength. Callers can outline cells (a colour per cell,
// e.g. "the stamp lands here"), grey cells out (e.g. "cropped away by padding"), and learn which
// cell is hovered or clicked.
#pragma once

#include <imgui.h>

#include <cstdint>

#include "gfx/colormap.h"
#include "gfx/heatmap_renderer.h"

namespace convt::widgets {

struct HeatmapGridOptions {
  float vmin = -1.0f;  // colour-scale range; values outside are clamped to the end colours
  float vmax = 1.0f;
  gfx::Colormap colormap = gfx::Colormap::kDiverging;
  float cell_size = 36.0f;              // pixels per (square) cell
  const char* value_format = "%.3g";    // printf format of the numbers; nullptr: no numbers
  bool show_indices = true;             // row / column numbers along the edges
  bool show_colorbar = true;            // colour-scale bar with min / max labels
  const ImU32* cell_outline = nullptr;  // rows*cols colours, row-major; 0 = no outline
  const uint8_t* greyed = nullptr;      // rows*cols flags, row-major; non-zero = greyed out
  bool outline_hovered = true;          // thin outline on the cell under the mouse
  // The numbers written for row 0 and column 0 (the next ones count up from there): e.g.
  // -padding, so a zero-padded input is numbered -1, 0, ..., H by its real input indices.
  int first_row_index = 0, first_col_index = 0;
};

// What the mouse did on the grid this frame, and where the cells were drawn. Cells are
// (row, col); -1 when none.
struct HeatmapGridEvents {
  int hovered_row = -1, hovered_col = -1;
  int clicked_row = -1, clicked_col = -1;
  ImGuiMouseButton clicked_button = -1;  // ImGuiMouseButton_Left or _Right when clicked
  // Screen pixels: cell (row, col) spans [cell_origin + (col, row) * cell_size, ... + cell_size)
  // on each axis, below the title and index labels, so callers can draw over cells (frames,
  // marks). (0, 0) and 0 when no cells were drawn (rows or cols < 1).
  ImVec2 cell_origin{0.0f, 0.0f};
  float cell_size = 0.0f;
  bool hovered() const { return hovered_row >= 0; }
  bool clicked() const { return clicked_row >= 0; }
};

// Draws a (rows, cols) grid of `values` (row-major, row 0 at the top) at the cursor, as one
// ImGui item group. `title` is shown above the grid and is also the ImGui ID ("x##input" shows
// "x"). Nothing is drawn for rows or cols < 1 except the title and a note.
HeatmapGridEvents heatmap_grid(gfx::HeatmapRenderer& renderer, const char* title,
                               const float* values, int rows, int cols,
                               const HeatmapGridOptions& options = {});

// The pixel size heatmap_grid() will take for these arguments (for laying grids out).
ImVec2 heatmap_grid_size(const char* title, int rows, int cols, const HeatmapGridOptions& options);

// The largest cell size (clamped to [min_cell, max_cell], pixels at UI scale 100%, scaled with
// the font as widgets::px does) at which a (rows, cols) grid with these options fits in
// `available` pixels.
float fit_cell_size(ImVec2 available, const char* title, int rows, int cols,
                    const HeatmapGridOptions& options, float min_cell = 8.0f,
                    float max_cell = 56.0f);

// A value as the grid writes it: `format` applied, "-0" shown as "0".
void format_cell_value(char* out, size_t out_size, const char* format, float value);

}  // namespace convt::widgets
