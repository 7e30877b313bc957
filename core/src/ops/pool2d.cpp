// MaxPool2d and AvgPool2d, forward and backward, as plain loops.
//
// Legend: N batch, C channels, H/W height/width, K kernel_size, S stride, P padding, D dilation.
//
//   for n, c, oy, ox:                  // every output pixel
//     for ky, kx:                      // every tap of its window
//       iy = oy*S - P + ky*D
//       ix = ox*S - P + kx*D
//       max: out = the largest x[n, c, iy, ix] (padding is -inf: never picked); remember where
//       avg: out += x[n, c, iy, ix] / (kH*kW)     (padding counts as 0, as PyTorch's default)
//
// The max loop goes through the Recorder (convt/recorder.h) like the convolutions: each tap is
// one event (max_compare), a tap in the padding a cropped one; the stepper replays them.
#include "convt/ops/pool2d.h"

#include <limits>

namespace convt {

namespace {

OutSize pool_size(const Tensor& x, const Pool2dParams& p, const std::string& op) {
  check_shape(x, {-1, -1, -1, -1}, op + ": input", "[N, C, H, W]");
  const OutSize size =
      pool2d_out_size(static_cast<int>(x.dim(2)), static_cast<int>(x.dim(3)), p, op);
  check_output_elements(x.dim(0), x.dim(1), size, op);
  return size;
}

}  // namespace

template <class Recorder>
void max_pool2d_forward(Tensor& out, std::vector<int64_t>* argmax, const Tensor& x,
                        const Pool2dParams& p, Recorder& rec) {
  const OutSize size = pool_size(x, p, "max_pool2d");
  const int N = static_cast<int>(x.dim(0)), C = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const int kH = p.kernel_size.h, kW = p.kernel_size.w;
  if constexpr (Recorder::kRecords) {
    rec.begin({TraceKind::kMaxPool, "max_pool2d", N, C, H, W, C, kH, kW, size.h, size.w,
               p.stride, p.padding, p.dilation},
              x, Tensor());
  }
  Tensor result({N, C, size.h, size.w});  // (N, C, H_out, W_out)
  std::vector<int64_t> picked(static_cast<size_t>(result.numel()));
  int64_t o = 0;  // flat index of (n, c, oy, ox)
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int oy = 0; oy < size.h; ++oy)
        for (int ox = 0; ox < size.w; ++ox, ++o) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t best_at = -1;  // none yet
          for (int ky = 0; ky < kH; ++ky)
            for (int kx = 0; kx < kW; ++kx) {
              const int iy = oy * p.stride.h - p.padding.h + ky * p.dilation.h;
              const int ix = ox * p.stride.w - p.padding.w + kx * p.dilation.w;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
                cropped_event(rec, best);  // the padding: -inf, never picked
                continue;
              }
              max_compare(rec, best, best_at, x.at(n, c, iy, ix),
                          static_cast<int64_t>(iy) * W + ix);
            }
          result[o] = best;
          picked[static_cast<size_t>(o)] = best_at;
        }
  out = std::move(result);
  if (argmax) *argmax = std::move(picked);
}

void max_pool2d_forward(Tensor& out, std::vector<int64_t>* argmax, const Tensor& x,
                        const Pool2dParams& p) {
  NoRecorder rec;
  max_pool2d_forward(out, argmax, x, p, rec);
}

void max_pool2d_backward(Tensor& dx, const Tensor& dout, const std::vector<int64_t>& argmax,
                         const std::vector<int64_t>& x_shape) {
  if (dx.empty()) dx.resize(x_shape);
  check_shape(dx, x_shape, "max_pool2d backward: grad_input", "[N, C, H, W]");
  check_shape(dout, {x_shape[0], x_shape[1], -1, -1}, "max_pool2d backward: grad_output",
              "[N, C, H_out, W_out]");
  if (static_cast<int64_t>(argmax.size()) != dout.numel()) {
    throw std::invalid_argument("max_pool2d backward: expected " + std::to_string(dout.numel()) +
                                " argmax indices (one per output cell), found " +
                                std::to_string(argmax.size()));
  }
  // In the forward pass this was: out[n, c, oy, ox] = x[n, c, argmax]
  // so now we have:               dx[n, c, argmax] += dout[n, c, oy, ox]   (the others get 0)
  const int64_t plane_in = x_shape[2] * x_shape[3];
  const int64_t plane_out = dout.dim(2) * dout.dim(3);
  NoRecorder none;
  for (int64_t o = 0; o < dout.numel(); ++o) {
    const int64_t picked = argmax[static_cast<size_t>(o)];
    if (picked < 0) continue;  // a window all in the padding: its -inf depends on no input
    const int64_t nc = o / plane_out;
    multiply_add(none, dx[nc * plane_in + picked], dout[o], 1.0f);
  }
}

