#include "logic/exercises.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "convt/io/atomic_file.h"
#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/losses.h"
#include "convt/ops/pool2d.h"
#include "convt/recorder.h"
#include "convt/rng.h"
#include "convt/shape.h"
#include "convt/tensor.h"
#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "logic/cnn_inside.h"
#include "logic/saved_run.h"
#include "logic/training_diagnoses.h"

namespace convt::lab {

namespace {

constexpr int kKindCount = static_cast<int>(ExerciseKind::kBlurryAverage) + 1;
constexpr size_t kMaxReasons = 6;  // lines of "why" under a wrong answer

// ---- Small helpers ------------------------------------------------------------------------------

int pick(Rng& rng, int lo, int hi) { return lo + static_cast<int>(rng.below(hi - lo + 1)); }

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v == 0.0 ? 0.0 : v);
  return buf;
}

std::string cell(int y, int x) { return "(" + std::to_string(y) + ", " + std::to_string(x) + ")"; }

// A (1, 1, h, w) tensor of integers in lo..hi.
Tensor small_ints(Rng& rng, int h, int w, int lo, int hi) {
  Tensor t({1, 1, h, w});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(pick(rng, lo, hi));
  return t;
}

ShownGrid shown(std::string label, const Tensor& t, int mark_y = -1, int mark_x = -1) {
  ShownGrid g;
  g.h = static_cast<int>(t.dim(-2));
  g.w = static_cast<int>(t.dim(-1));
  g.label = std::move(label) + " (" + std::to_string(g.h) + " x " + std::to_string(g.w) + ")";
  g.values = t.values();
  g.mark_y = mark_y;
  g.mark_x = mark_x;
  return g;
}

// Every event of a recorded op, rebuilt from the trace.
std::vector<MacEvent> events(const TraceRecorder& rec) {
  std::vector<MacEvent> v;
  v.reserve(static_cast<size_t>(rec.size()));
  for (int64_t k = 0; k < rec.size(); ++k) v.push_back(rec.event(k));
  return v;
}

// conv_transpose2d of x (1, 1, H, W) with w (1, 1, k, k), recorded.
std::vector<MacEvent> transposed_events(const Tensor& x, const Tensor& w,
                                        const ConvTranspose2dParams& p, Tensor* out = nullptr) {
  TraceRecorder rec;
  Tensor y;
  conv_transpose2d_forward(y, x, w, nullptr, p, rec);
  if (out != nullptr) *out = y;
  return events(rec);
}

std::vector<MacEvent> conv_events(const Tensor& x, const Tensor& w, const Conv2dParams& p,
                                  Tensor* out = nullptr) {
  TraceRecorder rec;
  Tensor y;
  conv2d_forward(y, x, w, nullptr, p, rec);
  if (out != nullptr) *out = y;
  return events(rec);
}

// "conv2d, kernel_size 3, stride 2, padding 1" (dilation and output_padding only when not the
// default), the way PyTorch's arguments read.
std::string op_text(const char* op, int k, int s, int p, int d = 1, int a = 0) {
  std::string t = std::string(op) + ", kernel_size " + std::to_string(k) + ", stride " +
                  std::to_string(s) + ", padding " + std::to_string(p);
  if (a != 0) t += ", output_padding " + std::to_string(a);
  if (d != 1) t += ", dilation " + std::to_string(d);
  return t;
}

// "out[1, 2] = 2*(-1) + 3*1 = 1": the products that reach one output cell, in the loop's order.
std::string contributions(const std::vector<MacEvent>& ev, int oy, int ox, float value) {
  std::string t = "out[" + std::to_string(oy) + ", " + std::to_string(ox) + "] =";
  bool first = true;
  for (const MacEvent& e : ev) {
    if (e.cropped || e.oy != oy || e.ox != ox) continue;
    const std::string w = e.w < 0 ? "(" + num(e.w) + ")" : num(e.w);
    t += (first ? " " : " + ") + num(e.x) + "*" + w;
    first = false;
  }
  if (first) t += " (nothing lands here)";
  return t + " = " + num(value);
}

// 0/1 per cell of an (h, w) grid.
std::vector<int> cell_set(int h, int w, const std::vector<std::pair<int, int>>& cells) {
  std::vector<int> v(static_cast<size_t>(h) * w, 0);
  for (auto [y, x] : cells) v[static_cast<size_t>(y) * w + x] = 1;
  return v;
}

// A random conv_transpose2d setting on a square input with an output of at most max_out.
struct TransposedSetting {
  int H = 3, k = 3, s = 2, p = 0, d = 1, out = 0;
};
TransposedSetting random_transposed(Rng& rng, int max_out, bool allow_dilation) {
  for (;;) {
    TransposedSetting t;
    t.H = pick(rng, 2, 4);
    t.k = pick(rng, 2, 4);
    t.s = pick(rng, 1, 3);
    t.p = pick(rng, 0, 2);
    t.d = allow_dilation && rng.below(4) == 0 ? 2 : 1;
    try {
      t.out = conv_transpose_out_size(t.H, t.k, t.s, t.p, 0, t.d);
    } catch (const ShapeError&) {
      continue;
    }
    if (t.out >= 3 && t.out <= max_out) return t;
  }
}

ConvTranspose2dParams transposed_params(const TransposedSetting& t) {
  ConvTranspose2dParams p;
  p.stride = t.s;
  p.padding = t.p;
  p.dilation = t.d;
  return p;
}

// ---- Lesson 1: conv2d ---------------------------------------------------------------------------

Exercise conv_value(uint64_t seed) {
  Rng rng(seed);
  const int H = pick(rng, 3, 4), k = pick(rng, 2, 3), s = H == 4 ? pick(rng, 1, 2) : 1;
  const int p = k == 3 && rng.below(2) == 0 ? 1 : 0;
  const Tensor x = small_ints(rng, H, H, -2, 3), w = small_ints(rng, k, k, -1, 2);
  Conv2dParams cp;
  cp.stride = s;
  cp.padding = p;
  Tensor out;
  const std::vector<MacEvent> ev = conv_events(x, w, cp, &out);
  const int oy = pick(rng, 0, static_cast<int>(out.dim(2)) - 1);
  const int ox = pick(rng, 0, static_cast<int>(out.dim(3)) - 1);
  Exercise e;
  e.kind = ExerciseKind::kConvValue;
  e.form = AnswerForm::kNumber;
  e.prompt = op_text("conv2d", k, s, p) + ". The output is " + std::to_string(out.dim(2)) +
             " x " + std::to_string(out.dim(3)) + ". What is out" + cell(oy, ox) +
             "? Lay the kernel on the window of that cell" +
             (p > 0 ? " (the padding is zeros)" : "") + ", multiply, add.";
  e.shown = {shown("input x", x), shown("kernel w", w)};
  e.expected_number = out.at(0, 0, oy, ox);
  e.reveal = {contributions(ev, oy, ox, out.at(0, 0, oy, ox)) +
              (p > 0 ? "  (taps on the padding read 0 and are left out)" : "")};
  return e;
}

Exercise conv_window(uint64_t seed) {
  Rng rng(seed);
  const int H = pick(rng, 4, 6), k = pick(rng, 2, 3), s = pick(rng, 1, 2);
  const int p = pick(rng, 0, 1);
  const int d = rng.below(4) == 0 && 2 * (k - 1) + 1 <= H + 2 * p ? 2 : 1;  // the window fits
  Conv2dParams cp;
  cp.stride = s;
  cp.padding = p;
  cp.dilation = d;
  Tensor out;
  const std::vector<MacEvent> ev =
      conv_events(Tensor({1, 1, H, H}, 1.0f), Tensor({1, 1, k, k}, 1.0f), cp, &out);
  const int oy = pick(rng, 0, static_cast<int>(out.dim(2)) - 1);
  const int ox = pick(rng, 0, static_cast<int>(out.dim(3)) - 1);
  std::vector<std::pair<int, int>> read;
  for (const MacEvent& m : ev) {
    if (!m.cropped && m.oy == oy && m.ox == ox) read.emplace_back(m.iy, m.ix);
  }
  Exercise e;
  e.kind = ExerciseKind::kConvWindow;
  e.form = AnswerForm::kCells;
  e.H = H, e.kernel_size = k, e.stride = s, e.padding = p, e.dilation = d;
  e.at_y = oy, e.at_x = ox;
  e.prompt = op_text("conv2d", k, s, p, d) + " on a " + std::to_string(H) + " x " +
             std::to_string(H) + " input gives a " + std::to_string(out.dim(2)) + " x " +
             std::to_string(out.dim(3)) + " output. Click every input cell that out" +
             cell(oy, ox) + " reads: its window (cells of the zero padding are not input cells).";
  e.grid_label = "input (" + std::to_string(H) + " x " + std::to_string(H) + ")";
  e.grid_h = e.grid_w = H;
  e.expected_cells = cell_set(H, H, read);
  e.reveal = {"Window of out" + cell(oy, ox) + ": rows " + std::to_string(oy * s - p) + " .. " +
              std::to_string(oy * s - p + d * (k - 1)) + ", columns " + std::to_string(ox * s - p) +
              " .. " + std::to_string(ox * s - p + d * (k - 1)) +
              (d > 1 ? ", every " + std::to_string(d) + "th" : "") + "  (iy = " +
              std::to_string(oy) + "*" + std::to_string(s) + " - " + std::to_string(p) + " + ky*" +
              std::to_string(d) + ")"};
  return e;
}

