// The playground's numbers and view state, without any GL: a 3x3 input and a 3x3 kernel (one
// channel each, no bias) through the core's conv_transpose2d_forward, plus what the panel needs to
// explain it.
//
//   input  x (1, 1, 3, 3)
//   kernel w (1, 1, 3, 3)      ConvTranspose2d weight layout (C_in, C_out, kH, kW)
//   canvas   (1, 1, Hc, Wc)    the scatter before padding is cut away: conv_transpose2d with
//                              padding 0 (and output_padding max(0, A - P), so that the output's
//                              extra bottom/right rows exist on it too); Hc = (3-1)S + 3 + that
//   output   (1, 1, H_out, W_out), H_out = (3-1)S - 2P + 3 + A
//            output cell (oy, ox) is canvas cell (oy + P, ox + P): padding crops P cells off
//            every side of the canvas.
// Stride, padding and output_padding are the same on both axes; dilation is 1.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "convt/tensor.h"
#include "logic/pytorch_script.h"

namespace convt::lab {

struct PlaygroundModel {
  static constexpr int kSize = 3;  // input and kernel are kSize x kSize

  // ---- What the student sets --------------------------------------------------------------
  std::array<float, kSize * kSize> input{1, 2, 0, -1, 0, 3, 0, 1, -2};  // (H, W) row-major
  std::array<float, kSize * kSize> kernel{1, 1, 1, 1, 1, 1, 1, 1, 1};   // (kH, kW): the notes' ones
  int stride = 2;                                                       // 1..3
  int padding = 1;                                                      // 0..2
  int output_padding = 0;                                               // 0..2, must be < stride

  // ---- What recompute() derives -------------------------------------------------------------
  bool ok = false;
  std::string error;                 // the core's ShapeError text when !ok
  std::string formula_h, formula_w;  // conv_transpose_formula with the numbers substituted
  Tensor output;                     // (1, 1, H_out, W_out)
  Tensor canvas;                     // (1, 1, Hc, Wc)

  // Runs the core; on an invalid combination sets ok = false and `error`, clears the results.
  void recompute();
  // conv_transpose2d of this input and kernel with the output shown, for "As PyTorch"
  // (logic/pytorch_script.h). Only meaningful when ok.
  PytorchOpCall pytorch_call() const;

  int out_h() const { return ok ? static_cast<int>(output.dim(2)) : 0; }
  int out_w() const { return ok ? static_cast<int>(output.dim(3)) : 0; }
  int canvas_h() const { return ok ? static_cast<int>(canvas.dim(2)) : 0; }
  int canvas_w() const { return ok ? static_cast<int>(canvas.dim(3)) : 0; }
  // Canvas cell (cy, cx) survives the crop (it is an output cell).
  bool canvas_cell_kept(int cy, int cx) const;

  // One scatter-add that reaches a canvas cell: x[iy, ix] * w[ky, kx].
  struct Contribution {
    int iy, ix, ky, kx;
    float x, w, product;
  };
  // Every scatter-add landing on canvas cell (cy, cx), in the core's loop order (iy, ix, ky, kx).
  // Their products sum to canvas[cy, cx].
  std::vector<Contribution> contributions_to_canvas(int cy, int cx) const;

  // The canvas cells input pixel (iy, ix)'s stamp covers: (iy*S + ky, ix*S + kx) for every ky, kx.
  struct Cell {
    int row, col;
  };
  std::vector<Cell> stamp_of_input(int iy, int ix) const;
  // The canvas cells weight w[ky, kx] writes to: (iy*S + ky, ix*S + kx) for every iy, ix.
  std::vector<Cell> cells_of_weight(int ky, int kx) const;
};

// Preset values for the input and the kernel, by name (for the panel's combo boxes).
struct PlaygroundPreset {
  const char* name;
  std::array<float, PlaygroundModel::kSize * PlaygroundModel::kSize> values;
};
const std::vector<PlaygroundPreset>& playground_input_presets();
const std::vector<PlaygroundPreset>& playground_kernel_presets();

// What the playground panel remembers between frames besides the model: the grid cell the mouse
// was over (drawn highlighted on the next frame) and the chosen presets.
struct PlaygroundView {
  enum class Grid { kNone, kInput, kKernel, kCanvas, kOutput };
  Grid hovered_grid = Grid::kNone;  // last frame's hover, drawn this frame
  int hovered_row = -1, hovered_col = -1;
  int input_preset = 0, kernel_preset = 0;  // indices into the preset lists above
  std::string pytorch_note;                 // what "As PyTorch" did (saved where, or why not)
};

}  // namespace convt::lab
