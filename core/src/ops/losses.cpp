// Losses, forward next to backward. Mean over all M elements.
#include "convt/ops/losses.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace convt {

namespace {

void check_same(const Tensor& a, const Tensor& b, const char* op) {
  check_shape(b, a.shape(), std::string(op) + ": targets (same shape as the input)");
  if (a.numel() == 0) throw std::invalid_argument(std::string(op) + ": empty input");
}

}  // namespace

float bce_with_logits_forward(const Tensor& logits, const Tensor& targets) {
  check_same(logits, targets, "bce_with_logits_forward");
  double sum = 0.0;
  for (int64_t i = 0; i < logits.numel(); ++i) {
    const double z = logits[i], y = targets[i];
    sum += std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::fabs(z)));
  }
  return static_cast<float>(sum / static_cast<double>(logits.numel()));
}

void bce_with_logits_backward(Tensor& dlogits, const Tensor& logits, const Tensor& targets,
                              float dloss) {
  check_same(logits, targets, "bce_with_logits_backward");
  if (dlogits.empty()) dlogits.resize(logits.shape());
  check_shape(dlogits, logits.shape(), "bce_with_logits_backward: dlogits");
  const float scale = dloss / static_cast<float>(logits.numel());
  for (int64_t i = 0; i < logits.numel(); ++i) {
    // d/dz [max(z,0) - z y + log(1 + exp(-|z|))] = sigmoid(z) - y
    const float z = logits[i];
    const float s = z >= 0.0f ? 1.0f / (1.0f + std::exp(-z)) : std::exp(z) / (1.0f + std::exp(z));
    dlogits[i] += scale * (s - targets[i]);
  }
}

float mse_forward(const Tensor& pred, const Tensor& target) {
  check_same(pred, target, "mse_forward");
  double sum = 0.0;
  for (int64_t i = 0; i < pred.numel(); ++i) {
    const double d = static_cast<double>(pred[i]) - target[i];
    sum += d * d;
  }
  return static_cast<float>(sum / static_cast<double>(pred.numel()));
}

void mse_backward(Tensor& dpred, const Tensor& pred, const Tensor& target, float dloss) {
  check_same(pred, target, "mse_backward");
  if (dpred.empty()) dpred.resize(pred.shape());
  check_shape(dpred, pred.shape(), "mse_backward: dpred");
  const float scale = 2.0f * dloss / static_cast<float>(pred.numel());
  for (int64_t i = 0; i < pred.numel(); ++i) dpred[i] += scale * (pred[i] - target[i]);
}

}  // namespace convt
