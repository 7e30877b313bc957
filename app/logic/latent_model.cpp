#include "logic/latent_model.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>

#include "convt/nn/layers.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/state_dict.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/recorder.h"
#include "convt/rng.h"

namespace convt::lab {

namespace {

void check_same_size(const Latent& a, const Latent& b, const char* where) {
  if (a.size() != b.size()) {
    throw std::invalid_argument(std::string(where) + ": latents of different sizes, " +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()));
  }
}

double dot(const Latent& a, const Latent& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// A JSON kernel_size / stride / ... : an integer or [h, w].
Pair json_pair(const nlohmann::json& layer, const char* key, Pair fallback) {
  if (!layer.contains(key)) return fallback;
  const nlohmann::json& v = layer[key];
  if (v.is_number_integer()) return Pair(v.get<int>());
  if (v.is_array() && v.size() == 2) return Pair(v[0].get<int>(), v[1].get<int>());
  throw std::invalid_argument(std::string("layer field \"") + key +
                              "\": expected an integer or [h, w]");
}

}  // namespace

const char* interpolation_name(Interpolation mode) {
  return mode == Interpolation::kLinear ? "lerp" : "slerp";
}

Latent lerp(const Latent& a, const Latent& b, float t) {
  check_same_size(a, b, "lerp");
  Latent out(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    out[i] = static_cast<float>((1.0 - t) * a[i] + static_cast<double>(t) * b[i]);
  }
  return out;
}

Latent slerp(const Latent& a, const Latent& b, float t) {
  check_same_size(a, b, "slerp");
  if (t == 0.0f) return a;
  if (t == 1.0f) return b;
  const double na = std::sqrt(dot(a, a)), nb = std::sqrt(dot(b, b));
  if (na == 0.0 || nb == 0.0) return lerp(a, b, t);
  const double cos_omega = std::clamp(dot(a, b) / (na * nb), -1.0, 1.0);
  const double omega = std::acos(cos_omega);
  const double sin_omega = std::sin(omega);
  if (sin_omega < kSlerpMinSin) return lerp(a, b, t);
  const double ca = std::sin((1.0 - t) * omega) / sin_omega;
  const double cb = std::sin(static_cast<double>(t) * omega) / sin_omega;
  Latent out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = static_cast<float>(ca * a[i] + cb * b[i]);
  return out;
}

std::vector<Latent> interpolate(const Latent& a, const Latent& b, int steps, Interpolation mode) {
  if (steps < 2) {
    throw std::invalid_argument("interpolate: steps must be >= 2 (both endpoints), found " +
                                std::to_string(steps));
  }
  std::vector<Latent> out;
  out.reserve(static_cast<size_t>(steps));
  for (int i = 0; i < steps; ++i) {
    const float t = i == steps - 1 ? 1.0f : static_cast<float>(i) / static_cast<float>(steps - 1);
    out.push_back(mode == Interpolation::kLinear ? lerp(a, b, t) : slerp(a, b, t));
  }
  return out;
}

PlaneAxes component_axes(int dim, int i, int j) {
  if (dim < 2 || i < 0 || j < 0 || i >= dim || j >= dim || i == j) {
    throw std::invalid_argument("component_axes: expected two different components in [0, " +
                                std::to_string(dim) + "), found " + std::to_string(i) + " and " +
                                std::to_string(j));
  }
  PlaneAxes axes{Latent(static_cast<size_t>(dim), 0.0f), Latent(static_cast<size_t>(dim), 0.0f)};
  axes.u[static_cast<size_t>(i)] = 1.0f;
  axes.v[static_cast<size_t>(j)] = 1.0f;
  return axes;
}

PlaneAxes random_orthonormal_axes(int dim, uint64_t seed) {
  if (dim < 2) throw std::invalid_argument("random_orthonormal_axes: dim must be >= 2");
  Rng rng(seed);
  auto draw = [&] {
    Latent v(static_cast<size_t>(dim));
    for (float& x : v) x = rng.normal();
    return v;
  };
  auto normalise = [](Latent& v) {
    const double n = std::sqrt(dot(v, v));
    for (float& x : v) x = static_cast<float>(x / n);
  };
  PlaneAxes axes{draw(), draw()};
  normalise(axes.u);
  const double p = dot(axes.u, axes.v);
  for (size_t k = 0; k < axes.v.size(); ++k) {
    axes.v[k] = static_cast<float>(axes.v[k] - p * axes.u[k]);
  }
  normalise(axes.v);
  return axes;
}

std::vector<Latent> plane_grid(const Latent& z, const PlaneAxes& axes, int n, float spacing) {
  check_same_size(z, axes.u, "plane_grid");
  check_same_size(z, axes.v, "plane_grid");
  if (n < 1 || n % 2 == 0) {
    throw std::invalid_argument("plane_grid: n must be odd and >= 1 (z at the centre), found " +
                                std::to_string(n));
  }
  const int c = (n - 1) / 2;
  std::vector<Latent> out;
  out.reserve(static_cast<size_t>(n) * n);
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col < n; ++col) {
      const float du = static_cast<float>(col - c) * spacing;
      const float dv = static_cast<float>(c - row) * spacing;
      Latent p(z.size());
      for (size_t k = 0; k < z.size(); ++k) p[k] = z[k] + du * axes.u[k] + dv * axes.v[k];
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::string nearest_real_spec(const std::vector<int64_t>& image_shape, const std::string& data) {
  if (draws_digits(image_shape, data)) return "digits";
  if (image_shape.size() == 3 && (data == "emoji" || data.rfind("emoji:", 0) == 0)) return data;
  return "";
}

Neighbour nearest_neighbour(const Tensor& images, const float* image, int64_t image_numel) {
  if (images.ndim() != 4 || images.dim(0) == 0) {
    throw std::invalid_argument(
        "nearest_neighbour: expected images (N, C, H, W) with N >= 1, found " + images.shape_str());
  }
  const int64_t per = images.dim(1) * images.dim(2) * images.dim(3);
  if (per != image_numel) {
    throw std::invalid_argument("nearest_neighbour: the image has " + std::to_string(image_numel) +
                                " values, the dataset's images " + std::to_string(per));
  }
  Neighbour best;
  double best_d2 = std::numeric_limits<double>::infinity();
  const float* data = images.data();
  for (int64_t n = 0; n < images.dim(0); ++n) {
    const float* p = data + n * per;
    double d2 = 0.0;
    for (int64_t k = 0; k < per && d2 < best_d2; ++k) {
      const double d = static_cast<double>(p[k]) - image[k];
      d2 += d * d;
    }
    if (d2 < best_d2) {
      best_d2 = d2;
      best.index = n;
    }
  }
  best.distance = static_cast<float>(std::sqrt(best_d2));
  return best;
}

std::vector<int> classify(nn::Sequential& net, const Tensor& images, float min_confidence) {
  net.set_training(false);
  const Tensor logits = net.forward(images);  // (N, K)
  const int64_t n_count = logits.dim(0), k_count = logits.dim(1);
  std::vector<int> labels(static_cast<size_t>(n_count), -1);
  for (int64_t n = 0; n < n_count; ++n) {
    const float* l = logits.data() + n * k_count;
    const int64_t best = std::max_element(l, l + k_count) - l;
    double sum = 0.0;
    for (int64_t k = 0; k < k_count; ++k) sum += std::exp(static_cast<double>(l[k] - l[best]));
    if (1.0 / sum >= min_confidence) labels[static_cast<size_t>(n)] = static_cast<int>(best);
  }
  return labels;
}

ClassDirections class_directions(const Tensor& zs, const std::vector<int>& labels,
                                 int num_classes) {
  if (zs.ndim() != 2 || static_cast<size_t>(zs.dim(0)) != labels.size()) {
    throw std::invalid_argument(
        "class_directions: expected zs (N, latent_dim) and N labels, found " + zs.shape_str() +
        " and " + std::to_string(labels.size()));
  }
  const int64_t d = zs.dim(1);
  ClassDirections out;
  std::vector<std::vector<double>> sum(static_cast<size_t>(num_classes),
                                       std::vector<double>(static_cast<size_t>(d), 0.0));
  out.count.assign(static_cast<size_t>(num_classes), 0);
  for (size_t n = 0; n < labels.size(); ++n) {
    const int c = labels[n];
    if (c < 0 || c >= num_classes) continue;
    ++out.count[static_cast<size_t>(c)];
    for (int64_t k = 0; k < d; ++k)
      sum[static_cast<size_t>(c)][static_cast<size_t>(k)] += zs[static_cast<int64_t>(n) * d + k];
  }
  out.mean.resize(static_cast<size_t>(num_classes));
  for (int c = 0; c < num_classes; ++c) {
    const int64_t cnt = out.count[static_cast<size_t>(c)];
    if (cnt == 0) continue;
    Latent& m = out.mean[static_cast<size_t>(c)];
    m.resize(static_cast<size_t>(d));
    for (int64_t k = 0; k < d; ++k) {
      m[static_cast<size_t>(k)] = static_cast<float>(
          sum[static_cast<size_t>(c)][static_cast<size_t>(k)] / static_cast<double>(cnt));
    }
  }
  return out;
}

Latent toward_class(const Latent& z, const ClassDirections& dirs, int cls, float amount) {
  if (cls < 0 || cls >= dirs.num_classes() || dirs.count[static_cast<size_t>(cls)] == 0) {
    throw std::invalid_argument("toward_class: class " + std::to_string(cls) +
                                " has no samples to take a mean of");
  }
  return lerp(z, dirs.mean[static_cast<size_t>(cls)], amount);
}

std::vector<ChannelActivity> rank_channels(const Tensor& act) {
  if (act.ndim() < 2 || act.dim(0) != 1) {
    throw std::invalid_argument("rank_channels: expected one sample (1, C, ...), found " +
                                act.shape_str());
  }
  const int64_t c_count = act.dim(1);
  const int64_t plane = act.numel() / c_count;
  std::vector<ChannelActivity> out(static_cast<size_t>(c_count));
  for (int64_t c = 0; c < c_count; ++c) {
    ChannelActivity& a = out[static_cast<size_t>(c)];
    a.channel = static_cast<int>(c);
    const float* p = act.data() + c * plane;
    double s = 0.0;
    a.min = a.max = p[0];
    for (int64_t k = 0; k < plane; ++k) {
      s += std::fabs(p[k]);
      a.min = std::min(a.min, p[k]);
      a.max = std::max(a.max, p[k]);
    }
    a.mean_abs = static_cast<float>(s / static_cast<double>(plane));
  }
  std::stable_sort(out.begin(), out.end(), [](const ChannelActivity& x, const ChannelActivity& y) {
    return x.mean_abs > y.mean_abs;
  });
  return out;
}

ConvTranspose2dParams conv_transpose_params(const nlohmann::json& spec, int index,
                                            Pair* kernel_size) {
  if (!spec.contains("generator") || index < 0 ||
      static_cast<size_t>(index) >= spec["generator"].size()) {
    throw std::invalid_argument("conv_transpose_params: the spec has no generator layer " +
                                std::to_string(index));
  }
  const nlohmann::json& layer = spec["generator"][static_cast<size_t>(index)];
  if (layer.value("type", std::string()) != "ConvTranspose2d") {
    throw std::invalid_argument("conv_transpose_params: generator layer " + std::to_string(index) +
                                " is a " + layer.value("type", std::string("?")) +
                                ", not a ConvTranspose2d");
  }
  const Pair k = json_pair(layer, "kernel_size", Pair(0));
  ConvTranspose2dParams p;
  p.stride = json_pair(layer, "stride", Pair(1));
  p.dilation = json_pair(layer, "dilation", Pair(1));
  const std::string keras = layer.contains("padding") && layer["padding"].is_string()
                                ? layer["padding"].get<std::string>()
                                : "";
  if (keras == "same") {
    const TransposePadding th = keras_same_conv_transpose_padding(k.h, p.stride.h, p.dilation.h);
    const TransposePadding tw = keras_same_conv_transpose_padding(k.w, p.stride.w, p.dilation.w);
    p.padding = Pair(th.padding, tw.padding);
    p.output_padding = Pair(th.output_padding, tw.output_padding);
  } else if (keras == "valid") {
    const TransposePadding th = keras_valid_conv_transpose_padding(k.h, p.stride.h);
    const TransposePadding tw = keras_valid_conv_transpose_padding(k.w, p.stride.w);
    p.padding = Pair(th.padding, tw.padding);
    p.output_padding = Pair(th.output_padding, tw.output_padding);
  } else {
    p.padding = json_pair(layer, "padding", Pair(0));
    p.output_padding = json_pair(layer, "output_padding", Pair(0));
  }
  if (kernel_size) *kernel_size = k;
  return p;
}

bool StepperSlice::windowed() const {
  return input.ndim() == 4 && (input.dim(2) != input_height || input.dim(3) != input_width);
}

int stepper_window_start(int size, int window, int o, int k, int stride, int padding, int dilation,
                         int window_out) {
  window = std::min(window, size);
  // The input rows whose stamp reaches o: iy*stride + ky*dilation - padding == o.
  int lo = size, hi = -1;
  for (int ky = 0; ky < k; ++ky) {
    const int num = o + padding - ky * dilation;
    if (num < 0 || num % stride != 0 || num / stride >= size) continue;
    lo = std::min(lo, num / stride);
    hi = std::max(hi, num / stride);
  }
  int best = -1, best_distance = 0;
  for (int y0 = 0; y0 + window <= size; ++y0) {
    if (hi >= 0 && (lo < y0 || hi >= y0 + window)) continue;  // a stamp would be missing
    const int o_window = o - y0 * stride;
    if (o_window < 0 || o_window >= window_out) continue;
    const int distance = std::abs(2 * o_window - (window_out - 1));  // from the middle
    if (best < 0 || distance < best_distance) {
      best = y0;
      best_distance = distance;
    }
  }
  return best;
}

StepperConfig stepper_config(const StepperSlice& slice) {
  StepperConfig c;
  c.op = StepperOp::kConvTranspose2d;
  c.H = static_cast<int>(slice.input.dim(2));
  c.W = static_cast<int>(slice.input.dim(3));
  c.C_in = 1;
  c.C_out = 1;
  c.kernel_size = slice.kernel_size;
  c.stride = slice.params.stride;
  c.padding = slice.params.padding;
  c.output_padding = slice.params.output_padding;
  c.dilation = slice.params.dilation;
  return c;
}

std::string stepper_fit(const StepperSlice& slice) {
  if (slice.layer < 0) return "no slice chosen";
  const std::string why = validate(stepper_config(slice));
  if (why.empty()) return "";
  return "the stepper cannot show this layer (" + why + ")";
}

std::string load_into_stepper(const StepperSlice& slice, StepperModel& stepper) {
  const std::string why = stepper_fit(slice);
  if (!why.empty()) return why;
  if (!stepper.set_config(stepper_config(slice))) return stepper.error();
  const int H = static_cast<int>(slice.input.dim(2)), W = static_cast<int>(slice.input.dim(3));
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) stepper.set_input_value(0, y, x, slice.input.at(0, 0, y, x));
  }
  for (int ky = 0; ky < slice.kernel_size.h; ++ky) {
    for (int kx = 0; kx < slice.kernel_size.w; ++kx) {
      stepper.set_weight_value(0, 0, ky, kx, slice.weight.at(0, 0, ky, kx));
    }
  }
  stepper.set_position(slice.event_index >= 0 ? slice.event_index + 1 : 0);
  return "";
}

