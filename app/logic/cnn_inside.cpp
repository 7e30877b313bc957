#include "logic/cnn_inside.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>

#include "convt/io/assets.h"
#include "convt/io/safetensors.h"
#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "logic/eval_scope.h"
#include "logic/quality_score.h"

namespace convt::lab {

namespace {

// "0 conv1: Conv2d(...)" (the label only when it is a name, not the index).
std::string layer_title(nn::Sequential& net, size_t i) {
  std::string t = std::to_string(i);
  const std::string& label = net.label(i);
  if (!label.empty() && label != t) t += " " + label;
  return t + ": " + net.layer(i).describe();
}

LayerMaps layer_maps(nn::Sequential& net, size_t i, const Tensor& out) {
  LayerMaps m;
  m.index = i;
  m.title = layer_title(net, i);
  m.type = net.layer(i).type();
  m.maps = Tensor({out.dim(1), out.dim(2), out.dim(3)}, out.values());
  const int64_t plane = out.dim(2) * out.dim(3);
  for (int c = 0; c < m.channels(); ++c) {
    const float* v = m.map(c);
    double sum = 0.0;
    for (int64_t k = 0; k < plane; ++k) sum += std::fabs(v[k]);
    m.activity.push_back(static_cast<float>(sum / static_cast<double>(plane)));
  }
  m.order = most_active_first(m.activity);
  return m;
}

std::string meta(const SafetensorsFile& f, const std::string& key, const std::string& path) {
  const auto it = f.metadata.find(key);
  if (it == f.metadata.end()) {
    throw std::runtime_error(path + ": not a GAN training checkpoint (no metadata \"" + key +
                             "\")");
  }
  return it->second;
}

}  // namespace

// ---- One pass ------------------------------------------------------------------------------

std::vector<int> most_active_first(const std::vector<float>& activity) {
  std::vector<int> order(activity.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return activity[static_cast<size_t>(a)] > activity[static_cast<size_t>(b)];
  });
  return order;
}

NetworkInside look_inside(nn::Sequential& net, const Tensor& x) {
  std::vector<int64_t> expected{1};
  expected.insert(expected.end(), net.input_shape().begin(), net.input_shape().end());
  if (x.shape() != expected) {
    throw std::invalid_argument(net.name() + ": expected one input of shape " +
                                shape_to_string(expected) + ", found " + x.shape_str());
  }
  EvalScope eval(net);
  NetworkInside inside;
  Tensor a = x, b;
  for (size_t i = 0; i < net.size(); ++i) {
    inside.inputs.push_back(a);
    net.layer(i).forward(b, a);
    if (b.ndim() == 4 && std::string(net.layer(i).type()) != "Dropout") {
      inside.layers.push_back(layer_maps(net, i, b));
    }
    std::swap(a, b);
  }
  inside.output = Tensor({a.numel()}, a.values());
  return inside;
}

std::vector<float> softmax(const Tensor& logits) {
  std::vector<float> p(static_cast<size_t>(logits.numel()));
  if (p.empty()) return p;
  const float m = *std::max_element(logits.data(), logits.data() + logits.numel());
  double sum = 0.0;
  for (size_t k = 0; k < p.size(); ++k)
    sum += (p[k] = std::exp(logits[static_cast<int64_t>(k)] - m));
  for (float& v : p) v = static_cast<float>(v / sum);
  return p;
}

float sigmoid(float logit) {
  if (logit >= 0.0f) return 1.0f / (1.0f + std::exp(-logit));
  const float e = std::exp(logit);
  return e / (1.0f + e);
}

// ---- Loading D -----------------------------------------------------------------------------

