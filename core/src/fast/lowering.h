// Internals of the fast backend: the im2col / col2im lowering of a convolution to GEMMs, the tap
// boxes that skip what padding crops, and the layout shuffles around the GEMMs (lowering.cpp).
// Not a public header.
//
// Legend: B samples in a chunk of the batch, C channels, kH/kW kernel, S stride, P padding,
//         D dilation. An "image" (C, H_img, W_img) and a "grid" (H_grid, W_grid) of kernel
//         positions are tied by   image_y = grid_y*S - P + ky*D   (and the same along x):
//   conv2d:            image = the input x,          grid = the output
//   conv_transpose2d:  image = the output,           grid = the input x
#pragma once

#include <cstdint>
#include <vector>

#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt::fast::detail {

// The geometry of one lowering (see the legend above).
struct Lowering {
  int C = 0, H_img = 0, W_img = 0;  // image
  int H_grid = 0, W_grid = 0;       // kernel positions
  int kH = 0, kW = 0;
  Pair stride, padding, dilation;
  int64_t rows() const { return static_cast<int64_t>(C) * kH * kW; }
  int64_t grid_size() const { return static_cast<int64_t>(H_grid) * W_grid; }
  int64_t image_size() const { return static_cast<int64_t>(H_img) * W_img; }
};

// The lowering of a convolution whose kernel (weight, ..., kH, kW) moves over a (H_grid, W_grid)
// grid on a C-channel (H_img, W_img) image: conv2d's image is its input and its grid the output;
// conv_transpose2d's the other way round. `Params` has stride, padding and dilation.
template <class Params>
Lowering make_lowering(int C, int H_img, int W_img, int H_grid, int W_grid, const Tensor& weight,
                       const Params& p) {
  Lowering g;
  g.C = C;
  g.H_img = H_img;
  g.W_img = W_img;
  g.H_grid = H_grid;
  g.W_grid = W_grid;
  g.kH = static_cast<int>(weight.dim(2));
  g.kW = static_cast<int>(weight.dim(3));
  g.stride = p.stride;
  g.padding = p.padding;
  g.dilation = p.dilation;
  return g;
}

// cols (C*kH*kW, B*H_grid*W_grid) = im2col(image (B, C, H_img, W_img)):
//   cols[(c*kH + ky)*kW + kx, (b*H_grid + gy)*W_grid + gx]
//     = image[b, c, gy*S - P + ky*D, gx*S - P + kx*D]
// and 0 where that pixel falls outside the image (the zero padding). Threaded over rows.
void im2col(float* cols, const float* image, int B, const Lowering& g);

// The adjoint, a scatter-add: image (B, C, H_img, W_img) += col2im(cols), i.e. for every entry
// of cols whose pixel falls inside the image,
//   image[b, c, gy*S - P + ky*D, gx*S - P + kx*D]
//     += cols[(c*kH + ky)*kW + kx, (b*H_grid + gy)*W_grid + gx]
// Entries that fall outside (cropped by padding) are dropped. Threaded over channels c, each
// pixel summed in a fixed order.
void col2im_add(float* image, const float* cols, int B, const Lowering& g);

// ---- Tap boxes: skipping the taps that padding crops --------------------------------------------
//
// Near the border, some kernel taps of a grid position land outside the image (in the padding of
// a conv2d, or cropped from a conv_transpose2d's output): the whole-grid lowering above multiplies
// them anyway (zeros in im2col, dropped entries in col2im). For the GAN's k5 s2 p2 layers that is
// 12-23% of all multiply-adds. Along one axis, the taps ky inside the image for grid position gy
// form one interval [ky0, ky1) (image_y grows with ky); consecutive positions with the same
// interval form a band, and a box is one band along y times one along x. Lowering box by box,
//   cols_box (C*nky*nkx, box_h*box_w*B),  rows (c, ky, kx) for ky in [ky0, ky1), kx in [kx0, kx1)
// and the weight's matching columns (weight_boxes below), every product computed is a real one.
struct TapBox {
  int gy0 = 0, gy1 = 0, gx0 = 0, gx1 = 0;  // grid positions [gy0, gy1) x [gx0, gx1)
  int ky0 = 0, ky1 = 0, kx0 = 0, kx1 = 0;  // the taps inside the image for all of them
  int taps() const { return (ky1 - ky0) * (kx1 - kx0); }
  int64_t pixels() const { return static_cast<int64_t>(gy1 - gy0) * (gx1 - gx0); }
};

// The boxes of g, rows of boxes top to bottom, each row left to right; positions with no tap
// inside the image belong to no box. Empty when the whole-grid lowering should be used instead:
// it would save under 5% of the multiply-adds (or nothing), or the lowering has under 256 rows
// (C*kH*kW: the GEMMs would be too thin). Knobs for benchmarks and tests:
// CONVT_FAST_TAP_BOXES=0 never uses boxes, =always always does (even a single full box).
std::vector<TapBox> tap_boxes(const Lowering& g);

