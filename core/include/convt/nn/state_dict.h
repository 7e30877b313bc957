// state_dict / load_state_dict: a model's parameters and buffers by name, as PyTorch's
// `module.state_dict()` and `module.load_state_dict(sd, strict=True)`.
//
// Names are nn::Sequential's ("0.weight", "1.running_mean", ...) behind a prefix ("G.", "G_ema.",
// "D."), so one safetensors file holds several models and maps onto the PyTorch form of each
// model by name.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "convt/nn/sequential.h"
#include "convt/tensor.h"

namespace convt::nn {

// Thrown by load_state_dict; what() names the source, the tensor and what was expected and found.
class StateDictError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every parameter, then every buffer, of `model`, named prefix + name and pointing at the live
// tensors (state_dict order: layer by layer, as Sequential::params() / buffers() list them).
std::vector<std::pair<std::string, Tensor*>> state_dict_slots(Sequential& model,
                                                              const std::string& prefix = "");

// A copy of the model's tensors by prefixed name (PyTorch's state_dict(prefix=...)).
std::map<std::string, Tensor> state_dict(Sequential& model, const std::string& prefix = "");

// Checks, before anything is copied, that every slot's name is in `tensors` with the slot's
// shape. Throws StateDictError "<source>: tensor '<name>' is missing" (with `context` after it
// when given, e.g. "(G has 12 tensors named G.*)") or "<source>: tensor '<name>': expected shape
// (..), found (..)". The one check every loader (load_state_dict, the trainers' checkpoints) runs.
void check_tensors(const std::map<std::string, Tensor>& tensors,
                   const std::vector<std::pair<std::string, Tensor*>>& slots,
                   const std::string& source, const std::string& context = "");

// Copies tensors[prefix + name] into every parameter and buffer of `model`. All or nothing: every
// tensor is checked first (present, same shape) and nothing changes if one fails. With `strict`,
// a tensor of `tensors` that starts with `prefix` but is not one of the model's is an error too
// (PyTorch's "Unexpected key(s)"). `source` (a file name) starts each message:
//   "run/checkpoint.safetensors: tensor 'G.4.weight': expected shape (256, 128, 5, 5), found (..)"
// Throws StateDictError.
void load_state_dict(Sequential& model, const std::map<std::string, Tensor>& tensors,
                     const std::string& prefix, const std::string& source, bool strict = true);

// True when some tensor's name starts with `prefix`.
bool has_prefix(const std::map<std::string, Tensor>& tensors, const std::string& prefix);

}  // namespace convt::nn