// ---- LatentModel -------------------------------------------------------------------------------

Generator LatentModel::read(const std::string& path, GeneratorChoice which) {
  Generator g = convt::load_generator(path, which);
  if (g.latent_dim < 1) throw CheckpointError(path + ": latent_dim < 1");
  return g;
}

void LatentModel::adopt(Generator g, const std::string& path) {
  const bool same_dim = loaded() && g.latent_dim == latent_dim();
  gen_ = std::move(g);
  path_ = path;
  error_.clear();
  if (!same_dim) randomise(seed_);
  stale_ = true;
}

void LatentModel::failed(const std::string& path, const std::string& what) {
  error_ = "Could not load " + path + ": " + what +
           (loaded() ? "\nThe previous model (" + path_ + ") stays loaded." : "");
}

bool LatentModel::load(const std::string& path, GeneratorChoice which) {
  try {
    adopt(read(path, which), path);
    return true;
  } catch (const std::exception& e) {
    failed(path, e.what());
    return false;
  }
}

bool LatentModel::load_generator(const GeneratorWeights& w) {
  const std::string source = "the dashboard's run (step " + std::to_string(w.step) + ")";
  Generator built;
  const bool rebuild = !loaded() || gen_.spec != w.spec;
  try {
    if (rebuild) built = build_generator(w.spec, 0);  // the weights follow
    std::map<std::string, Tensor> tensors;            // named as in a checkpoint: "G.0.weight", ...
    for (const auto& [name, t] : w.tensors) tensors.emplace("G." + name, t);
    nn::load_state_dict(rebuild ? *built.G : *gen_.G, tensors, "G.", source);
  } catch (const std::exception& e) {
    error_ = "Could not take G from " + source + ": " + e.what() +
             (loaded() ? "\nThe previous model (" + path_ + ") stays loaded." : "");
    return false;
  }
  if (rebuild) {
    const bool same_dim = loaded() && built.latent_dim == latent_dim();
    gen_ = std::move(built);
    if (!same_dim) randomise(seed_);
  }
  gen_.steps = w.step;
  gen_.data = w.data;
  gen_.averaged = false;
  gen_.G->set_training(false);
  path_ = source;
  error_.clear();
  stale_ = true;
  return true;
}

