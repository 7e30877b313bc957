// Dropout (torch.nn.Dropout, "inverted" scaling; Srivastava et al. 2014): in training each
// element is zeroed with probability p and the survivors are scaled by 1/(1 - p), so evaluation
// is the identity. Any shape.
#pragma once

#include "convt/rng.h"
#include "convt/tensor.h"

namespace convt {

// Training-mode forward: mask[i] = 0 with probability p, else 1/(1 - p); out = x * mask.
// Element i is dropped when a 32-bit uniform integer u_i < p * 2^32. Each call draws one key from
// rng (one rng.next_u64()); the integers are the SplitMix64 sequence (Steele, Lea & Flood 2014)
// started at that key, word k = splitmix64(key + (k + 1) * 0x9E3779B97F4A7C15) giving u_{2k}
// (low half) and u_{2k+1} (high half). Any word follows from k alone, so the loop is split over
// the fast backend's threads with the same mask whatever the split.
// p in [0, 1); throws std::invalid_argument else.
void dropout_forward(Tensor& out, Tensor& mask, const Tensor& x, float p, Rng& rng);
// dx += dout * mask. An empty dx is first made zeros.
void dropout_backward(Tensor& dx, const Tensor& dout, const Tensor& mask);

namespace detail {

// Which compiled copy of dropout_forward's mask loop runs. kAuto (the default): the AVX-512 copy
// where the CPU has AVX-512F/DQ/VL (checked once), else the baseline copy; kBaseline: always the
// baseline copy. Non-x86 builds (e.g. arm64) have only the baseline copy, which both run. Both
// compute the same integers and the same single multiply per element, so the mask and output are
// bit for bit the same: this switch exists so that tests can check that on a CPU that would
// otherwise only ever run one of them. Process-wide; set it while no dropout_forward runs.
enum class DropoutCopy { kAuto, kBaseline };
void set_dropout_copy(DropoutCopy copy);
// Whether this CPU runs the AVX-512 copy under kAuto.
bool dropout_avx512_supported();

}  // namespace detail

}  // namespace convt