// ---- Lesson 2: conv_transpose2d -----------------------------------------------------------------

Exercise landing_cells(uint64_t seed) {
  Rng rng(seed);
  const TransposedSetting t = random_transposed(rng, 10, true);
  const int iy = pick(rng, 0, t.H - 1), ix = pick(rng, 0, t.H - 1);
  const std::vector<MacEvent> ev = transposed_events(
      Tensor({1, 1, t.H, t.H}, 1.0f), Tensor({1, 1, t.k, t.k}, 1.0f), transposed_params(t));
  std::vector<std::pair<int, int>> written;
  for (const MacEvent& m : ev) {
    if (!m.cropped && m.iy == iy && m.ix == ix) written.emplace_back(m.oy, m.ox);
  }
  Exercise e;
  e.kind = ExerciseKind::kLandingCells;
  e.form = AnswerForm::kCells;
  e.H = t.H, e.kernel_size = t.k, e.stride = t.s, e.padding = t.p, e.dilation = t.d;
  e.at_y = iy, e.at_x = ix;
  e.prompt = op_text("conv_transpose2d", t.k, t.s, t.p, t.d) + ": the " + std::to_string(t.H) +
             " x " + std::to_string(t.H) + " input becomes " + std::to_string(t.out) + " x " +
             std::to_string(t.out) + ". Input pixel " + cell(iy, ix) +
             " stamps the kernel onto the output. Click every output cell it writes to (what "
             "padding crops away is not in the output).";
  e.shown = {shown("input", Tensor({1, 1, t.H, t.H}, 0.0f), iy, ix)};
  e.shown[0].values.clear();  // positions only
  e.grid_label = "output (" + std::to_string(t.out) + " x " + std::to_string(t.out) + ")";
  e.grid_h = e.grid_w = t.out;
  e.expected_cells = cell_set(t.out, t.out, written);
  e.reveal = {"Tap (ky, kx) of pixel " + cell(iy, ix) + " lands on (" + std::to_string(iy) + "*" +
              std::to_string(t.s) + " - " + std::to_string(t.p) + " + ky*" + std::to_string(t.d) +
              ", " + std::to_string(ix) + "*" + std::to_string(t.s) + " - " + std::to_string(t.p) +
              " + kx*" + std::to_string(t.d) + "): " + std::to_string(written.size()) + " of its " +
              std::to_string(t.k * t.k) + " taps land inside the output."};
  return e;
}

Exercise transposed_reach(uint64_t seed) {
  Rng rng(seed);
  const TransposedSetting t = random_transposed(rng, 10, false);
  const int oy = pick(rng, 0, t.out - 1), ox = pick(rng, 0, t.out - 1);
  const std::vector<MacEvent> ev = transposed_events(
      Tensor({1, 1, t.H, t.H}, 1.0f), Tensor({1, 1, t.k, t.k}, 1.0f), transposed_params(t));
  std::vector<std::pair<int, int>> sources;
  std::vector<std::string> taps;
  for (const MacEvent& m : ev) {
    if (m.cropped || m.oy != oy || m.ox != ox) continue;
    sources.emplace_back(m.iy, m.ix);
    taps.push_back("pixel " + cell(m.iy, m.ix) + " with tap " + cell(m.ky, m.kx));
  }
  Exercise e;
  e.kind = ExerciseKind::kTransposedReach;
  e.form = AnswerForm::kCells;
  e.H = t.H, e.kernel_size = t.k, e.stride = t.s, e.padding = t.p, e.dilation = t.d;
  e.at_y = oy, e.at_x = ox;
  e.prompt = op_text("conv_transpose2d", t.k, t.s, t.p) + ": the " + std::to_string(t.H) + " x " +
             std::to_string(t.H) + " input becomes " + std::to_string(t.out) + " x " +
             std::to_string(t.out) + ". Every input pixel stamps the kernel. Click every input "
             "pixel whose stamp reaches output cell " + cell(oy, ox) + ".";
  e.shown = {shown("output", Tensor({1, 1, t.out, t.out}, 0.0f), oy, ox)};
  e.shown[0].values.clear();
  e.grid_label = "input (" + std::to_string(t.H) + " x " + std::to_string(t.H) + ")";
  e.grid_h = e.grid_w = t.H;
  e.expected_cells = cell_set(t.H, t.H, sources);
  std::string list;
  for (const std::string& s : taps) list += (list.empty() ? "" : "; ") + s;
  e.reveal = {"out" + cell(oy, ox) + " gets " + std::to_string(taps.size()) +
              " stamp(s): " + (list.empty() ? "none" : list)};
  return e;
}

Exercise transposed_value(uint64_t seed) {
  Rng rng(seed);
  const int H = 2, k = pick(rng, 2, 3), s = pick(rng, 1, 2);
  const Tensor x = small_ints(rng, H, H, -2, 3), w = small_ints(rng, k, k, -1, 2);
  ConvTranspose2dParams p;
  p.stride = s;
  Tensor out;
  const std::vector<MacEvent> ev = transposed_events(x, w, p, &out);
  const int oy = pick(rng, 0, static_cast<int>(out.dim(2)) - 1);
  const int ox = pick(rng, 0, static_cast<int>(out.dim(3)) - 1);
  Exercise e;
  e.kind = ExerciseKind::kTransposedValue;
  e.form = AnswerForm::kNumber;
  e.prompt = op_text("conv_transpose2d", k, s, 0) + ": every input pixel times the kernel is "
             "added onto the " + std::to_string(out.dim(2)) + " x " + std::to_string(out.dim(3)) +
             " output, pixel (i, j)'s stamp starting at (" + std::to_string(s) + "i, " +
             std::to_string(s) + "j). What is out" + cell(oy, ox) + "?";
  e.shown = {shown("input x", x), shown("kernel w", w)};
  e.expected_number = out.at(0, 0, oy, ox);
  e.reveal = {contributions(ev, oy, ox, out.at(0, 0, oy, ox))};
  return e;
}

// ---- Lesson 3: the output-size formula ----------------------------------------------------------

Exercise output_size(uint64_t seed) {
  Rng rng(seed);
  const int H = pick(rng, 1, 8), k = pick(rng, 1, 5), s = pick(rng, 1, 4), p = pick(rng, 0, 3);
  const int a = rng.below(3) == 0 ? pick(rng, 1, 2) : 0, d = rng.below(4) == 0 ? 2 : 1;
  Exercise e;
  e.kind = ExerciseKind::kOutputSize;
  e.form = AnswerForm::kNumber;
  e.prompt = "A " + op_text("conv_transpose2d", k, s, p, d, a) + " on an input of H = " +
             std::to_string(H) + ". What is H_out? Type the number, or 'invalid' if PyTorch "
             "would refuse these numbers.";
  e.reveal.push_back("H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + "
                     "output_padding + 1");
  try {
    e.expected_number = conv_transpose_out_size(H, k, s, p, a, d);
    e.reveal.push_back(conv_transpose_formula(H, k, s, p, a, d));
  } catch (const ShapeError& err) {
    e.expected_number.reset();
    e.reveal.push_back(std::string("invalid: ") + err.what());
  }
  return e;
}

// ---- Lesson 4: overlap ---------------------------------------------------------------------------

// How many stamps land on each cell of the output, from the recorded scatter.
std::vector<int> overlap_counts(int H, int k, int s, int p, int* out_size) {
  ConvTranspose2dParams cp;
  cp.stride = s;
  cp.padding = p;
  Tensor out;
  const std::vector<MacEvent> ev =
      transposed_events(Tensor({1, 1, H, H}, 1.0f), Tensor({1, 1, k, k}, 1.0f), cp, &out);
  const int n = static_cast<int>(out.dim(2));
  std::vector<int> counts(static_cast<size_t>(n) * n, 0);
  for (const MacEvent& m : ev) {
    if (!m.cropped) ++counts[static_cast<size_t>(m.oy) * n + m.ox];
  }
  *out_size = n;
  return counts;
}