std::string LatentModel::model_name() const { return loaded() ? gen_.name : ""; }
int64_t LatentModel::trained_steps() const { return loaded() ? gen_.steps : 0; }
int LatentModel::latent_dim() const { return loaded() ? gen_.latent_dim : 0; }
std::vector<int64_t> LatentModel::image_shape() const {
  return loaded() ? gen_.image_shape : std::vector<int64_t>{};
}

nn::Sequential& LatentModel::G() {
  if (!loaded()) throw std::logic_error("LatentModel: no model loaded");
  return *gen_.G;
}

std::unique_ptr<nn::Sequential> LatentModel::copy_of_G() {
  nn::Sequential& g = G();
  std::unique_ptr<nn::Sequential> copy = build_generator(gen_.spec, 0).G;
  nn::load_state_dict(*copy, nn::state_dict(g), "", "G");
  return copy;
}

void LatentModel::set_z(const Latent& z) {
  if (static_cast<int>(z.size()) != latent_dim()) {
    throw std::invalid_argument("set_z: expected " + std::to_string(latent_dim()) +
                                " components, found " + std::to_string(z.size()));
  }
  z_ = z;
  stale_ = true;
}

void LatentModel::set_component(int i, float value) {
  if (i < 0 || static_cast<size_t>(i) >= z_.size()) {
    throw std::invalid_argument("set_component: index " + std::to_string(i) + " outside [0, " +
                                std::to_string(z_.size()) + ")");
  }
  z_[static_cast<size_t>(i)] = value;
  stale_ = true;
}

