// Area (box) resizing of images: each output pixel is the mean of the input over the output
// pixel's footprint, every input pixel weighted by the area it shares with it.
//
// Output pixel i (of out_size) covers the input interval [i*s, (i+1)*s), s = in_size / out_size;
// input pixel j covers [j, j+1). Weight of j in i = overlap length / s, so each row of weights
// sums to 1. Separable: rows then columns. Shrinking, this is OpenCV's INTER_AREA (for 28 -> 20:
// repeat each pixel 5x5, then average 7x7 blocks). Enlarging, each output pixel lies inside one
// input pixel (or straddles two), so it is nearest-neighbour with blended seams.
// scripts/build_digits_assets.py (area_resize_matrix) uses the same weights in numpy.
#pragma once

#include <vector>

#include "convt/tensor.h"

namespace convt {

// Weights (out_size, in_size), row-major: w[i * in_size + j] = share of input j in output i.
// Throws std::invalid_argument unless in_size >= 1 and out_size >= 1.
std::vector<float> area_resize_weights(int in_size, int out_size);

// One plane: out (out_h, out_w) from in (in_h, in_w), both row-major float.
void area_resize_plane(float* out, const float* in, int in_h, int in_w, int out_h, int out_w);

// Every plane of images (N, C, H, W) -> (N, C, out_h, out_w). Returns a copy when the size is
// already right. Throws std::invalid_argument unless images is 4-D and out_h, out_w >= 1.
Tensor area_resize(const Tensor& images, int out_h, int out_w);

}  // namespace convt
