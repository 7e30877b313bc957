// StepperModel: what the stepper panel shows at step k, without any GL or ImGui.
//
// The model runs the REAL core kernel (conv_transpose2d_forward, conv2d_forward,
// max_pool2d_forward) with a TraceRecorder, then answers the panel's questions from the trace:
//   - event k (decoded by the recorder in O(1)) and its text,
//   - the running output after k events, and for the transposed case the uncropped canvas
//     ((H-1)*stride + dilation*(kernel_size-1) + 1 per axis) with the crop that padding removes
//     and output_padding's extra row/column,
//   - the overlap-count map (how many scatter-adds land in each cell) and its unevenness,
//   - the same computation as a gather (zero-insertion, padding, kernel rotated 180 degrees),
//   - the contributions of one output cell, summing to its value.
// max_pool2d has no multiply-adds: its events are the window taps the core records, in its loop
// order, each one comparing a value against the running max; the argmax is the core's too.
//
// Position: k = number of events applied, 0..event_count(). The "current" event is k - 1.
// Batch N = 1 throughout; tensors keep PyTorch's 4-D layouts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convt/recorder.h"
#include "convt/shape.h"
#include "convt/tensor.h"
#include "logic/pytorch_script.h"

namespace convt::lab {

enum class StepperOp { kConvTranspose2d, kConv2d, kMaxPool2d };
const char* op_name(StepperOp op);  // "conv_transpose2d", "conv2d", "max_pool2d"

// How to fill the input or the kernel.
enum class Fill {
  kOnes,      // every value 1
  kRamp,      // 1, 2, 3, ... in C order (the notes' [[1, 2], [3, 4]])
  kRandom,    // uniform in [-1, 1], rounded to 0.1 so the numbers stay readable; seeded
  kIdentity,  // input: 1 on the diagonal y == x; kernel: 1 at the centre, channel ic -> ic
};
const char* fill_name(Fill fill);

// What the stepper's right-hand slot shows: the gather view of the selected cell, the overlap
// map (stamps per cell), or the output.
enum class StepperSecondView { kGather, kOverlap, kOutput };
const char* second_view_name(StepperSecondView view);  // "gather", "overlap", "output"

// The stepper's controls. Ranges are StepperLimits'; validate() checks them and shape.h's rules.
struct StepperConfig {
  StepperOp op = StepperOp::kConvTranspose2d;
  int H = 2, W = 2;         // input size
  int C_in = 1, C_out = 1;  // channels (max_pool2d: C_out is ignored, it keeps C_in)
  Pair kernel_size{3, 3};
  Pair stride{2, 2};
  Pair padding{1, 1};
  Pair output_padding{0, 0};  // conv_transpose2d only
  Pair dilation{1, 1};
  bool operator==(const StepperConfig& o) const;
  bool operator!=(const StepperConfig& o) const { return !(*this == o); }
};

struct StepperLimits {
  static constexpr int kMinSize = 1, kMaxSize = 8;  // H, W
  static constexpr int kMaxCIn = 3, kMaxCOut = 2;
  static constexpr int kMaxKernel = 7;
  static constexpr int kMaxStride = 4;
  static constexpr int kMaxPadding = 3;
  static constexpr int kMaxOutputPadding = 3;
  static constexpr int kMaxDilation = 3;
  // Playback speed, events per second (the speed slider's range; settings.json is checked
  // against it).
  static constexpr float kMinEventsPerSecond = 0.5f, kMaxEventsPerSecond = 2000.0f;
};

// "" when the configuration can run; otherwise why not, e.g.
//   "conv_transpose2d H: output_padding must be smaller than max(stride, dilation) = ..."
std::string validate(const StepperConfig& config);

struct StepperPreset {
  std::string name;   // for --preset: "notes", "k4s2p1", "gan", "k3s2", "k4s2", ...
  std::string title;  // for the combo box: at most kMaxTitleChars characters
  static constexpr size_t kMaxTitleChars = 40;  // what the 410-pixel controls column shows
  std::string explanation;                      // one or two sentences shown under the controls
  StepperConfig config;
  Fill input_fill = Fill::kOnes;
  Fill weight_fill = Fill::kOnes;
};
const std::vector<StepperPreset>& stepper_presets();
// nullptr when no preset has this name.
const StepperPreset* find_preset(const std::string& name);

// One canvas cell's fate along one axis (transposed case).
enum class CanvasAxis {
  kKept,                // inside the output
  kCropped,             // written, then cut away by padding
  kOutputPaddingKept,   // an output_padding row/column: on the canvas, kept instead of cut
  kOutputPaddingExtra,  // an output_padding row/column beyond the canvas: nothing lands there
};

// The overlap-count map: how many (non-cropped) multiply-adds land in each cell of plane oc = 0.
struct OverlapMap {
  int canvas_h = 0, canvas_w = 0;  // transposed: the display canvas; conv2d/pool: padded input
  std::vector<int> canvas_counts;  // (canvas_h, canvas_w), cropped writes included
  int out_h = 0, out_w = 0;        // conv2d / max_pool2d: the input's H, W
  std::vector<int> counts;  // (out_h, out_w): what reaches the output (conv2d/pool: the input)
  int min_count = 0, max_count = 0;
  double ratio = 0;  // max/min over the output; +inf when some cell gets nothing
  // The same away from the border, where the border cannot skew it: the counted cells whose
  // canvas row q (their index + padding) has dilation*(kernel_size-1) <= q <= (n-1)*stride on
  // both axes, so every tap could land there; n is what is scattered: the input's H
  // (transposed) or the output's H_out (conv2d / max_pool2d, whose map is the backward scatter
  // onto the padded input). Equal to the whole-map figures when those cells span less than one
  // stride along an axis, too few to show the pattern (has_interior false).
  bool has_interior = false;
  int interior_min = 0, interior_max = 0;
  double interior_ratio = 0;
};

// One input of the gather view's direct convolution.
enum class GatherCell {
  kInput,          // a real input pixel
  kInsertedZero,   // one of the stride-1 zeros put between pixels
  kPadding,        // the dilation*(kernel_size-1) - padding border
  kOutputPadding,  // output_padding's extra bottom row / right column
};

// The transposed convolution as a gather: direct convolution (stride 1, same dilation) over
//   input spread out with stride-1 zeros between pixels, padded by dilation*(kernel_size-1) -
//   padding on every side (negative: cropped) plus output_padding on the bottom/right,
// with the kernel rotated 180 degrees and its channel axes swapped:
//   out[oc, oy, ox] = sum_{ic, ky, kx} G[ic, oy + ky*d, ox + kx*d] * w[ic, oc, kH-1-ky, kW-1-kx]
struct GatherView {
  int gh = 0, gw = 0;                   // = H_out + d(kH-1), W_out + d(kW-1)
  int pad_h = 0, pad_w = 0;             // d(k-1) - padding (may be negative)
  Tensor padded;                        // (1, C_in, gh, gw)
  std::vector<GatherCell> kind;         // (gh, gw)
  std::vector<int> source_y, source_x;  // (gh, gw): input pixel for kInput cells, else -1
  Tensor rotated_weight;                // (C_out, C_in, kH, kW), Conv2d layout, rotated 180 degrees
};

// One multiply-add that made an output cell's value.
struct Contribution {
  int64_t step = 0;
  int ic = 0, iy = 0, ix = 0;  // the input pixel (gather: may be padding, then x = 0)
  int ky = 0, kx = 0;          // the weight tap
  float x = 0, w = 0, product = 0;
  bool picked = false;  // max_pool2d: this tap is the argmax
};

class StepperModel {
 public:
  static constexpr int64_t kMaxEvents = 2'000'000;

