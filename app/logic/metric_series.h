// MetricSeries: the training dashboard's curves in bounded memory (STYLE.md 11: a ring buffer,
// as ImPlot's ScrollingBuffer, but one that downsamples instead of scrolling).
//
//   capacity 8:  [s1 s2 s3 s4 s5 s6 s7 s8]            stride 1 (one point per step)
//   push s9:     [s1-2 s3-4 s5-6 s7-8] + pending s9   stride 2 (pairs merged by their mean)
//
// The start of the run is never dropped: a long run keeps its whole history at a coarser
// resolution. Each stored point is the mean of `stride()` consecutive steps and carries the step
// number of the last of them. No GL, no threads: the training session holds one under its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "convt/train/gan_trainer.h"

namespace convt::lab {

// One point of the curves: the per-step metrics of GanTrainer (convt/train/gan_trainer.h).
struct CurvePoint {
  int64_t step = 0;  // the (last) step this point covers, 1-based
  float loss_g = 0.0f, loss_d = 0.0f;
  float d_real = 0.0f, d_fake = 0.0f;      // mean sigmoid(D(x)), mean sigmoid(D(G(z)))
  float acc_real = 0.0f, acc_fake = 0.0f;  // fractions in [0, 1]

  static CurvePoint from_metrics(const StepMetrics& m);
};

// The curves' names and accessors, in the order the dashboard and the CSV show them.
enum class Curve { kLossG, kLossD, kDReal, kDFake, kAccReal, kAccFake };
constexpr int kCurveCount = 6;
const char* curve_name(Curve c);  // "loss_G", "loss_D", "D(x)", "D(G(z))", "acc_real", ...
float curve_value(const CurvePoint& p, Curve c);

// A change made mid-run ("lr_G 1e-4 -> 2e-4"), drawn as a vertical line on the curves.
struct CurveEvent {
  int64_t step = 0;  // steps done when it took effect
  std::string text;
};

class MetricSeries {
 public:
  // capacity: stored points, even and >= 4 (std::invalid_argument otherwise).
  explicit MetricSeries(size_t capacity);
  MetricSeries() : MetricSeries(4096) {}

  void push(const CurvePoint& p);
  void clear();

  // The stored points, oldest first; each the mean of stride() steps (the last may be pending:
  // see pending()).
  const std::vector<CurvePoint>& points() const { return points_; }
  // Steps per stored point: 1, 2, 4, ... doubling each time the buffer fills.
  int64_t stride() const { return stride_; }
  size_t capacity() const { return capacity_; }
  // Steps pushed in total.
  int64_t total_pushed() const { return total_; }

 private:
  size_t capacity_;
  int64_t stride_ = 1;
  int64_t total_ = 0;
  std::vector<CurvePoint> points_;
  CurvePoint pending_sum_;  // the sum of the steps not yet stored (fewer than stride_)
  int64_t pending_count_ = 0;
};

// Moving average over the last `window` values (window 1: the values themselves), for the
// smoothing slider. Same length as `values`.
std::vector<float> smooth(const std::vector<float>& values, int window);

}  // namespace convt::lab
