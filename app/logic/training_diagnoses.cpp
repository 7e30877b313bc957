#include "logic/training_diagnoses.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "logic/cell_text.h"

namespace convt::lab {

namespace {

// The last kDiagnosisWindow points, or an empty span when there are fewer than 20.
struct Window {
  const CurvePoint* begin = nullptr;
  size_t size = 0;
  const CurvePoint& operator[](size_t i) const { return begin[i]; }
};

Window last_window(const std::vector<CurvePoint>& points) {
  if (points.size() < 20) return {};
  const size_t n = std::min(points.size(), kDiagnosisWindow);
  return {points.data() + (points.size() - n), n};
}

// Mean of curve c over points [from, to) of the window.
double mean(const Window& w, Curve c, size_t from, size_t to) {
  double sum = 0.0;
  for (size_t i = from; i < to; ++i) sum += curve_value(w[i], c);
  return to > from ? sum / static_cast<double>(to - from) : 0.0;
}

// Whether curve c rises over the window beyond its noise: the least-squares slope against the
// point index is positive and at least 3 standard errors (a flat noisy curve gets there about
// once in 700 windows).
bool rises_beyond_noise(const Window& w, Curve c) {
  const size_t n = w.size;
  if (n < 10) return false;
  const double x_mean = 0.5 * static_cast<double>(n - 1);
  const double y_mean = mean(w, c, 0, n);
  double sxx = 0.0, sxy = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i) - x_mean;
    sxx += dx * dx;
    sxy += dx * (curve_value(w[i], c) - y_mean);
  }
  const double slope = sxy / sxx;
  double residual2 = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double r = curve_value(w[i], c) - (y_mean + slope * (static_cast<double>(i) - x_mean));
    residual2 += r * r;
  }
  const double standard_error = std::sqrt(residual2 / static_cast<double>(n - 2) / sxx);
  return slope > 0.0 && slope >= 3.0 * standard_error;
}

}  // namespace

bool diagnose_d_too_strong(const std::vector<CurvePoint>& points, Diagnosis& out) {
  const Window w = last_window(points);
  if (w.size == 0) return false;
  const size_t q = w.size / 4;
  const double d_first = mean(w, Curve::kLossD, 0, q);
  const double d_last = mean(w, Curve::kLossD, w.size - q, w.size);
  const double real = mean(w, Curve::kDReal, w.size - q, w.size);
  const double fake = mean(w, Curve::kDFake, w.size - q, w.size);
  if (!(d_last < 0.15 && (d_last <= d_first || d_last < 0.05) && real - fake > 0.8)) return false;
  out.kind = Diagnosis::Kind::kDTooStrong;
  out.title = "D is too strong: loss_D is heading to 0";
  // Means over the window's first and last quarters, with their steps: the curves show each
  // step (or a smoothing of them), and the last step alone can differ a lot from these.
  out.evidence = format_text(
      "mean loss_D went from %.3f (steps %lld..%lld) to %.3f (steps %lld..%lld); over the "
      "latter, mean D(x) = %.2f, mean D(G(z)) = %.2f: D tells real from fake almost perfectly, "
      "so G's gradient through D(G(z)) ~ 0 is tiny.",
      d_first, static_cast<long long>(w[0].step), static_cast<long long>(w[q - 1].step), d_last,
      static_cast<long long>(w[w.size - q].step), static_cast<long long>(w[w.size - 1].step), real,
      fake);
  out.suggestion = "Lower lr_D (or raise lr_G), or pause and step G alone (Step A) a few times.";
  return true;
}

