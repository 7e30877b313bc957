// Conv2d forward and backward, as plain loops.
//
// Legend: N batch, C_in/C_out channels, H/W height/width, kH/kW kernel, S stride, P padding,
//         D dilation.
//
// Forward is a gather: a window slides over the zero-padded input; at each output position it
// multiplies what it covers by the kernel and sums:
//
//   for n, oc, oy, ox:                      // every output pixel
//     for ic, ky, kx:                       // every weight of its window
//       iy = oy*S - P + ky*D                // the input pixel under it
//       ix = ox*S - P + kx*D
//       if iy, ix inside the input:
//         out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[oc, ic, ky, kx]
//
// Taps that fall in the padding read zero: they are still events (cropped), adding nothing.
// gather_add_loop is that loop, line for line, recorded or not.
// The backward pass for the input is the scatter of conv_transpose2d (see conv2d_backward).
#include "convt/ops/conv2d.h"

#include "convt/ops/conv_transpose2d.h"

namespace convt {

namespace {

void check_conv2d_args(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_shape(x, {-1, -1, -1, -1}, "conv2d: input", "[N, C_in, H, W]");
  check_shape(weight, {-1, x.dim(1), -1, -1}, "conv2d: weight",
              "[C_out, C_in, kH, kW] (input has C_in = " + std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(0)}, "conv2d: bias", "[C_out]");
}

}  // namespace

template <class Recorder>
void gather_add_loop(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride, Pair padding,
                     Pair dilation, const char* op, Recorder& rec) {
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int C_out = static_cast<int>(weight.dim(0));
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const int H_out = static_cast<int>(out.dim(2)), W_out = static_cast<int>(out.dim(3));
  if constexpr (Recorder::kRecords) {
    rec.begin({TraceKind::kGather, op, N, C_in, H, W, C_out, kH, kW, H_out, W_out, stride, padding,
               dilation},
              x, weight);
  }
  for (int n = 0; n < N; ++n)
    for (int oc = 0; oc < C_out; ++oc)
      for (int oy = 0; oy < H_out; ++oy)
        for (int ox = 0; ox < W_out; ++ox)
          for (int ic = 0; ic < C_in; ++ic)
            for (int ky = 0; ky < kH; ++ky)
              for (int kx = 0; kx < kW; ++kx) {
                const int iy = oy * stride.h - padding.h + ky * dilation.h;
                const int ix = ox * stride.w - padding.w + kx * dilation.w;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                  cropped_event(rec);  // reads the zero padding: adds nothing
                  continue;
                }
                multiply_add(rec, out.at(n, oc, oy, ox), x.at(n, ic, iy, ix),
                             weight.at(oc, ic, ky, kx));
              }
}

template <class Recorder>
void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p, Recorder& rec) {
  check_conv2d_args(x, weight, bias);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size =
      conv2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int64_t N = x.dim(0), C_out = weight.dim(0);
  check_output_elements(N, C_out, size, "conv2d");
  Tensor result({N, C_out, size.h, size.w});  // (N, C_out, H_out, W_out)
  if (bias) {
    const int64_t plane = static_cast<int64_t>(size.h) * size.w;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oc = 0; oc < C_out; ++oc)
        for (int64_t i = 0; i < plane; ++i) result[(n * C_out + oc) * plane + i] = (*bias)[oc];
  }
  gather_add_loop(result, x, weight, p.stride, p.padding, p.dilation, "conv2d", rec);
  out = std::move(result);
}

void conv2d_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias,
                    const Conv2dParams& p) {
  NoRecorder rec;
  conv2d_forward(out, x, weight, bias, p, rec);
}

