// Formula model: what the output-size formula panel shows, without any GL or ImGui.
//
//   conv_transpose2d: H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1)
//                             + output_padding + 1          (Dumoulin & Visin 2016, Rel. 14)
//   conv2d:           H_out = floor((H + 2*padding - dilation*(kernel_size - 1) - 1)/stride) + 1
// All sizes go through shape.h, so the panel and the core can never disagree.
#pragma once

#include <string>
#include <vector>

#include "logic/animation_schedule.h"

namespace convt::lab {

// One axis of a transposed convolution.
struct FormulaParams {
  int H = 4;
  int kernel_size = 4;
  int stride = 2;
  int padding = 1;
  int output_padding = 0;
  int dilation = 1;
};

// One term of the formula with the numbers substituted and a one-line explanation.
struct FormulaTerm {
  std::string symbolic;     // "(H-1)*stride"
  std::string substituted;  // "(4-1)*2"
  int value = 0;            // 6
  std::string explanation;  // "spread the input out"
};

struct FormulaResult {
  bool valid = false;
  std::string error;  // shape.h's message when !valid
  int H_out = 0;
  std::string formula;             // shape.h's conv_transpose_formula (numbers substituted)
  std::string notes_form;          // dilation 1: "(H-1)*stride - 2*padding + kH + ..." form
  std::vector<FormulaTerm> terms;  // they sum to H_out
};
FormulaResult evaluate(const FormulaParams& p);

// The PyTorch layer of these numbers (both axes the same, one channel in and out) and what it
// does to a (1, 1, H, H) input, e.g.
//   nn.ConvTranspose2d(in_channels=1, out_channels=1, kernel_size=(4, 4), stride=(2, 2),
//   padding=(1, 1), output_padding=(0, 0), dilation=(1, 1))  # (1, 1, 4, 4) -> (1, 1, 8, 8)
// on one line; the comment is the error's gist when the numbers are not valid.
std::string pytorch_layer_line(const FormulaParams& p);

// A point of a plot: y = H_out at x, or invalid (e.g. output_padding >= stride there).
struct PlotPoint {
  int x = 0;
  int y = 0;
  bool valid = false;
  std::string error;  // why not, when !valid
};
// H_out against H = 1..max_h, the other parameters fixed.
std::vector<PlotPoint> plot_vs_input(const FormulaParams& p, int max_h = 32);
// H_out against stride = 1..max_stride, or padding = 0..max_padding.
std::vector<PlotPoint> plot_vs_stride(const FormulaParams& p, int max_stride = 8);
std::vector<PlotPoint> plot_vs_padding(const FormulaParams& p, int max_padding = 8);

// The round trip: the forward conv2d with the same kernel_size, stride, padding, dilation maps
// several input sizes X to the same output H; the transposed conv brings each back with its own
// output_padding = X - ((H-1)*stride - 2*padding + dilation*(kernel_size-1) + 1).
struct RoundTripRow {
  int conv_input = 0;      // X
  int conv_output = 0;     // floor((X + 2p - d(k-1) - 1)/s) + 1 == H
  int output_padding = 0;  // what ConvTranspose2d needs to return to X
  bool allowed = false;    // output_padding < max(stride, dilation) (PyTorch's rule)
  std::string check;       // the transposed formula with this output_padding, "... = X"
};
struct RoundTrip {
  std::string conv_formula;  // conv2d's formula for the first X, substituted
  std::vector<RoundTripRow> rows;
};
RoundTrip round_trip(const FormulaParams& p);

// Parameter sets (kernel_size, stride 2, padding, output_padding, dilation 1) with H_out == 2*H for
// every H: (k-1) + output_padding + 1 - 2 - 2*padding == 0.
struct DoublingSet {
  int kernel_size = 0, stride = 2, padding = 0, output_padding = 0;
  std::string note;  // "the 20x20 GAN (Keras 'same')", "the minimal generator", or ""
};
std::vector<DoublingSet> doubling_sets(int max_kernel = 7);
bool exactly_doubles(const FormulaParams& p);

// Keras 'same' / 'valid' for a transposed conv, in PyTorch's terms.
struct KerasExplanation {
  int same_padding = 0, same_output_padding = 0;  // PyTorch's (padding, output_padding)
  int valid_padding = 0, valid_output_padding = 0;
  int crop_total = 0;                   // rows cut from the canvas for 'same'
  int torch_top = 0, torch_bottom = 0;  // PyTorch: padding, padding - output_padding
  int tf_top = 0, tf_bottom = 0;        // TensorFlow: floor(total/2), ceil(total/2)
  bool shifted = false;                 // the two crops differ: one-pixel shift
  std::vector<std::string> lines;       // the explanation, one sentence per line
};
KerasExplanation keras_explanation(int kernel_size, int stride, int H = 5);

// ---- Network table -------------------------------------------------------------------------

struct LayerSpec {
  std::string name;  // "up1", or "" (the table then says "layer 3")
  // PyTorch's names, as in assets/models/*.json: "Linear", "Reshape", "ConvTranspose2d",
  // "Conv2d", "MaxPool2d", "Flatten", "Upsample". Layers that keep the shape (BatchNorm,
  // activations, Dropout) are folded into the previous row's `after` text.
  std::string type;
  int out_features = 0;      // Linear
  int out_channels = 0;      // Conv2d, ConvTranspose2d
  std::vector<int> reshape;  // Reshape: (C, H, W)
  int kernel_size = 1, stride = 1, padding = 0, output_padding = 0, dilation = 1;
  std::string padding_mode;  // "" (use padding), "same" or "valid" (Keras)
  int scale_factor = 1;      // Upsample
  std::string after;         // "BatchNorm2d, LeakyReLU(0.2)"
};

struct ModelSpec {
  std::string name;        // "dcgan20_G"
  std::string title;       // "20x20 GAN: generator (dcgan20.json)"
  std::vector<int> input;  // (C, H, W) or (features)
  std::vector<LayerSpec> layers;
};

struct TableRow {
  std::string layer, type, params, formula, after;
  std::string in_shape, out_shape;  // "5x5x256" (H x W x C, as the notes write it), or "100"
  bool ok = true;                   // false: this layer does not fit; `formula` says why
};

// The notes' models, built in: the 20x20 GAN's G and D, the 28x28 variant's G and D, and the
// 32x32 RGB minimal generator.
std::vector<ModelSpec> builtin_models();
// The G and D of every GAN spec *.json in `models_dir` (format: convt/nn/model_spec.h), then the
// built-in models whose name none of them took. A spec that cannot be read is skipped and named
// in `errors` (optional).
std::vector<ModelSpec> load_models(const std::string& models_dir,
                                   std::vector<std::string>* errors = nullptr);
// Runs the shape formula through every layer. The first mismatch ends the table with a row whose
// ok is false, naming the layer and the numbers.
std::vector<TableRow> network_table(const ModelSpec& model);

// What the formula panel shows besides the formula itself: the numbers of one axis, the second
// plot's choice, and the network table's models (read once, by load_formula_models()).
// One slider of the formula panel: a parameter's name (PyTorch's), its range, its field. The
// panel draws these; an exported sweep (`convt-lab animate formula`) moves one of them.
struct FormulaParamRange {
  const char* name;  // "H", "kernel_size", "stride", "padding", "dilation", "output_padding"
  int lo, hi;
  int FormulaParams::*field;
};
const std::vector<FormulaParamRange>& formula_param_ranges();
const FormulaParamRange* find_formula_param(const std::string& name);  // nullptr: no such one

struct FormulaView {
  FormulaParams params;  // the current numbers (one axis)
  // "Export sweep": the parameter it moves (an index into formula_param_ranges()), the
  // request main.cpp takes and its progress; `recording` while drawn into an exported frame.
  int sweep_param = 2;
  AnimationExport animation;
  bool recording = false;
  bool second_vs_padding = false;  // the second plot: H_out against stride (false) or padding
  int model_index = 0;             // network table
  bool models_loaded = false;
  std::vector<ModelSpec> models;
  std::vector<std::string> model_errors;
};
// Reads the network table's models (assets/models/*.json, from the first asset directory that
// has a models/ folder) into view.models, once: does nothing when view.models_loaded. A spec
// that fails to load is left out and described in view.model_errors.
void load_formula_models(FormulaView& view);

// The index in view.models of the model called `name` (loading them first), or -1.
int find_formula_model(FormulaView& view, const std::string& name);

}  // namespace convt::lab
