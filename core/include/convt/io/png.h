// PNG image grids of tensors (samples, datasets, filters), via stb_image_write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convt/tensor.h"

namespace convt {

// 8-bit pixels, row-major, interleaved channels: (height, width, channels).
struct Image8 {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1 (gray) or 3 (RGB)
  std::vector<uint8_t> pixels;
};

// Tiles images (N, C, H, W), C 1 or 3, values in [-1, 1] (mapped to 0..255 by
// convt::unit_to_pixel, clamped), into a grid of min(cols, N) columns and ceil(N / cols) rows, each
// pixel repeated scale x scale times, with `padding` pixels of black between tiles and around.
// Throws std::invalid_argument for another shape, N == 0, cols < 1, scale < 1 or padding < 0.
Image8 make_image_grid(const Tensor& images, int cols, int scale = 1, int padding = 1);

// PNG bytes of an image (stb_image_write). Throws std::runtime_error if encoding fails.
std::string encode_png(const Image8& image);

// make_image_grid, then the PNG written atomically (convt/io/atomic_file.h).
// Throws std::invalid_argument (bad arguments) or std::runtime_error naming the path.
void write_png_grid(const std::string& path, const Tensor& images, int cols, int scale = 1,
                    int padding = 1);

}  // namespace convt