bool diagnose_g_exploding(const std::vector<CurvePoint>& points, Diagnosis& out) {
  const Window w = last_window(points);
  if (w.size == 0) return false;
  const size_t q = w.size / 4;
  const double g_first = mean(w, Curve::kLossG, 0, q);
  const double g_last = mean(w, Curve::kLossG, w.size - q, w.size);
  // The run's first points (at most 10): a climb too slow to show within one window (0.7 -> 9.5
  // over 300 steps, as a divergence run at lr 1e-2 did) still shows against the start, as long
  // as loss_G is still rising within the window beyond its noise (a flat, noisy loss_G far
  // above the start, as when D is too strong, is not a climb).
  const size_t k = std::min<size_t>(10, points.size() / 4);
  double g_start = 0.0;
  for (size_t i = 0; i < k; ++i) g_start += points[i].loss_g;
  g_start /= static_cast<double>(k);
  const bool fast = g_last > 1.5 * g_first;
  const bool over_the_run = g_last > 3.0 * g_start && rises_beyond_noise(w, Curve::kLossG);
  if (!(g_last > 4.0 && (fast || over_the_run))) return false;
  out.kind = Diagnosis::Kind::kGLossExploding;
  out.title = "G's loss is exploding";
  const double from = fast ? g_first : g_start;
  const int64_t from_first = fast ? w[0].step : points[0].step;
  const int64_t from_last = fast ? w[q - 1].step : points[k - 1].step;
  // Means with their steps, as for D too strong: the last step alone can differ a lot.
  out.evidence = format_text(
      "mean loss_G rose from %.3f (steps %lld..%lld) to %.3f (steps %lld..%lld; healthy: near "
      "ln 2 = 0.69 .. 2); over the latter D calls G's samples fake with mean D(G(z)) = %.3f.",
      from, static_cast<long long>(from_first), static_cast<long long>(from_last), g_last,
      static_cast<long long>(w[w.size - q].step), static_cast<long long>(w[w.size - 1].step),
      mean(w, Curve::kDFake, w.size - q, w.size));
  out.suggestion = "Lower lr_D or raise lr_G; if it keeps rising, Reset with the notes' preset.";
  return true;
}

bool diagnose_oscillating(const std::vector<CurvePoint>& points, Diagnosis& out) {
  const Window w = last_window(points);
  if (w.size < 40) return false;
  std::vector<float> g(w.size);
  for (size_t i = 0; i < w.size; ++i) g[i] = w[i].loss_g;
  g = smooth(g, 3);
  const auto [lo, hi] = std::minmax_element(g.begin() + 2, g.end());
  const double amplitude = *hi - *lo;
  int turns = 0, direction = 0;
  for (size_t i = 3; i < g.size(); ++i) {
    const double d = g[i] - g[i - 1];
    if (std::fabs(d) < 0.05 * amplitude) continue;
    const int dir = d > 0 ? 1 : -1;
    if (direction != 0 && dir != direction) ++turns;
    direction = dir;
  }
  const size_t half = w.size / 2;
  const double drift =
      std::fabs(mean(w, Curve::kLossG, half, w.size) - mean(w, Curve::kLossG, 0, half));
  if (!(amplitude > 1.0 && turns >= 6 && drift < 0.15 * amplitude)) return false;
  out.kind = Diagnosis::Kind::kOscillating;
  out.title = "The losses oscillate without progress";
  out.evidence = format_text(
      "over steps %lld..%lld loss_G (smoothed) swings between %.2f and %.2f, turning %d times, "
      "while its mean moved only %.3f: G and D take turns winning.",
      static_cast<long long>(w[0].step), static_cast<long long>(w[w.size - 1].step), *lo, *hi,
      turns, drift);
  out.suggestion = "Lower both learning rates (e.g. halve them), or use the notes' preset.";
  return true;
}

