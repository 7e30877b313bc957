// Conv2d forward and backward as im2col + GEMM and GEMM + col2im (OpenBLAS).
// Same semantics, checks and messages as the naive kernels (core/src/ops/conv2d.cpp), which
// remain the reference: the parity tests hold these functions to them.
//
// Legend: N batch, B samples per chunk, C_in/C_out channels, H/W input, H_out/W_out output,
//         kH/kW kernel, S stride, P padding, D dilation.
//
// The naive gather
//   out[n, oc, oy, ox] += x[n, ic, oy*S - P + ky*D, ox*S - P + kx*D] * w[oc, ic, ky, kx]
// becomes, once the window under every output pixel is copied out (im2col),
//   cols (C_in*kH*kW, B*H_out*W_out),
//   out_t (C_out, B*H_out*W_out) = weight (C_out, C_in*kH*kW) @ cols
// for a chunk of B samples at once, then out_t is put back in (N, C_out, H_out, W_out) order.
#include <algorithm>

#include "convt/fast/fast_ops.h"
#include "fast/blas.h"
#include "fast/lowering.h"
#include "fast/parallel.h"

namespace convt::fast {

namespace {

using detail::Lowering;

void check_conv2d_args(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_shape(x, {-1, -1, -1, -1}, "conv2d: input", "[N, C_in, H, W]");
  check_shape(weight, {-1, x.dim(1), -1, -1}, "conv2d: weight",
              "[C_out, C_in, kH, kW] (input has C_in = " + std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(0)}, "conv2d: bias", "[C_out]");
}

// The im2col geometry: the image is the input, the grid the output.
Lowering lowering(const Tensor& x, const Tensor& weight, OutSize size, const Conv2dParams& p) {
  return detail::make_lowering(static_cast<int>(x.dim(1)), static_cast<int>(x.dim(2)),
                               static_cast<int>(x.dim(3)), size.h, size.w, weight, p);
}

// The same products as the whole-grid forward below, box by box (fast/lowering.h, TapBox): for
// output pixels near the border only the taps that read inside the input, so no product with the
// zero padding is computed. Per chunk, on batch-minor copies x_t (C_in, H, W, B) and
// out_t (C_out, H_out, W_out, B), and per box, with the weight's box columns w_box:
//   out_box (C_out, box_pixels*B) = w_box (C_out, C_in*taps) @ im2col_box(x_t)
// Output pixels whose window lies wholly in the padding belong to no box: zero (+ bias).
void forward_by_boxes(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                      const Lowering& g, const std::vector<detail::TapBox>& boxes) {
  const int N = static_cast<int>(x.dim(0)), C_in = g.C, C_out = static_cast<int>(weight.dim(0));
  const int64_t in_plane = g.image_size(), out_plane = g.grid_size();
  const std::vector<int64_t> w_at = detail::box_weight_offsets(boxes, C_out, C_in);
  float* w_boxes = detail::scratch(3, w_at.back());  // per box (C_out, C_in*taps)
  detail::weight_boxes(w_boxes, weight.data(), C_out, g, boxes, w_at);
  int64_t box_pixels = 0;  // each grid position is in at most one box
  for (const detail::TapBox& box : boxes) box_pixels += box.pixels();
  const bool covered = box_pixels == out_plane;
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::box_chunk_samples(boxes, C_in, C_out, (N + T - 1) / T);
  detail::for_each_chunk(N, T, B, [&](int, int n0, int b, bool) {
    float* x_t = detail::scratch(0, C_in * in_plane * b);      // (C_in, H, W, b)
    float* out_t = detail::scratch(5, C_out * out_plane * b);  // (C_out, H_out, W_out, b)
    detail::to_batch_minor(x_t, x.data() + static_cast<int64_t>(n0) * C_in * in_plane, b, C_in,
                           in_plane);
    if (!covered) std::fill_n(out_t, C_out * out_plane * b, 0.0f);  // boxes assign their pixels
    for (size_t i = 0; i < boxes.size(); ++i) {
      const detail::TapBox& box = boxes[i];
      const int64_t box_rows = static_cast<int64_t>(C_in) * box.taps();
      const int width = static_cast<int>(box.pixels() * b);
      float* cols = detail::scratch(1, box_rows * width);  // (C_in*taps, box_pixels*b)
      float* out_box = detail::scratch(2, C_out * width);  // (C_out, box_pixels*b)
      detail::im2col_box(cols, x_t, b, g, box);
      detail::gemm(false, false, C_out, width, static_cast<int>(box_rows), 1.0f, w_boxes + w_at[i],
                   static_cast<int>(box_rows), cols, width, 0.0f, out_box, width);
      detail::scatter_box(out_t, out_box, b, C_out, g.W_grid, out_plane, box);
    }
    detail::from_batch_minor(out.data() + static_cast<int64_t>(n0) * C_out * out_plane, out_t, b,
                             C_out, out_plane, bias ? bias->data() : nullptr, /*add=*/false);
  });
}

// The backward of forward_by_boxes, box by box, with dout_box the box's pixels of dout:
//   dw_box (C_out, C_in*taps) += dout_box @ im2col_box(x_t)^T   (then onto dweight's columns)
//   dx_t += col2im_box(w_box^T @ dout_box)
void backward_by_boxes(Tensor* dx, Tensor* dweight, const Tensor& dout, const Tensor& x,
                       const Tensor& weight, const Lowering& g,
                       const std::vector<detail::TapBox>& boxes) {
  const int N = static_cast<int>(x.dim(0)), C_in = g.C, C_out = static_cast<int>(weight.dim(0));
  const int64_t in_plane = g.image_size(), out_plane = g.grid_size();
  const std::vector<int64_t> w_at = detail::box_weight_offsets(boxes, C_out, C_in);
  float* w_boxes = detail::scratch(3, w_at.back());  // per box (C_out, C_in*taps)
  if (dx) detail::weight_boxes(w_boxes, weight.data(), C_out, g, boxes, w_at);
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::box_chunk_samples(boxes, C_in, C_out, (N + T - 1) / T);
  detail::PartSums dw_sums(T, dweight ? w_at.back() : 0);  // each part's dw_boxes
  detail::for_each_chunk(N, T, B, [&](int t, int n0, int b, bool first) {
    // per box, the sum over part t's samples
    float* dw_boxes = dweight ? dw_sums.part(t) : nullptr;
    const detail::BackwardChunk chunk(dout.data(), x.data(), dweight != nullptr, n0, b, C_out,
                                      out_plane, C_in, in_plane);
    const float *dout_t = chunk.dout_t, *x_t = chunk.x_t;  // (C, H, W, b)
    float* dx_t = chunk.dx_t;
    if (dx) std::fill_n(dx_t, C_in * in_plane * b, 0.0f);
    for (size_t i = 0; i < boxes.size(); ++i) {
      const detail::TapBox& box = boxes[i];
      const int64_t box_rows = static_cast<int64_t>(C_in) * box.taps();
      const int width = static_cast<int>(box.pixels() * b);
      float* dout_box = detail::scratch(2, C_out * width);  // (C_out, box_pixels*b)
      float* cols = detail::scratch(1, box_rows * width);   // (C_in*taps, box_pixels*b)
      detail::gather_box(dout_box, dout_t, b, C_out, g.W_grid, out_plane, box);
      if (dweight) {
        detail::im2col_box(cols, x_t, b, g, box);
        detail::gemm(false, true, C_out, static_cast<int>(box_rows), width, 1.0f, dout_box, width,
                     cols, width, first ? 0.0f : 1.0f, dw_boxes + w_at[i],
                     static_cast<int>(box_rows));
      }
      if (dx) {
        detail::gemm(true, false, static_cast<int>(box_rows), width, C_out, 1.0f, w_boxes + w_at[i],
                     static_cast<int>(box_rows), dout_box, width, 0.0f, cols, width);
        detail::col2im_box_add(dx_t, cols, b, g, box);
      }
    }
    if (dx) chunk.add_dx(dx->data());
  });
  if (dweight) detail::add_weight_boxes(dweight->data(), dw_sums.parts(), C_out, g, boxes, w_at);
}

}  // namespace

