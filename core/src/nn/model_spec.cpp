#include "convt/nn/model_spec.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "convt/io/assets.h"
#include "convt/nn/layers.h"
#include "convt/shape.h"

namespace convt::nn {

using nlohmann::json;

json load_model_spec(const std::string& name_or_path) {
  std::string path = name_or_path;
  const bool is_file = path.size() > 5 && path.substr(path.size() - 5) == ".json";
  const char* const known = "known: dcgan20, dcgan28, rgb32, dcgan64, or a path to a .json";
  // A path that is not a .json file (a folder, say) is not a name under assets/models/ (names
  // may hold folders too: "ffnn/ffnn20"), so it is not glued to that folder in the message.
  auto not_a_spec_file = [&] {
    std::error_code ec;
    return SpecError(
        "model '" + name_or_path + "': " +
        (std::filesystem::is_directory(name_or_path, ec) ? "is a folder" : "is not a .json file") +
        "; expected a model name or a .json spec file (" + known + ")");
  };
  if (!is_file && !path.empty() && path.front() == '/') throw not_a_spec_file();
  if (!is_file) {
    try {
      path = asset_path("models/" + name_or_path + ".json");
    } catch (const std::exception& e) {
      std::error_code ec;
      if (std::filesystem::is_directory(name_or_path, ec)) throw not_a_spec_file();
      throw SpecError("model '" + name_or_path + "': no spec assets/models/" + name_or_path +
                      ".json (" + e.what() + "); " + known);
    }
  }
  std::ifstream f(path);
  if (!f) throw SpecError(path + ": cannot open the model spec");
  json spec;
  try {
    spec = json::parse(f);
  } catch (const json::exception& e) {
    throw SpecError(path + ": not valid JSON: " + e.what());
  }
  if (!spec.is_object()) {
    throw SpecError(path +
                    ": expected a JSON object (a model spec: {\"name\", \"latent_dim\", "
                    "\"image_shape\", \"generator\", \"discriminator\", ...}), found " +
                    std::string(spec.type_name()));
  }
  return spec;
}

namespace {

// Reads field `key` of a layer object, with `fallback` when absent. Errors name the layer.
class Fields {
 public:
  Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {}

  bool has(const char* key) const { return j_.contains(key); }

  int integer(const char* key, int fallback) const {
    if (!j_.contains(key)) return fallback;
    if (!j_[key].is_number_integer()) bad(key, "an integer");
    return j_[key].get<int>();
  }
  int required_integer(const char* key) const {
    if (!j_.contains(key)) throw SpecError(where_ + ": missing \"" + key + "\"");
    return integer(key, 0);
  }
  // A float32 layer argument (negative_slope, eps, momentum, p): any finite value, as PyTorch's
  // constructors take; one past float32's range (1e39) would become inf in the layer.
  float number(const char* key, float fallback) const {
    if (!j_.contains(key)) return fallback;
    if (!j_[key].is_number()) bad(key, "a number");
    const double v = j_[key].get<double>();
    if (!(std::fabs(v) <= static_cast<double>(std::numeric_limits<float>::max()))) {
      bad(key, "a finite number (float32: magnitude at most 3.4e+38)");
    }
    return static_cast<float>(v);
  }
  bool boolean(const char* key, bool fallback) const {
    if (!j_.contains(key)) return fallback;
    if (!j_[key].is_boolean()) bad(key, "true or false");
    return j_[key].get<bool>();
  }
  // int or [h, w]
  Pair pair(const char* key, Pair fallback) const {
    if (!j_.contains(key)) return fallback;
    const json& v = j_[key];
    if (v.is_number_integer()) return Pair(v.get<int>());
    if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) {
      return Pair(v[0].get<int>(), v[1].get<int>());
    }
    bad(key, "an integer or [h, w]");
    return fallback;
  }
  std::string text(const char* key, const std::string& fallback) const {
    if (!j_.contains(key)) return fallback;
    if (!j_[key].is_string()) bad(key, "a string");
    return j_[key].get<std::string>();
  }
  [[noreturn]] void bad(const char* key, const char* expected) const {
    throw SpecError(where_ + ": \"" + key + "\": expected " + expected + ", found " +
                    j_[key].dump());
  }
  const std::string& where() const { return where_; }
  const json& raw(const char* key) const { return j_[key]; }

