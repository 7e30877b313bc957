// ConvTranspose2d forward and backward, as plain loops.
//
// Legend: N batch, C_in/C_out channels, H/W height/width, kH/kW kernel, S stride, P padding,
//         A output_padding, D dilation.
//
// Forward is a scatter: each input pixel x[n, ic, iy, ix] stamps a copy of the kernel, scaled by
// its value, onto the output, with its top-left corner at (iy*S - P, ix*S - P):
//
//   for n, ic, iy, ix:                      // every input pixel
//     for oc, ky, kx:                       // every weight it meets
//       oy = iy*S - P + ky*D                // where it lands
//       ox = ix*S - P + kx*D
//       if oy, ox inside the output:
//         out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[ic, oc, ky, kx]
//
// Writes that land outside [0, H_out) x [0, W_out) are the border padding crops away: they are
// still events (the stepper shows them greyed) but add nothing. scatter_add_loop is that loop,
// line for line; it is the one a TraceRecorder records. Without a recorder,
// scatter_add_clipped runs instead: the same loop with the ky, kx ranges cut to the taps that
// land inside (taps_inside), so it never visits a cropped tap. Every output cell receives the
// same adds in the same order, so the same numbers (a test holds them equal), about 2x faster
// on the GAN's first layer (core/bench/bench_fast_ops).
//
// This scatter is also conv2d's backward pass for its input: dL/dx of y = conv2d(x, w) is
// conv_transpose2d(dL/dy, w). conv2d_backward calls the same two functions to compute it.
#include "convt/ops/conv_transpose2d.h"

#include <algorithm>

#include "convt/ops/conv2d.h"

namespace convt {

namespace {

void check_conv_transpose2d_args(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_shape(x, {-1, -1, -1, -1}, "conv_transpose2d: input", "[N, C_in, H, W]");
  check_shape(weight, {x.dim(1), -1, -1, -1}, "conv_transpose2d: weight",
              "[C_in, C_out, kH, kW] (input has C_in = " + std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(1)}, "conv_transpose2d: bias", "[C_out]");
}

// The kernel taps k in [0, K) whose write o = i*S - P + k*D lands inside [0, size_out), as
// [begin, end): for the first k, o >= 0 <=> k >= ceil((P - i*S) / D); for the last,
// o <= size_out - 1 <=> k <= floor((size_out - 1 - i*S + P) / D).
struct TapRange {
  int begin = 0, end = 0;
};
TapRange taps_inside(int i, int S, int P, int D, int K, int size_out) {
  const int o0 = i * S - P;  // where tap 0 lands
  int begin = o0 >= 0 ? 0 : (-o0 + D - 1) / D;
  const int last = size_out - 1 - o0;
  int end = last < 0 ? 0 : last / D + 1;
  begin = std::min(begin, K);
  end = std::clamp(end, begin, K);
  return {begin, end};
}

}  // namespace

template <class Recorder>
void scatter_add_loop(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride, Pair padding,
                      Pair dilation, const char* op, Recorder& rec) {
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int C_out = static_cast<int>(weight.dim(1));
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const int H_out = static_cast<int>(out.dim(2)), W_out = static_cast<int>(out.dim(3));
  if constexpr (Recorder::kRecords) {
    rec.begin({TraceKind::kScatter, op, N, C_in, H, W, C_out, kH, kW, H_out, W_out, stride, padding,
               dilation},
              x, weight);
  }
  for (int n = 0; n < N; ++n)
    for (int ic = 0; ic < C_in; ++ic)
      for (int iy = 0; iy < H; ++iy)
        for (int ix = 0; ix < W; ++ix)
          for (int oc = 0; oc < C_out; ++oc)
            for (int ky = 0; ky < kH; ++ky)
              for (int kx = 0; kx < kW; ++kx) {
                const int oy = iy * stride.h - padding.h + ky * dilation.h;
                const int ox = ix * stride.w - padding.w + kx * dilation.w;
                if (oy < 0 || oy >= H_out || ox < 0 || ox >= W_out) {
                  cropped_event(rec);  // written, then cut away by padding: adds nothing
                  continue;
                }
                multiply_add(rec, out.at(n, oc, oy, ox), x.at(n, ic, iy, ix),
                             weight.at(ic, oc, ky, kx));
              }
}

