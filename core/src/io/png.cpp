// Image grids -> PNG (stb_image_write, to memory, then write_file_atomic).
#include "convt/io/png.h"

#include <stb_image_write.h>

#include <algorithm>
#include <stdexcept>

#include "convt/data/dataset.h"
#include "convt/io/atomic_file.h"

namespace convt {

Image8 make_image_grid(const Tensor& images, int cols, int scale, int padding) {
  if (images.ndim() != 4 || (images.dim(1) != 1 && images.dim(1) != 3) || images.dim(0) == 0 ||
      cols < 1 || scale < 1 || padding < 0) {
    throw std::invalid_argument(
        "make_image_grid: expected images (N >= 1, C = 1 or 3, H, W), cols >= 1, scale >= 1, "
        "padding >= 0; found images " +
        images.shape_str() + ", cols " + std::to_string(cols) + ", scale " + std::to_string(scale) +
        ", padding " + std::to_string(padding));
  }
  const int n = static_cast<int>(images.dim(0)), c = static_cast<int>(images.dim(1));
  cols = std::min(cols, n);  // a short row is not padded out to `cols`
  const int h = static_cast<int>(images.dim(2)), w = static_cast<int>(images.dim(3));
  const int rows = (n + cols - 1) / cols;
  const int tile_h = h * scale, tile_w = w * scale;
  Image8 grid;
  grid.channels = c;
  grid.width = cols * tile_w + (cols + 1) * padding;
  grid.height = rows * tile_h + (rows + 1) * padding;
  grid.pixels.assign(static_cast<size_t>(grid.width) * grid.height * c, 0);  // (height, width, C)
  for (int k = 0; k < n; ++k) {
    const int top = padding + (k / cols) * (tile_h + padding);
    const int left = padding + (k % cols) * (tile_w + padding);
    for (int y = 0; y < tile_h; ++y) {
      for (int x = 0; x < tile_w; ++x) {
        for (int ch = 0; ch < c; ++ch) {
          const size_t at = (static_cast<size_t>(top + y) * grid.width + (left + x)) * c + ch;
          grid.pixels[at] = unit_to_pixel(images.at(k, ch, y / scale, x / scale));
        }
      }
    }
  }
  return grid;
}

std::string encode_png(const Image8& image) {
  std::string out;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &out, image.width, image.height, image.channels,
                              image.pixels.data(), image.width * image.channels)) {
    throw std::runtime_error("encode_png: stb_image_write failed for a " +
                             std::to_string(image.width) + "x" + std::to_string(image.height) +
                             "x" + std::to_string(image.channels) + " image");
  }
  return out;
}

void write_png_grid(const std::string& path, const Tensor& images, int cols, int scale,
                    int padding) {
  write_file_atomic(path, encode_png(make_image_grid(images, cols, scale, padding)));
}

}  // namespace convt
