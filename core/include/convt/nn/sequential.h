// Sequential: layers in order, with shape inference when each layer is added and every
// activation kept for backward.
//
// Parameter and buffer names follow PyTorch's nn.Sequential state_dict: "<index>.weight",
// "<index>.running_mean", so a checkpoint maps onto the PyTorch form of the model by name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convt/nn/layer.h"

namespace convt::nn {

struct NamedParam {
  std::string name;  // "4.weight"
  Tensor* value;
  Tensor* grad;
};
struct NamedBuffer {
  std::string name;  // "1.running_mean"
  Tensor* value;
};

class Sequential {
 public:
  // `name` ("G", "D") prefixes error messages; input_shape is per sample, e.g. (100) or (1, 20, 20).
  Sequential(std::string name, std::vector<int64_t> input_shape);

  // Appends a layer after running its shape inference on the current output shape. On a
  // mismatch throws ShapeError naming the model, the layer index, its label and type, and the
  // numbers: "G layer 4 'up1' ConvTranspose2d(...): ConvTranspose2d: expected input (256, H, W)
  // [C_in, H, W], found (128, 5, 5)". `label` may be "" (then the index is the label).
  void add(std::unique_ptr<Layer> layer, const std::string& label = "");

  size_t size() const { return layers_.size(); }
  Layer& layer(size_t i) { return *layers_[i]; }
  const Layer& layer(size_t i) const { return *layers_[i]; }
  const std::string& label(size_t i) const { return labels_[i]; }
  const std::string& name() const { return name_; }
  const std::vector<int64_t>& input_shape() const { return shapes_.front(); }
  const std::vector<int64_t>& output_shape() const { return shapes_.back(); }
  // Per-sample output shape of layer i.
  const std::vector<int64_t>& shape_after(size_t i) const { return shapes_[i + 1]; }

  // x (N, input_shape...) -> (N, output_shape...). The result stays valid until the next forward.
  // Throws std::invalid_argument if x's per-sample shape is not input_shape().
  const Tensor& forward(const Tensor& x);
  // The output of layer i in the last forward.
  const Tensor& activation_after(size_t i) const { return acts_[i + 1]; }
  // Backpropagates dout (the last forward's output shape) through every layer, adding into the
  // parameter gradients of layers with requires_grad. dx (nullptr = not wanted) gets dL/dx.
  void backward(Tensor* dx, const Tensor& dout);

  std::vector<NamedParam> params();
  std::vector<NamedBuffer> buffers();
  int64_t parameter_count();
  void zero_grad();
  void set_training(bool training);
  void set_requires_grad(bool on);
  void set_backend(Backend b);
  void reset_parameters(InitScheme scheme, Rng& rng);

  // Keras' model.summary(): one row per layer (index, label, description, output shape,
  // parameter count), then the total.
  std::string parameter_summary();

 private:
  std::string name_;
  std::vector<std::unique_ptr<Layer>> layers_;
  std::vector<std::string> labels_;
  std::vector<std::vector<int64_t>> shapes_;  // per sample: input, then after each layer
  std::vector<Tensor> acts_;                  // (N, ...) input, then after each layer
  Tensor grad_a_, grad_b_;                    // ping-pong gradient buffers for backward
};

}  // namespace convt::nn
