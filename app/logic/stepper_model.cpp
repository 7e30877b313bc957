#include "logic/stepper_model.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <sstream>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/ops/pool2d.h"
#include "logic/cell_text.h"

namespace convt::lab {

namespace {

std::string fmt2(float v) { return format_number(v); }  // "2.00"; tiny weights "2.31e-03"

std::string range_error(const char* name, int value, int lo, int hi) {
  std::ostringstream s;
  s << name << " must be in " << lo << ".." << hi << ", found " << value;
  return s.str();
}

void check_range(std::string& err, const char* name, int value, int lo, int hi) {
  if (err.empty() && (value < lo || value > hi)) err = range_error(name, value, lo, hi);
}

ConvTranspose2dParams transpose_params(const StepperConfig& c) {
  ConvTranspose2dParams p;
  p.stride = c.stride;
  p.padding = c.padding;
  p.output_padding = c.output_padding;
  p.dilation = c.dilation;
  return p;
}

Conv2dParams conv_params(const StepperConfig& c) {
  Conv2dParams p;
  p.stride = c.stride;
  p.padding = c.padding;
  p.dilation = c.dilation;
  return p;
}

Pool2dParams pool_params(const StepperConfig& c) {
  Pool2dParams p;
  p.kernel_size = c.kernel_size;
  p.stride = c.stride;
  p.padding = c.padding;
  p.dilation = c.dilation;
  return p;
}

float fill_value(Fill fill, int64_t flat_index, std::mt19937& rng) {
  switch (fill) {
    case Fill::kOnes:
      return 1.0f;
    case Fill::kRamp:
      return static_cast<float>(flat_index + 1);
    case Fill::kRandom: {
      std::uniform_int_distribution<int> tenths(-10, 10);
      return static_cast<float>(tenths(rng)) / 10.0f;
    }
    case Fill::kIdentity:
      return 0.0f;  // set by the callers
  }
  return 0.0f;
}

// Per axis: where does canvas row c end up?
CanvasAxis canvas_axis(int c, int canvas, int padding, int out, int output_padding) {
  if (c < padding || c >= padding + out) return CanvasAxis::kCropped;
  const int o = c - padding;
  if (o >= out - output_padding) {
    return c < canvas ? CanvasAxis::kOutputPaddingKept : CanvasAxis::kOutputPaddingExtra;
  }
  return CanvasAxis::kKept;
}

}  // namespace

const char* op_name(StepperOp op) {
  switch (op) {
    case StepperOp::kConvTranspose2d:
      return "conv_transpose2d";
    case StepperOp::kConv2d:
      return "conv2d";
    case StepperOp::kMaxPool2d:
      return "max_pool2d";
  }
  return "?";
}

const char* second_view_name(StepperSecondView view) {
  switch (view) {
    case StepperSecondView::kGather:
      return "gather";
    case StepperSecondView::kOverlap:
      return "overlap";
    case StepperSecondView::kOutput:
      return "output";
  }
  return "?";
}

const char* fill_name(Fill fill) {
  switch (fill) {
    case Fill::kOnes:
      return "Ones";
    case Fill::kRamp:
      return "1, 2, 3, ...";
    case Fill::kRandom:
      return "Random";
    case Fill::kIdentity:
      return "Identity-like";
  }
  return "?";
}

bool StepperConfig::operator==(const StepperConfig& o) const {
  return op == o.op && H == o.H && W == o.W && C_in == o.C_in && C_out == o.C_out &&
         kernel_size == o.kernel_size && stride == o.stride && padding == o.padding &&
         output_padding == o.output_padding && dilation == o.dilation;
}

std::string validate(const StepperConfig& c) {
  using L = StepperLimits;
  std::string err;
  check_range(err, "H", c.H, L::kMinSize, L::kMaxSize);
  check_range(err, "W", c.W, L::kMinSize, L::kMaxSize);
  check_range(err, "C_in", c.C_in, 1, L::kMaxCIn);
  check_range(err, "C_out", c.C_out, 1, L::kMaxCOut);
  check_range(err, "kernel_size (H)", c.kernel_size.h, 1, L::kMaxKernel);
  check_range(err, "kernel_size (W)", c.kernel_size.w, 1, L::kMaxKernel);
  check_range(err, "stride (H)", c.stride.h, 1, L::kMaxStride);
  check_range(err, "stride (W)", c.stride.w, 1, L::kMaxStride);
  check_range(err, "padding (H)", c.padding.h, 0, L::kMaxPadding);
  check_range(err, "padding (W)", c.padding.w, 0, L::kMaxPadding);
  check_range(err, "output_padding (H)", c.output_padding.h, 0, L::kMaxOutputPadding);
  check_range(err, "output_padding (W)", c.output_padding.w, 0, L::kMaxOutputPadding);
  check_range(err, "dilation (H)", c.dilation.h, 1, L::kMaxDilation);
  check_range(err, "dilation (W)", c.dilation.w, 1, L::kMaxDilation);
  if (!err.empty()) return err;
  try {
    switch (c.op) {
      case StepperOp::kConvTranspose2d:
        conv_transpose2d_out_size(c.H, c.W, c.kernel_size, transpose_params(c));
        break;
      case StepperOp::kConv2d:
        conv2d_out_size(c.H, c.W, c.kernel_size, conv_params(c));
        break;
      case StepperOp::kMaxPool2d:
        pool2d_out_size(c.H, c.W, pool_params(c), "max_pool2d");
        break;
    }
  } catch (const ShapeError& e) {
    return e.what();
  }
  if (c.op != StepperOp::kConvTranspose2d && (c.output_padding.h != 0 || c.output_padding.w != 0)) {
    return std::string(op_name(c.op)) +
           " has no output_padding (it is a transposed-conv "
           "parameter); found " +
           std::to_string(c.output_padding.h) + ", " + std::to_string(c.output_padding.w) +
           ". HINT: set it to 0.";
  }
  return "";
}

const std::vector<StepperPreset>& stepper_presets() {
  static const std::vector<StepperPreset> presets = [] {
    std::vector<StepperPreset> v;
    auto transposed = [](int h, int k, int s, int p, int a) {
      StepperConfig c;
      c.H = c.W = h;
      c.kernel_size = k;
      c.stride = s;
      c.padding = p;
      c.output_padding = a;
      return c;
    };
    v.push_back({"notes", "Notes: 2x2, 3x3 ones, s2 p1 -> 3x3",
                 "Each input pixel stamps a 3x3 copy of the kernel, scaled by its value, two cells "
                 "apart on a 5x5 canvas; the stamps overlap on the middle row and column. "
                 "padding=1 then cuts one cell off every side: 3x3.",
                 transposed(2, 3, 2, 1, 0), Fill::kRamp, Fill::kOnes});
    v.push_back({"k4s2p1", "4x4, k4 s2 p1 -> 8x8 (minimal generator)",
                 "The minimal generator's layers: 4x4 -> 8x8 -> 16x16 -> 32x32, each ConvT k4 s2 "
                 "p1 exactly doubles the size. The 10x10 canvas loses one cell per side.",
                 transposed(4, 4, 2, 1, 0), Fill::kRandom, Fill::kRandom});
    v.push_back({"gan", "GAN layer 1: 5x5, k5 s2 'same' -> 10x10",
                 "The 20x20 GAN's first ConvT on one channel: Keras 'same' is padding=2, "
                 "output_padding=1 here. The 13x13 canvas loses 2 rows on top and 1 at the "
                 "bottom (output_padding keeps one back): 10x10.",
                 transposed(5, 5, 2, 2, 1), Fill::kRandom, Fill::kRandom});
    v.push_back(
        {"k3s2", "k3 s2: uneven overlap (checkerboard)",
         "Kernel 3, stride 2: the kernel is not a multiple of the stride, so cells get 1, 2 "
         "or 4 stamps in a checkerboard pattern, even with all-ones input and kernel. "
         "This is where GAN checkerboard artifacts come from (Odena et al. 2016).",
         transposed(4, 3, 2, 1, 0), Fill::kOnes, Fill::kOnes});
    v.push_back({"k4s2", "k4 s2: even overlap",
                 "Kernel 4, stride 2: the kernel is a multiple of the stride, so away from the "
                 "border every cell gets exactly 4 stamps. Compare the overlap map with k3 s2.",
                 transposed(4, 4, 2, 1, 0), Fill::kOnes, Fill::kOnes});
    StepperConfig big = transposed(8, 7, 4, 0, 0);
    big.C_in = 3;
    big.C_out = 2;
    big.dilation = 3;
    v.push_back(
        {"largest", "Largest: 8x8, 3 -> 2 channels, k7 s4 d3",
         "The largest configuration the stepper allows: 18,816 scatter-adds onto a 47x47 "
         "canvas. Dilation 3 spreads each stamp's taps three cells apart; stride 4 puts the "
         "stamps four cells apart, so they interleave.",
         big, Fill::kRandom, Fill::kRandom});
    StepperConfig conv;
    conv.op = StepperOp::kConv2d;
    conv.H = conv.W = 5;
    conv.kernel_size = 3;
    conv.stride = 2;
    conv.padding = 1;
    v.push_back({"conv2d", "conv2d: 5x5, k3 s2 p1 -> 3x3 (gather)",
                 "The forward convolution: a 3x3 window slides over the zero-padded input two "
                 "cells at a time; each output cell gathers a weighted sum. Its backward pass for "
                 "the input is the transposed convolution's scatter.",
                 conv, Fill::kRamp, Fill::kOnes});
    StepperConfig resize = conv;
    resize.H = resize.W = 8;
    resize.stride = 1;
    v.push_back({"resize_conv", "resize-then-convolve: 8x8, k3 s1 p1",
                 "A second cure for checkerboards (Odena et al. 2016): upsample 4x4 -> 8x8 by "
                 "nearest neighbour (each pixel copied into a 2x2 block; all ones stay ones), "
                 "then an ordinary 3x3 conv2d with stride 1. Every output cell away from the "
                 "border gathers the same 9 taps: with all ones, a flat 9, no checkerboard.",
                 resize, Fill::kOnes, Fill::kOnes});
    StepperConfig pool;
    pool.op = StepperOp::kMaxPool2d;
    pool.H = pool.W = 4;
    pool.kernel_size = 2;
    pool.stride = 2;
    pool.padding = 0;
    v.push_back({"maxpool", "max_pool2d: 4x4, k2 s2 -> 2x2",
                 "Max pooling: each 2x2 window keeps its largest value; the argmax is remembered, "
                 "and the backward pass sends the gradient only there.",
                 pool, Fill::kRandom, Fill::kOnes});
    return v;
  }();
  return presets;
}

const StepperPreset* find_preset(const std::string& name) {
  for (const StepperPreset& p : stepper_presets())
    if (p.name == name) return &p;
  return nullptr;
}

// ---- StepperModel -------------------------------------------------------------------------

StepperModel::StepperModel() { load_preset(stepper_presets().front()); }

bool StepperModel::set_config(const StepperConfig& config) {
  requested_ = config;
  error_ = validate(config);
  if (!error_.empty()) return false;
  const bool same = config == config_ && !input_.empty();
  config_ = config;
  if (!same) {
    resize_values();
    run();
  }
  return true;
}

void StepperModel::load_preset(const StepperPreset& preset) {
  input_fill_ = preset.input_fill;
  weight_fill_ = preset.weight_fill;
  requested_ = preset.config;
  error_ = validate(preset.config);
  if (!error_.empty()) return;  // a preset is valid; the tests check it
  config_ = preset.config;
  input_ = Tensor();
  weight_ = Tensor();
  resize_values();
  run();
  position_ = 0;
}

int StepperModel::out_channels() const {
  return config_.op == StepperOp::kMaxPool2d ? config_.C_in : config_.C_out;
}

void StepperModel::resize_values() {
  const StepperConfig& c = config_;
  const std::vector<int64_t> in_shape{1, c.C_in, c.H, c.W};
  std::vector<int64_t> w_shape;
  if (c.op == StepperOp::kConvTranspose2d)
    w_shape = {c.C_in, c.C_out, c.kernel_size.h, c.kernel_size.w};
  if (c.op == StepperOp::kConv2d) w_shape = {c.C_out, c.C_in, c.kernel_size.h, c.kernel_size.w};
  if (input_.shape() != in_shape) {
    input_ = Tensor(in_shape);
    fill_input_values(input_fill_, 1);
  }
  if (weight_.shape() != w_shape) {
    weight_ = w_shape.empty() ? Tensor() : Tensor(w_shape);  // max_pool2d has no weight
    fill_weight_values(weight_fill_, 2);
  }
}

void StepperModel::fill_input(Fill fill, uint32_t seed) {
  fill_input_values(fill, seed);
  run();
}

void StepperModel::fill_weight(Fill fill, uint32_t seed) {
  fill_weight_values(fill, seed);
  run();
}

void StepperModel::fill_input_values(Fill fill, uint32_t seed) {
  input_fill_ = fill;
  std::mt19937 rng(seed);
  const int C = static_cast<int>(input_.dim(1)), H = static_cast<int>(input_.dim(2)),
            W = static_cast<int>(input_.dim(3));
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const int64_t i = (static_cast<int64_t>(c) * H + y) * W + x;
        input_.at(0, c, y, x) =
            fill == Fill::kIdentity ? (y == x ? 1.0f : 0.0f) : fill_value(fill, i, rng);
      }
}

