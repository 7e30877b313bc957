// Nearest-neighbour upsampling forward and backward.
// Legend: N batch, C channels, H/W input size, sh/sw scale factors.
#include "convt/ops/upsample.h"

#include <stdexcept>

namespace convt {

void upsample_nearest_forward(Tensor& out, const Tensor& x, Pair s) {
  check_shape(x, {-1, -1, -1, -1}, "upsample_nearest_forward: input", "[N, C, H, W]");
  if (s.h < 1 || s.w < 1) {
    throw std::invalid_argument("upsample_nearest_forward: expected scale_factor >= 1, found (" +
                                std::to_string(s.h) + ", " + std::to_string(s.w) + ")");
  }
  const int64_t NC = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t H_out = H * s.h, W_out = W * s.w;
  out.resize({x.dim(0), x.dim(1), H_out, W_out});
  for (int64_t p = 0; p < NC; ++p) {
    for (int64_t y = 0; y < H_out; ++y) {
      for (int64_t xo = 0; xo < W_out; ++xo) {
        out[(p * H_out + y) * W_out + xo] = x[(p * H + y / s.h) * W + xo / s.w];
      }
    }
  }
}

void upsample_nearest_backward(Tensor& dx, const Tensor& dout, Pair s) {
  check_shape(dout, {-1, -1, -1, -1}, "upsample_nearest_backward: dout", "[N, C, H_out, W_out]");
  const int64_t H_out = dout.dim(2), W_out = dout.dim(3);
  if (s.h < 1 || s.w < 1 || H_out % s.h != 0 || W_out % s.w != 0) {
    throw std::invalid_argument("upsample_nearest_backward: dout " + dout.shape_str() +
                                " is not a multiple of the scale factor");
  }
  const int64_t H = H_out / s.h, W = W_out / s.w, NC = dout.dim(0) * dout.dim(1);
  if (dx.empty()) dx.resize({dout.dim(0), dout.dim(1), H, W});
  check_shape(dx, {dout.dim(0), dout.dim(1), H, W}, "upsample_nearest_backward: dx");
  // forward was: out[y, x] = x[y / sh, x / sw], so each input gathers its block's gradients
  for (int64_t p = 0; p < NC; ++p) {
    for (int64_t y = 0; y < H_out; ++y) {
      for (int64_t xo = 0; xo < W_out; ++xo) {
        dx[(p * H + y / s.h) * W + xo / s.w] += dout[(p * H_out + y) * W_out + xo];
      }
    }
  }
}

}  // namespace convt