Exercise overlap(uint64_t seed) {
  Rng rng(seed);
  static const std::pair<int, int> kSettings[] = {{3, 2}, {4, 2}, {2, 1}, {3, 1},
                                                  {2, 2}, {5, 2}, {3, 3}, {4, 3}};
  int k, s, H, p, n = 0;
  std::vector<int> counts;
  do {  // an output of at most 8 x 8: enough to see the pattern, few enough cells to click
    std::tie(k, s) = kSettings[rng.below(std::size(kSettings))];
    H = pick(rng, 2, 3);
    p = k > 2 ? pick(rng, 0, 1) : 0;
    counts = overlap_counts(H, k, s, p, &n);
  } while (n > 8);
  Exercise e;
  e.kind = ExerciseKind::kOverlapCounts;
  e.form = AnswerForm::kCounts;
  e.H = H, e.kernel_size = k, e.stride = s, e.padding = p;
  e.expected_cells = counts;
  const int most = (k + s - 1) / s;
  // At least 1..4 on offer, so that the choices do not give the answer away.
  for (int v = 1; v <= std::max(4, most * most); ++v) e.count_values.push_back(v);
  e.prompt = op_text("conv_transpose2d", k, s, p) + " on a " + std::to_string(H) + " x " +
             std::to_string(H) + " input (output " + std::to_string(n) + " x " +
             std::to_string(n) + "). Click each output cell until it shows how many stamps "
             "land on it (each click: the next count).";
  e.grid_label = "output (" + std::to_string(n) + " x " + std::to_string(n) + ")";
  e.grid_h = e.grid_w = n;
  const auto [lo, hi] = std::minmax_element(e.expected_cells.begin(), e.expected_cells.end());
  e.reveal = {"Counts from " + std::to_string(*lo) + " to " + std::to_string(*hi) + ". " +
              (k % s == 0 ? "kernel_size is a multiple of stride: away from the border every "
                            "cell gets the same number of stamps."
                          : "kernel_size is not a multiple of stride: the counts alternate, "
                            "the checkerboard.")};
  return e;
}

// Whether the counts away from the border are all equal (computed on a 6 x 6 input).
bool uniform_interior(int k, int s) {
  int n = 0;
  const int H = 6;
  const std::vector<int> c = overlap_counts(H, k, s, 0, &n);
  // Rows/columns q with k-1 <= q <= (H-1)*s can receive every tap (lessons' interior).
  int lo = 1 << 30, hi = 0;
  for (int y = k - 1; y <= (H - 1) * s && y < n; ++y) {
    for (int x = k - 1; x <= (H - 1) * s && x < n; ++x) {
      lo = std::min(lo, c[static_cast<size_t>(y) * n + x]);
      hi = std::max(hi, c[static_cast<size_t>(y) * n + x]);
    }
  }
  return lo == hi;
}

Exercise checkerboard_free(uint64_t seed) {
  Rng rng(seed);
  static const std::pair<int, int> kCandidates[] = {{2, 2}, {4, 2}, {3, 3}, {6, 3}, {3, 1},
                                                    {4, 4}, {3, 2}, {5, 2}, {4, 3}, {5, 3},
                                                    {5, 4}, {7, 2}, {6, 4}};
  std::vector<std::pair<int, int>> even, uneven;
  for (auto ks : kCandidates) (uniform_interior(ks.first, ks.second) ? even : uneven).push_back(ks);
  std::vector<std::pair<int, int>> options = {even[rng.below(even.size())]};
  while (options.size() < 3) {
    const auto c = uneven[rng.below(uneven.size())];
    if (std::find(options.begin(), options.end(), c) == options.end()) options.push_back(c);
  }
  const int at = static_cast<int>(rng.below(3));
  std::swap(options[0], options[static_cast<size_t>(at)]);
  Exercise e;
  e.kind = ExerciseKind::kCheckerboardFree;
  e.form = AnswerForm::kChoice;
  e.prompt = "Three conv_transpose2d layers (padding 0). Which one gives every output cell "
             "away from the border the same number of stamps, so no checkerboard?";
  for (size_t i = 0; i < options.size(); ++i) {
    const auto [k, s] = options[i];
    e.choices.push_back("kernel_size " + std::to_string(k) + ", stride " + std::to_string(s));
    const bool flat = uniform_interior(k, s);
    if (flat) e.expected_choice = static_cast<int>(i);
    e.reveal.push_back(e.choices.back() + ": " +
                       (flat ? "even overlap" : "uneven overlap (a checkerboard)") +
                       ", kernel_size / stride = " + num(static_cast<double>(k) / s));
  }
  return e;
}

// ---- Lesson 5: pooling --------------------------------------------------------------------------

Exercise pool_value(uint64_t seed) {
  Rng rng(seed);
  const int k = pick(rng, 2, 3), s = rng.below(2) == 0 ? k : 2, H = k == 2 ? 4 : 5;
  const Tensor x = small_ints(rng, H, H, 0, 9);
  Pool2dParams p;
  p.kernel_size = k;
  p.stride = s;
  TraceRecorder rec;
  Tensor out;
  max_pool2d_forward(out, nullptr, x, p, rec);
  const int oy = pick(rng, 0, static_cast<int>(out.dim(2)) - 1);
  const int ox = pick(rng, 0, static_cast<int>(out.dim(3)) - 1);
  std::string window;
  for (const MacEvent& m : events(rec)) {
    if (m.oy == oy && m.ox == ox && !m.cropped) window += (window.empty() ? "" : ", ") + num(m.x);
  }
  Exercise e;
  e.kind = ExerciseKind::kPoolValue;
  e.form = AnswerForm::kNumber;
  e.prompt = "max_pool2d, kernel_size " + std::to_string(k) + ", stride " + std::to_string(s) +
             " on this input (output " + std::to_string(out.dim(2)) + " x " +
             std::to_string(out.dim(3)) + "). What is out" + cell(oy, ox) + "?";
  e.shown = {shown("input x", x)};
  e.expected_number = out.at(0, 0, oy, ox);
  e.reveal = {"Window of out" + cell(oy, ox) + ": " + window + "; the largest is " +
              num(out.at(0, 0, oy, ox)) + ". No weights: max_pool2d learns nothing."};
  return e;
}

std::string rows_text(const Tensor& t) {
  std::string s;
  for (int y = 0; y < t.dim(2); ++y) {
    s += y == 0 ? "[" : ", ";
    for (int x = 0; x < t.dim(3); ++x) s += (x == 0 ? "[" : ", ") + num(t.at(0, 0, y, x));
    s += "]";
  }
  return s + "]";
}

Exercise pool_or_conv(uint64_t seed) {
  Rng rng(seed);
  const Tensor x = small_ints(rng, 4, 4, 0, 8);
  static const std::vector<float> kKernels[] = {
      {0.25f, 0.25f, 0.25f, 0.25f}, {1, 0, 0, 0}, {0, 0, 0, 1}, {0.5f, 0.5f, 0, 0}};
  const std::vector<float>& kv = kKernels[rng.below(std::size(kKernels))];
  const Tensor w({1, 1, 2, 2}, kv);
  Pool2dParams pp;  // kernel_size 2, stride 2
  Conv2dParams cp;
  cp.stride = 2;
  Tensor a, b, c;
  max_pool2d_forward(a, nullptr, x, pp);
  avg_pool2d_forward(b, x, pp);
  conv2d_forward(c, x, w, nullptr, cp);
  const bool ab = a.values() == b.values(), ac = a.values() == c.values(),
             bc = b.values() == c.values();
  Exercise e;
  e.kind = ExerciseKind::kPoolOrConv;
  e.form = AnswerForm::kChoice;
  e.prompt = "On this 4 x 4 input: max_pool2d(2, stride 2), avg_pool2d(2, stride 2), and "
             "conv2d with the 2 x 2 kernel w shown, stride 2. Which two give the same output?";
  e.shown = {shown("input x", x), shown("kernel w", w)};
  e.choices = {"max_pool2d and avg_pool2d", "max_pool2d and the conv2d",
               "avg_pool2d and the conv2d", "no two of them"};
  // Exactly one option is right: when two or more pairs agree, the first that does.
  e.expected_choice = ab ? 0 : ac ? 1 : bc ? 2 : 3;
  e.reveal = {"max_pool2d: " + rows_text(a), "avg_pool2d: " + rows_text(b),
              "conv2d:     " + rows_text(c),
              "A conv2d with every weight 1/4 is avg_pool2d; training can find it, or any other "
              "kernel: that is why DCGAN replaced pooling with strided convolutions."};
  return e;
}

