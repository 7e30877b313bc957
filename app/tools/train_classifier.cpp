// convt-train-classifier: trains the dashboard's digit classifier (app/logic/quality_score.h) on
// the built-in 20x20 digits with our own core, and writes its weights.
//
//   convt-train-classifier --out assets/classifier/digits20.safetensors [--epochs 3] [--seed 0]
//
// Every 10th digit is held out for the test accuracy printed at the end. Uses the fast backend
// with 2 threads.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "convt/data/dataset.h"
#include "convt/fast/fast_ops.h"
#include "logic/quality_score.h"

namespace {

// Images i with (i % 10 == 9) == test.
convt::Dataset split(const convt::Dataset& all, bool test) {
  convt::Dataset out;
  out.name = all.name + (test ? "-test" : "-train");
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < all.size(); ++i) {
    if ((i % 10 == 9) == test) keep.push_back(i);
  }
  std::vector<int64_t> shape = all.images.shape();
  shape[0] = static_cast<int64_t>(keep.size());
  out.images = convt::Tensor(shape);
  const int64_t per = all.images.numel() / all.size();
  for (size_t k = 0; k < keep.size(); ++k) {
    std::copy(all.images.data() + keep[k] * per, all.images.data() + (keep[k] + 1) * per,
              out.images.data() + static_cast<int64_t>(k) * per);
    out.labels.push_back(all.labels[keep[k]]);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  convt::lab::ClassifierTraining opts;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "convt-train-classifier: %s expects a value\n", flag.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--out") {
      out = value;
    } else if (flag == "--epochs") {
      opts.epochs = std::atoi(value.c_str());
    } else if (flag == "--seed") {
      opts.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else {
      std::fprintf(stderr,
                   "convt-train-classifier: unknown option %s; usage: --out FILE "
                   "[--epochs E] [--seed S]\n",
                   flag.c_str());
      return 2;
    }
  }
  if (out.empty() || opts.epochs < 1) {
    std::fprintf(stderr, "usage: convt-train-classifier --out FILE [--epochs E >= 1] [--seed S]\n");
    return 2;
  }
  try {
    convt::fast::set_num_threads(2);
    const convt::Dataset all = convt::load_builtin_digits(20);
    const convt::Dataset train = split(all, false), test = split(all, true);
    auto net = convt::lab::build_digit_classifier(opts.seed);
    net->set_backend(convt::nn::Backend::fast);
    const float accuracy = convt::lab::train_digit_classifier(*net, train, test, opts, true);
    const auto parent = std::filesystem::path(out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    convt::lab::save_classifier(out, *net);
    std::printf("test accuracy %.4f on %lld held-out digits; wrote %s\n", accuracy,
                static_cast<long long>(test.size()), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convt-train-classifier: %s\n", e.what());
    return 1;
  }
  return 0;
}
