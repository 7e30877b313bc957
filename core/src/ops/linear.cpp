// Linear forward and backward, as plain loops.
//
// Legend: N batch, I in_features, O out_features.
#include "convt/ops/linear.h"

namespace convt {

void check_linear_args(const Tensor& x, const Tensor& weight, const Tensor* bias, const char* op) {
  check_shape(x, {-1, -1}, std::string(op) + ": input", "[N, in_features]");
  check_shape(
      weight, {-1, x.dim(1)}, std::string(op) + ": weight",
      "[out_features, in_features] (input has in_features = " + std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(0)}, std::string(op) + ": bias", "[out_features]");
}

void linear_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_linear_args(x, weight, bias, "linear_forward");
  const int64_t N = x.dim(0), I = x.dim(1), O = weight.dim(0);
  out.resize({N, O});
  const float* xp = x.data();       // (N, I)
  const float* wp = weight.data();  // (O, I)
  float* op = out.data();           // (N, O)
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t o = 0; o < O; ++o) {
      float acc = bias ? (*bias)[o] : 0.0f;
      for (int64_t i = 0; i < I; ++i) acc += xp[n * I + i] * wp[o * I + i];
      op[n * O + o] = acc;
    }
  }
}

void linear_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight) {
  check_linear_args(x, weight, nullptr, "linear_backward");
  const int64_t N = x.dim(0), I = x.dim(1), O = weight.dim(0);
  check_shape(dout, {N, O}, "linear_backward: dout", "[N, out_features]");
  prepare_grad(dx, {N, I}, "linear_backward: dx");
  prepare_grad(dweight, {O, I}, "linear_backward: dweight");
  prepare_grad(dbias, {O}, "linear_backward: dbias");
  const float* xp = x.data();       // (N, I)
  const float* wp = weight.data();  // (O, I)
  const float* gp = dout.data();    // (N, O)
  // forward was: out[n, o] += x[n, i] * weight[o, i]
  // so: dx[n, i] += dout[n, o] * weight[o, i];  dweight[o, i] += dout[n, o] * x[n, i]
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t o = 0; o < O; ++o) {
      const float g = gp[n * O + o];
      if (dbias) (*dbias)[o] += g;
      if (dx) {
        float* dxp = dx->data() + n * I;
        for (int64_t i = 0; i < I; ++i) dxp[i] += g * wp[o * I + i];
      }
      if (dweight) {
        float* dwp = dweight->data() + o * I;
        for (int64_t i = 0; i < I; ++i) dwp[i] += g * xp[n * I + i];
      }
    }
  }
}

}  // namespace convt
