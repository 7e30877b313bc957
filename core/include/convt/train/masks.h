// Masks for the learn-to-complete CNN: which part of an image is hidden from the
// network. A mask is (H, W) float, 1 = kept (visible), 0 = hidden; applying it to a batch
// (N, C, H, W) keeps the visible pixels and sets the hidden ones to `fill` (0 by default, the
// notes' "zeroed"; 0 is mid-grey on the [-1, 1] pixel scale).
//
//   bottom_half:   rows H/2 .. H-1 hidden (rows 0 .. H/2-1 kept; odd H keeps the smaller half)
//   left_half:     columns 0 .. W/2-1 hidden
//   random_square: one square of side `square_size` (0 = min(H, W)/2) hidden, its top-left
//                  corner uniform over every position where it fits, drawn from the caller's Rng
//                  (deterministic for a seed)
//   everything:    every pixel hidden (a blank canvas)
#pragma once

#include <string>

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt {

enum class MaskKind { bottom_half, left_half, random_square, everything };

// "bottom-half" | "left-half" | "random-square" | "everything"
const char* mask_name(MaskKind kind);
// The inverse of mask_name; throws std::invalid_argument naming the accepted names.
MaskKind parse_mask(const std::string& name);

struct MaskSpec {
  MaskKind kind = MaskKind::bottom_half;
  int square_size = 0;  // random_square only: side in pixels; 0 = min(H, W) / 2
};

// The (H, W) mask, 1 kept, 0 hidden. `rng` is drawn from only for random_square (two draws).
// Throws std::invalid_argument for height/width < 1 or a square that does not fit.
Tensor make_mask(const MaskSpec& spec, int height, int width, Rng& rng);

// out (N, C, H, W) = x where mask (H, W) is 1, `fill` where it is 0; the same mask for every
// sample and channel. `out` is resized; it may not alias x. Throws ShapeError on a mask of
// another size or x not 4-D.
void apply_mask(Tensor& out, const Tensor& x, const Tensor& mask, float fill = 0.0f);

// As above with a mask drawn per sample from `spec` (random_square: a new square for each sample,
// drawn in sample order from `rng`; the other kinds draw nothing). If `masks` is given it
// receives the masks used, (N, 1, H, W).
void apply_mask(Tensor& out, const Tensor& x, const MaskSpec& spec, Rng& rng, float fill = 0.0f,
                Tensor* masks = nullptr);

}  // namespace convt
