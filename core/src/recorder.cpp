#include "convt/recorder.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace convt {

void TraceRecorder::begin(const TraceGeometry& geometry, const Tensor& x, const Tensor& w) {
  int64_t events = geometry.event_count();
  if (events > max_events_) {
    std::ostringstream s;
    s << geometry.op << ": the trace would hold " << events
      << (geometry.kind == TraceKind::kMaxPool ? " window taps" : " multiply-adds")
      << ", over the cap of "
      << max_events_ << " (4 bytes each). HINT: raise the trace limit, or trace a smaller input "
      << "(fewer channels or a batch of one).";
    throw TraceLimitError(s.str());
  }
  geometry_ = geometry;
  x_ = x;
  w_ = w;
  out_before_.clear();
  out_before_.shrink_to_fit();
  out_before_.reserve(static_cast<size_t>(events));
}

MacEvent TraceRecorder::event(int64_t k) const {
  if (k < 0 || k >= size()) {
    throw std::out_of_range("TraceRecorder::event(" + std::to_string(k) + "): the trace holds " +
                            std::to_string(size()) + " events");
  }
  const TraceGeometry& g = geometry_;
  MacEvent e;
  e.step = k;
  int64_t r = k;
  e.kx = static_cast<int>(r % g.kW), r /= g.kW;
  e.ky = static_cast<int>(r % g.kH), r /= g.kH;
  if (g.kind == TraceKind::kScatter) {
    // for n, ic, iy, ix, oc, ky, kx
    e.oc = static_cast<int>(r % g.C_out), r /= g.C_out;
    e.ix = static_cast<int>(r % g.W), r /= g.W;
    e.iy = static_cast<int>(r % g.H), r /= g.H;
    e.ic = static_cast<int>(r % g.C_in), r /= g.C_in;
    e.n = static_cast<int>(r);
    e.oy = e.iy * g.stride.h - g.padding.h + e.ky * g.dilation.h;
    e.ox = e.ix * g.stride.w - g.padding.w + e.kx * g.dilation.w;
    e.cropped = e.oy < 0 || e.oy >= g.H_out || e.ox < 0 || e.ox >= g.W_out;
    e.x = x_.at(e.n, e.ic, e.iy, e.ix);
    e.w = w_.at(e.ic, e.oc, e.ky, e.kx);
  } else if (g.kind == TraceKind::kGather) {
    // for n, oc, oy, ox, ic, ky, kx
    e.ic = static_cast<int>(r % g.C_in), r /= g.C_in;
    e.ox = static_cast<int>(r % g.W_out), r /= g.W_out;
    e.oy = static_cast<int>(r % g.H_out), r /= g.H_out;
    e.oc = static_cast<int>(r % g.C_out), r /= g.C_out;
    e.n = static_cast<int>(r);
    e.iy = e.oy * g.stride.h - g.padding.h + e.ky * g.dilation.h;
    e.ix = e.ox * g.stride.w - g.padding.w + e.kx * g.dilation.w;
    e.cropped = e.iy < 0 || e.iy >= g.H || e.ix < 0 || e.ix >= g.W;
    e.x = e.cropped ? 0.0f : x_.at(e.n, e.ic, e.iy, e.ix);
    e.w = w_.at(e.oc, e.ic, e.ky, e.kx);
  } else {
    // for n, c, oy, ox, ky, kx: the window's running max, no weight
    e.ox = static_cast<int>(r % g.W_out), r /= g.W_out;
    e.oy = static_cast<int>(r % g.H_out), r /= g.H_out;
    e.ic = e.oc = static_cast<int>(r % g.C_in), r /= g.C_in;
    e.n = static_cast<int>(r);
    e.iy = e.oy * g.stride.h - g.padding.h + e.ky * g.dilation.h;
    e.ix = e.ox * g.stride.w - g.padding.w + e.kx * g.dilation.w;
    e.cropped = e.iy < 0 || e.iy >= g.H || e.ix < 0 || e.ix >= g.W;
    e.x = e.cropped ? -std::numeric_limits<float>::infinity() : x_.at(e.n, e.ic, e.iy, e.ix);
    e.w = 0;
    e.product = e.x;
    e.out_before = out_before_[static_cast<size_t>(k)];
    // max_compare's rule: a larger value or NaN takes over. (The window's first tap inside the
    // input also does when the max so far is -inf; then x can only be -inf too, the same value.)
    const bool takes_over = !e.cropped && (e.x > e.out_before || std::isnan(e.x));
    e.out_after = takes_over ? e.x : e.out_before;
    return e;
  }
  e.product = e.x * e.w;
  e.out_before = out_before_[static_cast<size_t>(k)];
  e.out_after = e.cropped ? e.out_before : e.out_before + e.product;
  return e;
}

size_t TraceRecorder::bytes() const {
  return out_before_.capacity() * sizeof(float) +
         static_cast<size_t>(x_.numel() + w_.numel()) * sizeof(float);
}

}  // namespace convt