void LatentModel::reset_component(int i) {
  if (i < 0 || static_cast<size_t>(i) >= base_z_.size()) {
    throw std::invalid_argument("reset_component: index " + std::to_string(i) + " outside [0, " +
                                std::to_string(base_z_.size()) + ")");
  }
  set_component(i, base_z_[static_cast<size_t>(i)]);
}

void LatentModel::randomise(uint64_t seed) {
  seed_ = seed;
  if (!loaded()) return;
  z_ = row(latent_batch(1, seed), 0);
  base_z_ = z_;
  stale_ = true;
}

void LatentModel::zero() {
  z_.assign(static_cast<size_t>(latent_dim()), 0.0f);
  base_z_ = z_;
  stale_ = true;
}

Tensor LatentModel::latent_batch(int64_t n, uint64_t seed) const {
  if (!loaded()) throw std::logic_error("LatentModel: no model loaded");
  return convt::latent_batch(n, gen_.latent_dim, seed);
}

Latent LatentModel::row(const Tensor& zs, int64_t i) {
  const int64_t d = zs.dim(1);
  return Latent(zs.data() + i * d, zs.data() + (i + 1) * d);
}

Tensor LatentModel::generate(const Tensor& zs) {
  nn::Sequential& g = G();
  stale_ = true;  // G's kept activations now belong to zs
  g.set_training(false);
  return g.forward(zs);
}

