#include "logic/playground_model.h"

#include <algorithm>
#include <exception>

#include "convt/ops/conv_transpose2d.h"
#include "convt/shape.h"

namespace convt::lab {

void PlaygroundModel::recompute() {
  ok = false;
  error.clear();
  formula_h.clear();
  formula_w.clear();
  output = Tensor();
  canvas = Tensor();
  try {
    const Tensor x({1, 1, kSize, kSize}, std::vector<float>(input.begin(), input.end()));
    const Tensor w({1, 1, kSize, kSize}, std::vector<float>(kernel.begin(), kernel.end()));
    ConvTranspose2dParams p;
    p.stride = stride;
    p.padding = padding;
    p.output_padding = output_padding;
    formula_h = conv_transpose_formula(kSize, kSize, stride, padding, output_padding, 1, "H");
    formula_w = conv_transpose_formula(kSize, kSize, stride, padding, output_padding, 1, "W");
    conv_transpose2d_forward(output, x, w, nullptr, p);

    ConvTranspose2dParams uncropped;  // the same scatter, nothing cut away
    uncropped.stride = stride;
    uncropped.padding = 0;
    uncropped.output_padding = std::max(0, output_padding - padding);
    conv_transpose2d_forward(canvas, x, w, nullptr, uncropped);
    ok = true;
  } catch (const std::exception& e) {
    error = e.what();
    formula_h.clear();
    formula_w.clear();
    output = Tensor();
    canvas = Tensor();
  }
}

PytorchOpCall PlaygroundModel::pytorch_call() const {
  PytorchOpCall call;
  call.op = "conv_transpose2d";
  call.panel = "Playground";
  call.input = Tensor({1, 1, kSize, kSize}, std::vector<float>(input.begin(), input.end()));
  call.weight = Tensor({1, 1, kSize, kSize}, std::vector<float>(kernel.begin(), kernel.end()));
  call.stride = stride;
  call.padding = padding;
  call.output_padding = output_padding;
  call.expected = output;
  return call;
}

bool PlaygroundModel::canvas_cell_kept(int cy, int cx) const {
  return ok && cy >= padding && cy < padding + out_h() && cx >= padding && cx < padding + out_w();
}

std::vector<PlaygroundModel::Contribution> PlaygroundModel::contributions_to_canvas(int cy,
                                                                                    int cx) const {
  std::vector<Contribution> list;
  for (int iy = 0; iy < kSize; ++iy) {
    for (int ix = 0; ix < kSize; ++ix) {
      for (int ky = 0; ky < kSize; ++ky) {
        for (int kx = 0; kx < kSize; ++kx) {
          if (iy * stride + ky != cy || ix * stride + kx != cx) continue;
          const float xv = input[static_cast<size_t>(iy * kSize + ix)];
          const float wv = kernel[static_cast<size_t>(ky * kSize + kx)];
          list.push_back({iy, ix, ky, kx, xv, wv, xv * wv});
        }
      }
    }
  }
  return list;
}

std::vector<PlaygroundModel::Cell> PlaygroundModel::stamp_of_input(int iy, int ix) const {
  std::vector<Cell> cells;
  for (int ky = 0; ky < kSize; ++ky) {
    for (int kx = 0; kx < kSize; ++kx) cells.push_back({iy * stride + ky, ix * stride + kx});
  }
  return cells;
}

std::vector<PlaygroundModel::Cell> PlaygroundModel::cells_of_weight(int ky, int kx) const {
  std::vector<Cell> cells;
  for (int iy = 0; iy < kSize; ++iy) {
    for (int ix = 0; ix < kSize; ++ix) cells.push_back({iy * stride + ky, ix * stride + kx});
  }
  return cells;
}

const std::vector<PlaygroundPreset>& playground_input_presets() {
  static const std::vector<PlaygroundPreset> presets = {
      {"Small integers", {1, 2, 0, -1, 0, 3, 0, 1, -2}},
      {"One pixel (centre = 1)", {0, 0, 0, 0, 1, 0, 0, 0, 0}},
      {"Ones", {1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {"Ramp 1..9", {1, 2, 3, 4, 5, 6, 7, 8, 9}},
  };
  return presets;
}

const std::vector<PlaygroundPreset>& playground_kernel_presets() {
  static const std::vector<PlaygroundPreset> presets = {
      {"Ones (the notes)", {1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {"Plus sign", {0, 1, 0, 1, 2, 1, 0, 1, 0}},
      {"Centre only", {0, 0, 0, 0, 1, 0, 0, 0, 0}},
      {"Edge: -1 0 1", {-1, 0, 1, -2, 0, 2, -1, 0, 1}},
  };
  return presets;
}

}  // namespace convt::lab
