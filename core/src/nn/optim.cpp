#include "convt/nn/optim.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "fast/parallel.h"

namespace convt::nn {

namespace {

// Adam's update of n values (Kingma & Ba 2015, Algorithm 1, in PyTorch's form). A plain function
// of its arguments: with the hyperparameters read from members, every store to p, m, v could
// change them, and the loop would reload them and not vectorise.
void adam_update(float* p, const float* g, float* m, float* v, int64_t n, float beta1, float beta2,
                 float eps, float step_size, float bias_correction2_sqrt) {
  for (int64_t i = 0; i < n; ++i) {
    m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
    v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
    const float denom = std::sqrt(v[i]) / bias_correction2_sqrt + eps;
    p[i] -= step_size * m[i] / denom;
  }
}

// The constructor's checks, shared with set_hyperparameters. Throws std::invalid_argument. An
// infinite lr is refused too: its first step makes every parameter inf or nan.
void check_adam(float lr, float beta1, float beta2, float eps) {
  if (!(lr > 0.0f) || !std::isfinite(lr) || !std::isfinite(eps) ||
      !(beta1 >= 0.0f && beta1 < 1.0f) || !(beta2 >= 0.0f && beta2 < 1.0f) || !(eps >= 0.0f)) {
    throw std::invalid_argument(
        "Adam: expected finite lr > 0, 0 <= beta1, beta2 < 1, finite eps >= 0, found lr " +
        std::to_string(lr) + ", betas (" + std::to_string(beta1) + ", " + std::to_string(beta2) +
        "), eps " + std::to_string(eps));
  }
}

void check_sgd(float lr, float momentum) {
  if (!(lr > 0.0f) || !std::isfinite(lr) || !(momentum >= 0.0f) || !std::isfinite(momentum)) {
    throw std::invalid_argument("SGD: expected finite lr > 0 and finite momentum >= 0, found lr " +
                                std::to_string(lr) + ", momentum " + std::to_string(momentum));
  }
}

}  // namespace

Adam::Adam(std::vector<NamedParam> p, float lr_, float beta1_, float beta2_, float eps_)
    : lr(lr_), beta1(beta1_), beta2(beta2_), eps(eps_), params(std::move(p)) {
  check_adam(lr, beta1, beta2, eps);
  for (const NamedParam& q : params) {
    exp_avg.emplace_back(q.value->shape(), 0.0f);
    exp_avg_sq.emplace_back(q.value->shape(), 0.0f);
  }
}

void Adam::set_hyperparameters(float lr_, float beta1_, float beta2_) {
  check_adam(lr_, beta1_, beta2_, eps);
  lr = lr_;
  beta1 = beta1_;
  beta2 = beta2_;
}

void Adam::step() {
  ++steps;
  const double t = static_cast<double>(steps);
  const float bias_correction1 = static_cast<float>(1.0 - std::pow(double{beta1}, t));
  const float bias_correction2_sqrt =
      static_cast<float>(std::sqrt(1.0 - std::pow(double{beta2}, t)));
  const float step_size = lr / bias_correction1;
  for (size_t k = 0; k < params.size(); ++k) {
    float* p = params[k].value->data();
    const float* g = params[k].grad->data();
    float* m = exp_avg[k].data();
    float* v = exp_avg_sq[k].data();
    const int64_t n = params[k].value->numel();
    const float b1 = beta1, b2 = beta2, e = eps;
    // Split over the fast backend's threads; each value is updated by the same line whatever
    // the split.
    fast::detail::parallel_for(n, 16, [=](int64_t begin, int64_t end) {
      adam_update(p + begin, g + begin, m + begin, v + begin, end - begin, b1, b2, e, step_size,
                  bias_correction2_sqrt);
    });
  }
}

void Adam::zero_grad() {
  for (const NamedParam& q : params) q.grad->zero();
}

SGD::SGD(std::vector<NamedParam> p, float lr_, float momentum_)
    : lr(lr_), momentum(momentum_), params(std::move(p)) {
  check_sgd(lr, momentum);
  if (momentum > 0.0f) {
    for (const NamedParam& q : params) momentum_buffer.emplace_back(q.value->shape(), 0.0f);
  }
}

void SGD::set_hyperparameters(float lr_, float momentum_) {
  check_sgd(lr_, momentum_);
  lr = lr_;
  momentum = momentum_;
  // Zeros: b = momentum * 0 + g = g at the next step, PyTorch's first buffer.
  if (momentum > 0.0f && momentum_buffer.empty()) {
    for (const NamedParam& q : params) momentum_buffer.emplace_back(q.value->shape(), 0.0f);
  }
}

void SGD::step() {
  ++steps;
  for (size_t k = 0; k < params.size(); ++k) {
    float* p = params[k].value->data();
    const float* g = params[k].grad->data();
    const int64_t n = params[k].value->numel();
    if (momentum > 0.0f) {
      float* b = momentum_buffer[k].data();
      for (int64_t i = 0; i < n; ++i) {
        b[i] = steps == 1 ? g[i] : momentum * b[i] + g[i];
        p[i] -= lr * b[i];
      }
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] -= lr * g[i];
    }
  }
}

void SGD::zero_grad() {
  for (const NamedParam& q : params) q.grad->zero();
}

}  // namespace convt::nn
