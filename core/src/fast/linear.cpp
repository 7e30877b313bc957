// Linear forward and backward as single GEMMs (OpenBLAS). Same semantics, checks and messages as
// the naive kernels (core/src/ops/linear.cpp), which remain the reference.
//
// Legend: N batch, I in_features, O out_features.
//   x (N, I), weight (O, I), bias (O), out (N, O)
#include <algorithm>

#include "convt/fast/fast_ops.h"
#include "fast/blas.h"

namespace convt::fast {

namespace {

void check_linear_args(const Tensor& x, const Tensor& weight, const Tensor* bias, const char* op) {
  check_shape(x, {-1, -1}, std::string(op) + ": input", "[N, in_features]");
  check_shape(weight, {-1, x.dim(1)}, std::string(op) + ": weight",
              "[out_features, in_features] (input has in_features = " +
                  std::to_string(x.dim(1)) + ")");
  if (bias) check_shape(*bias, {weight.dim(0)}, std::string(op) + ": bias", "[out_features]");
}

void prepare(Tensor* t, const std::vector<int64_t>& shape, const std::string& name) {
  if (!t) return;
  if (t->empty()) t->resize(shape);
  check_shape(*t, shape, name);
}

}  // namespace

void linear_forward(Tensor& out, const Tensor& x, const Tensor& weight, const Tensor* bias) {
  check_linear_args(x, weight, bias, "linear_forward");
  if (&out == &x || &out == &weight || &out == bias) {  // writing out must not clobber an input
    Tensor result;
    linear_forward(result, x, weight, bias);
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
  prepare(dx, {N, I}, "linear_backward: dx");
  prepare(dweight, {O, I}, "linear_backward: dweight");
  prepare(dbias, {O}, "linear_backward: dbias");
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
    detail::gemm(true, false, O, I, N, 1.0f, dout.data(), O, x.data(), I, 1.0f, dweight->data(),
                 I);
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
