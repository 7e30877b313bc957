// "Inside the classifier", the CNN panel's second view, without GL: a 20x20 digit (drawn by the
// student or a built-in one) through two real networks of our own core, layer by layer, as Adam
// Harley's interactive CNN visualisation shows a digit classifier.
//
//   canvas      (1, 1, 20, 20)  float in [-1, 1]: -1 paper (black), +1 ink (white), as the
//                               built-in 20x20 digits both networks were trained on
//   classifier  assets/classifier/digits20.safetensors (logic/quality_score.h): Conv2d 1->16 k3
//               p1, ReLU, MaxPool2d 2, Conv2d 16->32 k3 p1, ReLU, MaxPool2d 2, Flatten,
//               Linear 800->10; p(y|x) = softmax(logits) (10), summing to 1
//   D           a dcgan20 GAN's discriminator (Conv2d 1->64 k5 s2, LeakyReLU, Dropout, Conv2d
//               64->128 k5 s2, LeakyReLU, Dropout, Flatten, Linear 3200->1) from a full training
//               checkpoint (the shipped dcgan20_digits.safetensors holds G only);
//               D(x) = sigmoid(logit), how real D finds the drawing, 0..1
//
// Each layer whose output is a feature map is shown as its C channels (H, W), most active first:
// activity = mean |value| over the channel's map. Dropout is the identity when evaluating and is
// not shown. Clicking a channel shows the kernels of the Conv2d behind it and loads one output
// pixel's real window into the stepper (one input channel at a time, as the stepper's limits
// allow).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"
#include "logic/classifier_live.h"
#include "logic/drawing.h"
#include "logic/stepper_model.h"

namespace convt::lab {

// The canvas side: the classifier's and dcgan20 D's input is (1, 20, 20).
inline constexpr int kInsideSize = 20;
// Where the dashboard saves its run's checkpoint (relative to the working directory): the D
// looked for first.
inline constexpr const char* kDashboardCheckpoint = "runs/dashboard/checkpoint.safetensors";
// The D shipped with the app (an asset path, convt::asset_path): D's tensors of a dcgan20 run on
// the built-in digits after 3,000 steps (assets/README.md, "exercises/you_vs_d/"); shown when the
// dashboard has saved no checkpoint, and the source of the D kernel presets of the CNN tab.
inline constexpr const char* kShippedDAsset = "exercises/you_vs_d/d_step_03000.safetensors";

// ---- One pass through a network ---------------------------------------------------------------

// One layer's output for one input, channel by channel.
struct LayerMaps {
  size_t index = 0;             // the layer's index in its nn::Sequential
  std::string title;            // "0 conv1: Conv2d(1 -> 16, k3, s1, p1)"
  std::string type;             // "Conv2d", "ReLU", "LeakyReLU", "MaxPool2d", ...
  Tensor maps;                  // (C, H, W): the layer's output
  std::vector<float> activity;  // (C): mean |value| of each channel's map
  std::vector<int> order;       // the channels, most active first
  int channels() const { return static_cast<int>(maps.dim(0)); }
  int height() const { return static_cast<int>(maps.dim(1)); }
  int width() const { return static_cast<int>(maps.dim(2)); }
  const float* map(int c) const {
    return maps.data() + static_cast<int64_t>(c) * height() * width();
  }
};

struct NetworkInside {
  std::vector<LayerMaps> layers;  // the layers with a (C, H, W) output, in order (no Dropout)
  std::vector<Tensor> inputs;     // inputs[i]: the input of layer i (batch 1); one per layer
  Tensor output;                  // (K): the last layer's output (logits)
};

// The channel indices 0..C-1 ordered by activity, largest first; equal activities keep the
// lower index first.
std::vector<int> most_active_first(const std::vector<float>& activity);

// Runs `net` on x (1, input_shape...) one layer at a time (Layer::forward, evaluation mode: the
// layers' training flags are restored afterwards) and keeps every layer's input and each
// feature map. Throws std::invalid_argument naming the expected and found shapes when x does not
// fit the network.
NetworkInside look_inside(nn::Sequential& net, const Tensor& x);

// softmax of logits (K) -> (K) probabilities summing to 1 (max subtracted first).
std::vector<float> softmax(const Tensor& logits);
// 1 / (1 + exp(-logit)), without overflow for large |logit|.
float sigmoid(float logit);

// ---- Loading D ---------------------------------------------------------------------------------

struct LoadedD {
  std::shared_ptr<nn::Sequential> D;  // evaluation mode
  std::string description;            // "D of dcgan20, step 1200, from runs/.../checkpoint..."
};

// D of the full GAN training checkpoint at `path` (convt-lab train, the dashboard): the model
// spec from its metadata, the "D.*" tensors; evaluation mode, the fast backend. Throws
// std::runtime_error with a clear message naming the file: missing, not a checkpoint, a generator
// file (G only, as the shipped dcgan20_digits.safetensors), images of another shape than (1, 20,
// 20), a tensor missing or mis-shaped.
LoadedD load_discriminator(const std::string& path);

// ---- The channel under the mouse: its kernels and one output pixel ----------------------------

// The Conv2d layer that made layer `index`'s maps: the layer itself, or the nearest Conv2d before
// it (through ReLU, LeakyReLU, MaxPool2d, ...). -1 when there is none.
int conv_behind(nn::Sequential& net, size_t index);

// One output pixel (oy, ox) of channel out_channel of Conv2d layer `layer`, restricted to one
// input channel: what the stepper replays.
struct ConvPixelSlice {
  size_t layer = 0;
  int out_channel = 0, in_channel = 0, in_channels = 0;
  int oy = 0, ox = 0;
  int kernel_size = 0, stride = 1, padding = 0, dilation = 1;
  int iy0 = 0, ix0 = 0, span = 0;  // the window: input rows iy0 .. iy0 + span - 1 (likewise x)
  Tensor input;   // (1, 1, span, span): channel in_channel of the layer's input under the
                  // window, 0 where it reads the zero padding
  Tensor weight;  // (1, 1, k, k): weight[out_channel, in_channel]
  float contribution = 0.0f;  // sum of the window's k*k products (the stepper's one output)
  float bias = 0.0f;          // the layer's bias[out_channel] (0 without bias)
  float output = 0.0f;  // the layer's real output [out_channel, oy, ox] = bias + sum over input
                        // channels of their contributions
};

// The slice of Conv2d layer `layer` (look_inside's pass `inside` of `net`) at output pixel
// (oy, ox) of channel oc, input channel ic; ic = -1 picks the input channel with the largest
// |contribution|. Throws std::invalid_argument for a layer that is not a Conv2d or a channel or
// pixel out of range, naming the range.
ConvPixelSlice conv_pixel_slice(nn::Sequential& net, const NetworkInside& inside, size_t layer,
                                int oc, int oy, int ox, int ic = -1);

// The pixel of `maps` channel c (H, W) with the largest value (the first, row-major, on ties).
void most_active_pixel(const LayerMaps& maps, int c, int* y, int* x);

// The stepper's setting for one conv2d window: a span x span input (the window alone), one channel
// in and out, this kernel_size and dilation, stride 1, no padding, so that its single output is
// the window's sum. span = dilation * (kernel_size - 1) + 1.
StepperConfig conv_window_stepper_config(int span, int kernel_size, int dilation);

// Loads the slice into `stepper` as a conv2d of its own: input (1, 1, span, span), weight
// (1, 1, k, k), stride 1, padding 0, the same dilation; its single output pixel is the slice's
// contribution. Position 0. Returns "" on success, else why not (the stepper is unchanged).
std::string load_conv_slice_into_stepper(const ConvPixelSlice& slice, StepperModel& stepper);

// ---- The section's model -------------------------------------------------------------------

struct InsideModel {
  Tensor canvas = Tensor({1, 1, kInsideSize, kInsideSize}, -1.0f);
  int digit = 3119;    // the built-in 20x20 digit shown before the student draws (a 3)
  bool drawn = false;  // the canvas holds the student's drawing
  std::string digit_name;

