#include "convt/nn/state_dict.h"

namespace convt::nn {

std::vector<std::pair<std::string, Tensor*>> state_dict_slots(Sequential& model,
                                                              const std::string& prefix) {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (const NamedParam& p : model.params()) out.emplace_back(prefix + p.name, p.value);
  for (const NamedBuffer& b : model.buffers()) out.emplace_back(prefix + b.name, b.value);
  return out;
}

std::map<std::string, Tensor> state_dict(Sequential& model, const std::string& prefix) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : state_dict_slots(model, prefix)) out.emplace(name, *t);
  return out;
}

bool has_prefix(const std::map<std::string, Tensor>& tensors, const std::string& prefix) {
  const auto it = tensors.lower_bound(prefix);
  return it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

void check_tensors(const std::map<std::string, Tensor>& tensors,
                   const std::vector<std::pair<std::string, Tensor*>>& slots,
                   const std::string& source, const std::string& context) {
  for (const auto& [name, t] : slots) {
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      throw StateDictError(source + ": tensor '" + name + "' is missing" +
                           (context.empty() ? "" : " " + context));
    }
    if (found->second.shape() != t->shape()) {
      throw StateDictError(source + ": tensor '" + name + "': expected shape " + t->shape_str() +
                           ", found " + found->second.shape_str());
    }
  }
}

void load_state_dict(Sequential& model, const std::map<std::string, Tensor>& tensors,
                     const std::string& prefix, const std::string& source, bool strict) {
  const std::vector<std::pair<std::string, Tensor*>> slots = state_dict_slots(model, prefix);
  check_tensors(tensors, slots, source,
                "(" + model.name() + " has " + std::to_string(slots.size()) + " tensors named " +
                    prefix + "*)");
  if (strict) {
    for (auto it = tensors.lower_bound(prefix);
         it != tensors.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      bool known = false;
      for (const auto& slot : slots) known = known || slot.first == it->first;
      if (!known) {
        throw StateDictError(source + ": unexpected tensor '" + it->first + "': " + model.name() +
                             " has no such parameter or buffer");
      }
    }
  }
  for (const auto& [name, t] : slots) *t = tensors.at(name);
}

}  // namespace convt::nn
