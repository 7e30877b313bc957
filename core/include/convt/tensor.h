// Tensor: float32, row-major (C order), contiguous. Images are NCHW:
//   N batch, C channels, H height, W width.
// Shapes and strides are visible; at(n, c, y, x) is bounds-checked in debug builds.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace convt {

class Tensor {
 public:
  Tensor() = default;
  // A tensor of the given shape filled with `fill`. Throws std::invalid_argument on a negative dim.
  explicit Tensor(std::vector<int64_t> shape, float fill = 0.0f);
  Tensor(std::vector<int64_t> shape, std::vector<float> values);  // values.size() == numel

  const std::vector<int64_t>& shape() const { return shape_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const;  // negative i counts from the end, like PyTorch
  int64_t numel() const { return static_cast<int64_t>(data_.size()); }
  bool empty() const { return data_.empty(); }
  // Strides in elements (C order): stride[i] = prod(shape[i+1:]).
  std::vector<int64_t> strides() const;
  std::string shape_str() const;  // "(2, 3, 4, 4)"

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }
  float& operator[](int64_t i) { return data_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return data_[static_cast<size_t>(i)]; }

  // Element (n, c, y, x) of a 4-D tensor; checked against the shape when NDEBUG is not defined.
  float& at(int64_t n, int64_t c, int64_t y, int64_t x) { return data_[index4(n, c, y, x)]; }
  float at(int64_t n, int64_t c, int64_t y, int64_t x) const { return data_[index4(n, c, y, x)]; }

  void fill(float value);
  void zero() { fill(0.0f); }
  // Same data, new shape with the same number of elements (one dim may be -1).
  Tensor reshaped(std::vector<int64_t> shape) const;
  // Make this tensor `shape`, zero-filled, reusing its storage when it can.
  void resize(const std::vector<int64_t>& shape);
  // Make this tensor `shape` without clearing it, for a buffer the caller then writes in full:
  // the values are unspecified (what was there, or zeros where the storage grew).
  void resize_for_overwrite(const std::vector<int64_t>& shape);

 private:
  size_t index4(int64_t n, int64_t c, int64_t y, int64_t x) const {
#ifndef NDEBUG
    check_index4(n, c, y, x);
#endif
    return static_cast<size_t>(((n * shape_[1] + c) * shape_[2] + y) * shape_[3] + x);
  }
  void check_index4(int64_t n, int64_t c, int64_t y, int64_t x) const;

  std::vector<int64_t> shape_;
  std::vector<float> data_;
};

// "(2, 3, 4, 4)"
std::string shape_to_string(const std::vector<int64_t>& shape);

// Throws std::invalid_argument unless t has expected's rank and every expected dim that is not -1
// matches. `name` says which tensor ("weight", "input") in the message:
//   "conv2d: weight: expected shape (8, 3, -1, -1) [C_out, C_in, kH, kW], found (8, 4, 3, 3)"
void check_shape(const Tensor& t, const std::vector<int64_t>& expected, const std::string& name,
                 const std::string& layout = "");

// A gradient the backward kernels add into: nullptr, nothing (not wanted); empty, made zeros of
// `shape`; else it must have `shape` (check_shape, same message). The rule of every backward.
void prepare_grad(Tensor* grad, const std::vector<int64_t>& shape, const std::string& name,
                  const std::string& layout = "");

}  // namespace convt