void avg_pool2d_forward(Tensor& out, const Tensor& x, const Pool2dParams& p) {
  if (!(p.dilation == Pair(1, 1))) {
    throw std::invalid_argument("avg_pool2d: dilation must be 1 (PyTorch's AvgPool2d has none), "
                                "found (" + std::to_string(p.dilation.h) + ", " +
                                std::to_string(p.dilation.w) + ")");
  }
  const OutSize size = pool_size(x, p, "avg_pool2d");
  const int N = static_cast<int>(x.dim(0)), C = static_cast<int>(x.dim(1));
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  const float inv_count = 1.0f / static_cast<float>(p.kernel_size.h * p.kernel_size.w);
  Tensor result({N, C, size.h, size.w});  // (N, C, H_out, W_out)
  NoRecorder none;
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int oy = 0; oy < size.h; ++oy)
        for (int ox = 0; ox < size.w; ++ox) {
          float* cell = &result.at(n, c, oy, ox);
          for (int ky = 0; ky < p.kernel_size.h; ++ky) {
            const int iy = oy * p.stride.h - p.padding.h + ky;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < p.kernel_size.w; ++kx) {
              const int ix = ox * p.stride.w - p.padding.w + kx;
              if (ix < 0 || ix >= W) continue;
              multiply_add(none, *cell, x.at(n, c, iy, ix), inv_count);
            }
          }
        }
  out = std::move(result);
}

void avg_pool2d_backward(Tensor& dx, const Tensor& dout, const std::vector<int64_t>& x_shape,
                         const Pool2dParams& p) {
  if (dx.empty()) dx.resize(x_shape);
  check_shape(dx, x_shape, "avg_pool2d backward: grad_input", "[N, C, H, W]");
  const int N = static_cast<int>(x_shape[0]), C = static_cast<int>(x_shape[1]);
  const int H = static_cast<int>(x_shape[2]), W = static_cast<int>(x_shape[3]);
  const OutSize size = pool2d_out_size(H, W, p, "avg_pool2d");
  check_shape(dout, {N, C, size.h, size.w}, "avg_pool2d backward: grad_output",
              "[N, C, H_out, W_out]");
  const float inv_count = 1.0f / static_cast<float>(p.kernel_size.h * p.kernel_size.w);
  // In the forward pass this was: out[n, c, oy, ox] += x[n, c, iy, ix] / (kH*kW)
  // so now we have:               dx[n, c, iy, ix]  += dout[n, c, oy, ox] / (kH*kW)
  NoRecorder none;
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int oy = 0; oy < size.h; ++oy)
        for (int ox = 0; ox < size.w; ++ox)
          for (int ky = 0; ky < p.kernel_size.h; ++ky) {
            const int iy = oy * p.stride.h - p.padding.h + ky;
            if (iy < 0 || iy >= H) continue;
            for (int kx = 0; kx < p.kernel_size.w; ++kx) {
              const int ix = ox * p.stride.w - p.padding.w + kx;
              if (ix < 0 || ix >= W) continue;
              multiply_add(none, dx.at(n, c, iy, ix), dout.at(n, c, oy, ox), inv_count);
            }
          }
}

// The recorders the project uses.
template void max_pool2d_forward(Tensor&, std::vector<int64_t>*, const Tensor&,
                                 const Pool2dParams&, NoRecorder&);
template void max_pool2d_forward(Tensor&, std::vector<int64_t>*, const Tensor&,
                                 const Pool2dParams&, TraceRecorder&);

}  // namespace convt
