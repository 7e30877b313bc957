// The layers of convt::nn, one small class each, PyTorch's names and semantics. Each calls the
// free functions of convt/ops (or convt::fast for conv/linear with Backend::fast).
//
// Legend: N batch, C channels, H/W height/width, I/O in/out features.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convt/nn/layer.h"
#include "convt/shape.h"

namespace convt::nn {

// torch.nn.Linear. x (N, I) -> out (N, O). weight (O, I), bias (O) if `bias`.
class Linear : public Layer {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  const char* type() const override { return "Linear"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  std::vector<ParamRef> params() override;
  void reset_parameters(InitScheme scheme, Rng& rng) override;
  void set_backend(Backend b) override { backend_ = b; }

  Tensor weight, bias, dweight, dbias;  // (O, I), (O) or empty
 private:
  int64_t in_features_, out_features_;
  bool has_bias_;
  Backend backend_ = Backend::naive;
};

// torch.nn.Conv2d (groups = 1). x (N, C_in, H, W) -> out (N, C_out, H_out, W_out).
// weight (C_out, C_in, kH, kW), bias (C_out) if `bias`.
class Conv2d : public Layer {
 public:
  Conv2d(int in_channels, int out_channels, Pair kernel_size, const Conv2dParams& p,
         bool bias = true);
  const char* type() const override { return "Conv2d"; }
  std::string describe() const override;
  // stride, padding, dilation (PyTorch's attributes of the same names).
  const Conv2dParams& options() const { return p_; }
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  std::vector<ParamRef> params() override;
  void reset_parameters(InitScheme scheme, Rng& rng) override;
  void set_backend(Backend b) override { backend_ = b; }

  Tensor weight, bias, dweight, dbias;
 private:
  int in_channels_, out_channels_;
  Pair kernel_size_;
  Conv2dParams p_;
  bool has_bias_;
  Backend backend_ = Backend::naive;
};

// torch.nn.ConvTranspose2d (groups = 1). x (N, C_in, H, W) -> out (N, C_out, H_out, W_out).
// weight (C_in, C_out, kH, kW), bias (C_out) if `bias`.
class ConvTranspose2d : public Layer {
 public:
  ConvTranspose2d(int in_channels, int out_channels, Pair kernel_size,
                  const ConvTranspose2dParams& p, bool bias = true);
  const char* type() const override { return "ConvTranspose2d"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  std::vector<ParamRef> params() override;
  void reset_parameters(InitScheme scheme, Rng& rng) override;
  void set_backend(Backend b) override { backend_ = b; }
  // stride, padding, output_padding, dilation (PyTorch's attributes of the same names).
  const ConvTranspose2dParams& options() const { return p_; }
  Pair kernel_size() const { return kernel_size_; }

  Tensor weight, bias, dweight, dbias;
 private:
  int in_channels_, out_channels_;
  Pair kernel_size_;
  ConvTranspose2dParams p_;
  bool has_bias_;
  Backend backend_ = Backend::naive;
};

// torch.nn.BatchNorm1d (x (N, C) or (N, C, L)) and BatchNorm2d (x (N, C, H, W)): batch statistics
// in training (running statistics updated with `momentum`), running statistics in evaluation.
class BatchNorm : public Layer {
 public:
  BatchNorm(int num_features, int spatial_dims, float eps = 1e-5f, float momentum = 0.1f);
  const char* type() const override { return spatial_dims_ == 2 ? "BatchNorm2d" : "BatchNorm1d"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  std::vector<ParamRef> params() override;
  std::vector<BufferRef> buffers() override;
  void reset_parameters(InitScheme scheme, Rng& rng) override;
  // The running statistics' update factor. momentum 1/k on the k-th training batch after a
  // reset (running_mean 0, running_var 1) makes them the plain average of the k batches'
  // statistics: PyTorch's momentum=None (cumulative moving average).
  float momentum() const { return momentum_; }
  void set_momentum(float value) { momentum_ = value; }

  Tensor weight, bias, dweight, dbias;   // (C) gamma, beta
  Tensor running_mean, running_var;      // (C), start 0 and 1
 private:
  int num_features_, spatial_dims_;
  float eps_, momentum_;
  Tensor save_mean_, save_invstd_;  // (C) of the last training forward
};
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int num_features, float eps = 1e-5f, float momentum = 0.1f)
      : BatchNorm(num_features, 1, eps, momentum) {}
};
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int num_features, float eps = 1e-5f, float momentum = 0.1f)
      : BatchNorm(num_features, 2, eps, momentum) {}
};

class ReLU : public Layer {
 public:
  const char* type() const override { return "ReLU"; }
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return in; }
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
};

class LeakyReLU : public Layer {
 public:
  explicit LeakyReLU(float negative_slope = 0.01f) : negative_slope_(negative_slope) {}
  const char* type() const override { return "LeakyReLU"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return in; }
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
 private:
  float negative_slope_;
};

class Tanh : public Layer {
 public:
  const char* type() const override { return "Tanh"; }
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return in; }
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
};

class Sigmoid : public Layer {
 public:
  const char* type() const override { return "Sigmoid"; }
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return in; }
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
};

// torch.nn.Dropout: zeroes with probability p and scales by 1/(1-p) in training; identity in
// evaluation. Its own generator, seeded by `seed`.
class Dropout : public Layer {
 public:
  explicit Dropout(float p = 0.5f, uint64_t seed = 0);
  const char* type() const override { return "Dropout"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override { return in; }
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
  Rng* rng() override { return &rng_; }
 private:
  float p_;
  Rng rng_;
  Tensor mask_;  // x's shape, 0 or 1/(1-p); empty after an evaluation forward
};

// Reshape (N, ...) -> (N, shape...) (torch.nn.Unflatten(1, shape) / Keras Reshape).
class Reshape : public Layer {
 public:
  explicit Reshape(std::vector<int64_t> shape) : shape_(std::move(shape)) {}
  const char* type() const override { return "Reshape"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
 private:
  std::vector<int64_t> shape_;  // per sample
};

// torch.nn.Flatten: (N, ...) -> (N, prod(...)).
class Flatten : public Layer {
 public:
  const char* type() const override { return "Flatten"; }
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
};

// torch.nn.MaxPool2d. x (N, C, H, W) -> (N, C, H_out, W_out).
class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(const Pool2dParams& p) : p_(p) {}
  const char* type() const override { return "MaxPool2d"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
 private:
  Pool2dParams p_;
  std::vector<int64_t> argmax_;
};

// torch.nn.Upsample(scale_factor, mode='nearest'), integer factors.
class Upsample : public Layer {
 public:
  explicit Upsample(Pair scale_factor) : scale_factor_(scale_factor) {}
  const char* type() const override { return "Upsample"; }
  std::string describe() const override;
  std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const override;
  void forward(Tensor& out, const Tensor& x) override;
  void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) override;
 private:
  Pair scale_factor_;
};

}  // namespace convt::nn
