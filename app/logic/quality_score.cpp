#include "logic/quality_score.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "convt/data/resize.h"
#include "convt/io/safetensors.h"
#include "convt/nn/model_spec.h"
#include "convt/nn/optim.h"
#include "convt/rng.h"

namespace convt::lab {

namespace {

constexpr int kClasses = 10;

// Softmax of logits (N, 10) row by row into probs (N, 10).
void softmax_rows(Tensor& probs, const Tensor& logits) {
  probs = Tensor(logits.shape());
  const int64_t n = logits.dim(0);
  for (int64_t i = 0; i < n; ++i) {
    const float* z = logits.data() + i * kClasses;
    float* p = probs.data() + i * kClasses;
    const float m = *std::max_element(z, z + kClasses);
    double sum = 0.0;
    for (int c = 0; c < kClasses; ++c) sum += (p[c] = std::exp(z[c] - m));
    for (int c = 0; c < kClasses; ++c) p[c] = static_cast<float>(p[c] / sum);
  }
}

// Rows [start, start + count) of images (N, C, H, W).
Tensor slice_rows(const Tensor& images, int64_t start, int64_t count) {
  std::vector<int64_t> shape = images.shape();
  shape[0] = count;
  Tensor out(shape);
  const int64_t per = images.numel() / images.dim(0);
  std::copy(images.data() + start * per, images.data() + (start + count) * per, out.data());
  return out;
}

}  // namespace

nlohmann::json digit_classifier_spec() {
  return nlohmann::json::parse(R"([
    {"type": "Conv2d", "name": "conv1", "out_channels": 16, "kernel_size": 3, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2},
    {"type": "Conv2d", "name": "conv2", "out_channels": 32, "kernel_size": 3, "padding": 1},
    {"type": "ReLU"},
    {"type": "MaxPool2d", "kernel_size": 2},
    {"type": "Flatten"},
    {"type": "Linear", "name": "logits", "out_features": 10}
  ])");
}

std::unique_ptr<nn::Sequential> build_digit_classifier(uint64_t seed) {
  auto net = nn::build_sequential(digit_classifier_spec(), {1, 20, 20}, "classifier", seed);
  Rng rng(seed);
  net->reset_parameters(nn::InitScheme::pytorch, rng);
  return net;
}

float classifier_accuracy(nn::Sequential& net, const Dataset& data) {
  net.set_training(false);
  int64_t correct = 0;
  const int64_t chunk = 500;
  for (int64_t start = 0; start < data.size(); start += chunk) {
    const int64_t count = std::min(chunk, data.size() - start);
    const Tensor& logits = net.forward(slice_rows(data.images, start, count));  // (count, 10)
    for (int64_t i = 0; i < count; ++i) {
      const float* z = logits.data() + i * kClasses;
      const int y = static_cast<int>(std::max_element(z, z + kClasses) - z);
      correct += y == data.labels[start + i];
    }
  }
  net.set_training(true);
  return data.size() > 0 ? static_cast<float>(correct) / static_cast<float>(data.size()) : 0.0f;
}

float train_digit_classifier(nn::Sequential& net, const Dataset& train, const Dataset& test,
                             const ClassifierTraining& opts, bool verbose,
                             const ClassifierStepHook& on_step) {
  if (train.labels.size() != static_cast<size_t>(train.size()) ||
      std::any_of(train.labels.begin(), train.labels.end(),
                  [](int y) { return y < 0 || y >= kClasses; })) {
    throw std::invalid_argument("train_digit_classifier: expected labels 0..9 for every image of " +
                                train.name);
  }
  nn::Adam adam(net.params(), opts.lr);
  net.set_training(true);
  Rng rng(opts.seed);
  std::vector<int64_t> order(train.size());
  const int64_t per = train.images.numel() / train.size();
  Tensor x, probs, dlogits;
  int64_t step = 0;
  bool stopped = false;
  for (int epoch = 0; epoch < opts.epochs && !stopped; ++epoch) {
    for (int64_t i = 0; i < train.size(); ++i) order[i] = i;
    for (int64_t i = train.size() - 1; i > 0; --i) {  // Fisher-Yates
      std::swap(order[i], order[rng.next_u64() % static_cast<uint64_t>(i + 1)]);
    }
    double loss_sum = 0.0;
    int64_t batches = 0;
    for (int64_t start = 0; start + opts.batch_size <= train.size(); start += opts.batch_size) {
      const int64_t b = opts.batch_size;
      x = Tensor({b, train.images.dim(1), train.images.dim(2), train.images.dim(3)});
      for (int64_t i = 0; i < b; ++i) {
        const float* src = train.images.data() + order[start + i] * per;
        std::copy(src, src + per, x.data() + i * per);
      }
      const Tensor& logits = net.forward(x);  // (B, 10)
      softmax_rows(probs, logits);
      // L = mean_i -log p_i[y_i];  dL/dz_i = (p_i - onehot(y_i)) / B
      dlogits = probs;
      double loss = 0.0;
      for (int64_t i = 0; i < b; ++i) {
        const int y = train.labels[order[start + i]];
        loss -= std::log(std::max(1e-12f, probs.data()[i * kClasses + y]));
        dlogits.data()[i * kClasses + y] -= 1.0f;
      }
      for (float& v : dlogits.values()) v /= static_cast<float>(b);
      adam.zero_grad();
      net.backward(nullptr, dlogits);
      adam.step();
      loss_sum += loss / static_cast<double>(b);
      ++batches;
      if (on_step && !on_step(++step, epoch, static_cast<float>(loss / static_cast<double>(b)))) {
        stopped = true;
        break;
      }
    }
    if (verbose) {
      std::printf("epoch %d: mean loss %.4f, test accuracy %.4f\n", epoch + 1,
                  loss_sum / std::max<int64_t>(1, batches), classifier_accuracy(net, test));
      std::fflush(stdout);
    }
  }
  return classifier_accuracy(net, test);
}