Tensor LatentModel::generate(const std::vector<Latent>& zs) {
  const int64_t d = latent_dim();
  Tensor batch({static_cast<int64_t>(zs.size()), d});
  for (size_t n = 0; n < zs.size(); ++n) {
    if (static_cast<int64_t>(zs[n].size()) != d) {
      throw std::invalid_argument("generate: latent " + std::to_string(n) + " has " +
                                  std::to_string(zs[n].size()) + " components, expected " +
                                  std::to_string(d));
    }
    std::copy(zs[n].begin(), zs[n].end(), batch.data() + static_cast<int64_t>(n) * d);
  }
  return generate(batch);
}

std::string LayerOutput::name() const {
  return label.empty() ? std::to_string(index) : std::to_string(index) + " " + label;
}

void LatentModel::refresh() {
  if (!stale_) return;
  nn::Sequential& g = G();
  Tensor z({1, static_cast<int64_t>(z_.size())}, z_);
  const auto t0 = std::chrono::steady_clock::now();
  g.set_training(false);
  image_ = g.forward(z);
  last_forward_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  layers_.clear();
  for (size_t i = 0; i < g.size(); ++i) {
    LayerOutput L;
    L.index = static_cast<int>(i);
    // Sequential labels an unnamed layer with its index: no name, then (else "3 3 Reshape").
    L.label = g.label(i) == std::to_string(i) ? std::string() : g.label(i);
    L.type = g.layer(i).type();
    L.description = g.layer(i).describe();
    L.output = g.activation_after(i);
    L.channels = static_cast<int>(L.output.dim(1));
    if (L.output.ndim() == 4) {
      L.height = static_cast<int>(L.output.dim(2));
      L.width = static_cast<int>(L.output.dim(3));
    }
    L.ranked = rank_channels(L.output);
    for (float v : L.output.values()) L.abs_max = std::max(L.abs_max, std::fabs(v));
    layers_.push_back(std::move(L));
  }
  stale_ = false;
}