void StepperModel::fill_weight_values(Fill fill, uint32_t seed) {
  weight_fill_ = fill;
  if (weight_.empty()) return;
  std::mt19937 rng(seed);
  const int A = static_cast<int>(weight_.dim(0)), B = static_cast<int>(weight_.dim(1));
  const int kH = static_cast<int>(weight_.dim(2)), kW = static_cast<int>(weight_.dim(3));
  for (int a = 0; a < A; ++a)
    for (int b = 0; b < B; ++b)
      for (int ky = 0; ky < kH; ++ky)
        for (int kx = 0; kx < kW; ++kx) {
          const int64_t i = ((static_cast<int64_t>(a) * B + b) * kH + ky) * kW + kx;
          float v = fill_value(fill, i, rng);
          if (fill == Fill::kIdentity) {
            // Channel c_in -> c_out when c_out % C_in == c_in; a single 1 at the kernel's centre.
            const int ic = config_.op == StepperOp::kConvTranspose2d ? a : b;
            const int oc = config_.op == StepperOp::kConvTranspose2d ? b : a;
            v = (oc % config_.C_in == ic && ky == kH / 2 && kx == kW / 2) ? 1.0f : 0.0f;
          }
          weight_.at(a, b, ky, kx) = v;
        }
}

void StepperModel::set_input_value(int c, int y, int x, float value) {
  input_.at(0, c, y, x) = value;
  run();
}