void save_classifier(const std::string& path, nn::Sequential& net) {
  std::map<std::string, Tensor> tensors;
  for (const nn::NamedParam& p : net.params()) tensors[p.name] = *p.value;
  write_safetensors(path, tensors,
                    {{"spec", digit_classifier_spec().dump()}, {"input_shape", "[1, 20, 20]"}});
}

std::unique_ptr<nn::Sequential> load_classifier(const std::string& path) {
  const SafetensorsFile f = read_safetensors(path);
  auto net = build_digit_classifier(0);
  for (const nn::NamedParam& p : net->params()) {
    auto it = f.tensors.find(p.name);
    if (it == f.tensors.end()) {
      throw std::runtime_error(path + ": classifier weight '" + p.name + "' is missing");
    }
    if (it->second.shape() != p.value->shape()) {
      throw std::runtime_error(path + ": classifier weight '" + p.name +
                               "' has another shape than the classifier's");
    }
    *p.value = it->second;
  }
  net->set_training(false);
  return net;
}

bool classifier_takes(const std::vector<int64_t>& image_shape) {
  return image_shape == std::vector<int64_t>{1, 20, 20} ||
         image_shape == std::vector<int64_t>{1, 28, 28};
}

bool draws_digits(const std::vector<int64_t>& image_shape, const std::string& data) {
  if (!classifier_takes(image_shape)) return false;
  if (data.empty()) return image_shape[1] == 20;
  return data == "digits20" || data == "digits28";
}

Tensor classifier_input(const Tensor& images) {
  if (images.ndim() != 4 || !classifier_takes({images.dim(1), images.dim(2), images.dim(3)})) {
    throw std::invalid_argument(
        "digit classifier: expected images (N, 1, 20, 20) or (N, 1, 28, 28), found " +
        shape_to_string(images.shape()));
  }
  return images.dim(2) == 20 ? images : area_resize(images, 20, 20);
}

QualityScore quality_score(nn::Sequential& classifier, const Tensor& images_in) {
  QualityScore q;
  if (images_in.ndim() == 4 && images_in.dim(0) == 0) return q;
  const Tensor images = classifier_input(images_in);
  const int64_t n = images.dim(0);
  classifier.set_training(false);
  std::vector<float> all(static_cast<size_t>(n) * kClasses);  // p(y|x), (N, 10)
  Tensor probs;
  const int64_t chunk = 250;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t count = std::min(chunk, n - start);
    softmax_rows(probs, classifier.forward(slice_rows(images, start, count)));
    std::copy(probs.data(), probs.data() + count * kClasses, all.begin() + start * kClasses);
  }
  std::vector<double> marginal(kClasses, 0.0);  // p(y)
  for (int64_t i = 0; i < n; ++i) {
    const float* p = all.data() + i * kClasses;
    for (int c = 0; c < kClasses; ++c) marginal[c] += p[c] / static_cast<double>(n);
    const int top = static_cast<int>(std::max_element(p, p + kClasses) - p);
    ++q.histogram[top];
    if (p[top] >= 0.9f) q.confident += 1.0f;
  }
  double kl_sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float* p = all.data() + i * kClasses;
    for (int c = 0; c < kClasses; ++c) {
      if (p[c] > 0.0f) kl_sum += p[c] * (std::log(p[c]) - std::log(std::max(marginal[c], 1e-30)));
    }
  }
  q.score = static_cast<float>(std::exp(kl_sum / static_cast<double>(n)));
  q.confident /= static_cast<float>(n);
  q.count = n;
  return q;
}

}  // namespace convt::lab
