#include "convt/tensor.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace convt {

namespace {
int64_t product(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      throw std::invalid_argument("Tensor: expected non-negative dimensions, found shape " +
                                  shape_to_string(shape));
    }
    if (__builtin_mul_overflow(n, d, &n)) {
      throw std::invalid_argument("Tensor: shape " + shape_to_string(shape) +
                                  " has more elements than int64 can count");
    }
  }
  return n;
}
}  // namespace

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) s << ",";
  s << ")";
  return s.str();
}

Tensor::Tensor(std::vector<int64_t> shape, float fill)
    : shape_(std::move(shape)), data_(static_cast<size_t>(product(shape_)), fill) {}

Tensor::Tensor(std::vector<int64_t> shape, std::vector<float> values)
    : shape_(std::move(shape)), data_(std::move(values)) {
  if (static_cast<int64_t>(data_.size()) != product(shape_)) {
    throw std::invalid_argument("Tensor: shape " + shape_to_string(shape_) + " holds " +
                                std::to_string(product(shape_)) + " values, found " +
                                std::to_string(data_.size()));
  }
}

int64_t Tensor::dim(int i) const {
  int n = ndim();
  int j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) {
    throw std::out_of_range("Tensor::dim(" + std::to_string(i) + ") on a tensor of shape " +
                            shape_str());
  }
  return shape_[static_cast<size_t>(j)];
}

std::vector<int64_t> Tensor::strides() const {
  std::vector<int64_t> s(shape_.size(), 1);
  for (int i = ndim() - 2; i >= 0; --i) s[i] = s[i + 1] * shape_[i + 1];
  return s;
}

std::string Tensor::shape_str() const { return shape_to_string(shape_); }

void Tensor::fill(float value) { std::fill(data_.begin(), data_.end(), value); }

Tensor Tensor::reshaped(std::vector<int64_t> shape) const {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known > 0) shape[static_cast<size_t>(infer)] = numel() / known;
  if (product(shape) != numel()) {
    throw std::invalid_argument("Tensor::reshaped: cannot view " + shape_str() + " (" +
                                std::to_string(numel()) + " values) as " + shape_to_string(shape));
  }
  return Tensor(shape, data_);
}

void Tensor::resize(const std::vector<int64_t>& shape) {
  const int64_t n = product(shape);  // throws before anything changes
  shape_ = shape;
  data_.assign(static_cast<size_t>(n), 0.0f);
}

void Tensor::resize_for_overwrite(const std::vector<int64_t>& shape) {
  const int64_t n = product(shape);
  shape_ = shape;
  data_.resize(static_cast<size_t>(n));
}

void Tensor::check_index4(int64_t n, int64_t c, int64_t y, int64_t x) const {
  if (ndim() != 4) {
    throw std::out_of_range("Tensor::at(n, c, y, x) on a tensor of shape " + shape_str());
  }
  if (n < 0 || n >= shape_[0] || c < 0 || c >= shape_[1] || y < 0 || y >= shape_[2] || x < 0 ||
      x >= shape_[3]) {
    std::ostringstream s;
    s << "Tensor::at(" << n << ", " << c << ", " << y << ", " << x << ") is outside shape "
      << shape_str();
    throw std::out_of_range(s.str());
  }
}

void check_shape(const Tensor& t, const std::vector<int64_t>& expected, const std::string& name,
                 const std::string& layout) {
  bool ok = t.ndim() == static_cast<int>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i) {
    ok = expected[i] < 0 || expected[i] == t.shape()[i];
  }
  if (!ok) {
    std::string exp = shape_to_string(expected);
    throw std::invalid_argument(name + ": expected shape " + exp +
                                (layout.empty() ? "" : " " + layout) + ", found " + t.shape_str());
  }
}

void prepare_grad(Tensor* grad, const std::vector<int64_t>& shape, const std::string& name,
                  const std::string& layout) {
  if (!grad) return;
  if (grad->empty()) grad->resize(shape);
  check_shape(*grad, shape, name, layout);
}

}  // namespace convt
