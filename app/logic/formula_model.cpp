#include "logic/formula_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "convt/io/assets.h"
#include "convt/shape.h"
#include "logic/pytorch_script.h"

namespace convt::lab {

namespace {

std::string str(int v) { return std::to_string(v); }

}  // namespace

const std::vector<FormulaParamRange>& formula_param_ranges() {
  static const std::vector<FormulaParamRange> ranges = {
      {"H", 1, 32, &FormulaParams::H},
      {"kernel_size", 1, 9, &FormulaParams::kernel_size},
      {"stride", 1, 6, &FormulaParams::stride},
      {"padding", 0, 6, &FormulaParams::padding},
      {"dilation", 1, 4, &FormulaParams::dilation},
      {"output_padding", 0, 5, &FormulaParams::output_padding}};
  return ranges;
}

const FormulaParamRange* find_formula_param(const std::string& name) {
  for (const FormulaParamRange& r : formula_param_ranges())
    if (name == r.name) return &r;
  return nullptr;
}

FormulaResult evaluate(const FormulaParams& p) {
  FormulaResult r;
  try {
    r.H_out = conv_transpose_out_size(p.H, p.kernel_size, p.stride, p.padding, p.output_padding,
                                      p.dilation, "conv_transpose2d H");
    r.formula = conv_transpose_formula(p.H, p.kernel_size, p.stride, p.padding, p.output_padding,
                                       p.dilation, "H");
  } catch (const ShapeError& e) {
    r.error = e.what();
    return r;
  }
  r.valid = true;
  const int reach = p.dilation * (p.kernel_size - 1) + 1;
  r.terms = {
      {"(H-1)*stride", "(" + str(p.H) + "-1)*" + str(p.stride), (p.H - 1) * p.stride,
       "spread the input out: pixels land stride cells apart"},
      {"-2*padding", "-2*" + str(p.padding), -2 * p.padding,
       "cut what padding adds: padding is removed from both sides of the canvas"},
      {"+dilation*(k-1)+1", "+" + str(p.dilation) + "*(" + str(p.kernel_size) + "-1)+1", reach,
       "the kernel's reach: the last pixel's stamp sticks out this far"},
      {"+output_padding", "+" + str(p.output_padding), p.output_padding,
       "recover a size the forward conv could not tell apart (one extra row at the bottom)"},
  };
  if (p.dilation == 1) {
    std::ostringstream s;
    s << "H_out = (H-1)*stride - 2*padding + kH" << (p.output_padding ? " + output_padding" : "")
      << " = (" << p.H << "-1)*" << p.stride << " - 2*" << p.padding << " + " << p.kernel_size;
    if (p.output_padding) s << " + " << p.output_padding;
    s << " = " << r.H_out;
    r.notes_form = s.str();
  }
  return r;
}

namespace {

std::vector<PlotPoint> plot(const FormulaParams& base, int lo, int hi, int FormulaParams::*field) {
  std::vector<PlotPoint> points;
  for (int v = lo; v <= hi; ++v) {
    FormulaParams p = base;
    p.*field = v;
    PlotPoint pt;
    pt.x = v;
    try {
      pt.y = conv_transpose_out_size(p.H, p.kernel_size, p.stride, p.padding, p.output_padding,
                                     p.dilation);
      pt.valid = true;
    } catch (const ShapeError& e) {
      pt.error = e.what();
    }
    points.push_back(pt);
  }
  return points;
}

}  // namespace

std::vector<PlotPoint> plot_vs_input(const FormulaParams& p, int max_h) {
  return plot(p, 1, max_h, &FormulaParams::H);
}
std::vector<PlotPoint> plot_vs_stride(const FormulaParams& p, int max_stride) {
  return plot(p, 1, max_stride, &FormulaParams::stride);
}
std::vector<PlotPoint> plot_vs_padding(const FormulaParams& p, int max_padding) {
  return plot(p, 0, max_padding, &FormulaParams::padding);
}

RoundTrip round_trip(const FormulaParams& p) {
  RoundTrip rt;
  // The smallest X with conv output H: (H-1)*s - 2p + d(k-1) + 1 (output_padding 0), then the
  // next stride-1 sizes, which the floor in the conv formula maps to the same H.
  const int base = (p.H - 1) * p.stride - 2 * p.padding + p.dilation * (p.kernel_size - 1) + 1;
  for (int X = std::max(base, 1); X < base + p.stride; ++X) {
    RoundTripRow row;
    row.conv_input = X;
    try {
      row.conv_output = conv_out_size(X, p.kernel_size, p.stride, p.padding, p.dilation);
    } catch (const ShapeError&) {
      continue;  // the kernel does not fit in this input
    }
    if (row.conv_output != p.H) continue;
    if (rt.conv_formula.empty())
      rt.conv_formula = conv_formula(X, p.kernel_size, p.stride, p.padding, p.dilation, "H");
    row.output_padding = X - base;
    row.allowed = row.output_padding < std::max(p.stride, p.dilation);
    try {
      row.check = conv_transpose_formula(p.H, p.kernel_size, p.stride, p.padding,
                                         row.output_padding, p.dilation, "H");
    } catch (const ShapeError& e) {
      row.check = e.what();
      row.allowed = false;
    }
    rt.rows.push_back(row);
  }
  return rt;
}

bool exactly_doubles(const FormulaParams& p) {
  // H_out = H*s + (d(k-1) + 1 + a - s - 2p): doubles for every H iff s = 2 and the rest is 0.
  return p.stride == 2 &&
         p.dilation * (p.kernel_size - 1) + 1 + p.output_padding - p.stride - 2 * p.padding == 0;
}

std::vector<DoublingSet> doubling_sets(int max_kernel) {
  std::vector<DoublingSet> sets;
  for (int k = 1; k <= max_kernel; ++k)
    for (int pad = 0; pad <= k; ++pad)
      for (int a = 0; a < 2; ++a) {
        FormulaParams p;
        p.kernel_size = k;
        p.stride = 2;
        p.padding = pad;
        p.output_padding = a;
        if (!exactly_doubles(p)) continue;
        DoublingSet d;
        d.kernel_size = k;
        d.padding = pad;
        d.output_padding = a;
        if (k == 5 && pad == 2 && a == 1) d.note = "the 20x20 GAN's ConvT (Keras 'same')";
        if (k == 4 && pad == 1 && a == 0) d.note = "the minimal generator's ConvT";
        if (k == 2 && pad == 0 && a == 0) d.note = "no overlap at all: each pixel its own 2x2";
        if (k == 3 && pad == 1 && a == 1) d.note = "uneven overlap: checkerboard risk";
        sets.push_back(d);
      }
  return sets;
}

KerasExplanation keras_explanation(int k, int s, int H) {
  KerasExplanation e;
  const TransposePadding same = keras_same_conv_transpose_padding(k, s);
  const TransposePadding valid = keras_valid_conv_transpose_padding(k, s);
  e.same_padding = same.padding;
  e.same_output_padding = same.output_padding;
  e.valid_padding = valid.padding;
  e.valid_output_padding = valid.output_padding;
  e.crop_total = std::max(k - s, 0);  // canvas (H-1)s + k minus the wanted H*s
  e.torch_top = same.padding;
  e.torch_bottom = same.padding - same.output_padding;
  e.tf_top = e.crop_total / 2;
  e.tf_bottom = e.crop_total - e.tf_top;
  e.shifted = e.torch_top != e.tf_top;
  const int canvas = (H - 1) * s + k;
  std::ostringstream l;
  l << "Keras 'same': H_out = H*stride. For k" << k << " s" << s
    << " that is PyTorch padding=" << same.padding << ", output_padding=" << same.output_padding
    << " (" << H << " -> " << H * s << ").";
  e.lines.push_back(l.str());
  l.str("");
  l << "Keras 'valid': nothing is cut, H_out = H*stride + max(k - stride, 0) = " << H << "*" << s
    << " + " << std::max(k - s, 0) << " = " << H * s + std::max(k - s, 0)
    << ": PyTorch padding=" << valid.padding << ", output_padding=" << valid.output_padding << ".";
  e.lines.push_back(l.str());
  l.str("");
  l << "The canvas is (H-1)*stride + k = " << canvas << "; 'same' keeps " << H * s << ", so "
    << e.crop_total << " row(s) must go.";
  e.lines.push_back(l.str());
  l.str("");
  l << "PyTorch cuts padding = " << e.torch_top
    << " on top and padding - output_padding = " << e.torch_bottom
    << " at the bottom; TensorFlow cuts " << e.tf_top << " on top and " << e.tf_bottom
    << " at the bottom (the smaller half first).";
  e.lines.push_back(l.str());
  l.str("");
  if (e.shifted) {
    l << "Same size, but the crop window sits one pixel lower/right in PyTorch: copy Keras "
         "weights into PyTorch and the output comes out shifted by one pixel.";
  } else {
    l << "Here both crop the same rows: identical outputs. (With the GAN's k5 s2 they differ: "
         "PyTorch cuts 2 on top and 1 at the bottom, TensorFlow 1 and 2: same size, shifted by "
         "one pixel.)";
  }
  e.lines.push_back(l.str());
  l.str("");
  if (k % 2) {
    l << "Conv2d 'same': padding = (k-1)/2 = " << (k - 1) / 2
      << ", H_out = ceil(H/stride); TensorFlow again pads less on top/left when the total is odd.";
  } else {
    l << "Conv2d 'same' with an even k" << k
      << " needs an odd total padding: TensorFlow pads one "
         "more at the bottom/right, PyTorch's symmetric padding cannot match it.";
  }
  e.lines.push_back(l.str());
  return e;
}

// ---- Network table -------------------------------------------------------------------------

namespace {

LayerSpec layer(std::string type, std::string name = "") {
  LayerSpec l;
  l.type = std::move(type);
  l.name = std::move(name);
  return l;
}

LayerSpec linear(int out, std::string name, std::string after = "") {
  LayerSpec l = layer("Linear", std::move(name));
  l.out_features = out;
  l.after = std::move(after);
  return l;
}

LayerSpec conv(const char* type, int out, int k, int s, int p, int a, std::string mode,
               std::string name, std::string after) {
  LayerSpec l = layer(type, std::move(name));
  l.out_channels = out;
  l.kernel_size = k;
  l.stride = s;
  l.padding = p;
  l.output_padding = a;
  l.padding_mode = std::move(mode);
  l.after = std::move(after);
  return l;
}

LayerSpec reshape(int c, int h, int w) {
  LayerSpec l = layer("Reshape");
  l.reshape = {c, h, w};
  return l;
}

std::string shape_text(const std::vector<int>& s) {
  if (s.size() == 3) return str(s[1]) + "x" + str(s[2]) + "x" + str(s[0]);
  std::string t;
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "x" : "") + str(s[i]);
  return t;
}

int int_or_first(const nlohmann::json& j, int fallback) {
  if (j.is_number_integer()) return j.get<int>();
  if (j.is_array() && !j.empty() && j[0].is_number_integer()) return j[0].get<int>();
  return fallback;
}

std::string describe(const nlohmann::json& j) {
  std::string type = j.value("type", "?");
  if (type == "LeakyReLU") {
    std::ostringstream s;
    s << "LeakyReLU(" << j.value("negative_slope", 0.01) << ")";
    return s.str();
  }
  if (type == "Dropout") {
    std::ostringstream s;
    s << "Dropout(" << j.value("p", 0.5) << ")";
    return s.str();
  }
  return type;
}

std::vector<LayerSpec> parse_layers(const nlohmann::json& list) {
  std::vector<LayerSpec> layers;
  for (const nlohmann::json& j : list) {
    const std::string type = j.value("type", "");
    LayerSpec l = layer(type, j.value("name", ""));
    if (type == "Linear") {
      l.out_features = j.at("out_features").get<int>();
    } else if (type == "Reshape") {
      l.reshape = j.at("shape").get<std::vector<int>>();
    } else if (type == "Conv2d" || type == "ConvTranspose2d" || type == "MaxPool2d") {
      l.out_channels = j.value("out_channels", 0);
      l.kernel_size = int_or_first(j.at("kernel_size"), 1);
      l.stride = j.contains("stride") ? int_or_first(j["stride"], 1)
                                      : (type == "MaxPool2d" ? l.kernel_size : 1);
      l.dilation = j.contains("dilation") ? int_or_first(j["dilation"], 1) : 1;
      l.output_padding = j.contains("output_padding") ? int_or_first(j["output_padding"], 0) : 0;
      if (j.contains("padding") && j["padding"].is_string()) {
        l.padding_mode = j["padding"].get<std::string>();
      } else if (j.contains("padding")) {
        l.padding = int_or_first(j["padding"], 0);
      }
    } else if (type == "Upsample") {
      l.scale_factor = int_or_first(j.value("scale_factor", nlohmann::json(2)), 2);
    } else if (type == "Flatten") {
    } else {
      // Shape-keeping layer: fold into the previous row.
      if (!layers.empty()) {
        std::string& after = layers.back().after;
        after += (after.empty() ? "" : ", ") + describe(j);
      }
      continue;
    }
    layers.push_back(l);
  }
  return layers;
}

}  // namespace

