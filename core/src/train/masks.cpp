#include "convt/train/masks.h"

#include <algorithm>
#include <stdexcept>

#include "convt/shape.h"

namespace convt {

const char* mask_name(MaskKind kind) {
  switch (kind) {
    case MaskKind::bottom_half:
      return "bottom-half";
    case MaskKind::left_half:
      return "left-half";
    case MaskKind::random_square:
      return "random-square";
    case MaskKind::everything:
      return "everything";
  }
  return "?";
}

MaskKind parse_mask(const std::string& name) {
  for (MaskKind k : {MaskKind::bottom_half, MaskKind::left_half, MaskKind::random_square,
                     MaskKind::everything}) {
    if (name == mask_name(k)) return k;
  }
  throw std::invalid_argument(
      "mask: expected bottom-half, left-half, random-square or "
      "everything, found '" +
      name + "'");
}

Tensor make_mask(const MaskSpec& spec, int height, int width, Rng& rng) {
  if (height < 1 || width < 1) {
    throw std::invalid_argument("make_mask: expected height, width >= 1, found " +
                                std::to_string(height) + "x" + std::to_string(width));
  }
  Tensor m({height, width}, 1.0f);
  auto hide = [&](int y0, int y1, int x0, int x1) {
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) m[int64_t{y} * width + x] = 0.0f;
    }
  };
  switch (spec.kind) {
    case MaskKind::bottom_half:
      hide(height / 2, height, 0, width);
      break;
    case MaskKind::left_half:
      hide(0, height, 0, width / 2);
      break;
    case MaskKind::everything:
      hide(0, height, 0, width);
      break;
    case MaskKind::random_square: {
      const int side = spec.square_size > 0 ? spec.square_size : std::min(height, width) / 2;
      if (side > height || side > width) {
        throw std::invalid_argument("make_mask: random square of side " + std::to_string(side) +
                                    " does not fit a " + std::to_string(height) + "x" +
                                    std::to_string(width) + " image");
      }
      const int y0 = static_cast<int>(rng.below(static_cast<uint64_t>(height - side + 1)));
      const int x0 = static_cast<int>(rng.below(static_cast<uint64_t>(width - side + 1)));
      hide(y0, y0 + side, x0, x0 + side);
      break;
    }
  }
  return m;
}

namespace {

void apply_one(float* out, const float* x, const float* mask, int64_t channels, int64_t hw,
               float fill) {
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t i = 0; i < hw; ++i) {
      out[c * hw + i] = mask[i] != 0.0f ? x[c * hw + i] : fill;
    }
  }
}

void check_batch(const Tensor& x, const char* where) {
  if (x.ndim() != 4) {
    throw ShapeError(std::string(where) + ": expected x (N, C, H, W), found " + x.shape_str());
  }
}

}  // namespace

void apply_mask(Tensor& out, const Tensor& x, const Tensor& mask, float fill) {
  check_batch(x, "apply_mask");
  check_shape(mask, {x.dim(2), x.dim(3)}, "apply_mask: mask", "[H, W]");
  out.resize(x.shape());
  const int64_t hw = x.dim(2) * x.dim(3), chw = x.dim(1) * hw;
  for (int64_t n = 0; n < x.dim(0); ++n) {
    apply_one(out.data() + n * chw, x.data() + n * chw, mask.data(), x.dim(1), hw, fill);
  }
}

void apply_mask(Tensor& out, const Tensor& x, const MaskSpec& spec, Rng& rng, float fill,
                Tensor* masks) {
  check_batch(x, "apply_mask");
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int64_t hw = x.dim(2) * x.dim(3), chw = x.dim(1) * hw;
  out.resize(x.shape());
  if (masks) masks->resize({x.dim(0), 1, x.dim(2), x.dim(3)});
  Tensor m;
  for (int64_t n = 0; n < x.dim(0); ++n) {
    if (n == 0 || spec.kind == MaskKind::random_square) m = make_mask(spec, H, W, rng);
    apply_one(out.data() + n * chw, x.data() + n * chw, m.data(), x.dim(1), hw, fill);
    if (masks) std::copy(m.data(), m.data() + hw, masks->data() + n * hw);
  }
}

}  // namespace convt
