// Layers that move values without arithmetic: Reshape, Flatten, MaxPool2d, Upsample.
#include <algorithm>
#include <sstream>

#include "convt/nn/layers.h"
#include "convt/ops/pool2d.h"
#include "convt/ops/upsample.h"
#include "grad_buffer.h"

namespace convt::nn {

namespace {

int64_t product(const std::vector<int64_t>& s) {
  int64_t p = 1;
  for (int64_t d : s) p *= d;
  return p;
}

std::vector<int64_t> with_batch(int64_t n, const std::vector<int64_t>& per_sample) {
  std::vector<int64_t> s{n};
  s.insert(s.end(), per_sample.begin(), per_sample.end());
  return s;
}

// out = x's values with `shape`, reusing out's storage (no allocation once sizes settle).
void copy_with_shape(Tensor& out, const Tensor& x, const std::vector<int64_t>& shape) {
  if (out.shape() != shape) out.resize(shape);  // every value is written below
  check_shape(out, shape, "reshape");           // resize checked nothing; numel must agree
  if (out.numel() != x.numel()) {
    throw std::invalid_argument("reshape: " + x.shape_str() + " does not fit " +
                                shape_to_string(shape));
  }
  std::copy(x.data(), x.data() + x.numel(), out.data());
}

}  // namespace

std::string Reshape::describe() const { return "Reshape" + shape_to_string(shape_); }

std::vector<int64_t> Reshape::output_shape(const std::vector<int64_t>& in) const {
  if (product(in) != product(shape_)) {
    throw std::invalid_argument("Reshape: cannot reshape " + shape_to_string(in) + " (" +
                                std::to_string(product(in)) + " values) to " +
                                shape_to_string(shape_) + " (" +
                                std::to_string(product(shape_)) + " values)");
  }
  return shape_;
}

void Reshape::forward(Tensor& out, const Tensor& x) {
  copy_with_shape(out, x, with_batch(x.dim(0), shape_));
}

void Reshape::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (dx) copy_with_shape(*dx, dout, x.shape());
}

std::vector<int64_t> Flatten::output_shape(const std::vector<int64_t>& in) const {
  return {product(in)};
}

void Flatten::forward(Tensor& out, const Tensor& x) {
  copy_with_shape(out, x, {x.dim(0), x.numel() / std::max<int64_t>(x.dim(0), 1)});
}

void Flatten::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (dx) copy_with_shape(*dx, dout, x.shape());
}

std::string MaxPool2d::describe() const {
  std::ostringstream s;
  s << "MaxPool2d(k" << p_.kernel_size.h << ", s" << p_.stride.h << ", p" << p_.padding.h << ")";
  return s.str();
}

std::vector<int64_t> MaxPool2d::output_shape(const std::vector<int64_t>& in) const {
  if (in.size() != 3) {
    throw std::invalid_argument("MaxPool2d: expected input (C, H, W), found " +
                                shape_to_string(in));
  }
  const OutSize o = pool2d_out_size(static_cast<int>(in[1]), static_cast<int>(in[2]), p_);
  return {in[0], o.h, o.w};
}

void MaxPool2d::forward(Tensor& out, const Tensor& x) {
  max_pool2d_forward(out, &argmax_, x, p_);
}

void MaxPool2d::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  max_pool2d_backward(*dx, dout, argmax_, x.shape());
}

std::string Upsample::describe() const {
  return "Upsample(scale_factor=" + std::to_string(scale_factor_.h) + ", nearest)";
}

std::vector<int64_t> Upsample::output_shape(const std::vector<int64_t>& in) const {
  if (in.size() != 3) {
    throw std::invalid_argument("Upsample: expected input (C, H, W), found " +
                                shape_to_string(in));
  }
  return {in[0], in[1] * scale_factor_.h, in[2] * scale_factor_.w};
}

void Upsample::forward(Tensor& out, const Tensor& x) {
  upsample_nearest_forward(out, x, scale_factor_);
}

void Upsample::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor&) {
  if (!dx) return;
  zeros_for_grad(*dx, x.shape());
  upsample_nearest_backward(*dx, dout, scale_factor_);
}

}  // namespace convt::nn