std::vector<ModelSpec> builtin_models() {
  std::vector<ModelSpec> m;
  const std::string bn_lrelu = "BatchNorm, LeakyReLU(0.2)";
  m.push_back({"dcgan20_G",
               "20x20 GAN: generator (built in)",
               {100},
               {linear(6400, "dense", bn_lrelu), reshape(256, 5, 5),
                conv("ConvTranspose2d", 128, 5, 2, 0, 0, "same", "up1", bn_lrelu),
                conv("ConvTranspose2d", 64, 5, 2, 0, 0, "same", "up2", bn_lrelu),
                conv("ConvTranspose2d", 1, 5, 1, 0, 0, "same", "to_image", "Tanh")}});
  m.push_back({"dcgan20_D",
               "20x20 GAN: discriminator (built in)",
               {1, 20, 20},
               {conv("Conv2d", 64, 5, 2, 0, 0, "same", "down1", "LeakyReLU(0.2), Dropout(0.3)"),
                conv("Conv2d", 128, 5, 2, 0, 0, "same", "down2", "LeakyReLU(0.2), Dropout(0.3)"),
                layer("Flatten"), linear(1, "logit")}});
  m.push_back({"dcgan28_G",
               "28x28 GAN: generator (built in)",
               {100},
               {linear(12544, "dense", bn_lrelu), reshape(256, 7, 7),
                conv("ConvTranspose2d", 128, 5, 1, 0, 0, "same", "up0", bn_lrelu),
                conv("ConvTranspose2d", 64, 5, 2, 0, 0, "same", "up1", bn_lrelu),
                conv("ConvTranspose2d", 1, 5, 2, 0, 0, "same", "to_image", "Tanh")}});
  m.push_back({"dcgan28_D",
               "28x28 GAN: discriminator (built in)",
               {1, 28, 28},
               {conv("Conv2d", 64, 5, 2, 0, 0, "same", "down1", "LeakyReLU(0.2), Dropout(0.3)"),
                conv("Conv2d", 128, 5, 2, 0, 0, "same", "down2", "LeakyReLU(0.2), Dropout(0.3)"),
                layer("Flatten"), linear(1, "logit")}});
  m.push_back({"minimal32_G",
               "32x32 RGB minimal generator (built in)",
               {100},
               {linear(4096, "fc", "BatchNorm, ReLU"), reshape(256, 4, 4),
                conv("ConvTranspose2d", 128, 4, 2, 1, 0, "", "up1", "BatchNorm, ReLU"),
                conv("ConvTranspose2d", 64, 4, 2, 1, 0, "", "up2", "BatchNorm, ReLU"),
                conv("ConvTranspose2d", 3, 4, 2, 1, 0, "", "to_rgb", "Tanh")}});
  return m;
}

