// MetricSeries: the training dashboard's curves in bounded memory (a ring buffer,
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
#include <utility>
#include <vector>

#include "convt/nn/sequential.h"
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

// ---- Per-layer gradient norms (the dashboard's optional curves) ---------------------------------
// The L2 norm of the gradient of each layer of `net` that has parameters, over all its
// parameters: sqrt(sum over weight and bias of (dL/dtheta)^2), as
// torch.nn.utils.clip_grad_norm_ computes per group. Reads the gradients the last backward left
// (GanTrainer: G's from Step A, dL_G/dtheta_G; D's from Step B, dL_D/dtheta_D). Names are
// "<prefix>.<index> <label>" ("G.4 up1"; the type, "G.1 BatchNorm1d", for an unlabelled layer), in
// layer order.
std::vector<std::pair<std::string, float>> layer_gradient_norms(nn::Sequential& net,
                                                                const std::string& prefix);

// Gradient norms over time in bounded memory: at most `capacity` entries; when full, every other
// entry is dropped, the first and the last kept (downsampled, the start never lost).
class GradientNormSeries {
 public:
  explicit GradientNormSeries(size_t capacity = 512);
  // Appends one step's norms; the first push fixes the layer names (a push with other names
  // starts over).
  void push(int64_t step, const std::vector<std::pair<std::string, float>>& norms);
  void clear();
  const std::vector<std::string>& layers() const { return layers_; }
  const std::vector<int64_t>& steps() const { return steps_; }
  // norms()[k][l]: layer l at steps()[k].
  const std::vector<std::vector<float>>& norms() const { return norms_; }

 private:
  size_t capacity_;
  std::vector<std::string> layers_;
  std::vector<int64_t> steps_;
  std::vector<std::vector<float>> norms_;
};

// The series as CSV text: a header "step,loss_G,loss_D,D(x),D(G(z)),acc_real,acc_fake,
// steps_per_point,event" and one row per stored point (numbers as %.9g, so float32 values
// round-trip); `event` holds the texts of the events (hyperparameter changes, loads) that took
// effect within the steps the point covers, joined by "; ", quoted when needed.
std::string metrics_csv(const MetricSeries& series, const std::vector<CurveEvent>& events);
// Writes metrics_csv() to `path` through a temporary file renamed into place
// (io/atomic_file.h): a crash never leaves half a file. Throws std::runtime_error naming the path.
void write_metrics_csv(const std::string& path, const MetricSeries& series,
                       const std::vector<CurveEvent>& events);

// Moving average over the last `window` values (window 1: the values themselves), for the
// smoothing slider. Same length as `values`.
std::vector<float> smooth(const std::vector<float>& values, int window);

}  // namespace convt::lab
