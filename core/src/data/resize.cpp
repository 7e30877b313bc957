// Area (box) resize, separable: rows first, then columns. See convt/data/resize.h.
//   H, W input height/width; h, w output height/width; s = in / out input pixels per output pixel.
#include "convt/data/resize.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace convt {

std::vector<float> area_resize_weights(int in_size, int out_size) {
  if (in_size < 1 || out_size < 1) {
    throw std::invalid_argument("area_resize_weights: expected sizes >= 1, found in_size " +
                                std::to_string(in_size) + ", out_size " + std::to_string(out_size));
  }
  std::vector<float> weights(static_cast<size_t>(out_size) * in_size, 0.0f);  // (out, in)
  const double s = static_cast<double>(in_size) / out_size;
  for (int i = 0; i < out_size; ++i) {
    const double lo = i * s, hi = (i + 1) * s;  // output pixel i covers input [lo, hi)
    const int j_end = std::min(static_cast<int>(std::ceil(hi)), in_size);
    for (int j = static_cast<int>(std::floor(lo)); j < j_end; ++j) {
      const double overlap = std::min(hi, j + 1.0) - std::max(lo, static_cast<double>(j));
      if (overlap > 0)
        weights[static_cast<size_t>(i) * in_size + j] = static_cast<float>(overlap / s);
    }
  }
  return weights;
}

void area_resize_plane(float* out, const float* in, int in_h, int in_w, int out_h, int out_w) {
  const std::vector<float> wy = area_resize_weights(in_h, out_h);    // (h, H)
  const std::vector<float> wx = area_resize_weights(in_w, out_w);    // (w, W)
  std::vector<double> rows(static_cast<size_t>(out_h) * in_w, 0.0);  // (h, W)
  for (int i = 0; i < out_h; ++i) {
    for (int y = 0; y < in_h; ++y) {
      const double a = wy[static_cast<size_t>(i) * in_h + y];
      if (a == 0.0) continue;
      for (int x = 0; x < in_w; ++x)
        rows[static_cast<size_t>(i) * in_w + x] += a * in[y * in_w + x];
    }
  }
  for (int i = 0; i < out_h; ++i) {
    for (int j = 0; j < out_w; ++j) {
      double sum = 0.0;
      for (int x = 0; x < in_w; ++x) {
        sum += wx[static_cast<size_t>(j) * in_w + x] * rows[static_cast<size_t>(i) * in_w + x];
      }
      out[i * out_w + j] = static_cast<float>(sum);
    }
  }
}

Tensor area_resize(const Tensor& images, int out_h, int out_w) {
  if (images.ndim() != 4 || out_h < 1 || out_w < 1) {
    throw std::invalid_argument(
        "area_resize: expected images (N, C, H, W) and a size >= 1, found " + images.shape_str() +
        " -> " + std::to_string(out_h) + "x" + std::to_string(out_w));
  }
  const int in_h = static_cast<int>(images.dim(2)), in_w = static_cast<int>(images.dim(3));
  if (in_h == out_h && in_w == out_w) return images;
  const int64_t planes = images.dim(0) * images.dim(1);
  Tensor out({images.dim(0), images.dim(1), out_h, out_w});  // (N, C, h, w)
  for (int64_t p = 0; p < planes; ++p) {
    area_resize_plane(out.data() + p * out_h * out_w, images.data() + p * in_h * in_w, in_h, in_w,
                      out_h, out_w);
  }
  return out;
}

}  // namespace convt