std::vector<ModelSpec> load_models(const std::string& models_dir,
                                   std::vector<std::string>* errors) {
  namespace fs = std::filesystem;
  std::vector<ModelSpec> models;
  std::error_code ec;
  std::vector<fs::path> files;
  if (!models_dir.empty() && fs::is_directory(models_dir, ec)) {
    for (const fs::directory_entry& f : fs::directory_iterator(models_dir, ec))
      if (f.path().extension() == ".json") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    try {
      std::ifstream in(file);
      const nlohmann::json spec = nlohmann::json::parse(in);
      const std::string name = spec.value("name", file.stem().string());
      const std::string source = " (" + file.filename().string() + ")";
      if (spec.contains("generator")) {
        ModelSpec g;
        g.name = name + "_G";
        g.title = name + ": generator" + source;
        g.input = {spec.at("latent_dim").get<int>()};
        g.layers = parse_layers(spec["generator"]);
        models.push_back(g);
      }
      if (spec.contains("discriminator")) {
        ModelSpec d;
        d.name = name + "_D";
        d.title = name + ": discriminator" + source;
        d.input = spec.at("image_shape").get<std::vector<int>>();
        d.layers = parse_layers(spec["discriminator"]);
        models.push_back(d);
      }
    } catch (const std::exception& e) {
      if (errors) errors->push_back(file.string() + ": " + e.what());
    }
  }
  for (const ModelSpec& b : builtin_models()) {
    const bool taken = std::any_of(models.begin(), models.end(),
                                   [&](const ModelSpec& m) { return m.name == b.name; });
    if (!taken) models.push_back(b);
  }
  return models;
}

