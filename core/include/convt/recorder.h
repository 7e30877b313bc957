// The Recorder: how the naive kernels show their work.
//
// Every multiply-add of conv2d, conv_transpose2d and their backward passes goes through
// multiply_add() below (like Darknet's col2im_add_pixel), and every tap of max_pool2d's window
// through max_compare(); an event that changes nothing (cropped by padding) goes through
// cropped_event(). They take a Recorder as a template parameter:
//   NoRecorder     compiles to the bare `out += x * w` (and the bare compare);
//   TraceRecorder  also remembers each event, so the stepper can replay it.
//
// Events come from three loop nests, all written out in the op files:
//   scatter  for n, ic, iy, ix, oc, ky, kx:  out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[ic, oc, ky, kx]
//            oy = iy*stride - padding + ky*dilation  (conv_transpose2d forward, conv2d backward-data)
//   gather   for n, oc, oy, ox, ic, ky, kx:  out[n, oc, oy, ox] += x[n, ic, iy, ix] * w[oc, ic, ky, kx]
//            iy = oy*stride - padding + ky*dilation  (conv2d forward, conv_transpose2d backward-data)
//   max      for n, c, oy, ox, ky, kx:       out[n, c, oy, ox] = max(out[n, c, oy, ox], x[n, c, iy, ix])
//            iy = oy*stride - padding + ky*dilation  (max_pool2d forward)
// Because the loop order is fixed, event k's indices follow from k alone (mixed-radix decoding),
// and x, w from the tensors. The trace therefore stores one float per event, the value of the
// output cell before the event, and rebuilds the rest in O(1): 4 bytes an event.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "convt/shape.h"
#include "convt/tensor.h"

namespace convt {

// One event, as the stepper shows it. For a scatter, (ic, iy, ix) index the tensor being
// spread out and (oc, oy, ox) the destination; for a gather, (ic, iy, ix) index the input being
// read. For max_pool2d, ic = oc is the channel, (iy, ix) the tap's input pixel, w = 0,
// product = x, and out_before / out_after the window's running max before and after the tap
// (-inf before its first tap).
// `cropped`: scatter: the write fell outside the output, in the border that padding cuts away
//            (nothing is added: "written, then cut away");
//            gather: the read fell in the zero padding around the input (x = 0, nothing added);
//            max: the tap fell in the padding (x = -inf, never picked).
struct MacEvent {
  int64_t step = 0;  // 0-based position in the trace
  int n = 0, ic = 0, iy = 0, ix = 0;
  int oc = 0, ky = 0, kx = 0, oy = 0, ox = 0;
  float x = 0, w = 0, product = 0, out_before = 0, out_after = 0;
  bool cropped = false;
};

enum class TraceKind { kScatter, kGather, kMaxPool };

// The loop nest of one recorded op: enough to decode any event from its step number.
// For a scatter, (H, W) is the source's size and weight is (C_in, C_out, kH, kW);
// for a gather, weight is (C_out, C_in, kH, kW); for max, C_in = C_out = C, (kH, kW) is the
// window and there is no weight. (H_out, W_out) is the destination's size.
struct TraceGeometry {
  TraceKind kind = TraceKind::kScatter;
  std::string op;  // "conv_transpose2d", "conv2d", "conv2d_backward_data", "max_pool2d", ...
  int N = 0, C_in = 0, H = 0, W = 0, C_out = 0, kH = 0, kW = 0, H_out = 0, W_out = 0;
  Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};

  int64_t event_count() const {
    const int64_t taps = static_cast<int64_t>(kH) * kW;
    switch (kind) {
      case TraceKind::kScatter:
        return static_cast<int64_t>(N) * C_in * H * W * C_out * taps;
      case TraceKind::kGather:
        return static_cast<int64_t>(N) * C_out * H_out * W_out * C_in * taps;
      case TraceKind::kMaxPool:
        return static_cast<int64_t>(N) * C_in * H_out * W_out * taps;
    }
    return 0;
  }
};

// Thrown by TraceRecorder::begin when an op would record more events than the caller's cap.
class TraceLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct NoRecorder {
  static constexpr bool kRecords = false;
};

class TraceRecorder {
 public:
  static constexpr bool kRecords = true;
  // At most max_events events (4 bytes each); begin() refuses a bigger op before any work.
  explicit TraceRecorder(int64_t max_events = 10'000'000) : max_events_(max_events) {}

  // Called by an op before its loops. Copies x and w (the trace must outlive them; max_pool2d
  // passes an empty w) and reserves the exact number of events. Throws TraceLimitError past the
  // cap. Clears any earlier trace.
  void begin(const TraceGeometry& geometry, const Tensor& x, const Tensor& w);
  void record(float out_before) { out_before_.push_back(out_before); }

  int64_t size() const { return static_cast<int64_t>(out_before_.size()); }
  int64_t max_events() const { return max_events_; }
  const TraceGeometry& geometry() const { return geometry_; }
  // Event k, 0 <= k < size(), rebuilt in O(1). Throws std::out_of_range otherwise.
  MacEvent event(int64_t k) const;
  // Bytes held by the trace (the per-event store plus the copies of x and w).
  size_t bytes() const;

 private:
  int64_t max_events_;
  TraceGeometry geometry_;
  Tensor x_, w_;
  std::vector<float> out_before_;
};

// The single multiply-add of every convolution-family loop: `out += x * w`. A TraceRecorder
// first records out's value before the add.
template <class Recorder>
inline void multiply_add(Recorder& rec, float& out, float x, float w) {
  if constexpr (Recorder::kRecords) rec.record(out);
  out += x * w;
}

// One tap of a max_pool2d window: `best` is the window's running max and `best_at` where it was
// found (-1 before the window's first tap inside the input). The tap's value v, at `at`, takes
// over when it is larger, NaN (NaN propagates, as PyTorch) or the first; of equals, the first
// stays. A TraceRecorder first records best.
template <class Recorder>
inline void max_compare(Recorder& rec, float& best, int64_t& best_at, float v, int64_t at) {
  if constexpr (Recorder::kRecords) rec.record(best);
  if (v > best || std::isnan(v) || best_at < 0) {
    best = v;
    best_at = at;
  }
}

// An event that changes nothing because padding crops it: a scatter's write into the border
// that padding cuts away, a gather's read of the zero padding (before = 0: there is no cell), a
// max_pool2d tap in the padding (before = the window's running max). A TraceRecorder records
// it; without one this is nothing.
template <class Recorder>
inline void cropped_event(Recorder& rec, float before = 0.0f) {
  if constexpr (Recorder::kRecords) rec.record(before);
}

}  // namespace convt
