// Filling parameters for InitScheme (convt/nn/layer.h). Internal to src/nn.
#pragma once

#include <cmath>

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt::nn {

inline void fill_normal(Tensor& t, float mean, float std, Rng& rng) {
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = mean + std * rng.normal();
}

// U(-bound, bound)
inline void fill_uniform(Tensor& t, float bound, Rng& rng) {
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = rng.uniform(-bound, bound);
}

// Conv/linear weights and biases for `scheme` with PyTorch's fan_in (see layer.h).
inline void init_weight_and_bias(Tensor& weight, Tensor* bias, int64_t fan_in, bool dcgan,
                                 Rng& rng) {
  if (dcgan) {
    fill_normal(weight, 0.0f, 0.02f, rng);
    if (bias) bias->fill(0.0f);
    return;
  }
  // kaiming_uniform_(a = sqrt(5)): gain = sqrt(2 / (1 + a^2)) = sqrt(1/3),
  // bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
  const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
  fill_uniform(weight, bound, rng);
  if (bias) fill_uniform(*bias, bound, rng);
}

}  // namespace convt::nn