namespace {

// Each layer type's row: fills row.params and row.formula and returns the output shape. Throws
// ShapeError (naming the rule and the numbers) when the input shape does not fit.

std::vector<int> linear_row(const LayerSpec& l, const std::vector<int>& shape, TableRow& row) {
  if (shape.size() != 1) {
    throw ShapeError("Linear wants a vector, found " + shape_text(shape) +
                     ". HINT: Flatten first.");
  }
  row.params = "out_features=" + str(l.out_features);
  row.formula = str(shape[0]) + " -> " + str(l.out_features);
  return {l.out_features};
}

std::vector<int> reshape_row(const LayerSpec& l, const std::vector<int>& shape, TableRow& row) {
  const int numel = l.reshape.empty() ? 0 : l.reshape[0] * l.reshape[1] * l.reshape[2];
  int in_numel = 1;
  for (int v : shape) in_numel *= v;
  row.params = "(C, H, W) = (" + str(l.reshape[0]) + ", " + str(l.reshape[1]) + ", " +
               str(l.reshape[2]) + ")";
  row.formula =
      str(in_numel) + " = " + str(l.reshape[0]) + "*" + str(l.reshape[1]) + "*" + str(l.reshape[2]);
  if (numel != in_numel) {
    throw ShapeError("Reshape: " + str(in_numel) + " values cannot become " +
                     shape_text(l.reshape) + " = " + str(numel));
  }
  return l.reshape;
}

std::vector<int> flatten_row(const std::vector<int>& shape, TableRow& row) {
  int n = 1;
  for (int v : shape) n *= v;
  row.formula = shape_text(shape) + " -> " + str(n);
  return {n};
}

// The padding and output_padding a layer uses: its own, or Keras' 'same' / 'valid' rule.
void effective_padding(const LayerSpec& l, bool transposed, int& padding, int& output_padding) {
  padding = l.padding;
  output_padding = l.output_padding;
  if (l.padding_mode == "same" && transposed) {
    const TransposePadding tp =
        keras_same_conv_transpose_padding(l.kernel_size, l.stride, l.dilation);
    padding = tp.padding;
    output_padding = tp.output_padding;
  } else if (l.padding_mode == "same") {
    padding = keras_same_conv_padding(l.kernel_size, l.dilation);
  } else if (l.padding_mode == "valid" && transposed) {
    const TransposePadding tp = keras_valid_conv_transpose_padding(l.kernel_size, l.stride);
    padding = tp.padding;
    output_padding = tp.output_padding;
  } else if (l.padding_mode == "valid") {
    padding = 0;
  }
}

// ConvTranspose2d, Conv2d and MaxPool2d: a window of kernel_size moved by stride.
std::vector<int> window_row(const LayerSpec& l, const std::vector<int>& shape, TableRow& row) {
  if (shape.size() != 3) throw ShapeError(l.type + " wants (C, H, W), found " + shape_text(shape));
  const bool transposed = l.type == "ConvTranspose2d";
  int p = 0, a = 0;
  effective_padding(l, transposed, p, a);
  std::ostringstream params;
  if (l.out_channels) params << "C_out=" << l.out_channels << " ";
  params << "k" << l.kernel_size << " s" << l.stride << " p" << p;
  if (transposed) params << " op" << a;
  if (l.dilation != 1) params << " d" << l.dilation;
  if (!l.padding_mode.empty()) params << " (Keras '" << l.padding_mode << "')";
  row.params = params.str();
  int h, w;
  if (transposed) {
    h = conv_transpose_out_size(shape[1], l.kernel_size, l.stride, p, a, l.dilation,
                                row.layer + " H");
    w = conv_transpose_out_size(shape[2], l.kernel_size, l.stride, p, a, l.dilation,
                                row.layer + " W");
    row.formula = conv_transpose_formula(shape[1], l.kernel_size, l.stride, p, a, l.dilation, "H");
  } else if (l.type == "Conv2d") {
    h = conv_out_size(shape[1], l.kernel_size, l.stride, p, l.dilation, row.layer + " H");
    w = conv_out_size(shape[2], l.kernel_size, l.stride, p, l.dilation, row.layer + " W");
    row.formula = conv_formula(shape[1], l.kernel_size, l.stride, p, l.dilation, "H");
  } else {
    h = pool_out_size(shape[1], l.kernel_size, l.stride, p, l.dilation, row.layer + " H");
    w = pool_out_size(shape[2], l.kernel_size, l.stride, p, l.dilation, row.layer + " W");
    row.formula = conv_formula(shape[1], l.kernel_size, l.stride, p, l.dilation, "H");
  }
  // Keep only the substituted part: "H_out = ... = (numbers) = result".
  const size_t eq = row.formula.find(" = ");
  const size_t second = eq == std::string::npos ? eq : row.formula.find(" = ", eq + 3);
  if (second != std::string::npos) row.formula = "H_out = " + row.formula.substr(second + 3);
  return {l.out_channels ? l.out_channels : shape[0], h, w};
}

std::vector<int> upsample_row(const LayerSpec& l, const std::vector<int>& shape, TableRow& row) {
  if (shape.size() != 3) throw ShapeError("Upsample wants (C, H, W), found " + shape_text(shape));
  row.params = "scale_factor=" + str(l.scale_factor);
  row.formula = "H_out = " + str(shape[1]) + "*" + str(l.scale_factor) + " = " +
                str(shape[1] * l.scale_factor);
  return {shape[0], shape[1] * l.scale_factor, shape[2] * l.scale_factor};
}

std::vector<int> layer_row(const LayerSpec& l, const std::vector<int>& shape, TableRow& row) {
  if (l.type == "Linear") return linear_row(l, shape, row);
  if (l.type == "Reshape") return reshape_row(l, shape, row);
  if (l.type == "Flatten") return flatten_row(shape, row);
  if (l.type == "ConvTranspose2d" || l.type == "Conv2d" || l.type == "MaxPool2d") {
    return window_row(l, shape, row);
  }
  if (l.type == "Upsample") return upsample_row(l, shape, row);
  throw ShapeError("unknown layer type '" + l.type + "'");
}

}  // namespace

