// ConvTranspose2d forward and backward as GEMM + col2im / im2col + GEMM (OpenBLAS).
// Same semantics, checks and messages as the naive kernels (core/src/ops/conv_transpose2d.cpp),
// which remain the reference: the parity tests hold these functions to them.
//
// Legend: N batch, B samples per chunk, C_in/C_out channels, H/W input, H_out/W_out output,
//         kH/kW kernel, S stride, P padding, A output_padding, D dilation.
//
// The naive scatter
//   out[n, oc, iy*S - P + ky*D, ix*S - P + kx*D] += x[n, ic, iy, ix] * w[ic, oc, ky, kx]
// sums over ic first for a fixed (oc, ky, kx, n, iy, ix): that inner sum is a matrix product,
//   cols[(oc, ky, kx), (n, iy, ix)] = sum_ic w[ic, (oc, ky, kx)] * x[n, ic, (iy, ix)]
//   i.e. cols (C_out*kH*kW, B*H*W) = weight^T (C_out*kH*kW, C_in) @ x_t (C_in, B*H*W),
// and what is left is the scatter of cols onto the output: col2im (lowering.cpp).
// The whole chunk of B samples goes through one GEMM, so its width is B*H*W (for the GAN's
// 5x5 layer: B*25 columns rather than 25).
#include <algorithm>

#include "convt/fast/fast_ops.h"
#include "fast/blas.h"
#include "fast/lowering.h"
#include "fast/parallel.h"

namespace convt::fast {

namespace {

using detail::Lowering;

void check_conv_transpose2d_args(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_shape(x, {-1, -1, -1, -1}, "conv_transpose2d: input", "[N, C_in, H, W]");
  check_shape(weight, {x.dim(1), -1, -1, -1}, "conv_transpose2d: weight",
              "[C_in, C_out, kH, kW] (input has C_in = " + std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(1)}, "conv_transpose2d: bias", "[C_out]");
}

// The col2im geometry: the image is the output, the grid the input.
Lowering lowering(const Tensor& x, const Tensor& weight, OutSize size,
                  const ConvTranspose2dParams& p) {
  return detail::make_lowering(static_cast<int>(weight.dim(1)), size.h, size.w,
                               static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), weight, p);
}

// The same products as the whole-grid forward below, box by box (fast/lowering.h, TapBox): for
// input pixels near the border only the taps that land inside the output, so no product is
// computed only to be cropped. Per chunk, on batch-minor copies x_t (C_in, H, W, B) and
// out_t (C_out, H_out, W_out, B), and per box, with the weight's box columns w_box:
//   cols (C_out*taps, box_pixels*B) = w_box^T (C_out*taps, C_in) @ x_box (C_in, box_pixels*B)
//   out_t += col2im_box(cols)
void forward_by_boxes(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                      const Lowering& g, const std::vector<detail::TapBox>& boxes) {
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1)), C_out = g.C;
  const int64_t in_plane = g.grid_size(), out_plane = g.image_size();
  const std::vector<int64_t> w_at = detail::box_weight_offsets(boxes, C_in, C_out);
  float* w_boxes = detail::scratch(3, w_at.back());  // per box (C_in, C_out*taps)
  detail::weight_boxes(w_boxes, weight.data(), C_in, g, boxes, w_at);
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::box_chunk_samples(boxes, C_out, C_in, (N + T - 1) / T);
  detail::for_each_chunk(N, T, B, [&](int, int n0, int b, bool) {
    float* x_t = detail::scratch(0, C_in * in_plane * b);      // (C_in, H, W, b)
    float* out_t = detail::scratch(5, C_out * out_plane * b);  // (C_out, H_out, W_out, b)
    detail::to_batch_minor(x_t, x.data() + n0 * C_in * in_plane, b, C_in, in_plane);
    std::fill_n(out_t, C_out * out_plane * b, 0.0f);
    for (size_t i = 0; i < boxes.size(); ++i) {
      const detail::TapBox& box = boxes[i];
      const int64_t box_rows = static_cast<int64_t>(C_out) * box.taps();
      const int width = static_cast<int>(box.pixels() * b);
      float* x_box = detail::scratch(2, C_in * width);     // (C_in, box_pixels*b)
      float* cols = detail::scratch(1, box_rows * width);  // (C_out*taps, box_pixels*b)
      detail::gather_box(x_box, x_t, b, C_in, g.W_grid, in_plane, box);
      detail::gemm(true, false, static_cast<int>(box_rows), width, C_in, 1.0f, w_boxes + w_at[i],
                   static_cast<int>(box_rows), x_box, width, 0.0f, cols, width);
      detail::col2im_box_add(out_t, cols, b, g, box);
    }
    detail::from_batch_minor(out.data() + static_cast<int64_t>(n0) * C_out * out_plane, out_t, b,
                             C_out, out_plane, bias ? bias->data() : nullptr, /*add=*/false);
  });
}