void StepperModel::set_weight_value(int a, int b, int ky, int kx, float value) {
  if (weight_.empty()) return;
  weight_.at(a, b, ky, kx) = value;
  run();
}

void StepperModel::run() {
  if (input_.empty()) return;
  const StepperConfig& c = config_;
  if (c.op != StepperOp::kMaxPool2d && weight_.empty()) return;
  ++version_;
  argmax_.clear();
  int dest_h = 0, dest_w = 0;
  switch (c.op) {
    case StepperOp::kConvTranspose2d:
      conv_transpose2d_forward(output_, input_, weight_, nullptr, transpose_params(c), trace_);
      dest_h = display_h();
      dest_w = display_w();
      break;
    case StepperOp::kConv2d:
      conv2d_forward(output_, input_, weight_, nullptr, conv_params(c), trace_);
      dest_h = out_h();
      dest_w = out_w();
      break;
    case StepperOp::kMaxPool2d:
      max_pool2d_forward(output_, &argmax_, input_, pool_params(c), trace_);
      dest_h = out_h();
      dest_w = out_w();
      break;
  }
  // Per destination cell: the events landing there and the running value after each.
  const int planes = out_channels();
  dest_events_.assign(static_cast<size_t>(planes) * dest_h * dest_w, {});
  dest_values_.assign(dest_events_.size(), {});
  const int64_t count = event_count();
  for (int64_t k = 0; k < count; ++k) {
    const MacEvent e = event(k);
    if (c.op != StepperOp::kConvTranspose2d && e.cropped) continue;  // padding tap: no effect
    const Cell d = destination(e);
    const size_t i = dest_index(d.c, d.y, d.x, dest_h, dest_w);
    std::vector<float>& values = dest_values_[i];
    float v;
    if (c.op == StepperOp::kMaxPool2d) {
      v = e.out_after;
    } else {
      v = (values.empty() ? 0.0f : values.back()) + e.product;  // same order as the kernel
    }
    dest_events_[i].push_back(k);
    values.push_back(v);
  }
  position_ = std::min(position_, count);
}