std::vector<TableRow> network_table(const ModelSpec& model) {
  std::vector<TableRow> rows;
  std::vector<int> shape = model.input;
  int index = 0;
  for (const LayerSpec& l : model.layers) {
    ++index;
    TableRow row;
    row.layer = l.name.empty() ? "layer " + str(index) : l.name;
    row.type = l.type;
    row.after = l.after;
    row.in_shape = shape_text(shape);
    std::vector<int> out;
    try {
      out = layer_row(l, shape, row);
    } catch (const std::exception& e) {
      row.ok = false;
      row.formula = e.what();
      rows.push_back(row);
      return rows;
    }
    row.out_shape = shape_text(out);
    shape = out;
    rows.push_back(row);
  }
  return rows;
}

void load_formula_models(FormulaView& view) {
  if (view.models_loaded) return;
  view.models_loaded = true;
  std::string dir;
  for (const std::string& d : asset_search_dirs()) {
    std::error_code ec;
    if (std::filesystem::is_directory(d + "/models", ec)) {
      dir = d + "/models";
      break;
    }
  }
  view.models = load_models(dir, &view.model_errors);
}

int find_formula_model(FormulaView& view, const std::string& name) {
  load_formula_models(view);
  for (size_t i = 0; i < view.models.size(); ++i) {
    if (view.models[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string pytorch_layer_line(const FormulaParams& p) {
  const std::string layer = pytorch_layer("conv_transpose2d", 1, 1, p.kernel_size, p.stride,
                                          p.padding, p.output_padding, p.dilation);
  const FormulaResult r = evaluate(p);
  const std::string h = std::to_string(p.H);
  if (!r.valid) return layer + "  # refuses a (1, 1, " + h + ", " + h + ") input";
  const std::string out = std::to_string(r.H_out);
  return layer + "  # (1, 1, " + h + ", " + h + ") -> (1, 1, " + out + ", " + out + ")";
}

}  // namespace convt::lab