  StepperModel();

  // Applies a configuration. Invalid: keeps the last valid run, sets error() and returns false.
  // Input and weight keep their values when their shapes do not change, else are refilled.
  bool set_config(const StepperConfig& config);
  // Loads a preset: its configuration and fills. Position goes to 0.
  void load_preset(const StepperPreset& preset);

  const StepperConfig& config() const { return config_; }        // the last valid one
  const StepperConfig& requested() const { return requested_; }  // may be invalid
  const std::string& error() const { return error_; }            // "" when requested() is valid

  // Values. Input (1, C_in, H, W); weight: conv_transpose2d (C_in, C_out, kH, kW),
  // conv2d (C_out, C_in, kH, kW), max_pool2d empty.
  void fill_input(Fill fill, uint32_t seed = 1);
  void fill_weight(Fill fill, uint32_t seed = 2);
  void set_input_value(int c, int y, int x, float value);
  void set_weight_value(int a, int b, int ky, int kx, float value);
  const Tensor& input() const { return input_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& output() const { return output_; }  // the core's result (1, C_out, H_out, W_out)
  // The current op with these input, weight and output values, for "As PyTorch"
  // (logic/pytorch_script.h): torch.nn.functional.conv_transpose2d / conv2d / max_pool2d with the
  // config()'s stride, padding, output_padding and dilation.
  PytorchOpCall pytorch_call() const;
  int out_channels() const;  // C_out, or C_in for max_pool2d
  int out_h() const { return static_cast<int>(output_.dim(2)); }
  int out_w() const { return static_cast<int>(output_.dim(3)); }

  // ---- Time -------------------------------------------------------------------------------
  int64_t event_count() const;
  int64_t position() const { return position_; }
  void set_position(int64_t k);  // clamped to 0..event_count()
  void step_forward() { set_position(position_ + 1); }
  void step_back() { set_position(position_ - 1); }
  // Events come in blocks: one input pixel's stamp (scatter: C_out*kH*kW events) or one output
  // cell's window (conv2d: C_in*kH*kW; max_pool2d: kH*kW).
  int64_t block_size() const;
  // The next block boundary after k (a whole stamp/window applied), and the previous one before k.
  int64_t next_block_position(int64_t k) const;
  int64_t prev_block_position(int64_t k) const;

  MacEvent event(int64_t k) const;                // 0 <= k < event_count(); O(1)
  std::optional<MacEvent> current_event() const;  // event position()-1, if any
  // "out[0, 3, 4] += x[0, 1, 1] * w[0, 0, 2, 2] = 0.50 * 1.00 -> 1.50" and the variants for
  // padding taps and max picks. Transposed: a kept write adds " (at canvas[0] (4, 5))", and a
  // write that padding crops names only its canvas cell, never an out[...] that does not exist:
  // "canvas[0] (0, 3) += x[0, 0, 1] * w[0, 0, 0, 1] = 2.00 * 1.00: cut away by padding, not part
  // of the output". Canvas cells are (oy + padding.h, ox + padding.w), as destination().
  std::string event_text(const MacEvent& e) const;

  // ---- State after k events -------------------------------------------------------------
  // Output values (C_out, H_out, W_out) after the first k events; cells no event reached yet hold
  // 0. `written` (optional) gets how many events landed in each cell (padding taps not counted).
  Tensor output_after(int64_t k, std::vector<int>* written = nullptr) const;

  // Transposed case: the uncropped canvas. canvas_h() = (H-1)*s + d(kH-1) + 1; the display
  // canvas also holds output_padding rows beyond it: display_h() = max(canvas_h, p + H_out).
  int canvas_h() const;
  int canvas_w() const;
  int display_h() const;
  int display_w() const;
  // Canvas values (C_out, display_h, display_w) after k events: every write, cropped or not.
  Tensor canvas_after(int64_t k, std::vector<int>* written = nullptr) const;
  CanvasAxis canvas_row(int cy) const;
  CanvasAxis canvas_col(int cx) const;
  // The crop frame on the display canvas: rows [crop_top, crop_top + H_out), likewise columns.
  int crop_top() const { return config_.padding.h; }
  int crop_left() const { return config_.padding.w; }

  // Cells event k touches, in its destination's coordinates:
  //   transposed: canvas cell (cy, cx) = (oy + p_h, ox + p_w) of plane oc;
  //   conv2d/pool: output cell (oy, ox) of plane oc, and the input tap (iy, ix) it reads.
  struct Cell {
    int c = 0, y = 0, x = 0;
  };
  Cell destination(const MacEvent& e) const;

  // The stamp being added at event k: x * w[ic, oc, :, :] (kH, kW), transposed case.
  std::vector<float> stamp(const MacEvent& e) const;

  // ---- Views -------------------------------------------------------------------------------
  OverlapMap overlap() const;
  GatherView gather_view() const;  // transposed case only (empty otherwise)
  // The gather view's direct convolution, by the core's conv2d (stride 1, the dilation, no
  // padding) of the padded input with the rotated kernel: (1, C_out, H_out, W_out). Equals
  // output(), the scatter's result (the tests check it).
  Tensor gather_output() const;
  // Every multiply-add that made output cell (oc, oy, ox), in event order; their products sum to
  // its value (max_pool2d: the window's taps, the picked one marked).
  std::vector<Contribution> contributions(int oc, int oy, int ox) const;
  // The same, only those among the first `before` events (step < before): what the cell has
  // received at position `before`. A prefix of the whole list.
  std::vector<Contribution> contributions(int oc, int oy, int ox, int64_t before) const;
  // max_pool2d: the core's argmax per output cell, flat y*W + x in its plane; empty otherwise.
  const std::vector<int64_t>& argmax() const { return argmax_; }

  // conv2d's backward pass for its input, with grad_output = this input and the same weight,
  // recorded by the core: is it the very same scatter (same events, same numbers) as the
  // conv_transpose2d trace? Fills `summary` with a one-line statement. Transposed case only.
  bool backward_is_same_scatter(std::string* summary) const;

  const TraceRecorder& trace() const { return trace_; }
  // Bumped on every re-run (new configuration or new values): views cache on it.
  int64_t version() const { return version_; }

 private:
  void resize_values();
  void fill_input_values(Fill fill, uint32_t seed);
  void fill_weight_values(Fill fill, uint32_t seed);
  void run();
  // Index of a plane-oc cell in the per-destination event lists.
  size_t dest_index(int oc, int y, int x, int h, int w) const {
    return (static_cast<size_t>(oc) * h + y) * w + x;
  }

  StepperConfig config_, requested_;
  std::string error_;
  Fill input_fill_ = Fill::kRamp, weight_fill_ = Fill::kOnes;
  Tensor input_, weight_, output_;
  TraceRecorder trace_{kMaxEvents};
  std::vector<int64_t> argmax_;
  // Per destination cell (transposed: display canvas; else output), the events landing there in
  // order and the running value after each (sum of products; max for pools).
  std::vector<std::vector<int64_t>> dest_events_;
  std::vector<std::vector<float>> dest_values_;
  int64_t position_ = 0;
  int64_t version_ = 0;
};

}  // namespace convt::lab
