// DiffAugment: random augmentations that D sees on real AND fake images, differentiable so that
// G's gradient passes through them (Zhao, Liu, Lin, Zhu & Han 2020, "Differentiable Augmentation
// for Data-Efficient GAN Training", NeurIPS; the three transforms and their ranges are those of
// the authors' DiffAugment_pytorch.py). With few training images (169 emoji faces) D otherwise
// memorises them, loss_D falls to 0 and G stops learning; augmenting only the reals would teach G
// to make augmented images, augmenting both does not.
//
//   x (N, C, H, W) -> out (N, C, H, W), each sample with its own random values, in this order:
//   color        brightness  x + b                                    b ~ U[-0.5, 0.5)
//                saturation  (x - mean_c x) * s + mean_c x            s ~ U[0, 2)   (per pixel,
//                                                                     mean over channels)
//                contrast    (x - mean_chw x) * k + mean_chw x        k ~ U[0.5, 1.5)
//   translation  out[c, i, j] = x[c, i + ty, j + tx], 0 outside       ty, tx uniform integers in
//                                                                     [-r, r], r = round(H/8),
//                                                                     round(W/8)
//   cutout       out[c, i, j] = 0 inside a square of round(H/2) x round(W/2) rows x columns
//                whose centre is uniform over the image (clipped at the borders)
//
// Every transform is linear in x for fixed random values, so the backward pass is the transpose:
// brightness passes the gradient, saturation and contrast mix it as their Jacobians do,
// translation shifts it back, cutout zeroes it where the square was.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt {

// Which transforms run. Text form: a comma-separated subset of "color", "translation",
// "cutout" in any order ("" or "none" = none), as the paper's policy strings.
struct DiffAugmentPolicy {
  bool color = false;
  bool translation = false;
  bool cutout = false;

  bool any() const { return color || translation || cutout; }
  // "color,translation,cutout" (this order); "" when none.
  std::string to_string() const;
  // Throws std::invalid_argument naming the unknown word and the accepted ones.
  static DiffAugmentPolicy parse(const std::string& text);
};

// The random values of one call, one per sample (empty vectors for transforms that are off).
struct DiffAugmentDraw {
  DiffAugmentPolicy policy;
  std::vector<int64_t> shape;             // (N, C, H, W) of the batch they were drawn for
  std::vector<float> brightness;          // b
  std::vector<float> saturation;          // s
  std::vector<float> contrast;            // k
  std::vector<int64_t> shift_y, shift_x;  // ty, tx
  std::vector<int64_t> cut_y, cut_x;      // top row and left column of the square (may be < 0)
  int64_t cut_h = 0, cut_w = 0;           // its size in rows and columns
};

// Draws the values for a batch of `shape` (N, C, H, W) from rng, in the order brightness[N],
// saturation[N], contrast[N], ty[N], tx[N], cutout rows[N], cutout columns[N] (transforms that are
// off draw nothing). Throws std::invalid_argument if shape is not 4-D with positive sizes.
DiffAugmentDraw draw_diff_augment(const DiffAugmentPolicy& policy,
                                  const std::vector<int64_t>& shape, Rng& rng);

// out = T(x) for the drawn values. x must have draw.shape (std::invalid_argument else); out is
// resized to it.
void diff_augment_forward(Tensor& out, const Tensor& x, const DiffAugmentDraw& draw);
// dx += T^T(dout), the gradient of sum(T(x) * dout) with respect to x. An empty dx is first made
// zeros. dout must have draw.shape.
void diff_augment_backward(Tensor& dx, const Tensor& dout, const DiffAugmentDraw& draw);

}  // namespace convt