// ---- Lesson 6: weight tying ---------------------------------------------------------------------

Exercise weight_tying(uint64_t seed) {
  Rng rng(seed);
  const int k = pick(rng, 2, 3), H = 3, p = pick(rng, 0, 1);
  const Tensor w = small_ints(rng, k, k, -2, 2);
  Tensor y({1, 1, H, H}, 0.0f);
  const int nonzero = pick(rng, 1, 2);
  for (int i = 0; i < nonzero; ++i) y.at(0, 0, pick(rng, 0, H - 1), pick(rng, 0, H - 1)) = 1.0f;
  const int ky = pick(rng, 0, k - 1), kx = pick(rng, 0, k - 1);
  Tensor w_edit = w;
  w_edit.at(0, 0, ky, kx) += static_cast<float>(pick(rng, 1, 3));
  ConvTranspose2dParams tp;
  tp.padding = p;
  Tensor tied_before, tied_after, untied_before, untied_after;
  conv_transpose2d_forward(tied_before, y, w, nullptr, tp);
  conv_transpose2d_forward(tied_after, y, w_edit, nullptr, tp);  // tied: shares the encoder's w
  const Tensor untied_w = w;                                       // untied: a copy made earlier
  conv_transpose2d_forward(untied_before, y, untied_w, nullptr, tp);
  conv_transpose2d_forward(untied_after, y, untied_w, nullptr, tp);
  auto max_change = [](const Tensor& a, const Tensor& b) {
    float m = 0;
    for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
  };
  const float tied = max_change(tied_before, tied_after);
  const float untied = max_change(untied_before, untied_after);
  Exercise e;
  e.kind = ExerciseKind::kWeightTying;
  e.form = AnswerForm::kChoice;
  e.H = H, e.kernel_size = k, e.padding = p;
  e.at_y = ky, e.at_x = kx;
  e.prompt = "An encoder conv2d has the kernel w shown. Its tied decoder is conv_transpose2d "
             "with the same tensor w (padding " + std::to_string(p) + "); an untied decoder "
             "started as a copy of w. You add " + num(w_edit.at(0, 0, ky, kx) - w.at(0, 0, ky, kx)) +
             " to the encoder's w" + cell(ky, kx) + ". Which decoder's output for the input y "
             "shown changes?";
  e.shown = {shown("kernel w", w, ky, kx), shown("decoder input y", y)};
  e.choices = {"only the tied decoder", "only the untied decoder", "both", "neither"};
  e.expected_choice = tied > 0 && untied > 0 ? 2 : tied > 0 ? 0 : untied > 0 ? 1 : 3;
  e.reveal = {"Largest change of the tied decoder's output: " + num(tied) +
                  "; of the untied decoder's: " + num(untied) + ".",
              tied > 0 ? "The tied decoder reads the encoder's own weights: one tensor, two ops."
                       : "Tap " + cell(ky, kx) + " of every non-zero pixel of y falls in the "
                         "border that padding crops, so even the tied decoder does not change."};
  return e;
}

// ---- Lesson 7: the losses -----------------------------------------------------------------------

// BCE of one probability against a target, through the core's loss on logits.
double bce(double prob, float target) {
  const Tensor logit({1}, {static_cast<float>(std::log(prob / (1.0 - prob)))});
  return bce_with_logits_forward(logit, Tensor({1}, {target}));
}

Exercise discriminator_loss(uint64_t seed) {
  Rng rng(seed);
  const double real = pick(rng, 50, 95) / 100.0, fake = pick(rng, 5, 60) / 100.0;
  const bool ask_d = rng.below(3) != 0;
  const double loss_real = bce(real, 1.0f), loss_fake = bce(fake, 0.0f), loss_g = bce(fake, 1.0f);
  Exercise e;
  e.kind = ExerciseKind::kDiscriminatorLoss;
  e.form = AnswerForm::kNumber;
  e.tolerance = 0.01;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "One batch of one: D says %.2f to a real digit (D(x)) and %.2f to G's fake "
                "(D(G(z))). What is %s? Two decimals; ln is the natural log.",
                real, fake, ask_d ? "loss_D" : "loss_G");
  e.prompt = buf;
  if (ask_d) {
    e.expected_number = loss_real + loss_fake;
    std::snprintf(buf, sizeof buf,
                  "loss_D = -ln D(x) - ln(1 - D(G(z))) = -ln %.2f - ln %.2f = %.3f + %.3f = %.3f",
                  real, 1.0 - fake, loss_real, loss_fake, loss_real + loss_fake);
  } else {
    e.expected_number = loss_g;
    std::snprintf(buf, sizeof buf, "loss_G = -ln D(G(z)) = -ln %.2f = %.3f", fake, loss_g);
  }
  e.reveal = {buf, "At the balance, D(x) = D(G(z)) = 0.5: loss_D = 1.39, loss_G = 0.69."};
  return e;
}

// ---- Lesson 8: reading the curves ---------------------------------------------------------------

// The four answers, in the order the choices list them.
const char* const kRunVerdicts[] = {"healthy", "D too strong", "mode collapse", "divergence"};
const char* const kSavedRunNames[] = {"healthy", "d_too_strong", "mode_collapse", "divergence"};

// Which of kRunVerdicts the dashboard's diagnoses give: divergence (a non-finite loss, or G's loss
// climbing), then D too strong, then mode collapse; none of them (or only the oscillation note):
// healthy.
int verdict_of(const std::vector<Diagnosis>& diagnoses) {
  using K = Diagnosis::Kind;
  auto has = [&](K k) {
    return std::any_of(diagnoses.begin(), diagnoses.end(), [k](const Diagnosis& d) { return d.kind == k; });
  };
  if (has(K::kNaN) || has(K::kGLossExploding)) return 3;
  if (has(K::kDTooStrong)) return 1;
  if (has(K::kModeCollapse)) return 2;
  return 0;
}

ShownRun shown_run(const SavedRun& run, std::string label) {
  ShownRun r;
  r.label = std::move(label);
  const std::vector<CurvePoint>& points = run.series.points();
  r.steps = points.empty() ? 0 : points.back().step;
  const size_t stride = std::max<size_t>(1, (points.size() + kShownRunPoints - 1) / kShownRunPoints);
  for (size_t i = 0; i < points.size(); i += stride) {
    r.loss_g.push_back(points[i].loss_g);
    r.loss_d.push_back(points[i].loss_d);
    r.d_real.push_back(points[i].d_real);
    r.d_fake.push_back(points[i].d_fake);
  }
  r.sample_diversity = run.grids.empty() ? -1.0f : run.grids.back().diversity;
  r.real_diversity = run.real_diversity;
  return r;
}

Exercise read_curves(uint64_t seed) {
  Rng rng(seed);
  std::vector<int> order = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[rng.below(i + 1)]);
  Exercise e;
  e.kind = ExerciseKind::kReadCurves;
  e.form = AnswerForm::kMatch;
  e.prompt = "Four real training runs of the 20x20 GAN, in a random order. Name each from its "
             "curves (loss_G and loss_D; D(x) and D(G(z))) and its samples' diversity. One "
             "looks healthy by its curves alone, and is not.";
  e.choices.assign(std::begin(kRunVerdicts), std::end(kRunVerdicts));
  for (size_t i = 0; i < order.size(); ++i) {
    SavedRun run = load_saved_run(saved_run_dir(kSavedRunNames[order[i]]));
    add_real_digits(run);
    const std::vector<Diagnosis> diagnoses = diagnose_saved_run(run);
    const std::string label = std::string("Run ") + static_cast<char>('A' + i);
    e.runs.push_back(shown_run(run, label));
    e.expected_cells.push_back(verdict_of(diagnoses));
    std::string why;
    for (const Diagnosis& d : diagnoses) why += (why.empty() ? "" : "; ") + d.title + ": " + d.evidence;
    e.reveal.push_back(label + " is the saved run '" + run.name + "': " +
                       kRunVerdicts[e.expected_cells.back()] + ". " +
                       (why.empty() ? "The dashboard's diagnoses find nothing wrong." : why));
  }
  return e;
}

// ---- Lesson 7: you against D --------------------------------------------------------------------

std::string step_file(const char* stem, int step, const char* ext) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "exercises/you_vs_d/%s_step_%05d.%s", stem, step, ext);
  return buf;
}

