#include "logic/metric_series.h"

#include <algorithm>
#include <stdexcept>

namespace convt::lab {

CurvePoint CurvePoint::from_metrics(const StepMetrics& m) {
  CurvePoint p;
  p.step = m.step;
  p.loss_g = m.loss_g;
  p.loss_d = m.loss_d;
  p.d_real = m.d_real;
  p.d_fake = m.d_fake;
  p.acc_real = m.acc_real;
  p.acc_fake = m.acc_fake;
  return p;
}

const char* curve_name(Curve c) {
  switch (c) {
    case Curve::kLossG:
      return "loss_G";
    case Curve::kLossD:
      return "loss_D";
    case Curve::kDReal:
      return "D(x)";
    case Curve::kDFake:
      return "D(G(z))";
    case Curve::kAccReal:
      return "acc_real";
    case Curve::kAccFake:
      return "acc_fake";
  }
  return "?";
}

float curve_value(const CurvePoint& p, Curve c) {
  switch (c) {
    case Curve::kLossG:
      return p.loss_g;
    case Curve::kLossD:
      return p.loss_d;
    case Curve::kDReal:
      return p.d_real;
    case Curve::kDFake:
      return p.d_fake;
    case Curve::kAccReal:
      return p.acc_real;
    case Curve::kAccFake:
      return p.acc_fake;
  }
  return 0.0f;
}

namespace {

void add_into(CurvePoint& sum, const CurvePoint& p) {
  sum.step = p.step;  // the last step covered
  sum.loss_g += p.loss_g;
  sum.loss_d += p.loss_d;
  sum.d_real += p.d_real;
  sum.d_fake += p.d_fake;
  sum.acc_real += p.acc_real;
  sum.acc_fake += p.acc_fake;
}

CurvePoint scaled(CurvePoint p, float factor) {
  p.loss_g *= factor;
  p.loss_d *= factor;
  p.d_real *= factor;
  p.d_fake *= factor;
  p.acc_real *= factor;
  p.acc_fake *= factor;
  return p;
}

}  // namespace

MetricSeries::MetricSeries(size_t capacity) : capacity_(capacity) {
  if (capacity < 4 || capacity % 2 != 0) {
    throw std::invalid_argument("MetricSeries: capacity must be even and >= 4, found " +
                                std::to_string(capacity));
  }
  points_.reserve(capacity);
}

void MetricSeries::clear() {
  points_.clear();
  stride_ = 1;
  total_ = 0;
  pending_sum_ = CurvePoint{};
  pending_count_ = 0;
}

void MetricSeries::push(const CurvePoint& p) {
  ++total_;
  add_into(pending_sum_, p);
  if (++pending_count_ < stride_) return;
  points_.push_back(scaled(pending_sum_, 1.0f / static_cast<float>(pending_count_)));
  pending_sum_ = CurvePoint{};
  pending_count_ = 0;
  if (points_.size() < capacity_) return;
  // Full: merge neighbours pairwise (the mean of two means of equal counts), halving the points.
  for (size_t i = 0; i < capacity_ / 2; ++i) {
    CurvePoint sum;
    add_into(sum, points_[2 * i]);
    add_into(sum, points_[2 * i + 1]);
    points_[i] = scaled(sum, 0.5f);
  }
  points_.resize(capacity_ / 2);
  stride_ *= 2;
}

std::vector<float> smooth(const std::vector<float>& values, int window) {
  if (window <= 1) return values;
  std::vector<float> out(values.size());
  double sum = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= static_cast<size_t>(window)) sum -= values[i - window];
    const size_t n = std::min(i + 1, static_cast<size_t>(window));
    out[i] = static_cast<float>(sum / static_cast<double>(n));
  }
  return out;
}

}  // namespace convt::lab