void scatter_add_clipped(Tensor& out, const Tensor& x, const Tensor& weight, Pair stride,
                         Pair padding, Pair dilation) {
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int C_out = static_cast<int>(weight.dim(1));
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const int H_out = static_cast<int>(out.dim(2)), W_out = static_cast<int>(out.dim(3));
  const float* xp = x.data();       // (N, C_in, H, W)
  const float* wp = weight.data();  // (C_in, C_out, kH, kW)
  float* outp = out.data();         // (N, C_out, H_out, W_out)
  NoRecorder none;
  for (int n = 0; n < N; ++n) {
    for (int ic = 0; ic < C_in; ++ic) {
      for (int iy = 0; iy < H; ++iy) {
        const TapRange ky_range = taps_inside(iy, stride.h, padding.h, dilation.h, kH, H_out);
        for (int ix = 0; ix < W; ++ix) {
          const TapRange kx_range = taps_inside(ix, stride.w, padding.w, dilation.w, kW, W_out);
          const float xv = xp[((n * C_in + ic) * H + iy) * W + ix];
          for (int oc = 0; oc < C_out; ++oc) {
            const float* w_k = wp + (ic * C_out + oc) * kH * kW;  // kernel (ic, oc): (kH, kW)
            float* out_plane = outp + (n * C_out + oc) * H_out * W_out;
            for (int ky = ky_range.begin; ky < ky_range.end; ++ky) {
              const int oy = iy * stride.h - padding.h + ky * dilation.h;
              for (int kx = kx_range.begin; kx < kx_range.end; ++kx) {
                const int ox = ix * stride.w - padding.w + kx * dilation.w;
                multiply_add(none, out_plane[oy * W_out + ox], xv, w_k[ky * kW + kx]);
              }
            }
          }
        }
      }
    }
  }
}

template <class Recorder>
void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight,
                              const Tensor* bias, const ConvTranspose2dParams& p, Recorder& rec) {
  check_conv_transpose2d_args(x, weight, bias);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size = conv_transpose2d_out_size(static_cast<int>(x.dim(2)),
                                                 static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int64_t N = x.dim(0), C_out = weight.dim(1);
  check_output_elements(N, C_out, size, "conv_transpose2d");
  Tensor result({N, C_out, size.h, size.w});  // (N, C_out, H_out, W_out)
  if (bias) {
    const int64_t plane = static_cast<int64_t>(size.h) * size.w;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oc = 0; oc < C_out; ++oc)
        for (int64_t i = 0; i < plane; ++i) result[(n * C_out + oc) * plane + i] = (*bias)[oc];
  }
  if constexpr (Recorder::kRecords) {
    scatter_add_loop(result, x, weight, p.stride, p.padding, p.dilation, "conv_transpose2d", rec);
  } else {
    scatter_add_clipped(result, x, weight, p.stride, p.padding, p.dilation);
  }
  out = std::move(result);
}

void conv_transpose2d_forward(Tensor& out, const Tensor& x, const Tensor& weight,
                              const Tensor* bias, const ConvTranspose2dParams& p) {
  NoRecorder rec;
  conv_transpose2d_forward(out, x, weight, bias, p, rec);
}