Exercise you_against_d(uint64_t seed) {
  Rng rng(seed);
  const int step = kYouVsDSteps[rng.below(std::size(kYouVsDSteps))];
  const LoadedD d = load_discriminator(asset_path(step_file("d", step, "safetensors")));
  const Tensor fakes = read_png_grid(asset_path(step_file("fakes", step, "png")), 64, 20, 8, 2, 1);
  const Dataset digits = load_builtin_digits(20);
  constexpr int kCells = 16, kSize = 20, kPixels = kSize * kSize;
  std::vector<int> is_fake(kCells, 0);
  for (int i = 0; i < kCells / 2; ++i) is_fake[static_cast<size_t>(i)] = 1;
  for (int i = kCells - 1; i > 0; --i) std::swap(is_fake[static_cast<size_t>(i)], is_fake[rng.below(i + 1)]);
  Tensor batch({kCells, 1, kSize, kSize});
  std::vector<bool> fake_used(64, false);
  for (int c = 0; c < kCells; ++c) {
    const float* src;
    if (is_fake[static_cast<size_t>(c)] != 0) {
      size_t k;
      do k = rng.below(64); while (fake_used[k]);
      fake_used[k] = true;
      src = fakes.data() + k * kPixels;
    } else {
      src = digits.images.data() + rng.below(static_cast<uint64_t>(digits.size())) * kPixels;
    }
    std::copy(src, src + kPixels, batch.data() + static_cast<size_t>(c) * kPixels);
  }
  const Tensor& logits = d.D->forward(batch);  // (16, 1)
  Exercise e;
  e.kind = ExerciseKind::kYouAgainstD;
  e.form = AnswerForm::kCells;
  e.grid_h = e.grid_w = 4;
  e.grid_label = "16 digits";
  e.image_size = kSize;
  e.images = batch.values();
  int d_right = 0;
  float farthest = 0.0f;  // from 0.5
  for (int c = 0; c < kCells; ++c) {
    e.d_real_prob.push_back(sigmoid(logits[c]));
    d_right += (e.d_real_prob.back() > 0.5f) == (is_fake[static_cast<size_t>(c)] == 0);
    farthest = std::max(farthest, std::fabs(e.d_real_prob.back() - 0.5f));
  }
  e.expected_cells = is_fake;
  e.prompt = "Half of these 16 digits are real (the built-in MNIST digits), half were drawn by G "
             "after " + std::to_string(step) + " steps of training. Click the fakes. Then see "
             "what D, trained for the same " + std::to_string(step) + " steps, said about each.";
  double mean_real = 0, mean_fake = 0;
  for (int c = 0; c < kCells; ++c) {
    (is_fake[static_cast<size_t>(c)] != 0 ? mean_fake : mean_real) += e.d_real_prob[static_cast<size_t>(c)];
  }
  mean_real /= kCells / 2;
  mean_fake /= kCells / 2;
  char means[200];
  std::snprintf(means, sizeof means, "Mean D(x): %.2f over the real ones, %.2f over G's: ",
                mean_real, mean_fake);
  e.reveal = {"D says real when D(x) > 0.5: it got " + std::to_string(d_right) + " of 16 right. "
              "Under each image: D(x), and what it was." +
                  (farthest < 0.05f ? std::string(" D is sure of none of them (every D(x) within "
                                                  "0.05 of 0.5): this D stays near the balance "
                                                  "all run long, and wins by small margins.")
                                    : std::string()),
              std::string(means) +
                  (mean_real > mean_fake + 0.01 ? "D still leans the right way on average."
                                                : "on average D cannot tell them apart."),
              "D is not meant to win: its best answer is D(x) = p_data(x) / (p_data(x) + p_G(x)) "
              "(Goodfellow et al. 2014), so D(x) drifts toward 0.5 as G's digits get closer to "
              "the real ones. You see whole strokes; D knows only what G's latest fakes got "
              "wrong."};
  return e;
}

// ---- Lesson 9: the latent space -----------------------------------------------------------------

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

Exercise latent_length(uint64_t seed) {
  Rng rng(seed);
  constexpr int kDim = 100;  // the notes' z
  std::vector<double> a(kDim), b(kDim);
  for (int i = 0; i < kDim; ++i) a[static_cast<size_t>(i)] = rng.normal();
  for (int i = 0; i < kDim; ++i) b[static_cast<size_t>(i)] = rng.normal();
  const bool slerp = rng.below(3) == 0;
  double dot = 0;
  for (int i = 0; i < kDim; ++i) dot += a[static_cast<size_t>(i)] * b[static_cast<size_t>(i)];
  const double na = norm(a), nb = norm(b);
  const double theta = std::acos(std::clamp(dot / (na * nb), -1.0, 1.0));
  std::vector<double> mid(kDim);
  for (int i = 0; i < kDim; ++i) {  // t = 0.5
    const size_t k = static_cast<size_t>(i);
    mid[k] = slerp ? (std::sin(0.5 * theta) / std::sin(theta)) * (a[k] + b[k]) : 0.5 * (a[k] + b[k]);
  }
  Exercise e;
  e.kind = ExerciseKind::kLatentLength;
  e.form = AnswerForm::kNumber;
  e.tolerance = 0.15;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "z_A and z_B: 100 numbers each, drawn from N(0, 1) (seed %llu). |z_A| = %.2f, "
                "|z_B| = %.2f, the angle between them %.1f degrees. What is |z| halfway along the "
                "%s from z_A to z_B (t = 0.5)? One decimal.",
                static_cast<unsigned long long>(seed % 100000), na, nb, theta * 180.0 / M_PI,
                slerp ? "spherical interpolation (slerp)" : "straight line (lerp)");
  e.prompt = buf;
  e.expected_number = norm(mid);
  std::snprintf(buf, sizeof buf,
                slerp ? "slerp(z_A, z_B, 0.5) = sin(theta/2)/sin(theta) (z_A + z_B): |z| = %.2f, "
                        "between |z_A| and |z_B|."
                      : "(z_A + z_B) / 2: |z| = %.2f, about |z_A| / sqrt(2) for two nearly "
                        "orthogonal z.",
                norm(mid));
  e.reveal = {buf,
              "100 normal numbers have a length near sqrt(100) = 10, and nearly all z that G "
              "saw in training were that long: the straight line's middle is shorter than "
              "almost any of them; slerp's stays on the shell."};
  return e;
}

// ---- Lesson 10: why MSE blurs -------------------------------------------------------------------

Exercise blurry_average(uint64_t seed) {
  Rng rng(seed);
  const Dataset digits = load_builtin_digits(20);
  constexpr int kPixels = 400;
  const int64_t ia = static_cast<int64_t>(rng.below(static_cast<uint64_t>(digits.size())));
  int64_t ib;
  do ib = static_cast<int64_t>(rng.below(static_cast<uint64_t>(digits.size())));
  while (digits.labels[static_cast<size_t>(ib)] == digits.labels[static_cast<size_t>(ia)]);
  const float p = static_cast<float>(pick(rng, 5, 9)) / 10.0f;  // chance of A
  const Tensor A({1, 1, 20, 20}, std::vector<float>(digits.images.data() + ia * kPixels,
                                                    digits.images.data() + (ia + 1) * kPixels));
  const Tensor B({1, 1, 20, 20}, std::vector<float>(digits.images.data() + ib * kPixels,
                                                    digits.images.data() + (ib + 1) * kPixels));
  Tensor half = A, weighted = A;
  for (int i = 0; i < kPixels; ++i) {
    half[i] = 0.5f * (A[i] + B[i]);
    weighted[i] = p * A[i] + (1.0f - p) * B[i];
  }
  std::vector<Tensor> candidates = {A, B, half, weighted};
  std::vector<std::string> names = {"A itself", "B itself", "the 50/50 average of A and B",
                                    "the average weighted by the chances"};
  if (p == 0.5f) {  // then the two averages are one: a fourth option of its own
    candidates.pop_back();
    names.pop_back();
  }
  Exercise e;
  e.kind = ExerciseKind::kBlurryAverage;
  e.form = AnswerForm::kChoice;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "A model trained with MSE sees an input that was digit A in %.0f%% of the training "
                "examples and digit B in the rest. Which output gives the smallest expected MSE?",
                100.0 * p);
  e.prompt = buf;
  e.shown = {shown("A", A), shown("B", B), shown("50/50", half)};
  if (p != 0.5f) e.shown.push_back(shown("weighted", weighted));
  for (ShownGrid& g : e.shown) g.picture = true;
  double best = 1e30;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const double expected = p * mse_forward(candidates[i], A) + (1.0 - p) * mse_forward(candidates[i], B);
    e.choices.push_back(names[i]);
    std::snprintf(buf, sizeof buf, "%s: expected MSE %.4f", names[i].c_str(), expected);
    e.reveal.push_back(buf);
    if (expected < best - 1e-9) {
      best = expected;
      e.expected_choice = static_cast<int>(i);
    }
  }
  e.reveal.push_back("The mean of the possible answers minimises the expected squared error: a "
                     "blend of both digits, blurry. A GAN's G is not scored by MSE but by D, who "
                     "rejects blends: it commits to one digit.");
  return e;
}

