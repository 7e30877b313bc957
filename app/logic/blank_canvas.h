// The notes' second experiment: transposed convolution of a blank canvas.
//
//   "What the decoder dreams": the decoder of a generator (its layers from the first
//   ConvTranspose2d on, i.e. after the FC + reshape) run on a constant feature map. With random
//   weights the dream is faint noise; after training it shows the patterns the kernels learned
//   to stamp (stride-2 checkerboards, strokes).
//
//   An impulse through a ConvTranspose2d layer: a feature map of zeros with a single 1 at input
//   channel ic, position (iy, ix). The transposed convolution scatters that one pixel as
//   out[oc, iy*stride - padding + ky*dilation, ix*stride - padding + kx*dilation] += 1 * w[ic, oc,
//   ky, kx] so the output is the kernel w[ic, oc] itself, stamped once (the layer's kernel made
//   visible), for any stride. The bias is removed by subtracting the layer's response to all zeros.
//   Through the rest of the decoder, the same difference shows what one pixel of that layer
//   paints in the final image (its footprint).
//
// Everything runs in evaluation mode (BatchNorm's running statistics); the training flags of the
// network are restored afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "convt/nn/layers.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"

namespace convt::lab {

struct ConvTLayer {
  size_t index = 0;   // layer index in the Sequential
  std::string label;  // "up1"
  int in_channels = 0, out_channels = 0;
  Pair kernel_size, stride, padding, dilation;
  std::vector<int64_t> in_shape;   // per sample (C_in, H, W)
  std::vector<int64_t> out_shape;  // per sample (C_out, H_out, W_out)
};

// The ConvTranspose2d layers of `net`, in order. Empty if it has none.
std::vector<ConvTLayer> convt_layers(nn::Sequential& net);

// Layers first..last (inclusive) of `net` on x (N, in_shape of layer first...) in evaluation
// mode. Throws std::out_of_range for bad indices, std::invalid_argument for x of another shape.
Tensor run_layers(nn::Sequential& net, size_t first, size_t last, const Tensor& x);

// The decoder (from the first ConvTranspose2d to the last layer) on a constant map of `value`:
// (1, C, H, W). Throws std::invalid_argument if `net` has no ConvTranspose2d.
Tensor decoder_dream(nn::Sequential& net, float value);

// The impulse: zeros of the layer's input shape (1, C_in, H, W) with `amplitude` at (ic, iy, ix).
// Throws std::out_of_range for a position outside the input.
Tensor impulse_input(const ConvTLayer& layer, int ic, int iy, int ix, float amplitude = 1.0f);

// ConvT layer `layer`'s response to the impulse at the centre of its input (H / 2, W / 2) in
// channel ic, minus its response to all zeros (the bias): (1, C_out, H_out, W_out). With
// to_image, the same difference taken at the output of the whole network (the pixel's footprint
// in the image). Throws std::out_of_range for ic outside [0, C_in).
Tensor impulse_response(nn::Sequential& net, const ConvTLayer& layer, int ic, bool to_image,
                        float amplitude = 1.0f);

// The window of `response` (1, C_out, H_out, W_out) where an impulse at input (iy, ix) stamps the
// kernel: rows iy*stride - padding + ky*dilation, ky in [0, kH) (likewise columns), as
// (C_out, kH, kW); positions cropped away by the padding are 0. For impulse_response(..., false)
// with amplitude 1 this is the layer's weight[ic] exactly.
Tensor stamped_window(const Tensor& response, const ConvTLayer& layer, int iy, int ix);

}  // namespace convt::lab