LoadedD load_discriminator(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error(path +
                             ": no such file (save a checkpoint of a dcgan20 run in the "
                             "Training tab, or give the path of one)");
  }
  SafetensorsFile f;
  try {
    f = read_safetensors(path);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot read the checkpoint: ") + e.what());
  }
  if (auto it = f.metadata.find("generator_only"); it != f.metadata.end() && it->second == "true") {
    throw std::runtime_error(path +
                             ": a generator file, it holds G only (no D); D comes from a "
                             "full checkpoint (Training tab, Save checkpoint)");
  }
  nlohmann::json spec;
  try {
    spec = nlohmann::json::parse(meta(f, "spec", path));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": metadata \"spec\" is not valid JSON: " + e.what());
  }
  if (!spec.is_object() || !spec.contains("discriminator")) {
    throw std::runtime_error(path +
                             ": not a GAN training checkpoint (its model spec has no "
                             "\"discriminator\")");
  }
  nn::GanModel gan;
  try {
    gan = nn::build_gan(spec, 0);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": its model spec cannot be built: " + e.what());
  }
  const std::vector<int64_t> want{1, kInsideSize, kInsideSize};
  if (gan.image_shape != want) {
    throw std::runtime_error(path + ": D of '" + gan.name + "' takes images " +
                             shape_to_string(gan.image_shape) + "; this view draws " +
                             shape_to_string(want) + " digits");
  }
  if (!nn::has_prefix(f.tensors, "D.")) {
    throw std::runtime_error(path + ": holds no D tensors (\"D.*\")");
  }
  nn::load_state_dict(*gan.D, f.tensors, "D.", path);  // StateDictError names the tensor
  gan.D->set_training(false);
  // im2col + GEMM: D's second conv (64 -> 128, k5) takes about 18 ms a drawing in the plain
  // loops, 3 ms here, so drawing stays smooth. The classifier keeps the plain loops (2 ms).
  gan.D->set_backend(nn::Backend::fast);
  LoadedD d;
  d.D = std::shared_ptr<nn::Sequential>(std::move(gan.D));
  const auto step = f.metadata.find("step");
  d.description = "D of " + gan.name +
                  (step != f.metadata.end() ? ", step " + step->second : std::string()) +
                  ", from " + path;
  return d;
}

// ---- Kernels and slices --------------------------------------------------------------------

int conv_behind(nn::Sequential& net, size_t index) {
  for (size_t i = std::min(index + 1, net.size()); i-- > 0;) {
    if (std::string(net.layer(i).type()) == "Conv2d") return static_cast<int>(i);
  }
  return -1;
}

void most_active_pixel(const LayerMaps& maps, int c, int* y, int* x) {
  const float* v = maps.map(c);
  const int n = maps.height() * maps.width();
  const int k = static_cast<int>(std::max_element(v, v + n) - v);
  *y = k / maps.width();
  *x = k % maps.width();
}

namespace {

// The window's k*k products of input channel ic, and the window itself.
float window_contribution(const Tensor& x, const Tensor& w, int oc, int ic, int iy0, int ix0,
                          int dilation, Tensor* window) {
  const int k = static_cast<int>(w.dim(2)), H = static_cast<int>(x.dim(2)),
            W = static_cast<int>(x.dim(3));
  float sum = 0.0f;
  for (int ky = 0; ky < k; ++ky) {
    for (int kx = 0; kx < k; ++kx) {
      const int iy = iy0 + ky * dilation, ix = ix0 + kx * dilation;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      sum += x.at(0, ic, iy, ix) * w.at(oc, ic, ky, kx);
    }
  }
  if (window != nullptr) {
    const int span = static_cast<int>(window->dim(2));
    for (int y = 0; y < span; ++y) {
      for (int xx = 0; xx < span; ++xx) {
        const int iy = iy0 + y, ix = ix0 + xx;
        const bool inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
        window->at(0, 0, y, xx) = inside ? x.at(0, ic, iy, ix) : 0.0f;
      }
    }
  }
  return sum;
}

}  // namespace