 private:
  const json& j_;
  std::string where_;
};

// The channel count a layer expects: the spec's value when given, else the inferred one.
int64_t inferred(const Fields& f, const char* key, const std::vector<int64_t>& in) {
  if (f.has(key)) return f.integer(key, 0);
  return in.empty() ? 0 : in[0];
}

// The largest weight tensor a spec may ask for: 2^28 float32 values, 1 GiB (dcgan64's largest
// holds 2^21). Refused with the shape before anything is allocated.
constexpr int64_t kMaxParameters = int64_t{1} << 28;

void require_parameter_budget(const Fields& f, const std::vector<int64_t>& shape,
                              const char* what) {
  int64_t count = 1;
  bool over = false;
  for (int64_t d : shape) over = over || __builtin_mul_overflow(count, d, &count);
  if (over || count > kMaxParameters) {
    throw SpecError(f.where() + ": the " + what + " " + shape_to_string(shape) + " has " +
                    (over ? std::string("more than 2^63") : std::to_string(count)) +
                    " values, more than the " + std::to_string(kMaxParameters) +
                    " (1 GiB of float32) a layer may hold. HINT: kernel_size is usually 3 to 5, "
                    "channels and features a few hundred at most");
  }
}

std::unique_ptr<Layer> make_linear(const Fields& f, const std::vector<int64_t>& in) {
  if (!f.has("in_features") && in.size() != 1) {
    throw std::invalid_argument("Linear: expected a flat input (in_features), found " +
                                shape_to_string(in) + " (hint: add a Flatten before it)");
  }
  const int64_t in_features =
      f.has("in_features") ? f.integer("in_features", 0) : (in.size() == 1 ? in[0] : int64_t{0});
  const int out_features = f.required_integer("out_features");
  require_parameter_budget(f, {out_features, in_features}, "weight");
  return std::make_unique<Linear>(in_features, out_features, f.boolean("bias", true));
}

// Conv2d's padding: Keras' "same" / "valid", or the spec's number or [h, w] (default 0).
Pair conv2d_padding(const Fields& f, const std::string& keras, Pair k, Pair dilation) {
  if (keras == "same") {
    return Pair(keras_same_conv_padding(k.h, dilation.h), keras_same_conv_padding(k.w, dilation.w));
  }
  if (keras == "valid") return Pair(0);
  return f.pair("padding", Pair(0));
}

// ConvTranspose2d's padding and output_padding, likewise.
void conv_transpose2d_padding(const Fields& f, const std::string& keras, Pair k,
                              ConvTranspose2dParams& p) {
  if (keras.empty()) {
    p.padding = f.pair("padding", Pair(0));
    p.output_padding = f.pair("output_padding", Pair(0));
    return;
  }
  const bool same = keras == "same";
  const TransposePadding th = same
                                  ? keras_same_conv_transpose_padding(k.h, p.stride.h, p.dilation.h)
                                  : keras_valid_conv_transpose_padding(k.h, p.stride.h);
  const TransposePadding tw = same
                                  ? keras_same_conv_transpose_padding(k.w, p.stride.w, p.dilation.w)
                                  : keras_valid_conv_transpose_padding(k.w, p.stride.w);
  p.padding = Pair(th.padding, tw.padding);
  p.output_padding = Pair(th.output_padding, tw.output_padding);
}

// Conv2d or ConvTranspose2d; in_channels from the input when the spec leaves it out.
std::unique_ptr<Layer> make_conv(const Fields& f, const std::string& type,
                                 const std::vector<int64_t>& in) {
  const int in_channels = static_cast<int>(inferred(f, "in_channels", in));
  const int out_channels = f.required_integer("out_channels");
  const Pair k = f.pair("kernel_size", Pair(0));
  if (k.h < 1 || k.w < 1) throw SpecError(f.where() + ": missing or bad \"kernel_size\"");
  require_parameter_budget(f, {in_channels, out_channels, k.h, k.w}, "weight");
  const Pair stride = f.pair("stride", Pair(1));
  const Pair dilation = f.pair("dilation", Pair(1));
  const bool bias = f.boolean("bias", true);
  // "same" / "valid" (Keras' names), or "" when padding is a number / [h, w] / absent
  const std::string keras =
      f.has("padding") && f.raw("padding").is_string() ? f.text("padding", "") : "";
  if (!keras.empty() && keras != "same" && keras != "valid") {
    f.bad("padding", "\"same\", \"valid\", an integer or [h, w]");
  }
  if (type == "Conv2d") {
    Conv2dParams p;
    p.stride = stride;
    p.dilation = dilation;
    p.padding = conv2d_padding(f, keras, k, dilation);
    return std::make_unique<Conv2d>(in_channels, out_channels, k, p, bias);
  }
  ConvTranspose2dParams p;
  p.stride = stride;
  p.dilation = dilation;
  conv_transpose2d_padding(f, keras, k, p);
  return std::make_unique<ConvTranspose2d>(in_channels, out_channels, k, p, bias);
}

std::unique_ptr<Layer> make_layer(const Fields& f, const std::string& type,
                                  const std::vector<int64_t>& in, uint64_t dropout_seed) {
  if (type == "Linear") return make_linear(f, in);
  if (type == "Conv2d" || type == "ConvTranspose2d") return make_conv(f, type, in);
  if (type == "BatchNorm1d") {
    return std::make_unique<BatchNorm1d>(static_cast<int>(inferred(f, "num_features", in)),
                                         f.number("eps", 1e-5f), f.number("momentum", 0.1f));
  }
  if (type == "BatchNorm2d") {
    return std::make_unique<BatchNorm2d>(static_cast<int>(inferred(f, "num_features", in)),
                                         f.number("eps", 1e-5f), f.number("momentum", 0.1f));
  }
  if (type == "ReLU") return std::make_unique<ReLU>();
  if (type == "LeakyReLU") return std::make_unique<LeakyReLU>(f.number("negative_slope", 0.01f));
  if (type == "Tanh") return std::make_unique<Tanh>();
  if (type == "Sigmoid") return std::make_unique<Sigmoid>();
  if (type == "Dropout") return std::make_unique<Dropout>(f.number("p", 0.5f), dropout_seed);
  if (type == "Flatten") return std::make_unique<Flatten>();
  if (type == "MaxPool2d") {
    Pool2dParams p;
    p.kernel_size = f.pair("kernel_size", Pair(2));
    p.stride = f.pair("stride", p.kernel_size);
    p.padding = f.pair("padding", Pair(0));
    return std::make_unique<MaxPool2d>(p);
  }
  if (type == "Upsample") return std::make_unique<Upsample>(f.pair("scale_factor", Pair(2)));
  throw SpecError(f.where() + ": unknown layer type \"" + type +
                  "\" (known: Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, ReLU, "
                  "LeakyReLU, Tanh, Sigmoid, Dropout, Reshape, Flatten, MaxPool2d, Upsample)");
}

}  // namespace