// The backward of forward_by_boxes, box by box: cols = im2col_box(dout_t) (every entry inside),
//   dx_box (C_in, box_pixels*B) = w_box @ cols;   dw_box (C_in, C_out*taps) += x_box @ cols^T
// and each dw_box, summed over the whole batch, is added onto dweight's box columns.
void backward_by_boxes(Tensor* dx, Tensor* dweight, const Tensor& dout, const Tensor& x,
                       const Tensor& weight, const Lowering& g,
                       const std::vector<detail::TapBox>& boxes) {
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1)), C_out = g.C;
  const int64_t in_plane = g.grid_size(), out_plane = g.image_size();
  const std::vector<int64_t> w_at = detail::box_weight_offsets(boxes, C_in, C_out);
  float* w_boxes = detail::scratch(3, w_at.back());  // per box (C_in, C_out*taps)
  if (dx) detail::weight_boxes(w_boxes, weight.data(), C_in, g, boxes, w_at);
  int64_t box_pixels = 0;  // each input position is in at most one box
  for (const detail::TapBox& box : boxes) box_pixels += box.pixels();
  const bool covered = box_pixels == in_plane;
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::box_chunk_samples(boxes, C_out, 2 * C_in, (N + T - 1) / T);
  detail::PartSums dw_sums(T, dweight ? w_at.back() : 0);  // each part's dw_boxes
  detail::for_each_chunk(N, T, B, [&](int t, int n0, int b, bool first) {
    // per box, the sum over part t's samples
    float* dw_boxes = dweight ? dw_sums.part(t) : nullptr;
    const detail::BackwardChunk chunk(dout.data(), x.data(), dweight != nullptr, n0, b, C_out,
                                      out_plane, C_in, in_plane);
    const float *dout_t = chunk.dout_t, *x_t = chunk.x_t;  // (C, H, W, b)
    float* dx_t = chunk.dx_t;
    if (dx && !covered) std::fill_n(dx_t, C_in * in_plane * b, 0.0f);  // boxes assign theirs
    for (size_t i = 0; i < boxes.size(); ++i) {
      const detail::TapBox& box = boxes[i];
      const int64_t box_rows = static_cast<int64_t>(C_out) * box.taps();
      const int width = static_cast<int>(box.pixels() * b);
      float* cols = detail::scratch(1, box_rows * width);  // (C_out*taps, box_pixels*b)
      detail::im2col_box(cols, dout_t, b, g, box);
      if (dx) {
        float* dx_box = detail::scratch(2, C_in * width);  // (C_in, box_pixels*b)
        detail::gemm(false, false, C_in, width, static_cast<int>(box_rows), 1.0f, w_boxes + w_at[i],
                     static_cast<int>(box_rows), cols, width, 0.0f, dx_box, width);
        detail::scatter_box(dx_t, dx_box, b, C_in, g.W_grid, in_plane, box);
      }
      if (dweight) {
        float* x_box = detail::scratch(7, C_in * width);  // (C_in, box_pixels*b)
        detail::gather_box(x_box, x_t, b, C_in, g.W_grid, in_plane, box);
        detail::gemm(false, true, C_in, static_cast<int>(box_rows), width, 1.0f, x_box, width, cols,
                     width, first ? 0.0f : 1.0f, dw_boxes + w_at[i], static_cast<int>(box_rows));
      }
    }
    if (dx) chunk.add_dx(dx->data());
  });
  if (dweight) detail::add_weight_boxes(dweight->data(), dw_sums.parts(), C_in, g, boxes, w_at);
}

}  // namespace

void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight,
                              const Tensor* bias, const ConvTranspose2dParams& p) {
  check_conv_transpose2d_args(x, weight, bias);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size = conv_transpose2d_out_size(static_cast<int>(x.dim(2)),
                                                 static_cast<int>(x.dim(3)), {kH, kW}, p);
  if (&out == &x || &out == &weight || &out == bias) {  // writing out must not clobber an input
    Tensor result;
    conv_transpose2d_forward(result, x, weight, bias, p);
    out = std::move(result);
    return;
  }
  detail::ensure_blas_ready();
  const Lowering g = lowering(x, weight, size, p);
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1)), C_out = g.C;
  const int64_t rows = g.rows(), in_plane = g.grid_size(), out_plane = g.image_size();
  // (N, C_out, H_out, W_out): the box path writes every value, the whole-grid one adds onto zeros
  if (out.shape() != std::vector<int64_t>{N, C_out, size.h, size.w})
    out.resize({N, C_out, size.h, size.w});

  const std::vector<detail::TapBox> boxes = detail::tap_boxes(g);
  if (!boxes.empty()) {
    forward_by_boxes(out, x, weight, bias, g, boxes);
    return;
  }
  if (!bias) std::fill_n(out.data(), out.numel(), 0.0f);  // col2im adds onto it (bias: below)
  // Per chunk: x_t and cols.
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::chunk_samples(rows + C_in, in_plane, (N + T - 1) / T);
  detail::for_each_chunk(N, T, B, [&](int, int n0, int b, bool) {
    const int cols_width = static_cast<int>(b * in_plane);
    float* x_t = detail::scratch(0, C_in * b * in_plane);   // (C_in, b*H*W)
    float* cols = detail::scratch(1, rows * b * in_plane);  // (C_out*kH*kW, b*H*W)
    detail::batch_to_channels(x_t, x.data() + n0 * C_in * in_plane, b, C_in, in_plane);
    // weight is (C_in, C_out*kH*kW) row-major: use it transposed.
    detail::gemm(true, false, static_cast<int>(rows), cols_width, C_in, 1.0f, weight.data(),
                 static_cast<int>(rows), x_t, cols_width, 0.0f, cols, cols_width);
    float* out_chunk =
        out.data() + static_cast<int64_t>(n0) * C_out * out_plane;  // (b, C_out, H_out, W_out)
    if (bias) {
      for (int i = 0; i < b; ++i)
        for (int oc = 0; oc < C_out; ++oc)
          std::fill_n(out_chunk + (static_cast<int64_t>(i) * C_out + oc) * out_plane, out_plane,
                      (*bias)[oc]);
    }
    detail::col2im_add(out_chunk, cols, b, g);
  });
}