// ---- Feedback -----------------------------------------------------------------------------------

// The tap index t with pos = base + t*d, 0 <= t < k; -1 if none.
int tap_at(int pos, int base, int d, int k) {
  const int off = pos - base;
  if (off < 0 || off % d != 0 || off / d >= k) return -1;
  return off / d;
}

std::string span(int base, int d, int k) {
  return std::to_string(base) + " .. " + std::to_string(base + d * (k - 1));
}

// Why a cell of a kCells answer is wrong: clicked (not in the answer) or missed (in it).
std::string cells_reason(const Exercise& e, int y, int x, bool clicked) {
  const int s = e.stride, p = e.padding, d = e.dilation, k = e.kernel_size;
  const int ay = e.at_y, ax = e.at_x;
  const std::string c = cell(y, x), at = cell(ay, ax);
  const std::string ps = std::to_string(p), ss = std::to_string(s), ds = std::to_string(d);
  if (e.kind == ExerciseKind::kLandingCells) {  // (ay, ax): the input pixel; (y, x): output
    if (!clicked) {
      return "you left out " + c + ": tap " + cell(tap_at(y, ay * s - p, d, k), tap_at(x, ax * s - p, d, k)) +
             " lands there (row " + std::to_string(ay) + "*" + ss + " - " + ps + " + ky*" + ds + ")";
    }
    const int ky0 = tap_at(y, ay * s, d, k), kx0 = tap_at(x, ax * s, d, k);
    if (p > 0 && ky0 >= 0 && kx0 >= 0) {
      return "your cell " + c + " is where tap " + cell(ky0, kx0) +
             " would land with padding 0; padding " + ps + " moves every stamp up and left by " +
             ps;
    }
    const int ky1 = tap_at(y, ay - p, d, k), kx1 = tap_at(x, ax - p, d, k);
    if (s > 1 && ky1 >= 0 && kx1 >= 0) {
      return "your cell " + c + " is where tap " + cell(ky1, kx1) +
             " would land with stride 1; stride " + ss + " starts pixel " + at + "'s stamp at " +
             cell(ay * s - p, ax * s - p);
    }
    return "your cell " + c + " is not under pixel " + at + "'s stamp: rows " +
           span(ay * s - p, d, k) + ", columns " + span(ax * s - p, d, k) +
           (d > 1 ? ", every " + ds + "th" : "");
  }
  if (e.kind == ExerciseKind::kTransposedReach) {  // (ay, ax): the output cell; (y, x): input
    if (!clicked) {
      return "you left out pixel " + c + ": its tap " +
             cell(tap_at(ay, y * s - p, d, k), tap_at(ax, x * s - p, d, k)) + " lands on " + at +
             " (" + std::to_string(y) + "*" + ss + " - " + ps + " + ky = " + std::to_string(ay) + ")";
    }
    return "pixel " + c + "'s stamp covers rows " + span(y * s - p, d, k) + ", columns " +
           span(x * s - p, d, k) + ": it misses " + at;
  }
  // kConvWindow: (ay, ax) the output cell; (y, x) an input cell.
  if (!clicked) {
    return "you left out " + c + ": it is tap " +
           cell(tap_at(y, ay * s - p, d, k), tap_at(x, ax * s - p, d, k)) + " of the window (row " +
           std::to_string(ay) + "*" + ss + " - " + ps + " + ky*" + ds + ")";
  }
  return "your cell " + c + " is not read by out" + at + ": its window covers rows " +
         span(ay * s - p, d, k) + ", columns " + span(ax * s - p, d, k) +
         (d > 1 ? ", every " + ds + "th (dilation " + ds + ")" : "");
}

// Which input pixels' stamps land on output cell (y, x) of a kCounts exercise.
std::string stamp_sources(const Exercise& e, int y, int x) {
  std::string list;
  for (int iy = 0; iy < e.H; ++iy) {
    for (int ix = 0; ix < e.H; ++ix) {
      if (tap_at(y, iy * e.stride - e.padding, 1, e.kernel_size) >= 0 &&
          tap_at(x, ix * e.stride - e.padding, 1, e.kernel_size) >= 0) {
        list += (list.empty() ? "" : " ") + cell(iy, ix);
      }
    }
  }
  return list;
}

ExerciseFeedback check_grid(const Exercise& e, const ExerciseAnswer& a) {
  ExerciseFeedback f;
  const size_t n = static_cast<size_t>(e.grid_h) * e.grid_w;
  if (a.cells.size() != n) {
    f.verdict = "Expected an answer for " + std::to_string(n) + " cells, found " +
                std::to_string(a.cells.size()) + ".";
    return f;
  }
  int wrong = 0;
  for (size_t i = 0; i < n; ++i) {
    if (a.cells[i] == e.expected_cells[i]) continue;
    ++wrong;
    if (f.reasons.size() >= kMaxReasons) continue;
    const int y = static_cast<int>(i) / e.grid_w, x = static_cast<int>(i) % e.grid_w;
    if (e.form == AnswerForm::kCells) {
      f.reasons.push_back(cells_reason(e, y, x, a.cells[i] != 0));
    } else {
      f.reasons.push_back(cell(y, x) + ": you said " + std::to_string(a.cells[i]) + ", it gets " +
                          std::to_string(e.expected_cells[i]) + " (from pixels " +
                          stamp_sources(e, y, x) + ")");
    }
  }
  if (wrong > static_cast<int>(kMaxReasons)) {
    f.reasons.push_back("... and " + std::to_string(wrong - static_cast<int>(kMaxReasons)) +
                        " more");
  }
  if (e.kind == ExerciseKind::kYouAgainstD) {  // the score of the game, not cell by cell
    f.reasons.clear();
    int d_right = 0;
    for (size_t i = 0; i < n; ++i) d_right += (e.d_real_prob[i] > 0.5f) == (e.expected_cells[i] == 0);
    f.reasons.push_back("you: " + std::to_string(static_cast<int>(n) - wrong) + " of " +
                        std::to_string(n) + " right; D: " + std::to_string(d_right) + " of " +
                        std::to_string(n));
  }
  f.right = wrong == 0;
  const int expected = static_cast<int>(
      std::count_if(e.expected_cells.begin(), e.expected_cells.end(), [](int v) { return v; }));
  f.verdict = f.right ? (e.form == AnswerForm::kCells
                             ? "Right: all " + std::to_string(expected) + " cells."
                             : "Right: every count.")
                      : "Not quite: " + std::to_string(wrong) + " cell" + (wrong == 1 ? "" : "s") +
                            " differ (marked).";
  return f;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

ExerciseFeedback check_number(const Exercise& e, const ExerciseAnswer& a) {
  ExerciseFeedback f;
  const std::string t = trim(a.text);
  char rounded[32];
  std::snprintf(rounded, sizeof rounded, "%.2f", e.expected_number.value_or(0.0));
  const std::string expected = !e.expected_number ? "invalid"
                               : e.tolerance > 0  ? rounded  // typed to two decimals
                                                  : num(*e.expected_number);
  if (t == "invalid" || t == "Invalid") {
    f.right = !e.expected_number;
    f.verdict = f.right ? "Right: PyTorch refuses these numbers."
                        : "Not quite: these numbers are valid, H_out = " + expected + ".";
    return f;
  }
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v)) {
    f.verdict = "Expected a number" +
                std::string(e.kind == ExerciseKind::kOutputSize ? " or 'invalid'" : "") +
                ", found '" + t + "'.";
    return f;
  }
  if (!e.expected_number) {
    f.verdict = "Not quite: PyTorch refuses these numbers (see why below).";
    return f;
  }
  f.right = std::fabs(v - *e.expected_number) <= e.tolerance + 1e-9;
  f.verdict = f.right ? "Right: " + expected + "."
                      : "Not quite: you said " + num(v) + ", the core computes " + expected + ".";
  if (!f.right && e.kind == ExerciseKind::kTransposedValue) {
    f.reasons.push_back("only the stamps that land on this cell add up here; list them below");
  }
  return f;
}