void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p) {
  check_conv2d_args(x, weight, bias);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size =
      conv2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), {kH, kW}, p);
  if (&out == &x || &out == &weight || &out == bias) {  // writing out must not clobber an input
    Tensor result;
    conv2d_forward(result, x, weight, bias, p);
    out = std::move(result);
    return;
  }
  detail::ensure_blas_ready();
  const Lowering g = lowering(x, weight, size, p);
  const int N = static_cast<int>(x.dim(0)), C_in = g.C, C_out = static_cast<int>(weight.dim(0));
  const int64_t rows = g.rows(), in_plane = g.image_size(), out_plane = g.grid_size();
  // (N, C_out, H_out, W_out); both paths below write every value
  if (out.shape() != std::vector<int64_t>{N, C_out, size.h, size.w})
    out.resize({N, C_out, size.h, size.w});

  const std::vector<detail::TapBox> boxes = detail::tap_boxes(g);
  if (!boxes.empty()) {
    forward_by_boxes(out, x, weight, bias, g, boxes);
    return;
  }
  // Per chunk: cols, out_t.
  const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
  const int B = detail::chunk_samples(rows + C_out, out_plane, (N + T - 1) / T);
  detail::for_each_chunk(N, T, B, [&](int, int n0, int b, bool) {
    const int cols_width = static_cast<int>(b * out_plane);
    float* cols = detail::scratch(1, rows * b * out_plane);    // (C_in*kH*kW, b*H_out*W_out)
    float* out_t = detail::scratch(2, C_out * b * out_plane);  // (C_out, b*H_out*W_out)
    detail::im2col(cols, x.data() + static_cast<int64_t>(n0) * C_in * in_plane, b, g);
    detail::gemm(false, false, C_out, cols_width, static_cast<int>(rows), 1.0f, weight.data(),
                 static_cast<int>(rows), cols, cols_width, 0.0f, out_t, cols_width);
    detail::channels_to_batch(out.data() + static_cast<int64_t>(n0) * C_out * out_plane, out_t, b,
                              C_out, out_plane, bias ? bias->data() : nullptr,
                              /*add=*/false);
  });
}

