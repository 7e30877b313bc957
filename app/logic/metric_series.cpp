#include "logic/metric_series.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "convt/io/atomic_file.h"
#include "convt/io/csv.h"

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

std::string metrics_csv(const MetricSeries& series, const std::vector<CurveEvent>& events) {
  std::string out = "step";
  for (int c = 0; c < kCurveCount; ++c) out += std::string(",") + curve_name(static_cast<Curve>(c));
  out += ",steps_per_point,event\n";
  const int64_t stride = series.stride();
  char number[32];
  for (const CurvePoint& p : series.points()) {
    out += std::to_string(p.step);
    for (int c = 0; c < kCurveCount; ++c) {
      std::snprintf(number, sizeof number, ",%.9g",
                    static_cast<double>(curve_value(p, static_cast<Curve>(c))));
      out += number;
    }
    out += "," + std::to_string(stride) + ",";
    // Events that took effect after step e.step, i.e. before the steps this point covers:
    // (p.step - stride, p.step].
    std::string text;
    for (const CurveEvent& e : events) {
      if (e.step + 1 > p.step - stride && e.step + 1 <= p.step) {
        text += (text.empty() ? "" : "; ") + e.text;
      }
    }
    out += csv_escape(text) + "\n";
  }
  return out;
}

void write_metrics_csv(const std::string& path, const MetricSeries& series,
                       const std::vector<CurveEvent>& events) {
  write_file_atomic(path, metrics_csv(series, events));
}

std::vector<std::pair<std::string, float>> layer_gradient_norms(nn::Sequential& net,
                                                                const std::string& prefix) {
  std::vector<std::pair<std::string, float>> out;
  for (size_t i = 0; i < net.size(); ++i) {
    const std::vector<nn::ParamRef> params = net.layer(i).params();
    if (params.empty()) continue;
    double sum = 0.0;
    for (const nn::ParamRef& p : params) {
      for (float g : p.grad->values()) sum += static_cast<double>(g) * g;
    }
    std::string name = prefix + "." + std::to_string(i);
    const bool labelled = !net.label(i).empty() && net.label(i) != std::to_string(i);
    name += " " + (labelled ? net.label(i) : std::string(net.layer(i).type()));
    out.emplace_back(std::move(name), static_cast<float>(std::sqrt(sum)));
  }
  return out;
}

GradientNormSeries::GradientNormSeries(size_t capacity) : capacity_(capacity) {
  if (capacity < 4) {
    throw std::invalid_argument("GradientNormSeries: capacity must be >= 4, found " +
                                std::to_string(capacity));
  }
}

void GradientNormSeries::clear() {
  layers_.clear();
  steps_.clear();
  norms_.clear();
}

void GradientNormSeries::push(int64_t step,
                              const std::vector<std::pair<std::string, float>>& norms) {
  std::vector<std::string> names;
  std::vector<float> values;
  for (const auto& [name, value] : norms) {
    names.push_back(name);
    values.push_back(value);
  }
  if (names != layers_) {
    clear();
    layers_ = std::move(names);
  }
  steps_.push_back(step);
  norms_.push_back(std::move(values));
  if (steps_.size() <= capacity_) return;
  // Keep entries 0, 2, 4, ... and the newest.
  size_t kept = 0;
  for (size_t k = 0; k < steps_.size(); k += 2, ++kept) {
    if (kept == k) continue;  // entry 0 stays where it is
    steps_[kept] = steps_[k];
    norms_[kept] = std::move(norms_[k]);
  }
  if (steps_.size() % 2 == 0) {  // the newest was skipped
    steps_[kept] = steps_.back();
    norms_[kept] = std::move(norms_.back());
    ++kept;
  }
  steps_.resize(kept);
  norms_.resize(kept);
}

}  // namespace convt::lab
