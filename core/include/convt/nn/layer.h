// The layer interface of convt::nn: forward, backward, parameters, gradients, training/eval mode.
//
// A layer does not keep a copy of its input: Sequential keeps every activation and hands each
// layer its own input x and output out again in backward (llm.c style). Shapes are NCHW with the
// batch first; output_shape() works on per-sample shapes (no batch dim), as Keras' summary.
//
// Backward adds into the parameter gradients (zero_grad clears them) and writes dx.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt::nn {

// Which kernels a conv/linear layer calls: the plain loops of convt/ops (the reference, the
// teaching text) or convt::fast (im2col + GEMM through OpenBLAS).
enum class Backend { naive, fast };
const char* backend_name(Backend b);
// "naive" | "fast"; throws std::invalid_argument otherwise.
Backend parse_backend(const std::string& name);

// Weight initialisation, selectable per model:
//  dcgan:   conv/linear weights ~ N(0, 0.02), BatchNorm weight ~ N(1, 0.02), all biases 0
//           (Radford, Metz & Chintala 2016, "Unsupervised Representation Learning with Deep
//           Convolutional GANs", section 4; the PyTorch DCGAN tutorial's weights_init).
//  pytorch: PyTorch 1.13's reset_parameters(): weights kaiming_uniform_(a = sqrt(5)), i.e.
//           U(-b, b) with b = 1/sqrt(fan_in); biases U(-1/sqrt(fan_in), 1/sqrt(fan_in));
//           BatchNorm weight 1, bias 0. fan_in = in_features (Linear), C_in*kH*kW (Conv2d),
//           and weight.size(1)*kH*kW = C_out*kH*kW for ConvTranspose2d (PyTorch's
//           _calculate_fan_in_and_fan_out reads dim 1 of the (C_in, C_out, kH, kW) weight).
enum class InitScheme { dcgan, pytorch };
const char* init_name(InitScheme s);
InitScheme parse_init(const std::string& name);  // "dcgan" | "pytorch"

// A parameter and its gradient, same shape. `name` is "weight" or "bias" (PyTorch's names).
struct ParamRef {
  std::string name;
  Tensor* value;
  Tensor* grad;
};
// A state tensor that is not trained (BatchNorm's running statistics).
struct BufferRef {
  std::string name;
  Tensor* value;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // "Linear", "ConvTranspose2d", ... (PyTorch's class names).
  virtual const char* type() const = 0;
  // One line with the hyperparameters: "ConvTranspose2d(256 -> 128, k5, s2, p2, op1, bias=False)".
  virtual std::string describe() const { return type(); }

  // Per-sample output shape for a per-sample input shape. Throws ShapeError (or
  // std::invalid_argument) saying what this layer expected and what it found.
  virtual std::vector<int64_t> output_shape(const std::vector<int64_t>& in) const = 0;

  // x (N, ...) -> out (N, ...). Keeps what backward needs (BN statistics, masks, argmax).
  virtual void forward(Tensor& out, const Tensor& x) = 0;
  // dout has out's shape. dx (nullptr = not wanted) is resized to x's shape and written.
  // Parameter gradients are added to when requires_grad() is true.
  virtual void backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& out) = 0;

  virtual std::vector<ParamRef> params() { return {}; }
  virtual std::vector<BufferRef> buffers() { return {}; }
  // The layer's own random generator (Dropout), for checkpoints; nullptr if none.
  virtual Rng* rng() { return nullptr; }
  virtual void reset_parameters(InitScheme /*scheme*/, Rng& /*rng*/) {}
  virtual void set_backend(Backend /*b*/) {}

  void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }
  // Like PyTorch's requires_grad_: when false, backward skips the parameter gradients (dx is
  // still computed), as Step A does for D.
  void set_requires_grad(bool on) { requires_grad_ = on; }
  bool requires_grad() const { return requires_grad_; }

  int64_t parameter_count();
  void zero_grad();

 protected:
  bool training_ = true;
  bool requires_grad_ = true;
};

}  // namespace convt::nn