int64_t StepperModel::event_count() const { return trace_.size(); }

void StepperModel::set_position(int64_t k) { position_ = std::clamp<int64_t>(k, 0, event_count()); }

int64_t StepperModel::block_size() const {
  const StepperConfig& c = config_;
  const int64_t taps = static_cast<int64_t>(c.kernel_size.h) * c.kernel_size.w;
  switch (c.op) {
    case StepperOp::kConvTranspose2d:
      return c.C_out * taps;
    case StepperOp::kConv2d:
      return c.C_in * taps;
    case StepperOp::kMaxPool2d:
      return taps;
  }
  return 1;
}

int64_t StepperModel::next_block_position(int64_t k) const {
  const int64_t b = block_size();
  return std::min(event_count(), (std::max<int64_t>(k, 0) / b + 1) * b);
}

int64_t StepperModel::prev_block_position(int64_t k) const {
  const int64_t b = block_size();
  if (k <= 0) return 0;
  return ((k - 1) / b) * b;
}

MacEvent StepperModel::event(int64_t k) const { return trace_.event(k); }

std::optional<MacEvent> StepperModel::current_event() const {
  if (position_ <= 0) return std::nullopt;
  return event(position_ - 1);
}

std::string StepperModel::event_text(const MacEvent& e) const {
  std::ostringstream s;
  auto idx3 = [](int a, int b, int c) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + ", " + std::to_string(c) + "]";
  };
  auto idx4 = [](int a, int b, int c, int d) {
    return "[" + std::to_string(a) + ", " + std::to_string(b) + ", " + std::to_string(c) + ", " +
           std::to_string(d) + "]";
  };
  switch (config_.op) {
    case StepperOp::kConvTranspose2d: {
      // The canvas cell, in the canvas's own coordinates (row 0 = the canvas's top edge), which
      // the panel's canvas grid is numbered by; out[oc, oy, ox] sits at (oy + p_h, ox + p_w).
      const Cell d = destination(e);
      const std::string canvas = "canvas[" + std::to_string(d.c) + "] (" + std::to_string(d.y) +
                                 ", " + std::to_string(d.x) + ")";
      const std::string product = " += x" + idx3(e.ic, e.iy, e.ix) + " * w" +
                                  idx4(e.ic, e.oc, e.ky, e.kx) + " = " + fmt2(e.x) + " * " +
                                  fmt2(e.w);
      if (e.cropped) {
        s << canvas << product << ": cut away by padding, not part of the output";
      } else {
        s << "out" << idx3(e.oc, e.oy, e.ox) << product << " -> " << fmt2(e.out_after) << " (at "
          << canvas << ")";
      }
      break;
    }
    case StepperOp::kConv2d:
      s << "out" << idx3(e.oc, e.oy, e.ox) << " += x" << idx3(e.ic, e.iy, e.ix) << " * w"
        << idx4(e.oc, e.ic, e.ky, e.kx) << " = " << fmt2(e.x) << " * " << fmt2(e.w) << " -> "
        << fmt2(e.out_after);
      if (e.cropped) s << " (x is zero padding: nothing added)";
      break;
    case StepperOp::kMaxPool2d:
      s << "out" << idx3(e.oc, e.oy, e.ox) << " = max(";
      if (e.out_before == -std::numeric_limits<float>::infinity()) {
        s << "-inf";
      } else {
        s << fmt2(e.out_before);
      }
      s << ", x" << idx3(e.ic, e.iy, e.ix) << " = ";
      if (e.cropped) {
        s << "padding -inf) -> ";
      } else {
        s << fmt2(e.x) << ") -> ";
      }
      if (e.out_after == -std::numeric_limits<float>::infinity()) {
        s << "-inf";
      } else {
        s << fmt2(e.out_after);
      }
      if (!e.cropped && e.out_after != e.out_before) s << " (new max)";
      break;
  }
  return s.str();
}

