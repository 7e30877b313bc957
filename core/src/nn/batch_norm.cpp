// BatchNorm1d / BatchNorm2d layers over convt/ops/batch_norm.h.
#include <sstream>

#include "convt/nn/layers.h"
#include "convt/ops/batch_norm.h"
#include "grad_buffer.h"
#include "init_util.h"

namespace convt::nn {

BatchNorm::BatchNorm(int num_features, int spatial_dims, float eps, float momentum)
    : num_features_(num_features), spatial_dims_(spatial_dims), eps_(eps), momentum_(momentum) {
  weight = Tensor({num_features}, 1.0f);
  bias = Tensor({num_features}, 0.0f);
  dweight = Tensor({num_features}, 0.0f);
  dbias = Tensor({num_features}, 0.0f);
  running_mean = Tensor({num_features}, 0.0f);
  running_var = Tensor({num_features}, 1.0f);
}

std::string BatchNorm::describe() const {
  std::ostringstream s;
  s << type() << "(" << num_features_ << ", eps=" << eps_ << ", momentum=" << momentum_ << ")";
  return s.str();
}

std::vector<int64_t> BatchNorm::output_shape(const std::vector<int64_t>& in) const {
  // per sample: (C) or (C, L) for 1d, (C, H, W) for 2d
  const bool rank_ok = spatial_dims_ == 2 ? in.size() == 3 : (in.size() == 1 || in.size() == 2);
  if (!rank_ok || in[0] != num_features_) {
    const std::string expected = spatial_dims_ == 2 ? "(" + std::to_string(num_features_) +
                                                          ", H, W) [C, H, W]"
                                                    : "(" + std::to_string(num_features_) +
                                                          ") [C] or (C, L)";
    throw std::invalid_argument(std::string(type()) + ": expected input " + expected +
                                ", found " + shape_to_string(in));
  }
  return in;
}

void BatchNorm::forward(Tensor& out, const Tensor& x) {
  if (training_) {
    batch_norm_forward_train(out, save_mean_, save_invstd_, running_mean, running_var, x, weight,
                             bias, momentum_, eps_);
  } else {
    batch_norm_forward_eval(out, x, weight, bias, running_mean, running_var, eps_);
  }
}

void BatchNorm::backward(Tensor* dx, const Tensor& dout, const Tensor& x, const Tensor& /*out*/) {
  if (dx) zeros_for_grad(*dx, x.shape());
  Tensor* dw = requires_grad_ ? &dweight : nullptr;
  Tensor* db = requires_grad_ ? &dbias : nullptr;
  if (training_) {
    batch_norm_backward_train(dx, dw, db, dout, x, weight, save_mean_, save_invstd_);
  } else {
    batch_norm_backward_eval(dx, dw, db, dout, x, weight, running_mean, running_var, eps_);
  }
}

std::vector<ParamRef> BatchNorm::params() {
  return {{"weight", &weight, &dweight}, {"bias", &bias, &dbias}};
}

std::vector<BufferRef> BatchNorm::buffers() {
  return {{"running_mean", &running_mean}, {"running_var", &running_var}};
}

void BatchNorm::reset_parameters(InitScheme scheme, Rng& rng) {
  if (scheme == InitScheme::dcgan) {
    fill_normal(weight, 1.0f, 0.02f, rng);
  } else {
    weight.fill(1.0f);
  }
  bias.fill(0.0f);
  running_mean.fill(0.0f);
  running_var.fill(1.0f);
}

}  // namespace convt::nn