ConvPixelSlice conv_pixel_slice(nn::Sequential& net, const NetworkInside& inside, size_t layer,
                                int oc, int oy, int ox, int ic) {
  if (layer >= net.size() || layer >= inside.inputs.size() ||
      std::string(net.layer(layer).type()) != "Conv2d") {
    throw std::invalid_argument(net.name() + " layer " + std::to_string(layer) +
                                " is not a Conv2d of the last pass");
  }
  auto& conv = static_cast<nn::Conv2d&>(net.layer(layer));
  const Tensor& x = inside.inputs[layer];
  const Tensor& w = conv.weight;  // (C_out, C_in, k, k)
  const Conv2dParams& p = conv.options();
  const std::vector<int64_t>& out = net.shape_after(layer);  // (C_out, H_out, W_out)
  const int c_in = static_cast<int>(w.dim(1));
  if (oc < 0 || oc >= out[0] || oy < 0 || oy >= out[1] || ox < 0 || ox >= out[2] || ic < -1 ||
      ic >= c_in) {
    throw std::invalid_argument(
        net.name() + " layer " + std::to_string(layer) + ": output channel " + std::to_string(oc) +
        ", pixel (" + std::to_string(oy) + ", " + std::to_string(ox) + "), input channel " +
        std::to_string(ic) + " outside its " + std::to_string(out[0]) + " x " +
        std::to_string(out[1]) + " x " + std::to_string(out[2]) + " output and " +
        std::to_string(c_in) + " input channels");
  }
  ConvPixelSlice s;
  s.layer = layer;
  s.out_channel = oc;
  s.in_channels = c_in;
  s.oy = oy;
  s.ox = ox;
  s.kernel_size = static_cast<int>(w.dim(2));
  s.stride = p.stride.h;
  s.padding = p.padding.h;
  s.dilation = p.dilation.h;
  s.iy0 = oy * p.stride.h - p.padding.h;
  s.ix0 = ox * p.stride.w - p.padding.w;
  s.span = s.dilation * (s.kernel_size - 1) + 1;
  s.bias = conv.bias.empty() ? 0.0f : conv.bias[oc];
  s.output = s.bias;
  float best = -1.0f;
  for (int c = 0; c < c_in; ++c) {
    const float part = window_contribution(x, w, oc, c, s.iy0, s.ix0, s.dilation, nullptr);
    s.output += part;
    if ((ic < 0 && std::fabs(part) > best) || c == ic) {
      best = std::fabs(part);
      s.in_channel = c;
    }
  }
  s.input = Tensor({1, 1, s.span, s.span});
  s.contribution = window_contribution(x, w, oc, s.in_channel, s.iy0, s.ix0, s.dilation, &s.input);
  s.weight = Tensor({1, 1, s.kernel_size, s.kernel_size});
  for (int ky = 0; ky < s.kernel_size; ++ky) {
    for (int kx = 0; kx < s.kernel_size; ++kx) {
      s.weight.at(0, 0, ky, kx) = w.at(oc, s.in_channel, ky, kx);
    }
  }
  return s;
}

StepperConfig conv_window_stepper_config(int span, int kernel_size, int dilation) {
  StepperConfig config;
  config.op = StepperOp::kConv2d;
  config.H = config.W = span;
  config.C_in = config.C_out = 1;
  config.kernel_size = kernel_size;
  config.stride = 1;
  config.padding = 0;
  config.output_padding = 0;
  config.dilation = dilation;
  return config;
}

std::string load_conv_slice_into_stepper(const ConvPixelSlice& s, StepperModel& stepper) {
  if (s.span < StepperLimits::kMinSize || s.span > StepperLimits::kMaxSize) {
    return "this window reaches " + std::to_string(s.span) + " x " + std::to_string(s.span) +
           " input pixels; the stepper shows at most " + std::to_string(StepperLimits::kMaxSize) +
           " x " + std::to_string(StepperLimits::kMaxSize);
  }
  const StepperConfig config = conv_window_stepper_config(s.span, s.kernel_size, s.dilation);
  StepperModel& next = stepper;
  if (!next.set_config(config)) return next.error();
  for (int y = 0; y < s.span; ++y) {
    for (int x = 0; x < s.span; ++x) next.set_input_value(0, y, x, s.input.at(0, 0, y, x));
  }
  for (int ky = 0; ky < s.kernel_size; ++ky) {
    for (int kx = 0; kx < s.kernel_size; ++kx) {
      next.set_weight_value(0, 0, ky, kx, s.weight.at(0, 0, ky, kx));
    }
  }
  next.set_position(0);
  return "";
}

ConvPixelSlice inside_channel_slice(const InsideModel& m, int network, int row, int channel) {
  nn::Sequential* net = network == 0 ? m.classifier.get() : network == 1 ? m.D.get() : nullptr;
  const NetworkInside& pass = network == 0 ? m.cls : m.d;
  if (net == nullptr) {
    throw std::invalid_argument(network == 1 ? "no D is loaded" : "no classifier is loaded");
  }
  if (row < 0 || row >= static_cast<int>(pass.layers.size())) {
    throw std::invalid_argument(net->name() + " shows " + std::to_string(pass.layers.size()) +
                                " map rows; row " + std::to_string(row) + " is not one");
  }
  const LayerMaps& maps = pass.layers[static_cast<size_t>(row)];
  if (channel < 0 || channel >= maps.channels()) {
    throw std::invalid_argument(maps.title + " has " + std::to_string(maps.channels()) +
                                " channels; channel " + std::to_string(channel) + " is not one");
  }
  const int conv = conv_behind(*net, maps.index);
  const auto conv_row =
      std::find_if(pass.layers.begin(), pass.layers.end(),
                   [&](const LayerMaps& l) { return static_cast<int>(l.index) == conv; });
  if (conv < 0 || conv_row == pass.layers.end()) {
    throw std::invalid_argument("no Conv2d made " + maps.title);
  }
  int oy = 0, ox = 0;
  most_active_pixel(*conv_row, channel, &oy, &ox);
  return conv_pixel_slice(*net, pass, static_cast<size_t>(conv), channel, oy, ox);
}

