#include "logic/classifier_live.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "convt/nn/layer.h"
#include "logic/quality_score.h"

namespace convt::lab {

void split_digits(const Dataset& all, Dataset* train, Dataset* heldout) {
  if (all.images.ndim() != 4 || all.images.dim(1) != 1 || all.images.dim(2) != 20 ||
      all.images.dim(3) != 20 || all.labels.size() != static_cast<size_t>(all.size())) {
    throw std::invalid_argument("split_digits: expected labelled images (N, 1, 20, 20), found " +
                                all.images.shape_str() + " with " +
                                std::to_string(all.labels.size()) + " labels");
  }
  for (Dataset* d : {train, heldout}) {
    d->labels.clear();
    d->name = all.name + (d == heldout ? "-heldout" : "-train");
  }
  const int64_t held = all.size() / 10, kept = all.size() - held, per = 400;
  train->images = Tensor({kept, 1, 20, 20});
  heldout->images = Tensor({held, 1, 20, 20});
  int64_t t = 0, h = 0;
  for (int64_t i = 0; i < all.size(); ++i) {
    const bool out = i % 10 == 9;
    Dataset* d = out ? heldout : train;
    int64_t& k = out ? h : t;
    std::copy(all.images.data() + i * per, all.images.data() + (i + 1) * per,
              d->images.data() + k * per);
    d->labels.push_back(all.labels[static_cast<size_t>(i)]);
    ++k;
  }
}

LiveClassifierRun::LiveClassifierRun(std::shared_ptr<const Dataset> digits,
                                     LiveClassifierOptions options)
    : snapshot_(std::make_shared<LiveClassifierSnapshot>()) {
  worker_ = std::thread([this, digits = std::move(digits), options] { work(digits, options); });
}

LiveClassifierRun::~LiveClassifierRun() {
  stop();
  if (worker_.joinable()) worker_.join();
}

std::shared_ptr<const LiveClassifierSnapshot> LiveClassifierRun::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return snapshot_;
}

void LiveClassifierRun::publish(std::shared_ptr<const LiveClassifierSnapshot> s) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot_ = std::move(s);
  }
  ++version_;
}

void LiveClassifierRun::work(std::shared_ptr<const Dataset> digits, LiveClassifierOptions o) {
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  LiveClassifierSnapshot s;  // the worker's own; copies are published
  try {
    Dataset train, heldout;
    split_digits(*digits, &train, &heldout);
    auto net = build_digit_classifier(o.seed);
    net->set_backend(nn::Backend::fast);
    s.total_steps = o.epochs * (train.size() / std::max<int64_t>(1, o.batch_size));
    auto record = [&](int64_t step, int epoch, double loss) {
      s.step = step;
      s.epoch = epoch;
      s.curve_steps.push_back(static_cast<float>(step));
      s.accuracy.push_back(classifier_accuracy(*net, heldout));
      s.loss.push_back(static_cast<float>(loss));
      s.params.clear();
      for (const nn::NamedParam& p : net->params()) s.params.emplace_back(p.name, *p.value);
      s.seconds = seconds();
      publish(std::make_shared<LiveClassifierSnapshot>(s));
    };
    record(0, 0, std::nan(""));  // the random start: about 10% right
    double loss_sum = 0.0;
    int losses = 0;
    ClassifierTraining t;
    t.epochs = o.epochs;
    t.batch_size = o.batch_size;
    t.lr = o.lr;
    t.seed = o.seed;
    train_digit_classifier(*net, train, heldout, t, false, [&](int64_t step, int epoch, float l) {
      loss_sum += l;
      ++losses;
      if (step % std::max(1, o.eval_every) == 0) {
        record(step, epoch, loss_sum / losses);
        loss_sum = 0.0;
        losses = 0;
      }
      return !stop_;
    });
    s.stopped = stop_;
    if (losses > 0 || s.step == 0) record(s.step + losses, s.epoch, loss_sum / std::max(1, losses));
  } catch (const std::exception& e) {
    s.error = e.what();
  }
  s.done = true;
  s.seconds = seconds();
  publish(std::make_shared<LiveClassifierSnapshot>(s));
  finished_ = true;
}

void load_live_params(const LiveClassifierSnapshot& s, nn::Sequential& net) {
  for (const nn::NamedParam& p : net.params()) {
    const auto it = std::find_if(s.params.begin(), s.params.end(),
                                 [&](const auto& q) { return q.first == p.name; });
    if (it == s.params.end() || it->second.shape() != p.value->shape()) {
      throw std::runtime_error("live classifier: parameter '" + p.name +
                               (it == s.params.end() ? "' is missing" : "' has another shape"));
    }
    *p.value = it->second;
  }
}

}  // namespace convt::lab
