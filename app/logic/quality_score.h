// The dashboard's sample-quality score: a small CNN digit classifier (the notes' classifier:
// Conv2d, ReLU, MaxPool2d, Linear), trained by our own core on the built-in digits, judges the
// generator's samples.
//
//   p(y|x)  (N, 10)  softmax of the classifier's logits for each sample x
//   p(y)    (10)     mean of p(y|x) over the samples
//   score = exp( mean_x KL(p(y|x) || p(y)) )      the Inception Score's form: 1 .. 10
//           high when each sample is confidently one digit AND the digits are varied
//   confident = fraction of samples with max_y p(y|x) >= 0.9
//   histogram = how many samples fall in each class (argmax): one tall bar is mode collapse
//
// The weights ship as assets/classifier/digits20.safetensors (convt-lab-train-classifier, see
// assets/README.md). No GL.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"

namespace convt::lab {

// The shipped classifier's weights, relative to assets/ (convt::asset_path).
inline constexpr const char* kDigitClassifierAsset = "classifier/digits20.safetensors";

// The classifier's layers for (1, 20, 20) inputs: Conv2d(16, k3, p1), ReLU, MaxPool2d(2),
// Conv2d(32, k3, p1), ReLU, MaxPool2d(2), Flatten, Linear(10) -> logits (N, 10).
nlohmann::json digit_classifier_spec();
std::unique_ptr<nn::Sequential> build_digit_classifier(uint64_t seed);

struct ClassifierTraining {
  int epochs = 3;
  int64_t batch_size = 64;
  float lr = 1e-3f;  // Adam
  uint64_t seed = 0;
};

// Called after every training step (one batch): the step (1, 2, ... across epochs), the epoch
// (0-based) and the batch's mean loss. Returning false stops the training there.
using ClassifierStepHook = std::function<bool(int64_t step, int epoch, float loss)>;

// Trains `net` with softmax cross-entropy on data (labels 0..9); returns the accuracy on `test`
// (fraction in [0, 1]). `on_step` (optional) is called after every step. Throws
// std::invalid_argument for unlabelled data.
float train_digit_classifier(nn::Sequential& net, const Dataset& train, const Dataset& test,
                             const ClassifierTraining& opts, bool verbose = false,
                             const ClassifierStepHook& on_step = nullptr);
// Fraction of `data` classified as its label.
float classifier_accuracy(nn::Sequential& net, const Dataset& data);

void save_classifier(const std::string& path, nn::Sequential& net);
// Throws std::runtime_error naming the path and the tensor for a missing or mis-shaped weight.
std::unique_ptr<nn::Sequential> load_classifier(const std::string& path);

struct QualityScore {
  float score = 0.0f;      // exp(E[KL(p(y|x) || p(y))]), 1 .. 10
  float confident = 0.0f;  // fraction with max p(y|x) >= 0.9
  std::vector<int> histogram = std::vector<int>(10, 0);
  int64_t count = 0;
};

// Whether the classifier can judge images of this shape (C, H, W): 1x20x20, or 1x28x28 (the
// size MNIST comes in), which classifier_input shrinks.
bool classifier_takes(const std::vector<int64_t>& image_shape);

// Whether a generator of images (C, H, W) trained on `data` (Generator::data) draws the built-in
// digits: data "digits20" or "digits28" (Dataset::name of the built-in digits at 20x20 and
// 28x28) and a shape classifier_takes, or, when its file does not say (data ""), 1x20x20: every
// dcgan20 the app trained before files recorded their data. The latent explorer shows the
// nearest real digit and the class directions for these only; `sample --score` refuses a file
// that names other data.
bool draws_digits(const std::vector<int64_t>& image_shape, const std::string& data);

// The classifier's input for images (N, 1, 20, 20) (returned as they are) or (N, 1, 28, 28),
// area-resized to 20x20 (convt/data/resize.h): the built-in 20x20 digits were made from MNIST's
// 28x28 the same way (scripts/build_digits_assets.py), so a 28x28 digit generator is judged as
// its data would be. Throws std::invalid_argument naming any other shape.
Tensor classifier_input(const Tensor& images);

// images (N, 1, 20, 20) or (N, 1, 28, 28) in [-1, 1] (classifier_input). Evaluation mode.
// Throws std::invalid_argument for another shape.
QualityScore quality_score(nn::Sequential& classifier, const Tensor& images);

}  // namespace convt::lab