ExerciseFeedback check_match(const Exercise& e, const ExerciseAnswer& a) {
  ExerciseFeedback f;
  if (a.cells.size() != e.runs.size() ||
      std::any_of(a.cells.begin(), a.cells.end(), [&](int c) {
        return c < 0 || c >= static_cast<int>(e.choices.size());
      })) {
    f.verdict = "Name every run: pick one of the " + std::to_string(e.choices.size()) +
                " for each of the " + std::to_string(e.runs.size()) + ".";
    return f;
  }
  int wrong = 0;
  for (size_t i = 0; i < e.runs.size(); ++i) {
    if (a.cells[i] == e.expected_cells[i]) continue;
    ++wrong;
    f.reasons.push_back(e.runs[i].label + ": you said " + e.choices[static_cast<size_t>(a.cells[i])] +
                        ", the diagnoses say " + e.choices[static_cast<size_t>(e.expected_cells[i])]);
  }
  f.right = wrong == 0;
  f.verdict = f.right ? "Right: all " + std::to_string(e.runs.size()) + " runs."
                      : "Not quite: " + std::to_string(wrong) + " of " +
                            std::to_string(e.runs.size()) + " runs named wrong.";
  return f;
}

ExerciseFeedback check_choice(const Exercise& e, const ExerciseAnswer& a) {
  ExerciseFeedback f;
  if (a.choice < 0 || a.choice >= static_cast<int>(e.choices.size())) {
    f.verdict = "Pick one of the " + std::to_string(e.choices.size()) + " options.";
    return f;
  }
  f.right = a.choice == e.expected_choice;
  f.verdict = f.right ? "Right: " + e.choices[static_cast<size_t>(a.choice)] + "."
                      : "Not quite: it is " + e.choices[static_cast<size_t>(e.expected_choice)] +
                            ".";
  return f;
}

std::vector<std::string> split(const std::string& s, const char* separators) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < s.size()) {
    const size_t b = s.find_first_not_of(separators, i);
    if (b == std::string::npos) break;
    const size_t e = s.find_first_of(separators, b);
    parts.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    i = e == std::string::npos ? s.size() : e;
  }
  return parts;
}

int parse_int(const std::string& s, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || v < -1000000 || v > 1000000) {
    throw std::invalid_argument(what + ": expected an integer, found '" + s + "'");
  }
  return static_cast<int>(v);
}

}  // namespace

std::vector<ExerciseKind> exercise_kinds(int lesson) {
  using K = ExerciseKind;
  switch (lesson) {
    case 0: return {K::kConvValue, K::kConvWindow};
    case 1: return {K::kLandingCells, K::kTransposedReach, K::kTransposedValue};
    case 2: return {K::kOutputSize};
    case 3: return {K::kOverlapCounts, K::kCheckerboardFree};
    case 4: return {K::kPoolOrConv, K::kPoolValue};
    case 5: return {K::kWeightTying};
    case 6: return {K::kDiscriminatorLoss, K::kYouAgainstD};
    case 7: return {K::kReadCurves};
    case 8: return {K::kLatentLength};
    case 9: return {K::kBlurryAverage};
    default: return {};
  }
}

int exercise_lesson(ExerciseKind kind) {
  for (int l = 0; l < 10; ++l) {
    const std::vector<ExerciseKind> k = exercise_kinds(l);
    if (std::find(k.begin(), k.end(), kind) != k.end()) return l;
  }
  return -1;
}

std::string exercise_title(ExerciseKind kind) {
  using K = ExerciseKind;
  switch (kind) {
    case K::kConvValue: return "What value goes here?";
    case K::kConvWindow: return "Which cells does the window read?";
    case K::kLandingCells: return "Where does this pixel land?";
    case K::kTransposedReach: return "Scatter or gather: which pixels reach this cell?";
    case K::kTransposedValue: return "What value goes here? (transposed)";
    case K::kOutputSize: return "What is H_out?";
    case K::kOverlapCounts: return "How many stamps land here?";
    case K::kCheckerboardFree: return "Which one has no checkerboard?";
    case K::kPoolValue: return "What does max pooling keep?";
    case K::kPoolOrConv: return "Pooling vs strided convolution";
    case K::kWeightTying: return "Weight tying: what changes?";
    case K::kDiscriminatorLoss: return "What is the loss?";
    case K::kReadCurves: return "Read the curves";
    case K::kYouAgainstD: return "You against D";
    case K::kLatentLength: return "How long is z halfway?";
    case K::kBlurryAverage: return "Why is MSE blurry?";
  }
  return "";
}

Exercise make_exercise(ExerciseKind kind, uint64_t seed) {
  using K = ExerciseKind;
  Exercise e;
  switch (kind) {
    case K::kConvValue: e = conv_value(seed); break;
    case K::kConvWindow: e = conv_window(seed); break;
    case K::kLandingCells: e = landing_cells(seed); break;
    case K::kTransposedReach: e = transposed_reach(seed); break;
    case K::kTransposedValue: e = transposed_value(seed); break;
    case K::kOutputSize: e = output_size(seed); break;
    case K::kOverlapCounts: e = overlap(seed); break;
    case K::kCheckerboardFree: e = checkerboard_free(seed); break;
    case K::kPoolValue: e = pool_value(seed); break;
    case K::kPoolOrConv: e = pool_or_conv(seed); break;
    case K::kWeightTying: e = weight_tying(seed); break;
    case K::kDiscriminatorLoss: e = discriminator_loss(seed); break;
    case K::kReadCurves: e = read_curves(seed); break;
    case K::kYouAgainstD: e = you_against_d(seed); break;
    case K::kLatentLength: e = latent_length(seed); break;
    case K::kBlurryAverage: e = blurry_average(seed); break;
  }
  e.kind = kind;
  e.seed = seed;
  e.title = exercise_title(kind);
  return e;
}

ExerciseAnswer blank_answer(const Exercise& e) {
  ExerciseAnswer a;
  const size_t n = static_cast<size_t>(e.grid_h) * e.grid_w;
  if (e.form == AnswerForm::kCells) a.cells.assign(n, 0);
  if (e.form == AnswerForm::kCounts) a.cells.assign(n, e.count_values.empty() ? 0 : e.count_values[0]);
  if (e.form == AnswerForm::kMatch) a.cells.assign(e.runs.size(), -1);
  return a;
}

