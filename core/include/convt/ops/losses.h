// Losses with mean reduction, PyTorch semantics.
//   logits, pred, targets: any shape, all the same; M = number of elements.
#pragma once

#include "convt/tensor.h"

namespace convt {

// Binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss, reduction='mean'), in the stable
// form that never takes exp of a positive number:
//   loss = mean( max(z, 0) - z*y + log(1 + exp(-|z|)) )
// which equals -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]. Returns the loss.
float bce_with_logits_forward(const Tensor& logits, const Tensor& targets);
// dlogits += dloss * (sigmoid(z) - y) / M. An empty dlogits is first made zeros.
void bce_with_logits_backward(Tensor& dlogits, const Tensor& logits, const Tensor& targets,
                              float dloss = 1.0f);

// Mean squared error (torch.nn.MSELoss): loss = mean((pred - target)^2).
float mse_forward(const Tensor& pred, const Tensor& target);
// dpred += dloss * 2 (pred - target) / M.
void mse_backward(Tensor& dpred, const Tensor& pred, const Tensor& target, float dloss = 1.0f);

}  // namespace convt
