#include "convt/nn/sequential.h"

#include <cstdio>
#include <sstream>

#include "convt/shape.h"

namespace convt::nn {

Sequential::Sequential(std::string name, std::vector<int64_t> input_shape)
    : name_(std::move(name)) {
  shapes_.push_back(std::move(input_shape));
}

void Sequential::add(std::unique_ptr<Layer> layer, const std::string& label) {
  const size_t index = layers_.size();
  const std::string shown = label.empty() ? std::to_string(index) : label;
  std::vector<int64_t> out;
  try {
    out = layer->output_shape(shapes_.back());
  } catch (const std::exception& e) {
    throw ShapeError(name_ + " layer " + std::to_string(index) + " '" + shown + "' " +
                     layer->describe() + ": " + e.what());
  }
  layers_.push_back(std::move(layer));
  labels_.push_back(shown);
  shapes_.push_back(out);
}

const Tensor& Sequential::forward(const Tensor& x) {
  const std::vector<int64_t>& in = shapes_.front();
  bool ok = x.ndim() == static_cast<int>(in.size()) + 1;
  for (size_t i = 0; ok && i < in.size(); ++i) ok = x.dim(static_cast<int>(i) + 1) == in[i];
  if (!ok) {
    throw std::invalid_argument(name_ + ": expected input (N, " +
                                shape_to_string(in).substr(1) + ", found " + x.shape_str());
  }
  acts_.resize(layers_.size() + 1);
  acts_[0] = x;
  for (size_t i = 0; i < layers_.size(); ++i) layers_[i]->forward(acts_[i + 1], acts_[i]);
  return acts_.back();
}

void Sequential::backward(Tensor* dx, const Tensor& dout) {
  if (acts_.size() != layers_.size() + 1) {
    throw std::logic_error(name_ + ": backward called before forward");
  }
  check_shape(dout, acts_.back().shape(), name_ + ": backward: dout (the output's shape)");
  const Tensor* g = &dout;
  for (size_t i = layers_.size(); i-- > 0;) {
    Tensor* target = i == 0 ? dx : (g == &grad_a_ ? &grad_b_ : &grad_a_);
    layers_[i]->backward(target, *g, acts_[i], acts_[i + 1]);
    if (!target) break;
    g = target;
  }
}

std::vector<NamedParam> Sequential::params() {
  std::vector<NamedParam> out;
  for (size_t i = 0; i < layers_.size(); ++i) {
    for (const ParamRef& p : layers_[i]->params()) {
      out.push_back({std::to_string(i) + "." + p.name, p.value, p.grad});
    }
  }
  return out;
}

std::vector<NamedBuffer> Sequential::buffers() {
  std::vector<NamedBuffer> out;
  for (size_t i = 0; i < layers_.size(); ++i) {
    for (const BufferRef& b : layers_[i]->buffers()) {
      out.push_back({std::to_string(i) + "." + b.name, b.value});
    }
  }
  return out;
}

int64_t Sequential::parameter_count() {
  int64_t n = 0;
  for (auto& l : layers_) n += l->parameter_count();
  return n;
}

void Sequential::zero_grad() {
  for (auto& l : layers_) l->zero_grad();
}
void Sequential::set_training(bool training) {
  for (auto& l : layers_) l->set_training(training);
}
void Sequential::set_requires_grad(bool on) {
  for (auto& l : layers_) l->set_requires_grad(on);
}
void Sequential::set_backend(Backend b) {
  for (auto& l : layers_) l->set_backend(b);
}
void Sequential::reset_parameters(InitScheme scheme, Rng& rng) {
  for (auto& l : layers_) l->reset_parameters(scheme, rng);
}

std::string Sequential::parameter_summary() {
  std::ostringstream s;
  char line[256];
  std::snprintf(line, sizeof line, "%-3s %-64s %-16s %10s\n", "#", "Layer (type)", "Output shape",
                "Param #");
  s << name_ << ": input " << shape_to_string(shapes_.front()) << "\n" << line;
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::string what = layers_[i]->describe();
    if (labels_[i] != std::to_string(i)) what = labels_[i] + ": " + what;
    std::snprintf(line, sizeof line, "%-3zu %-64s %-16s %10lld\n", i, what.c_str(),
                  shape_to_string(shapes_[i + 1]).c_str(),
                  static_cast<long long>(layers_[i]->parameter_count()));
    s << line;
  }
  s << "Total params: " << parameter_count() << "\n";
  return s.str();
}

}  // namespace convt::nn