  std::shared_ptr<Dataset> digits;  // the built-in 20x20 digits, loaded on first use
  std::shared_ptr<nn::Sequential> classifier;
  std::shared_ptr<nn::Sequential> D;
  std::string digits_error, classifier_error;
  std::string d_path = kDashboardCheckpoint;  // where D was looked for
  std::string d_description, d_error;         // what was loaded, or why no D

  NetworkInside cls, d;              // the last pass of each network
  std::vector<float> probabilities;  // (10) p(y|x), empty without a classifier
  float d_logit = 0.0f, d_of_x = 0.0f;
  int version = 0;  // increases at every recompute
  bool loaded = false;

  // "Train it live" (logic/classifier_live.h): the run, and a classifier holding its latest
  // weights that the view runs instead of the shipped one while use_live.
  std::shared_ptr<LiveClassifierRun> live;
  std::shared_ptr<nn::Sequential> live_net;
  uint64_t live_taken = 0;  // the run's version live_net holds
  bool use_live = false;

  // Loads the digits, the classifier and D once; sets the errors; picks `digit` and recomputes.
  // D comes from d_path; when that is the dashboard's checkpoint and no such file exists yet,
  // from the shipped D (kShippedDAsset), and d_description says so.
  void load();
  // Loads D from `path` (load_discriminator). On failure sets d_error and keeps the D shown
  // before, if any (none at first).
  void load_d(const std::string& path);
  // Copies built-in digit n (clamped to 0..9999) into the canvas.
  void pick_digit(int n);
  void clear();  // all paper (-1)
  // One brush stroke (lab::paint_stroke). Returns true when the canvas changed.
  bool stroke(float y0, float x0, float y1, float x1, const Brush& brush);
  // Runs both networks on the canvas (the live classifier instead of the shipped one when
  // use_live and it has weights).
  void recompute();

  // Starts a new live run (stopping one that runs) on the built-in digits; use_live = true.
  // Sets classifier_error and returns false without the digits.
  bool start_live(const LiveClassifierOptions& options = {});
  // Takes the run's latest snapshot into live_net when it is new, and recomputes when the view
  // shows it. True when one was taken.
  bool take_live();
};

// What "Step through this" replays for channel `channel` of map row `row` (an index into
// NetworkInside::layers) of `network` (0 the classifier, 1 D) in m's last pass: the Conv2d
// behind that row, at the conv channel's most active output pixel, through the input channel
// with the largest |contribution| (conv_pixel_slice). Throws std::invalid_argument saying why
// not (no such network, row or channel; no Conv2d behind the row).
ConvPixelSlice inside_channel_slice(const InsideModel& m, int network, int row, int channel);

// The section's view state.
struct InsideView {
  int network = -1;  // the clicked channel: 0 the classifier, 1 D; -1 none
  int layer = -1;    // index into NetworkInside::layers
  int channel = -1;
  bool erase = false;
  bool all_channels = false;  // every channel of each layer, not only the row that fits
  StrokeState stroke;
  char d_path_field[512] = "";  // the "D from checkpoint" field ("" until first shown)
  std::string step_message;     // why "Step through this" failed
  int select_tab = -1;          // the lower tab to select on the next frame: 0 channel, 1 live
};

}  // namespace convt::lab