// ---- The model -----------------------------------------------------------------------------

void InsideModel::load() {
  if (!loaded) {
    loaded = true;
    try {
      digits = std::make_shared<Dataset>(load_builtin_digits(kInsideSize));
    } catch (const std::exception& e) {
      digits_error = std::string("the built-in digits could not be loaded: ") + e.what();
    }
    try {
      classifier = std::shared_ptr<nn::Sequential>(
          load_classifier(asset_path(kDigitClassifierAsset)).release());
    } catch (const std::exception& e) {
      classifier_error = std::string("the digit classifier could not be loaded: ") + e.what();
    }
    if (d_path == kDashboardCheckpoint && !std::filesystem::exists(d_path)) {
      load_d(asset_path(kShippedDAsset));
      if (D) {
        d_description = "The D shipped with the app: dcgan20 after 3,000 steps on the built-in "
                        "digits (the run of lesson 7's You against D). Train a dcgan20 run in "
                        "the Training tab and save its checkpoint to see your own D here.";
      }
    } else {
      load_d(d_path);
    }
  }
  if (drawn) {
    recompute();
  } else {
    pick_digit(digit);
  }
}

void InsideModel::load_d(const std::string& path) {
  d_error.clear();
  try {
    LoadedD l = load_discriminator(path);
    D = std::move(l.D);
    d_description = std::move(l.description);
    d_path = path;
  } catch (const std::exception& e) {
    d_error = e.what();
    if (!D) d_path = path;  // a D shown before stays, with its path
  }
}

void InsideModel::pick_digit(int n) {
  drawn = false;
  if (!digits || digits->size() == 0) {
    digit_name = "no built-in digits";
    recompute();
    return;
  }
  digit = std::clamp(n, 0, static_cast<int>(digits->size()) - 1);
  const int64_t plane = static_cast<int64_t>(kInsideSize) * kInsideSize;
  const float* src = digits->images.data() + digit * plane;
  std::copy(src, src + plane, canvas.data());
  digit_name = "built-in digit #" + std::to_string(digit) + " (label " +
               std::to_string(digits->labels[static_cast<size_t>(digit)]) + ")";
  recompute();
}

void InsideModel::clear() {
  canvas.fill(-1.0f);
  drawn = true;
  digit_name = "your drawing";
  recompute();
}

bool InsideModel::stroke(float y0, float x0, float y1, float x1, const Brush& brush) {
  if (!paint_stroke(canvas.data(), kInsideSize, kInsideSize, y0, x0, y1, x1, brush)) return false;
  drawn = true;
  digit_name = "your drawing";
  recompute();
  return true;
}

void InsideModel::recompute() {
  ++version;
  cls = NetworkInside();
  d = NetworkInside();
  probabilities.clear();
  d_logit = d_of_x = 0.0f;
  const std::shared_ptr<nn::Sequential>& shown = use_live && live_net ? live_net : classifier;
  if (shown) {
    cls = look_inside(*shown, canvas);
    probabilities = softmax(cls.output);
  }
  if (D) {
    d = look_inside(*D, canvas);
    d_logit = d.output.numel() > 0 ? d.output[0] : 0.0f;
    d_of_x = sigmoid(d_logit);
  }
}

bool InsideModel::start_live(const LiveClassifierOptions& options) {
  if (!digits || digits->size() == 0) {
    classifier_error = "cannot train: " + (digits_error.empty() ? "no digits" : digits_error);
    return false;
  }
  live.reset();  // stops and joins a run in progress first
  live = std::make_shared<LiveClassifierRun>(digits, options);
  live_net = build_digit_classifier(options.seed);
  live_taken = 0;
  use_live = true;
  recompute();
  return true;
}

bool InsideModel::take_live() {
  if (!live || !live_net || live->version() == live_taken) return false;
  live_taken = live->version();
  const std::shared_ptr<const LiveClassifierSnapshot> s = live->snapshot();
  if (!s->params.empty()) load_live_params(*s, *live_net);
  if (use_live) recompute();
  return true;
}

}  // namespace convt::lab
