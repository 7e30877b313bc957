#include "convt/nn/layer.h"

#include <stdexcept>

namespace convt::nn {

const char* backend_name(Backend b) { return b == Backend::fast ? "fast" : "naive"; }

Backend parse_backend(const std::string& name) {
  if (name == "naive") return Backend::naive;
  if (name == "fast") return Backend::fast;
  throw std::invalid_argument("backend: expected 'naive' or 'fast', found '" + name + "'");
}

const char* init_name(InitScheme s) { return s == InitScheme::dcgan ? "dcgan" : "pytorch"; }

InitScheme parse_init(const std::string& name) {
  if (name == "dcgan") return InitScheme::dcgan;
  if (name == "pytorch") return InitScheme::pytorch;
  throw std::invalid_argument("init: expected 'dcgan' or 'pytorch', found '" + name + "'");
}

int64_t Layer::parameter_count() {
  int64_t n = 0;
  for (const ParamRef& p : params()) n += p.value->numel();
  return n;
}

void Layer::zero_grad() {
  for (const ParamRef& p : params()) p.grad->zero();
}

}  // namespace convt::nn
