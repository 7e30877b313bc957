// Optimisers, PyTorch semantics (torch.optim.Adam and torch.optim.SGD, weight_decay 0).
//
// Adam (Kingma & Ba 2015; PyTorch 1.13's _single_tensor_adam), at step t (1-based):
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// SGD with momentum mu (PyTorch form, dampening 0): b = g at the first step, then b = mu b + g;
//   p -= lr b   (mu = 0: p -= lr g).
//
// set_hyperparameters changes lr and betas (momentum) between steps and keeps the state (m, v,
// momentum buffers, step count), as assigning optimizer.param_groups[0]["lr"] (or "betas") does
// in PyTorch: the next Adam step uses the new lr and betas with the old m, v and t, its bias
// corrections 1 - beta^t with the new betas and the whole step count t.
#pragma once

#include <cstdint>
#include <vector>

#include "convt/nn/sequential.h"

namespace convt::nn {

class Adam {
 public:
  // Throws std::invalid_argument for lr <= 0 or not finite, betas outside [0, 1), eps < 0 or
  // not finite.
  Adam(std::vector<NamedParam> params, float lr, float beta1 = 0.9f, float beta2 = 0.999f,
       float eps = 1e-8f);

  // New lr and betas for the next steps; exp_avg, exp_avg_sq and steps are kept (eps too).
  // Throws std::invalid_argument, as the constructor, for lr <= 0 or betas outside [0, 1);
  // nothing changes then.
  void set_hyperparameters(float lr, float beta1, float beta2);

  void step();
  void zero_grad();

  float lr, beta1, beta2, eps;
  int64_t steps = 0;  // t of the last step
  std::vector<NamedParam> params;
  std::vector<Tensor> exp_avg;     // m, one per parameter, same shapes
  std::vector<Tensor> exp_avg_sq;  // v
};

class SGD {
 public:
  // Throws std::invalid_argument for lr <= 0, momentum < 0, or either not finite.
  SGD(std::vector<NamedParam> params, float lr, float momentum = 0.0f);

  // New lr and momentum for the next steps; the momentum buffers and steps are kept. Turning
  // momentum on (from 0) starts buffers at 0, so the next step has b = g, as PyTorch's first
  // step with momentum. Throws std::invalid_argument, as the constructor; nothing changes then.
  void set_hyperparameters(float lr, float momentum);

  void step();
  void zero_grad();

  float lr, momentum;
  int64_t steps = 0;
  std::vector<NamedParam> params;
  std::vector<Tensor> momentum_buffer;  // one per parameter when momentum > 0
};

}  // namespace convt::nn
