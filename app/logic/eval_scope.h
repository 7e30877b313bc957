// EvalScope: a network in evaluation mode (BatchNorm running statistics, no dropout) for the
// scope's lifetime, each layer's own training flag restored afterwards, even on an exception.
#pragma once

#include <vector>

#include "convt/nn/sequential.h"

namespace convt::lab {

class EvalScope {
 public:
  explicit EvalScope(nn::Sequential& net) : net_(net) {
    for (size_t i = 0; i < net.size(); ++i) {
      flags_.push_back(net.layer(i).training());
      net.layer(i).set_training(false);
    }
  }
  ~EvalScope() {
    for (size_t i = 0; i < net_.size(); ++i) net_.layer(i).set_training(flags_[i]);
  }
  EvalScope(const EvalScope&) = delete;
  EvalScope& operator=(const EvalScope&) = delete;

 private:
  nn::Sequential& net_;
  std::vector<bool> flags_;
};

}  // namespace convt::lab