std::unique_ptr<Sequential> build_sequential(const json& layers,
                                             const std::vector<int64_t>& input_shape,
                                             const std::string& name, uint64_t seed) {
  if (!layers.is_array() || layers.empty()) {
    throw SpecError(name + ": expected a non-empty list of layers, found " +
                    layers.dump().substr(0, 80));
  }
  auto net = std::make_unique<Sequential>(name, input_shape);
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& j = layers[i];
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
      throw SpecError(name + " layer " + std::to_string(i) +
                      ": expected an object with a \"type\", found " + j.dump().substr(0, 80));
    }
    const std::string type = j["type"].get<std::string>();
    const std::string label = j.contains("name") && j["name"].is_string()
                                  ? j["name"].get<std::string>()
                                  : std::to_string(i);
    const Fields f(j, name + " layer " + std::to_string(i) + " '" + label + "' " + type);
    const std::vector<int64_t>& in = net->size() == 0 ? input_shape : net->output_shape();
    std::unique_ptr<Layer> layer;
    if (type == "Reshape") {
      if (!j.contains("shape") || !j["shape"].is_array()) f.bad("shape", "a list of sizes");
      std::vector<int64_t> shape;
      for (const json& d : j["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 1) f.bad("shape", "positive sizes");
        shape.push_back(d.get<int64_t>());
      }
      layer = std::make_unique<Reshape>(shape);
    } else {
      try {
        layer = make_layer(f, type, in, seed * 1000003ULL + i);
      } catch (const SpecError&) {
        throw;
      } catch (const std::exception& e) {
        throw ShapeError(f.where() + ": " + e.what());
      }
    }
    net->add(std::move(layer), label);
  }
  return net;
}

GanModel build_gan(const json& spec, uint64_t seed, const std::string& init_override) {
  GanModel m;
  const std::string where = "model spec";
  if (!spec.is_object()) throw SpecError(where + ": expected a JSON object");
  m.name = spec.value("name", std::string("unnamed"));
  const std::string at = "model '" + m.name + "'";
  if (!spec.contains("latent_dim") || !spec["latent_dim"].is_number_integer() ||
      spec["latent_dim"].get<int>() < 1) {
    throw SpecError(at + ": expected \"latent_dim\": a positive integer");
  }
  m.latent_dim = spec["latent_dim"].get<int>();
  if (!spec.contains("image_shape") || !spec["image_shape"].is_array() ||
      spec["image_shape"].size() != 3) {
    throw SpecError(at + ": expected \"image_shape\": [C, H, W]");
  }
  for (const json& d : spec["image_shape"]) m.image_shape.push_back(d.get<int64_t>());
  try {
    m.init = parse_init(init_override.empty() ? spec.value("init", std::string("dcgan"))
                                              : init_override);
  } catch (const std::exception& e) {
    throw SpecError(at + ": " + e.what());
  }
  if (!spec.contains("generator") || !spec.contains("discriminator")) {
    throw SpecError(at + ": expected \"generator\" and \"discriminator\" layer lists");
  }
  m.spec = spec;
  m.G = build_sequential(spec["generator"], {m.latent_dim}, "G", seed);
  if (m.G->output_shape() != m.image_shape) {
    throw ShapeError(at + ": G's output " + shape_to_string(m.G->output_shape()) +
                     " is not image_shape " + shape_to_string(m.image_shape));
  }
  m.D = build_sequential(spec["discriminator"], m.image_shape, "D", seed + 1);
  if (m.D->output_shape() != std::vector<int64_t>{1}) {
    throw ShapeError(at + ": D's output " + shape_to_string(m.D->output_shape()) +
                     " is not (1) (one logit per image)");
  }
  Rng rng(seed);
  m.G->reset_parameters(m.init, rng);
  m.D->reset_parameters(m.init, rng);
  return m;
}

}  // namespace convt::nn