uint64_t exercise_seed(uint64_t base, ExerciseKind kind, int n) {
  // splitmix64 of (base, kind, n): neighbouring inputs give unrelated seeds.
  uint64_t z = base + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(kind) * 1000003ull +
                                               static_cast<uint64_t>(n) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

ExerciseFeedback check(const Exercise& e, const ExerciseAnswer& a) {
  switch (e.form) {
    case AnswerForm::kCells:
    case AnswerForm::kCounts: return check_grid(e, a);
    case AnswerForm::kNumber: return check_number(e, a);
    case AnswerForm::kChoice: return check_choice(e, a);
    case AnswerForm::kMatch: return check_match(e, a);
  }
  return {};
}

ExerciseAnswer parse_answer(const Exercise& e, const std::string& text) {
  ExerciseAnswer a = blank_answer(e);
  const std::string t = trim(text);
  switch (e.form) {
    case AnswerForm::kCells: {
      if (t == "none") return a;
      for (const std::string& rc : split(t, " ;\t")) {
        const std::vector<std::string> yx = split(rc, ",");
        if (yx.size() != 2) {
          throw std::invalid_argument("expected cells as 'row,column row,column ...', "
                                      "found '" + rc + "'");
        }
        const int y = parse_int(yx[0], "answer row"), x = parse_int(yx[1], "answer column");
        if (y < 0 || y >= e.grid_h || x < 0 || x >= e.grid_w) {
          throw std::invalid_argument("cell " + cell(y, x) + " is outside the " +
                                      std::to_string(e.grid_h) + " x " +
                                      std::to_string(e.grid_w) + " grid");
        }
        a.cells[static_cast<size_t>(y) * e.grid_w + x] = 1;
      }
      return a;
    }
    case AnswerForm::kCounts: {
      const std::vector<std::string> v = split(t, " ,;\t\n");
      if (v.size() != a.cells.size()) {
        throw std::invalid_argument("expected " + std::to_string(a.cells.size()) +
                                    " counts (the grid row by row), found " +
                                    std::to_string(v.size()));
      }
      for (size_t i = 0; i < v.size(); ++i) a.cells[i] = parse_int(v[i], "answer count");
      return a;
    }
    case AnswerForm::kNumber: a.text = t; return a;
    case AnswerForm::kMatch: {
      const std::vector<std::string> v = split(t, " ,;\t");
      if (v.size() != e.runs.size()) {
        throw std::invalid_argument("expected " + std::to_string(e.runs.size()) +
                                    " option numbers (one per run), found " +
                                    std::to_string(v.size()));
      }
      for (size_t i = 0; i < v.size(); ++i) {
        const int c = parse_int(v[i], "answer");
        if (c < 1 || c > static_cast<int>(e.choices.size())) {
          throw std::invalid_argument("expected options from 1 to " +
                                      std::to_string(e.choices.size()) + ", found " + v[i]);
        }
        a.cells[i] = c - 1;
      }
      return a;
    }
    case AnswerForm::kChoice: {
      const int c = parse_int(t, "answer");
      if (c < 1 || c > static_cast<int>(e.choices.size())) {
        throw std::invalid_argument("expected an option from 1 to " +
                                    std::to_string(e.choices.size()) + ", found " + t);
      }
      a.choice = c - 1;
      return a;
    }
  }
  return a;
}

std::string expected_answer_text(const Exercise& e) {
  switch (e.form) {
    case AnswerForm::kCells: {
      std::string t;
      for (int i = 0; i < e.grid_h * e.grid_w; ++i) {
        if (e.expected_cells[static_cast<size_t>(i)] == 0) continue;
        t += (t.empty() ? "" : " ") + std::to_string(i / e.grid_w) + "," +
             std::to_string(i % e.grid_w);
      }
      return t.empty() ? "none" : t;
    }
    case AnswerForm::kCounts: {
      std::string t;
      for (int v : e.expected_cells) t += (t.empty() ? "" : " ") + std::to_string(v);
      return t;
    }
    case AnswerForm::kNumber: {
      if (!e.expected_number) return "invalid";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", *e.expected_number);
      return buf;
    }
    case AnswerForm::kChoice: return std::to_string(e.expected_choice + 1);
    case AnswerForm::kMatch: {
      std::string t;
      for (int v : e.expected_cells) t += (t.empty() ? "" : " ") + std::to_string(v + 1);
      return t;
    }
  }
  return "";
}

// ---- Progress -----------------------------------------------------------------------------------

void ExerciseProgress::add(ExerciseKind kind, bool right) {
  by_kind.resize(kKindCount);
  KindScore& k = by_kind[static_cast<size_t>(kind)];
  ++k.tried;
  if (right) ++k.right;
  streak = right ? streak + 1 : 0;
  best_streak = std::max(best_streak, streak);
}

KindScore ExerciseProgress::of(ExerciseKind kind) const {
  const size_t i = static_cast<size_t>(kind);
  return i < by_kind.size() ? by_kind[i] : KindScore{};
}

KindScore ExerciseProgress::total() const {
  KindScore t;
  for (const KindScore& k : by_kind) {
    t.right += k.right;
    t.tried += k.tried;
  }
  return t;
}

namespace {
// Stable names for the progress file (the enum's order may change).
const char* kind_key(ExerciseKind kind) {
  using K = ExerciseKind;
  switch (kind) {
    case K::kConvValue: return "conv_value";
    case K::kConvWindow: return "conv_window";
    case K::kLandingCells: return "landing_cells";
    case K::kTransposedReach: return "transposed_reach";
    case K::kTransposedValue: return "transposed_value";
    case K::kOutputSize: return "output_size";
    case K::kOverlapCounts: return "overlap_counts";
    case K::kCheckerboardFree: return "checkerboard_free";
    case K::kPoolValue: return "pool_value";
    case K::kPoolOrConv: return "pool_or_conv";
    case K::kWeightTying: return "weight_tying";
    case K::kDiscriminatorLoss: return "discriminator_loss";
    case K::kReadCurves: return "read_curves";
    case K::kYouAgainstD: return "you_against_d";
    case K::kLatentLength: return "latent_length";
    case K::kBlurryAverage: return "blurry_average";
  }
  return "";
}
}  // namespace

std::string exercise_progress_path() {
  namespace fs = std::filesystem;
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') {
    return (fs::path(xdg) / "convt-lab" / "exercises.json").string();
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    return (fs::path(home) / ".config" / "convt-lab" / "exercises.json").string();
  }
  return "";
}

ExerciseProgress load_exercise_progress(const std::string& path,
                                        std::vector<std::string>* warnings) {
  ExerciseProgress progress;
  progress.by_kind.resize(kKindCount);
  std::ifstream in(path);
  if (path.empty() || !in) return progress;  // none yet
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    ExerciseProgress read;
    read.by_kind.resize(kKindCount);
    for (int k = 0; k < kKindCount; ++k) {
      const char* key = kind_key(static_cast<ExerciseKind>(k));
      if (!j.at("kinds").contains(key)) continue;
      const nlohmann::json& v = j.at("kinds").at(key);
      KindScore score{v.at("right").get<int>(), v.at("tried").get<int>()};
      if (score.right < 0 || score.tried < score.right) {
        throw std::invalid_argument(std::string(key) + ": expected 0 <= right <= tried, found " +
                                    std::to_string(score.right) + " / " +
                                    std::to_string(score.tried));
      }
      read.by_kind[static_cast<size_t>(k)] = score;
    }
    read.streak = std::max(0, j.at("streak").get<int>());
    read.best_streak = std::max(read.streak, j.at("best_streak").get<int>());
    return read;
  } catch (const std::exception& err) {
    if (warnings != nullptr) {
      warnings->push_back(path + ": not a progress file (" + err.what() +
                          "); starting from zero, the file is left as it is until the next "
                          "answer");
    }
    return progress;
  }
}

std::string save_exercise_progress(const std::string& path, const ExerciseProgress& progress) {
  if (path.empty()) return "no progress path (neither XDG_CONFIG_HOME nor HOME is set)";
  nlohmann::json kinds = nlohmann::json::object();
  for (int k = 0; k < kKindCount; ++k) {
    const KindScore s = progress.of(static_cast<ExerciseKind>(k));
    if (s.tried > 0) kinds[kind_key(static_cast<ExerciseKind>(k))] = {{"right", s.right}, {"tried", s.tried}};
  }
  const nlohmann::json j = {{"kinds", kinds},
                            {"streak", progress.streak},
                            {"best_streak", progress.best_streak}};
  try {
    std::error_code ec;
    const std::filesystem::path file(path);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    write_file_atomic(path, j.dump(2) + "\n");
  } catch (const std::exception& err) {
    return err.what();
  }
  return "";
}

// ---- ExerciseSession ----------------------------------------------------------------------------

ExerciseSession::ExerciseSession(uint64_t base_seed, std::string progress_path)
    : base_seed_(base_seed), progress_path_(std::move(progress_path)), made_(kKindCount, 0) {
  progress_.by_kind.resize(kKindCount);
  if (!progress_path_.empty()) {
    std::vector<std::string> warnings;
    progress_ = load_exercise_progress(progress_path_, &warnings);
    if (!warnings.empty()) message_ = warnings.front();
  }
}

void ExerciseSession::open(int lesson, int kind_index) {
  const std::vector<ExerciseKind> kinds = exercise_kinds(lesson);
  if (kinds.empty()) {
    lesson_ = lesson;
    exercise_.reset();
    feedback_.reset();
    return;
  }
  kind_index = std::clamp(kind_index, 0, static_cast<int>(kinds.size()) - 1);
  if (lesson == lesson_ && kind_index == kind_index_ && opened_) return;
  opened_ = true;
  lesson_ = lesson;
  kind_index_ = kind_index;
  new_one();
}

void ExerciseSession::new_one() {
  const std::vector<ExerciseKind> kinds = exercise_kinds(lesson_);
  if (kinds.empty()) return;
  const ExerciseKind kind = kinds[static_cast<size_t>(kind_index_)];
  int& n = made_[static_cast<size_t>(kind)];
  feedback_.reset();
  try {
    exercise_ = make_exercise(kind, exercise_seed(base_seed_, kind, n++));
  } catch (const std::exception& err) {  // a missing or broken asset: say so, keep the lesson
    exercise_.reset();
    message_ = exercise_title(kind) + ": " + err.what();
    return;
  }
  answer_ = blank_answer(*exercise_);
}

void ExerciseSession::submit() {
  if (feedback_ || !exercise_) return;
  ExerciseFeedback f = check(*exercise_, answer_);
  if (!f.right && f.verdict.rfind("Not quite", 0) != 0) {  // malformed: not an attempt
    message_ = f.verdict;
    return;
  }
  feedback_ = std::move(f);
  message_.clear();
  ++session_.tried;
  if (feedback_->right) ++session_.right;
  session_streak_ = feedback_->right ? session_streak_ + 1 : 0;
  progress_.add(exercise_->kind, feedback_->right);
  if (!progress_path_.empty()) message_ = save_exercise_progress(progress_path_, progress_);
}

void ExerciseSession::reset_progress() {
  progress_ = ExerciseProgress{};
  progress_.by_kind.resize(kKindCount);
  session_ = KindScore{};
  session_streak_ = 0;
  if (!progress_path_.empty()) message_ = save_exercise_progress(progress_path_, progress_);
}

}  // namespace convt::lab