void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p) {
  check_conv2d_args(x, weight, nullptr);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size =
      conv2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int C_out = static_cast<int>(weight.dim(0));
  check_shape(dout, {N, C_out, size.h, size.w}, "conv2d backward: grad_output",
              "[N, C_out, H_out, W_out]");
  prepare_grad(dx, x.shape(), "conv2d backward: grad_input", "[N, C_in, H, W]");
  prepare_grad(dweight, weight.shape(), "conv2d backward: grad_weight", "[C_out, C_in, kH, kW]");
  prepare_grad(dbias, {C_out}, "conv2d backward: grad_bias", "[C_out]");
  detail::ensure_blas_ready();

  const Lowering g = lowering(x, weight, size, p);
  const int64_t rows = g.rows(), in_plane = g.image_size(), out_plane = g.grid_size();
  const std::vector<detail::TapBox> boxes = detail::tap_boxes(g);
  if ((dx || dweight) && !boxes.empty()) {
    backward_by_boxes(dx, dweight, dout, x, weight, g, boxes);
  } else if (dx || dweight) {
    // Per chunk: cols, dout_t. One thread adds onto dweight directly; several keep their own sums.
    const int T = detail::sample_parts(N);  // 1 under CONVT_FAST_GEMM_THREADS=openblas
    const int B = detail::chunk_samples(rows + C_out, out_plane, (N + T - 1) / T);
    detail::PartSums dw_sums(T, dweight && T > 1 ? C_out * rows : 0);
    detail::for_each_chunk(N, T, B, [&](int t, int n0, int b, bool first) {
      const int cols_width = static_cast<int>(b * out_plane);
      float* dout_t = detail::scratch(2, C_out * b * out_plane);  // (C_out, b*H_out*W_out)
      float* cols = detail::scratch(1, rows * b * out_plane);     // (C_in*kH*kW, b*H_out*W_out)
      detail::batch_to_channels(dout_t, dout.data() + static_cast<int64_t>(n0) * C_out * out_plane,
                                b, C_out, out_plane);
      if (dweight) {
        // In the forward pass this was: out_t = weight @ cols
        // so now we have:               dweight (C_out, C_in*kH*kW) += dout_t @ cols^T
        float* dw = T > 1 ? dw_sums.part(t) : dweight->data();
        detail::im2col(cols, x.data() + static_cast<int64_t>(n0) * C_in * in_plane, b, g);
        detail::gemm(false, true, C_out, static_cast<int>(rows), cols_width, 1.0f, dout_t,
                     cols_width, cols, cols_width, T > 1 && first ? 0.0f : 1.0f, dw,
                     static_cast<int>(rows));
      }
      if (dx) {
        // ... and dcols (C_in*kH*kW, b*H_out*W_out) = weight^T @ dout_t, then dx += col2im(dcols):
        // the scatter of conv_transpose2d's forward pass, as in the naive kernels.
        detail::gemm(true, false, static_cast<int>(rows), cols_width, C_out, 1.0f, weight.data(),
                     static_cast<int>(rows), dout_t, cols_width, 0.0f, cols, cols_width);
        detail::col2im_add(dx->data() + static_cast<int64_t>(n0) * C_in * in_plane, cols, b, g);
      }
    });
    if (dweight && T > 1) detail::add_parts(dweight->data(), dw_sums.parts(), C_out * rows);
  }
  // out[n, oc, oy, ox] += bias[oc]  ->  dbias[oc] += sum of dout[n, oc, :, :]
  if (dbias) detail::add_bias_grad(dbias->data(), dout.data(), N, C_out, out_plane);
}

}  // namespace convt::fast