Tensor StepperModel::output_after(int64_t k, std::vector<int>* written) const {
  const int C = out_channels(), H = out_h(), W = out_w();
  Tensor out({C, H, W});  // (C_out, H_out, W_out)
  if (written) written->assign(static_cast<size_t>(C) * H * W, 0);
  const bool transposed = config_.op == StepperOp::kConvTranspose2d;
  const int dh = transposed ? display_h() : H, dw = transposed ? display_w() : W;
  const int oy0 = transposed ? config_.padding.h : 0, ox0 = transposed ? config_.padding.w : 0;
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) {
        const size_t i = dest_index(c, y + oy0, x + ox0, dh, dw);
        const std::vector<int64_t>& ev = dest_events_[i];
        const auto applied = std::lower_bound(ev.begin(), ev.end(), k) - ev.begin();
        if (applied > 0)
          out[(static_cast<int64_t>(c) * H + y) * W + x] = dest_values_[i][applied - 1];
        if (written)
          (*written)[(static_cast<size_t>(c) * H + y) * W + x] = static_cast<int>(applied);
      }
  return out;
}

int StepperModel::canvas_h() const {
  return conv_transpose_canvas_size(config_.H, config_.kernel_size.h, config_.stride.h,
                                    config_.dilation.h);
}
int StepperModel::canvas_w() const {
  return conv_transpose_canvas_size(config_.W, config_.kernel_size.w, config_.stride.w,
                                    config_.dilation.w);
}
int StepperModel::display_h() const { return std::max(canvas_h(), config_.padding.h + out_h()); }
int StepperModel::display_w() const { return std::max(canvas_w(), config_.padding.w + out_w()); }

Tensor StepperModel::canvas_after(int64_t k, std::vector<int>* written) const {
  const int C = out_channels(), H = display_h(), W = display_w();
  Tensor canvas({C, H, W});  // (C_out, display_h, display_w)
  if (written) written->assign(static_cast<size_t>(C) * H * W, 0);
  if (config_.op != StepperOp::kConvTranspose2d) return canvas;
  for (size_t i = 0; i < dest_events_.size(); ++i) {
    const std::vector<int64_t>& ev = dest_events_[i];
    const auto applied = std::lower_bound(ev.begin(), ev.end(), k) - ev.begin();
    if (applied > 0) canvas[static_cast<int64_t>(i)] = dest_values_[i][applied - 1];
    if (written) (*written)[i] = static_cast<int>(applied);
  }
  return canvas;
}

CanvasAxis StepperModel::canvas_row(int cy) const {
  return canvas_axis(cy, canvas_h(), config_.padding.h, out_h(), config_.output_padding.h);
}
CanvasAxis StepperModel::canvas_col(int cx) const {
  return canvas_axis(cx, canvas_w(), config_.padding.w, out_w(), config_.output_padding.w);
}

