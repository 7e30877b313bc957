// Tiles a batch of images into one float grid for the GPU heatmap renderer's grayscale mode
// (the dashboard's sample and real grids): one texture per grid instead of one per image.
#pragma once

#include <vector>

#include "convt/tensor.h"

namespace convt::lab {

struct TiledImage {
  int rows = 0, cols = 0;     // pixels of the whole grid
  std::vector<float> values;  // (rows, cols) row-major, the images' values ([-1, 1])
};

// images (N, C, H, W) -> ceil(N / grid_cols) x grid_cols tiles of channel 0, with `padding`
// pixels of `pad_value` between and around the tiles. Empty for N == 0 or a non-4-D tensor.
TiledImage tile_images(const Tensor& images, int grid_cols, int padding = 1,
                       float pad_value = -1.0f);

}  // namespace convt::lab