const Tensor& LatentModel::image() {
  refresh();
  return image_;
}

const std::vector<LayerOutput>& LatentModel::layers() {
  refresh();
  return layers_;
}

std::vector<int> LatentModel::conv_transpose_layers() {
  std::vector<int> out;
  if (!loaded()) return out;
  nn::Sequential& g = *gen_.G;
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::string(g.layer(i).type()) == "ConvTranspose2d") out.push_back(static_cast<int>(i));
  }
  return out;
}

namespace {

// The window of a `size`-long input axis the stepper can show around output `o` (the whole axis
// when it fits): returns its length and sets `start` to its first index.
int fit_window_axis(int size, int o, int k, int stride, int padding, int output_padding,
                    int dilation, int* start) {
  const int window = std::min(size, StepperLimits::kMaxSize);
  if (window == size) {
    *start = 0;
    return size;
  }
  const int window_out =
      (window - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1;
  *start = stepper_window_start(size, window, o, k, stride, padding, dilation, window_out);
  if (*start < 0) {  // no window fits: the whole plane (stepper_fit() then says why not)
    *start = 0;
    return size;
  }
  return window;
}

}  // namespace

StepperSlice LatentModel::stepper_slice(int layer, int in_channel, int out_channel, int oy,
                                        int ox) {
  refresh();
  nn::Sequential& g = *gen_.G;
  if (layer < 0 || static_cast<size_t>(layer) >= g.size() ||
      std::string(g.layer(static_cast<size_t>(layer)).type()) != "ConvTranspose2d") {
    throw std::invalid_argument("stepper_slice: G layer " + std::to_string(layer) +
                                " is not a ConvTranspose2d");
  }
  auto& ct = dynamic_cast<nn::ConvTranspose2d&>(g.layer(static_cast<size_t>(layer)));
  if (layer == 0) throw std::invalid_argument("stepper_slice: layer 0 reads z, not an image");
  const Tensor& x = layers_[static_cast<size_t>(layer - 1)].output;  // (1, C_in, H, W)
  const Tensor& out = layers_[static_cast<size_t>(layer)].output;
  const int64_t C_in = ct.weight.dim(0), C_out = ct.weight.dim(1);
  const int64_t kH = ct.weight.dim(2), kW = ct.weight.dim(3);
  if (in_channel < 0 || in_channel >= C_in || out_channel < 0 || out_channel >= C_out) {
    throw std::invalid_argument("stepper_slice: channels (" + std::to_string(in_channel) + ", " +
                                std::to_string(out_channel) + ") outside (" + std::to_string(C_in) +
                                ", " + std::to_string(C_out) + ")");
  }
  if (oy < 0 || ox < 0 || oy >= out.dim(2) || ox >= out.dim(3)) {
    throw std::invalid_argument("stepper_slice: output pixel (" + std::to_string(oy) + ", " +
                                std::to_string(ox) + ") outside " + std::to_string(out.dim(2)) +
                                "x" + std::to_string(out.dim(3)));
  }
  StepperSlice s;
  s.layer = layer;
  s.in_channel = in_channel;
  s.out_channel = out_channel;
  s.oy = oy;
  s.ox = ox;
  s.params = conv_transpose_params(gen_.spec, layer, &s.kernel_size);
  const int H = static_cast<int>(x.dim(2)), W = static_cast<int>(x.dim(3));
  s.input_height = H;
  s.input_width = W;
  const ConvTranspose2dParams& p = s.params;
  const int h = fit_window_axis(H, oy, s.kernel_size.h, p.stride.h, p.padding.h, p.output_padding.h,
                                p.dilation.h, &s.window_y0);
  const int w = fit_window_axis(W, ox, s.kernel_size.w, p.stride.w, p.padding.w, p.output_padding.w,
                                p.dilation.w, &s.window_x0);
  s.window_oy = oy - s.window_y0 * p.stride.h;
  s.window_ox = ox - s.window_x0 * p.stride.w;
  s.input = Tensor({1, 1, h, w});  // (1, 1, h, w)
  const float* plane = x.data() + static_cast<int64_t>(in_channel) * H * W;
  for (int y = 0; y < h; ++y) {
    for (int xx = 0; xx < w; ++xx) {
      s.input.at(0, 0, y, xx) =
          plane[static_cast<int64_t>(s.window_y0 + y) * W + (s.window_x0 + xx)];
    }
  }
  s.weight = Tensor({1, 1, kH, kW});
  const float* wt = ct.weight.data() + (in_channel * C_out + out_channel) * kH * kW;
  std::copy(wt, wt + kH * kW, s.weight.data());
  TraceRecorder rec(static_cast<int64_t>(h) * w * kH * kW + 1);
  conv_transpose2d_forward(s.slice_output, s.input, s.weight, nullptr, s.params, rec);
  s.event_count = rec.size();
  for (int64_t k = 0; k < rec.size(); ++k) {
    const MacEvent e = rec.event(k);
    if (!e.cropped && e.oy == s.window_oy && e.ox == s.window_ox) s.events.push_back(k);
  }
  if (!s.events.empty()) s.event_index = s.events.front();
  return s;
}

}  // namespace convt::lab