template <class Recorder>
void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p, Recorder& rec) {
  check_conv2d_args(x, weight, nullptr);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size =
      conv2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int C_out = static_cast<int>(weight.dim(0));
  const int H_out = size.h, W_out = size.w;
  check_shape(dout, {N, C_out, H_out, W_out}, "conv2d backward: grad_output",
              "[N, C_out, H_out, W_out]");

  if (dx) {
    // In the forward pass this was: out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[oc, ic, ky, kx]
    // so now we have:               dx[n, ic, iy, ix]  += dout[n, oc, oy, ox] * w[oc, ic, ky, kx]
    // for every (oc, oy, ox, ky, kx): each dout pixel stamps the kernel back onto dx. That is
    // conv_transpose2d's forward scatter, run on dout with this very weight tensor (its
    // (C_out, C_in, kH, kW) layout is ConvTranspose2d's (C_in, C_out, kH, kW) seen from dout).
    prepare_grad(dx, x.shape(), "conv2d backward: grad_input", "[N, C_in, H, W]");
    if constexpr (Recorder::kRecords) {
      scatter_add_loop(*dx, dout, weight, p.stride, p.padding, p.dilation, "conv2d_backward_data",
                       rec);
    } else {
      scatter_add_clipped(*dx, dout, weight, p.stride, p.padding, p.dilation);
    }
  }
  if (dweight) {
    // dw[oc, ic, ky, kx] += dout[n, oc, oy, ox] * x[n, ic, iy, ix], over every (n, oy, ox)
    // whose tap was inside the input.
    prepare_grad(dweight, weight.shape(), "conv2d backward: grad_weight", "[C_out, C_in, kH, kW]");
    NoRecorder none;
    for (int n = 0; n < N; ++n)
      for (int oc = 0; oc < C_out; ++oc)
        for (int oy = 0; oy < H_out; ++oy)
          for (int ox = 0; ox < W_out; ++ox) {
            const float g = dout.at(n, oc, oy, ox);
            for (int ic = 0; ic < C_in; ++ic)
              for (int ky = 0; ky < kH; ++ky) {
                const int iy = oy * p.stride.h - p.padding.h + ky * p.dilation.h;
                if (iy < 0 || iy >= H) continue;
                for (int kx = 0; kx < kW; ++kx) {
                  const int ix = ox * p.stride.w - p.padding.w + kx * p.dilation.w;
                  if (ix < 0 || ix >= W) continue;
                  multiply_add(none, dweight->at(oc, ic, ky, kx), g, x.at(n, ic, iy, ix));
                }
              }
          }
  }
  if (dbias) {
    // out[n, oc, oy, ox] += bias[oc]  ->  dbias[oc] += sum of dout[n, oc, :, :]
    prepare_grad(dbias, {C_out}, "conv2d backward: grad_bias", "[C_out]");
    for (int n = 0; n < N; ++n)
      for (int oc = 0; oc < C_out; ++oc)
        for (int oy = 0; oy < H_out; ++oy)
          for (int ox = 0; ox < W_out; ++ox) (*dbias)[oc] += dout.at(n, oc, oy, ox);
  }
}

void conv2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight, const Conv2dParams& p) {
  NoRecorder rec;
  conv2d_backward(dx, dweight, dbias, dout, x, weight, p, rec);
}

// The recorders the project uses.
template void gather_add_loop(Tensor&, const Tensor&, const Tensor&, Pair, Pair, Pair, const char*,
                              NoRecorder&);
template void gather_add_loop(Tensor&, const Tensor&, const Tensor&, Pair, Pair, Pair, const char*,
                              TraceRecorder&);
template void conv2d_forward(Tensor&, const Tensor&, const Tensor&, const Tensor*,
                             const Conv2dParams&, NoRecorder&);
template void conv2d_forward(Tensor&, const Tensor&, const Tensor&, const Tensor*,
                             const Conv2dParams&, TraceRecorder&);
template void conv2d_backward(Tensor*, Tensor*, Tensor*, const Tensor&, const Tensor&,
                              const Tensor&, const Conv2dParams&, NoRecorder&);
template void conv2d_backward(Tensor*, Tensor*, Tensor*, const Tensor&, const Tensor&,
                              const Tensor&, const Conv2dParams&, TraceRecorder&);

}  // namespace convt
