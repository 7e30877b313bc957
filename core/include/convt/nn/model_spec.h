// Models from JSON specs (assets/models/*.json): a GAN is a generator and a discriminator, each
// a list of layers with PyTorch's names. Building runs shape inference through every layer
// (shape.h's formulas) and throws on the first mismatch, naming the layer and the numbers.
//
// Spec format (assets/models/dcgan20.json is the reference):
//   { "name": "dcgan20", "latent_dim": 100, "image_shape": [1, 20, 20], "init": "dcgan",
//     "generator":     [ {"type": "Linear", "out_features": 6400, "bias": false}, ... ],
//     "discriminator": [ {"type": "Conv2d", "out_channels": 64, "kernel_size": 5,
//                         "stride": 2, "padding": "same"}, ... ] }
// Layer fields: "type" (Linear, Conv2d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, ReLU,
// LeakyReLU, Tanh, Sigmoid, Dropout, Reshape, Flatten, MaxPool2d, Upsample), an optional
// "name", and the PyTorch constructor arguments. in_features / in_channels / num_features are
// taken from the inferred shape when absent and checked when given. "padding": "same" | "valid"
// resolves Keras' names with keras_same_conv_padding / keras_same_conv_transpose_padding.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convt/nn/sequential.h"

namespace convt::nn {

// A spec that cannot be read or built; what() names the file/model, the layer and the field.
class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "dcgan20" -> assets/models/dcgan20.json (convt::asset_path); a path ending in ".json" is read
// as is. Throws SpecError if it cannot be found or parsed.
nlohmann::json load_model_spec(const std::string& name_or_path);

// Builds one network from a list of layer objects. `name` ("G") prefixes errors; Dropout layers
// are seeded from `seed` and their index. Parameters are left as constructed (call
// reset_parameters). Throws SpecError on a bad field, ShapeError on a shape mismatch.
std::unique_ptr<Sequential> build_sequential(const nlohmann::json& layers,
                                             const std::vector<int64_t>& input_shape,
                                             const std::string& name, uint64_t seed);

struct GanModel {
  std::string name;                  // "dcgan20"
  int latent_dim = 0;                // 100
  std::vector<int64_t> image_shape;  // (C, H, W)
  InitScheme init = InitScheme::dcgan;
  nlohmann::json spec;               // the whole spec, kept for checkpoints
  std::unique_ptr<Sequential> G, D;
};

// Builds G (latent_dim -> image_shape) and D (image_shape -> (1)), checks that they fit together,
// and initialises them with the spec's "init" scheme (or `init_override` when given) from `seed`.
GanModel build_gan(const nlohmann::json& spec, uint64_t seed,
                   const std::string& init_override = "");

}  // namespace convt::nn
