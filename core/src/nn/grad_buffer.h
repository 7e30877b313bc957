// Zeroing the dx buffers that a layer's backward then adds into. Internal to src/nn.
#pragma once

#include <algorithm>
#include <vector>

#include "convt/tensor.h"
#include "fast/parallel.h"

namespace convt::nn {

// t becomes zeros of `shape`, the clearing split over the fast backend's threads instead of one
// memset (Tensor::resize): on the GAN's activations a serial memset was about 2% of a 2-thread
// step. Sequential's two gradient buffers change shape from layer to layer, so the shape often
// differs; when the buffer grows, std::vector still zero-fills the new part on this thread
// first (resize_for_overwrite).
inline void zeros_for_grad(Tensor& t, const std::vector<int64_t>& shape) {
  if (t.shape() != shape) t.resize_for_overwrite(shape);
  float* p = t.data();
  fast::detail::parallel_for(
      t.numel(), 1, [p](int64_t begin, int64_t end) { std::fill(p + begin, p + end, 0.0f); });
}

}  // namespace convt::nn
