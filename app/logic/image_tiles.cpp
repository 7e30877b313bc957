#include "logic/image_tiles.h"

#include <algorithm>

namespace convt::lab {

TiledImage tile_images(const Tensor& images, int grid_cols, int padding, float pad_value) {
  TiledImage out;
  if (images.ndim() != 4 || images.dim(0) == 0 || grid_cols < 1) return out;
  const int n = static_cast<int>(images.dim(0));
  const int h = static_cast<int>(images.dim(2)), w = static_cast<int>(images.dim(3));
  const int cols = std::min(grid_cols, n);
  const int rows = (n + cols - 1) / cols;
  out.rows = rows * h + (rows + 1) * padding;
  out.cols = cols * w + (cols + 1) * padding;
  out.values.assign(static_cast<size_t>(out.rows) * out.cols, pad_value);
  const int64_t per_image = images.numel() / n;  // C * H * W; channel 0 is the first H * W
  for (int i = 0; i < n; ++i) {
    const float* src = images.data() + i * per_image;
    const int top = padding + (i / cols) * (h + padding);
    const int left = padding + (i % cols) * (w + padding);
    for (int y = 0; y < h; ++y) {
      std::copy(src + y * w, src + (y + 1) * w,
                out.values.begin() + static_cast<size_t>(top + y) * out.cols + left);
    }
  }
  return out;
}

}  // namespace convt::lab