// The box lowering works on "batch-minor" copies of a chunk of B samples, (C, H, W, B): one
// pixel of all B samples is B contiguous floats, so the copies below are runs of B (or
// box_w*B) floats whatever the stride, and the box's columns are ordered (pixel, b).
// dst (C, P, B) = src (B, C, P) transposed; and back: dst (B, C, P) = src (+ bias[c]) or += src.
void to_batch_minor(float* dst, const float* src, int B, int C, int64_t P);
void from_batch_minor(float* dst, const float* src, int B, int C, int64_t P, const float* bias,
                      bool add);
// One chunk of a box backward (conv2d's or conv_transpose2d's), samples n0 .. n0+b-1, in the
// batch-minor layout, in the calling thread's scratch: dout_t (C_out, P_out, b) copied from dout
// (N, C_out, P_out); x_t (C_in, P_in, b) copied from x (N, C_in, P_in) when `need_x` (the weight
// gradient reads it); dx_t (C_in, P_in, b) for the input gradient, which the caller fills and
// add_dx adds back onto dx's samples.
struct BackwardChunk {
  BackwardChunk(const float* dout, const float* x, bool need_x, int n0, int b, int C_out,
                int64_t P_out, int C_in, int64_t P_in);
  void add_dx(float* dx) const;  // dx (N, C_in, P_in) += dx_t, on samples n0 .. n0+b-1
  float* dout_t;
  float* x_t;
  float* dx_t;
  int n0, b, C_in;
  int64_t P_in;
};
// dst (C, box_h*box_w*B) = the box's pixels of src (C, H_grid*W_grid, B) (grid = H_grid*W_grid);
// scatter_box writes them back (each grid position belongs to at most one box).
void gather_box(float* dst, const float* src, int B, int C, int W_grid, int64_t grid,
                const TapBox& box);
void scatter_box(float* dst, const float* src, int B, int C, int W_grid, int64_t grid,
                 const TapBox& box);
// cols (C*nky*nkx, box_h*box_w*B) = im2col of image_t (C, H_img*W_img, B) over one box:
//   cols[(c*nky + ky - ky0)*nkx + kx - kx0, ((gy - gy0)*box_w + gx - gx0)*B + b]
//     = image[b, c, gy*S - P + ky*D, gx*S - P + kx*D]      (always inside: no zero fill)
void im2col_box(float* cols, const float* image_t, int B, const Lowering& g, const TapBox& box);
// The adjoint: image_t (C, H_img*W_img, B) += col2im of that cols. Threaded over channels.
void col2im_box_add(float* image_t, const float* cols, int B, const Lowering& g, const TapBox& box);
// Samples per chunk of the box lowering: every box's cols (C*taps, pixels*B) within
// chunk_samples's bounds, with `other` rows of the other matrices per column.
int box_chunk_samples(const std::vector<TapBox>& boxes, int64_t C, int64_t other, int64_t N);
// Where each box's weight columns start in one buffer holding them all, (R, C*taps) per box;
// the last entry is the total.
std::vector<int64_t> box_weight_offsets(const std::vector<TapBox>& boxes, int64_t R, int64_t C);
// weight seen as (R, C*kH*kW) (conv2d: R = C_out; conv_transpose2d: R = C_in) -> each box's
// columns (R, C*nky*nkx), in the order of im2col_box's rows, box i's at w_boxes + w_at[i]
// (w_at = box_weight_offsets(boxes, R, C)).
void weight_boxes(float* w_boxes, const float* weight, int R, const Lowering& g,
                  const std::vector<TapBox>& boxes, const std::vector<int64_t>& w_at);
// The adjoint, for the parts of for_each_chunk (PartSums::parts(); null ones skipped): dweight
// (R, C*kH*kW) += each part's per-box sums, laid out as weight_boxes's, on the boxes' columns.
// Parts are added in part order, so a run repeats exactly.
void add_weight_boxes(float* dweight, const std::vector<float*>& parts, int R, const Lowering& g,
                      const std::vector<TapBox>& boxes, const std::vector<int64_t>& w_at);

// dst (C, B*P) = src (B, C, P) seen channel-major: dst[c, b*P + p] = src[b, c, p].
void batch_to_channels(float* dst, const float* src, int B, int C, int64_t P);
// dst (B, C, P) = src (C, B*P) (+ bias[c], when bias is not null), or dst += src with `add`.
void channels_to_batch(float* dst, const float* src, int B, int C, int64_t P, const float* bias,
                       bool add);

// dbias[c] += sum over b, p of dout (N, C, P)[b, c, p]: each plane summed in eight lanes, the
// planes added in order n = 0, 1, ... (a fixed order, whatever the thread count).
void add_bias_grad(float* dbias, const float* dout, int N, int C, int64_t P);

}  // namespace convt::fast::detail