template <class Recorder>
void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p, Recorder& rec) {
  check_conv_transpose2d_args(x, weight, nullptr);
  const int kH = static_cast<int>(weight.dim(2)), kW = static_cast<int>(weight.dim(3));
  const OutSize size = conv_transpose2d_out_size(static_cast<int>(x.dim(2)),
                                                 static_cast<int>(x.dim(3)), {kH, kW}, p);
  const int N = static_cast<int>(x.dim(0)), C_in = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int C_out = static_cast<int>(weight.dim(1));
  const int H_out = size.h, W_out = size.w;
  check_shape(dout, {N, C_out, H_out, W_out}, "conv_transpose2d backward: grad_output",
              "[N, C_out, H_out, W_out]");

  if (dx) {
    // In the forward pass this was: out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[ic, oc, ky, kx]
    // so now we have:               dx[n, ic, iy, ix]  += dout[n, oc, oy, ox] * w[ic, oc, ky, kx]
    // summed over (oc, ky, kx): a conv2d (gather) of dout with the same weight tensor, read in
    // Conv2d's layout (C_out_of_conv = C_in, C_in_of_conv = C_out).
    prepare_grad(dx, x.shape(), "conv_transpose2d backward: grad_input", "[N, C_in, H, W]");
    gather_add_loop(*dx, dout, weight, p.stride, p.padding, p.dilation,
                    "conv_transpose2d_backward_data", rec);
  }
  if (dweight) {
    // dw[ic, oc, ky, kx] += x[n, ic, iy, ix] * dout[n, oc, oy, ox], over every (n, iy, ix)
    // whose write landed inside the output.
    prepare_grad(dweight, weight.shape(), "conv_transpose2d backward: grad_weight",
                 "[C_in, C_out, kH, kW]");
    NoRecorder none;
    for (int n = 0; n < N; ++n)
      for (int ic = 0; ic < C_in; ++ic)
        for (int iy = 0; iy < H; ++iy)
          for (int ix = 0; ix < W; ++ix) {
            const float xv = x.at(n, ic, iy, ix);
            for (int oc = 0; oc < C_out; ++oc)
              for (int ky = 0; ky < kH; ++ky) {
                const int oy = iy * p.stride.h - p.padding.h + ky * p.dilation.h;
                if (oy < 0 || oy >= H_out) continue;
                for (int kx = 0; kx < kW; ++kx) {
                  const int ox = ix * p.stride.w - p.padding.w + kx * p.dilation.w;
                  if (ox < 0 || ox >= W_out) continue;
                  multiply_add(none, dweight->at(ic, oc, ky, kx), xv, dout.at(n, oc, oy, ox));
                }
              }
          }
  }
  if (dbias) {
    // out[n, oc, oy, ox] += bias[oc]  ->  dbias[oc] += sum of dout[n, oc, :, :]
    prepare_grad(dbias, {C_out}, "conv_transpose2d backward: grad_bias", "[C_out]");
    for (int n = 0; n < N; ++n)
      for (int oc = 0; oc < C_out; ++oc)
        for (int oy = 0; oy < H_out; ++oy)
          for (int ox = 0; ox < W_out; ++ox) (*dbias)[oc] += dout.at(n, oc, oy, ox);
  }
}

void conv_transpose2d_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                               const Tensor& x, const Tensor& weight,
                               const ConvTranspose2dParams& p) {
  NoRecorder rec;
  conv_transpose2d_backward(dx, dweight, dbias, dout, x, weight, p, rec);
}

// The recorders the project uses.
template void scatter_add_loop(Tensor&, const Tensor&, const Tensor&, Pair, Pair, Pair, const char*,
                               NoRecorder&);
template void scatter_add_loop(Tensor&, const Tensor&, const Tensor&, Pair, Pair, Pair, const char*,
                               TraceRecorder&);
template void conv_transpose2d_forward(Tensor&, const Tensor&, const Tensor&, const Tensor*,
                                       const ConvTranspose2dParams&, NoRecorder&);
template void conv_transpose2d_forward(Tensor&, const Tensor&, const Tensor&, const Tensor*,
                                       const ConvTranspose2dParams&, TraceRecorder&);
template void conv_transpose2d_backward(Tensor*, Tensor*, Tensor*, const Tensor&, const Tensor&,
                                        const Tensor&, const ConvTranspose2dParams&, NoRecorder&);
template void conv_transpose2d_backward(Tensor*, Tensor*, Tensor*, const Tensor&, const Tensor&,
                                        const Tensor&, const ConvTranspose2dParams&,
                                        TraceRecorder&);

}  // namespace convt
