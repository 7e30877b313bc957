// Linear forward and backward as single GEMMs (OpenBLAS). Same semantics, checks and messages as
// the naive kernels (core/src/ops/linear.cpp), which remain the reference.
//
// Legend: N batch, I in_features, O out_features.
//   x (N, I), weight (O, I), bias (O), out (N, O)
#include "convt/ops/linear.h"  // check_linear_args

#include <algorithm>

#include "convt/fast/fast_ops.h"
#include "fast/blas.h"

namespace convt::fast {

void linear_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_linear_args(x, weight, bias, "linear_forward");
  if (&out == &x || &out == &weight || &out == bias) {  // writing out must not clobber an input
    Tensor result;
    fast::linear_forward(result, x, weight, bias);
    out = std::move(result);
    return;
  }
  detail::ensure_blas_ready();
  const int N = static_cast<int>(x.dim(0)), I = static_cast<int>(x.dim(1));
  const int O = static_cast<int>(weight.dim(0));
  out.resize({N, O});  // (N, O)
  if (bias) {
    for (int n = 0; n < N; ++n) std::copy_n(bias->data(), O, out.data() + int64_t{n} * O);
  }
  // out (N, O) = x (N, I) @ weight^T (I, O) + out
  detail::gemm(false, true, N, O, I, 1.0f, x.data(), I, weight.data(), I, bias ? 1.0f : 0.0f,
               out.data(), O);
}

void linear_backward(Tensor* dx, Tensor* dweight, Tensor* dbias, const Tensor& dout,
                     const Tensor& x, const Tensor& weight) {
  check_linear_args(x, weight, nullptr, "linear_backward");
  const int N = static_cast<int>(x.dim(0)), I = static_cast<int>(x.dim(1));
  const int O = static_cast<int>(weight.dim(0));
  check_shape(dout, {N, O}, "linear_backward: dout", "[N, out_features]");
  prepare_grad(dx, {N, I}, "linear_backward: dx");
  prepare_grad(dweight, {O, I}, "linear_backward: dweight");
  prepare_grad(dbias, {O}, "linear_backward: dbias");
  detail::ensure_blas_ready();
  // forward was: out (N, O) = x (N, I) @ weight^T (I, O)
  // so:          dx (N, I) += dout (N, O) @ weight (O, I)
  //              dweight (O, I) += dout^T (O, N) @ x (N, I)
  //              dbias (O) += column sums of dout
  if (dx) {
    detail::gemm(false, false, N, I, O, 1.0f, dout.data(), O, weight.data(), I, 1.0f, dx->data(),
                 I);
  }
  if (dweight) {
    detail::gemm(true, false, O, I, N, 1.0f, dout.data(), O, x.data(), I, 1.0f, dweight->data(), I);
  }
  if (dbias) {
    // The naive order: for n, for o: dbias[o] += dout[n, o].
    float* db = dbias->data();
    for (int n = 0; n < N; ++n) {
      const float* row = dout.data() + int64_t{n} * O;
      for (int o = 0; o < O; ++o) db[o] += row[o];
    }
  }
}

}  // namespace convt::fast