StepperModel::Cell StepperModel::destination(const MacEvent& e) const {
  if (config_.op == StepperOp::kConvTranspose2d) {
    return {e.oc, e.oy + config_.padding.h, e.ox + config_.padding.w};
  }
  return {e.oc, e.oy, e.ox};
}

std::vector<float> StepperModel::stamp(const MacEvent& e) const {
  std::vector<float> s;
  if (config_.op != StepperOp::kConvTranspose2d) return s;
  const int kH = config_.kernel_size.h, kW = config_.kernel_size.w;
  s.resize(static_cast<size_t>(kH) * kW);
  for (int ky = 0; ky < kH; ++ky)
    for (int kx = 0; kx < kW; ++kx)
      s[static_cast<size_t>(ky) * kW + kx] = e.x * weight_.at(e.ic, e.oc, ky, kx);
  return s;
}

namespace {

// hi / lo, or infinity when some cell gets nothing.
double count_ratio(int lo, int hi) {
  return lo > 0 ? static_cast<double>(hi) / lo : std::numeric_limits<double>::infinity();
}

// m.interior_*: the counts away from the border, where `from_h` x `from_w` cells are scattered.
void measure_interior(OverlapMap& m, const StepperConfig& c, int from_h, int from_w) {
  // Away from the border. Both maps are a scatter: transposed, of the H x W input onto the
  // canvas; conv2d / max_pool2d, of the H_out x W_out windows onto the padded input (the
  // backward pass). Canvas cell q (a counted cell's index + padding) can get every tap when
  // dilation*(k-1) <= q <= (scattered size - 1)*stride.
  const int y_lo = c.dilation.h * (c.kernel_size.h - 1), y_hi = (from_h - 1) * c.stride.h;
  const int x_lo = c.dilation.w * (c.kernel_size.w - 1), x_hi = (from_w - 1) * c.stride.w;
  int lo = std::numeric_limits<int>::max(), hi = -1;
  int rows = 0, cols = 0;  // how many rows / columns of counted cells are inside
  for (int y = 0; y < m.out_h; ++y) {
    const int cy = y + c.padding.h;
    if (cy < y_lo || cy > y_hi) continue;
    ++rows;
    cols = 0;
    for (int x = 0; x < m.out_w; ++x) {
      const int cx = x + c.padding.w;
      if (cx < x_lo || cx > x_hi) continue;
      ++cols;
      const int n = m.counts[static_cast<size_t>(y) * m.out_w + x];
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
  }
  // At least one stride period along each axis, or the inside cannot show the pattern (notes'
  // 2x2 k3 s2: one inside cell, which would read 'even' where the map is a checkerboard).
  m.has_interior = hi >= 0 && rows >= c.stride.h && cols >= c.stride.w;
  if (m.has_interior) {
    m.interior_min = lo;
    m.interior_max = hi;
    m.interior_ratio = count_ratio(lo, hi);
  }
}

}  // namespace

OverlapMap StepperModel::overlap() const {
  OverlapMap m;
  const StepperConfig& c = config_;
  m.out_h = out_h();
  m.out_w = out_w();
  m.counts.assign(static_cast<size_t>(m.out_h) * m.out_w, 0);
  if (c.op == StepperOp::kConvTranspose2d) {
    m.canvas_h = display_h();
    m.canvas_w = display_w();
    m.canvas_counts.assign(static_cast<size_t>(m.canvas_h) * m.canvas_w, 0);
    for (int y = 0; y < m.canvas_h; ++y)
      for (int x = 0; x < m.canvas_w; ++x) {
        const int n =
            static_cast<int>(dest_events_[dest_index(0, y, x, m.canvas_h, m.canvas_w)].size());
        m.canvas_counts[static_cast<size_t>(y) * m.canvas_w + x] = n;
        const int oy = y - c.padding.h, ox = x - c.padding.w;
        if (oy >= 0 && oy < m.out_h && ox >= 0 && ox < m.out_w) {
          m.counts[static_cast<size_t>(oy) * m.out_w + ox] = n;
        }
      }
  } else {
    // conv2d / max_pool2d: how many windows read each input pixel (the scatter of the backward
    // pass), on the padded input.
    m.canvas_h = c.H + 2 * c.padding.h;
    m.canvas_w = c.W + 2 * c.padding.w;
    m.canvas_counts.assign(static_cast<size_t>(m.canvas_h) * m.canvas_w, 0);
    m.out_h = c.H;
    m.out_w = c.W;
    m.counts.assign(static_cast<size_t>(c.H) * c.W, 0);
    const int64_t count = event_count();
    for (int64_t k = 0; k < count; ++k) {
      const MacEvent e = event(k);
      if (e.oc != 0) continue;
      if (c.op == StepperOp::kConv2d && e.ic != 0) continue;
      if (c.op == StepperOp::kMaxPool2d && e.ic != 0) continue;
      const int py = e.iy + c.padding.h, px = e.ix + c.padding.w;
      if (py >= 0 && py < m.canvas_h && px >= 0 && px < m.canvas_w)
        ++m.canvas_counts[static_cast<size_t>(py) * m.canvas_w + px];
      if (!e.cropped) ++m.counts[static_cast<size_t>(e.iy) * c.W + e.ix];
    }
  }
  m.min_count = *std::min_element(m.counts.begin(), m.counts.end());
  m.max_count = *std::max_element(m.counts.begin(), m.counts.end());
  m.ratio = count_ratio(m.min_count, m.max_count);
  m.interior_min = m.min_count;
  m.interior_max = m.max_count;
  m.interior_ratio = m.ratio;
  const bool transposed = c.op == StepperOp::kConvTranspose2d;
  measure_interior(m, c, transposed ? c.H : out_h(), transposed ? c.W : out_w());
  return m;
}

GatherView StepperModel::gather_view() const {
  GatherView g;
  const StepperConfig& c = config_;
  if (c.op != StepperOp::kConvTranspose2d) return g;
  const int kH = c.kernel_size.h, kW = c.kernel_size.w;
  g.pad_h = c.dilation.h * (kH - 1) - c.padding.h;
  g.pad_w = c.dilation.w * (kW - 1) - c.padding.w;
  g.gh = out_h() + c.dilation.h * (kH - 1);
  g.gw = out_w() + c.dilation.w * (kW - 1);
  g.padded = Tensor({1, c.C_in, g.gh, g.gw});  // (1, C_in, gh, gw)
  g.kind.assign(static_cast<size_t>(g.gh) * g.gw, GatherCell::kPadding);
  g.source_y.assign(g.kind.size(), -1);
  g.source_x.assign(g.kind.size(), -1);
  // One axis: what lies at position q of the padded, zero-inserted input?
  auto axis = [](int q, int pad, int in, int s, int out_plus_reach, int a, int* src) {
    *src = -1;
    const int u = q - pad;  // position in the zero-inserted input, (in-1)*s + 1 long
    if (u >= 0 && u <= (in - 1) * s && u % s == 0) {
      *src = u / s;
      return GatherCell::kInput;
    }
    // Zeros: output_padding's extra rows (the last a, when they hold no pixel), the border, or
    // the stride-1 zeros between pixels.
    if (q >= out_plus_reach - a) return GatherCell::kOutputPadding;
    if (u < 0 || u > (in - 1) * s) return GatherCell::kPadding;
    return GatherCell::kInsertedZero;
  };
  for (int y = 0; y < g.gh; ++y)
    for (int x = 0; x < g.gw; ++x) {
      int sy, sx;
      const GatherCell ky = axis(y, g.pad_h, c.H, c.stride.h, g.gh, c.output_padding.h, &sy);
      const GatherCell kx = axis(x, g.pad_w, c.W, c.stride.w, g.gw, c.output_padding.w, &sx);
      GatherCell kind = GatherCell::kInput;
      for (GatherCell k :
           {GatherCell::kOutputPadding, GatherCell::kPadding, GatherCell::kInsertedZero}) {
        if (ky == k || kx == k) {
          kind = k;
          break;
        }
      }
      const size_t i = static_cast<size_t>(y) * g.gw + x;
      g.kind[i] = kind;
      if (kind == GatherCell::kInput) {
        g.source_y[i] = sy;
        g.source_x[i] = sx;
        for (int ic = 0; ic < c.C_in; ++ic) g.padded.at(0, ic, y, x) = input_.at(0, ic, sy, sx);
      }
    }
  g.rotated_weight = Tensor({c.C_out, c.C_in, kH, kW});  // (C_out, C_in, kH, kW)
  for (int ic = 0; ic < c.C_in; ++ic)
    for (int oc = 0; oc < c.C_out; ++oc)
      for (int ky = 0; ky < kH; ++ky)
        for (int kx = 0; kx < kW; ++kx)
          g.rotated_weight.at(oc, ic, ky, kx) = weight_.at(ic, oc, kH - 1 - ky, kW - 1 - kx);
  return g;
}

PytorchOpCall StepperModel::pytorch_call() const {
  const StepperConfig& c = config_;
  PytorchOpCall call;
  call.op = op_name(c.op);
  call.panel = "Stepper";
  call.input = input_;
  if (c.op != StepperOp::kMaxPool2d) call.weight = weight_;
  call.kernel_size = c.kernel_size;
  call.stride = c.stride;
  call.padding = c.padding;
  call.output_padding = c.output_padding;
  call.dilation = c.dilation;
  call.expected = output_;
  return call;
}

Tensor StepperModel::gather_output() const {
  const StepperConfig& c = config_;
  if (c.op != StepperOp::kConvTranspose2d) return Tensor();
  const GatherView g = gather_view();
  // The core's conv2d on the padded, dilated input (1, C_in, gh, gw) with the rotated kernel:
  // stride 1, the transposed conv's dilation, no padding (it is in the view already).
  Conv2dParams p;
  p.dilation = c.dilation;
  Tensor out;  // (1, C_out, H_out, W_out)
  conv2d_forward(out, g.padded, g.rotated_weight, nullptr, p);
  return out;
}

std::vector<Contribution> StepperModel::contributions(int oc, int oy, int ox,
                                                      int64_t before) const {
  std::vector<Contribution> list = contributions(oc, oy, ox);
  list.erase(std::find_if(list.begin(), list.end(),
                          [before](const Contribution& t) { return t.step >= before; }),
             list.end());
  return list;
}

std::vector<Contribution> StepperModel::contributions(int oc, int oy, int ox) const {
  std::vector<Contribution> list;
  const StepperConfig& c = config_;
  if (oc < 0 || oc >= out_channels() || oy < 0 || oy >= out_h() || ox < 0 || ox >= out_w()) {
    return list;
  }
  auto add = [&](const MacEvent& e) {
    Contribution t;
    t.step = e.step;
    t.ic = e.ic;
    t.iy = e.iy;
    t.ix = e.ix;
    t.ky = e.ky;
    t.kx = e.kx;
    t.x = e.x;
    t.w = e.w;
    t.product = e.product;
    list.push_back(t);
  };
  if (c.op == StepperOp::kConvTranspose2d) {
    const size_t i = dest_index(oc, oy + c.padding.h, ox + c.padding.w, display_h(), display_w());
    for (int64_t k : dest_events_[i]) add(event(k));
    return list;
  }
  // conv2d / max_pool2d: the window of (oc, oy, ox) is one block of consecutive events.
  const int64_t b = block_size();
  const int64_t first = ((static_cast<int64_t>(oc) * out_h() + oy) * out_w() + ox) * b;
  for (int64_t k = first; k < first + b; ++k) add(event(k));
  if (c.op == StepperOp::kMaxPool2d) {
    const int64_t picked =
        argmax_[static_cast<size_t>((static_cast<int64_t>(oc) * out_h() + oy) * out_w() + ox)];
    for (Contribution& t : list) {
      if (t.product == -std::numeric_limits<float>::infinity()) t.x = t.product = 0;  // padding
      t.picked = static_cast<int64_t>(t.iy) * c.W + t.ix == picked && t.iy >= 0 && t.ix >= 0 &&
                 t.iy < c.H && t.ix < c.W;
    }
  }
  return list;
}

bool StepperModel::backward_is_same_scatter(std::string* summary) const {
  const StepperConfig& c = config_;
  if (c.op != StepperOp::kConvTranspose2d) {
    if (summary) *summary = "";
    return false;
  }
  // conv2d with Conv2d's weight (C_out_conv, C_in_conv, kH, kW) = this (C_in, C_out, kH, kW):
  // its input is (1, C_out, H_out, W_out), its output (1, C_in, H, W), like this op's input.
  try {
    Tensor conv_x(
        {1, c.C_out, out_h(), out_w()});  // (1, C_out, H_out, W_out): only its shape matters
    Tensor dx;
    TraceRecorder rec(kMaxEvents);
    conv2d_backward(&dx, nullptr, nullptr, input_, conv_x, weight_, conv_params(c), rec);
    bool same = rec.size() == trace_.size() && dx.values() == output_.values();
    for (int64_t k = 0; same && k < rec.size(); ++k) {
      const MacEvent a = rec.event(k), b = trace_.event(k);
      same = a.ic == b.ic && a.iy == b.iy && a.ix == b.ix && a.oc == b.oc && a.ky == b.ky &&
             a.kx == b.kx && a.oy == b.oy && a.ox == b.ox && a.product == b.product &&
             a.out_before == b.out_before && a.cropped == b.cropped;
    }
    if (summary) {
      std::ostringstream s;
      if (same) {
        s << "conv2d's backward pass for its input (grad_output = this input, same weight, stride "
          << c.stride.h << ", padding " << c.padding.h << ") is this very scatter: the same "
          << rec.size() << " events in the same order, the same numbers.";
      } else {
        s << "conv2d's backward pass differs here (" << rec.size() << " vs " << trace_.size()
          << " events).";
      }
      *summary = s.str();
    }
    return same;
  } catch (const std::exception& e) {
    // With output_padding >= stride (allowed when dilation > stride) no conv2d maps H_out back
    // to H, so there is no matching forward conv.
    if (summary)
      *summary = std::string("no conv2d maps this output back to the input: ") + e.what();
    return false;
  }
}

}  // namespace convt::lab