bool diagnose_mode_collapse(float sample_diversity, float real_diversity,
                            const std::vector<int>& class_histogram, Diagnosis& out) {
  // The samples' spread against the real images': under 0.3 of it a full collapse, under
  // kPartialCollapseDiversity a partial one.
  if (sample_diversity >= 0.0f && real_diversity > 0.0f &&
      sample_diversity < kPartialCollapseDiversity * real_diversity) {
    const bool full = sample_diversity < 0.3f * real_diversity;
    out.kind = Diagnosis::Kind::kModeCollapse;
    out.title = full ? "Mode collapse: the samples all look alike"
                     : "Partial mode collapse: the samples vary much less than real images";
    out.evidence = format_text(
        "the fixed-z samples vary by %.3f per pixel (std over the grid), the real images by "
        "%.3f (%.0f%% of it; a healthy G reaches about 100%%): %s",
        sample_diversity, real_diversity, 100.0 * sample_diversity / real_diversity,
        full ? "different z give nearly the same image."
             : "many z give near-copies of a few images, even if the losses look calm.");
    out.suggestion =
        full ? "Reset with another seed or lower lr_G; a D that is too weak lets G settle on one "
               "image."
             : "Look for repeats in the sample grid. Reset with another seed, lower lr_G, or give "
               "D more to do (a larger lr_D).";
    return true;
  }
  int total = 0, top = 0;
  size_t top_class = 0;
  for (size_t c = 0; c < class_histogram.size(); ++c) {
    total += class_histogram[c];
    if (class_histogram[c] > top) {
      top = class_histogram[c];
      top_class = c;
    }
  }
  if (total >= 20 && class_histogram.size() >= 3 && top > total / 2) {
    out.kind = Diagnosis::Kind::kModeCollapse;
    out.title = "Mode collapse: one class takes over";
    out.evidence = format_text(
        "%d of %d samples (%.0f%%) are classified as %zu; a healthy run spreads them over all "
        "%zu classes.",
        top, total, 100.0 * top / total, top_class, class_histogram.size());
    out.suggestion = "Reset with another seed or lower lr_G.";
    return true;
  }
  // Classes G (almost) never draws: each under 1% of the samples.
  std::vector<size_t> missing;
  for (size_t c = 0; c < class_histogram.size(); ++c) {
    if (100 * class_histogram[c] < total) missing.push_back(c);
  }
  if (total >= 100 && class_histogram.size() >= 3 && missing.size() >= 2) {
    std::string names;
    for (size_t c : missing) names += (names.empty() ? "" : ", ") + std::to_string(c);
    out.kind = Diagnosis::Kind::kModeCollapse;
    out.title = "Partial mode collapse: some classes are never drawn";
    out.evidence = format_text(
        "%zu of %zu classes (%s) are each under 1%% of %d samples; real data has "
        "about 10%% of each.",
        missing.size(), class_histogram.size(), names.c_str(), total);
    out.suggestion = "Train longer, or reset with another seed or a lower lr_G.";
    return true;
  }
  return false;
}

bool diagnose_nan(const std::vector<CurvePoint>& points, const std::string& error, Diagnosis& out) {
  const bool nan_error = error.find("finite") != std::string::npos ||
                         error.find("NaN") != std::string::npos ||
                         error.find("nan") != std::string::npos;
  bool nan_point = false;
  if (!points.empty()) {
    for (int c = 0; c < kCurveCount; ++c) {
      if (!std::isfinite(curve_value(points.back(), static_cast<Curve>(c)))) nan_point = true;
    }
  }
  if (!nan_error && !nan_point) return false;
  out.kind = Diagnosis::Kind::kNaN;
  out.title = "NaN: training stopped";
  out.evidence = nan_error ? error
                           : format_text("the last point (step %lld) holds a non-finite value",
                                         static_cast<long long>(points.back().step));
  out.suggestion =
      "Load the last good checkpoint and continue with lower learning rates (e.g. / 4).";
  return true;
}

std::vector<Diagnosis> diagnose(const DiagnosisInput& in) {
  static const std::vector<CurvePoint> kNone;
  const std::vector<CurvePoint>& points = in.points ? *in.points : kNone;
  std::vector<Diagnosis> found;
  Diagnosis d;
  if (diagnose_nan(points, in.error, d)) found.push_back(d);
  if (diagnose_d_too_strong(points, d)) found.push_back(d);
  if (diagnose_g_exploding(points, d)) found.push_back(d);
  if (diagnose_oscillating(points, d)) found.push_back(d);
  if (!points.empty() && points.back().step >= kModeCollapseMinSteps &&
      diagnose_mode_collapse(in.sample_diversity, in.real_diversity, in.class_histogram, d)) {
    found.push_back(d);
  }
  return found;
}

}  // namespace convt::lab