void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p) {
  check_conv_transpose2d_args(x, weight, nullptr);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size = conv_transpose2d_out_size(static_cast<int>(x.dim(2)),
                                                 static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int C_out = static_cast<int>(weight.dim(1));
  check_shape(dout, {N, C_out, size.h, size.w}, "conv_transpose2d backward: grad_output",
              "[N, C_out, H_out, W_out]");
  prepare_grad(dx, x.shape(), "conv_transpose2d backward: grad_input", "[N, C_in, H, W]");
  prepare_grad(dweight, weight.shape(), "conv_transpose2d backward: grad_weight",
               "[C_in, C_out, kH, kW]");
  prepare_grad(dbias, {C_out}, "conv_transpose2d backward: grad_bias", "[C_out]");
  detail::ensure_blas_ready();

  const Lowering g = lowering(x, weight, size, p);
  const int64_t rows = g.rows(), in_plane = g.grid_size(), out_plane = g.image_size();
  const std::vector<detail::TapBox> boxes = detail::tap_boxes(g);
  if ((dx || dweight) && !boxes.empty()) {
    backward_by_boxes(dx, dweight, dout, x, weight, g, boxes);
  } else if (dx || dweight) {
    // Per chunk: cols, dx_t, x_t. One thread adds onto dweight directly; several keep their own.
    const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
    const int B = detail::chunk_samples(rows + 2 * C_in, in_plane, (N + T - 1) / T);
    detail::PartSums dw_sums(T, dweight && T > 1 ? C_in * rows : 0);
    detail::for_each_chunk(N, T, B, [&](int t, int n0, int b, bool first) {
      const int cols_width = static_cast<int>(b * in_plane);
      // The forward scatter read backwards is a gather: im2col of dout on the input's grid.
      //   cols[(oc, ky, kx), (n, iy, ix)] = dout[n, oc, iy*S - P + ky*D, ix*S - P + kx*D]
      float* cols = detail::scratch(1, rows * b * in_plane);  // (C_out*kH*kW, b*H*W)
      detail::im2col(cols, dout.data() + static_cast<int64_t>(n0) * C_out * out_plane, b, g);
      if (dx) {
        // In the forward pass this was: cols = weight^T @ x_t
        // so now we have:               dx_t (C_in, b*H*W) = weight (C_in, C_out*kH*kW) @ cols
        float* dx_t = detail::scratch(2, C_in * b * in_plane);
        detail::gemm(false, false, C_in, cols_width, static_cast<int>(rows), 1.0f, weight.data(),
                     static_cast<int>(rows), cols, cols_width, 0.0f, dx_t, cols_width);
        detail::channels_to_batch(dx->data() + n0 * C_in * in_plane, dx_t, b, C_in, in_plane,
                                  nullptr, /*add=*/true);
      }
      if (dweight) {
        // dweight (C_in, C_out*kH*kW) += x_t (C_in, b*H*W) @ cols^T (b*H*W, C_out*kH*kW)
        float* dw = T > 1 ? dw_sums.part(t) : dweight->data();
        float* x_t = detail::scratch(0, C_in * b * in_plane);
        detail::batch_to_channels(x_t, x.data() + n0 * C_in * in_plane, b, C_in, in_plane);
        detail::gemm(false, true, C_in, static_cast<int>(rows), cols_width, 1.0f, x_t, cols_width,
                     cols, cols_width, T > 1 && first ? 0.0f : 1.0f, dw, static_cast<int>(rows));
      }
    });
    if (dweight && T > 1) detail::add_parts(dweight->data(), dw_sums.parts(), C_in * rows);
  }
  // out[n, oc, oy, ox] += bias[oc]  ->  dbias[oc] += sum of dout[n, oc, :, :]
  if (dbias) detail::add_bias_grad(dbias->data(), dout.data(), N, C_out, out_plane);
}

}  // namespace convt::fast
