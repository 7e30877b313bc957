// "Train it live": the CNN panel's digit classifier trained again from scratch on a worker
// thread, so that a student watches its first-layer kernels turn from noise into stroke
// detectors while the held-out accuracy climbs. Nothing is written to disk: the shipped
// assets/classifier/digits20.safetensors is never touched.
//
//   UI thread                                   worker (one per run)
//   ---------                                   --------------------
//   LiveClassifierRun run(digits, options)  ->  build_digit_classifier(seed), fast backend;
//                                               train_digit_classifier on the 9,000 training
//                                               digits (every 10th held out, as
//                                               convt-train-classifier), and every
//                                               eval_every steps: held-out accuracy, a copy
//                                               of the weights -> a new snapshot
//   run.snapshot() (shared_ptr, immutable) <-   published under a short lock
//   run.stop() / ~LiveClassifierRun()       ->  stops after the current step; joined
//
// Data: digits (N, 1, 20, 20) in [-1, 1] with labels 0..9 (the built-in 20x20 digits).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "convt/data/dataset.h"
#include "convt/nn/sequential.h"
#include "convt/tensor.h"

namespace convt::lab {

struct LiveClassifierOptions {
  int epochs = 8;           // the shipped classifier's recipe; about 17 s on one core here
  int64_t batch_size = 64;  // Adam lr 1e-3, as the shipped classifier
  float lr = 1e-3f;
  uint64_t seed = 1;    // the fresh weights' (PyTorch's init) and the shuffling's seed
  int eval_every = 20;  // steps between snapshots (each measures the held-out accuracy)
};

// What the worker publishes. Immutable once published.
struct LiveClassifierSnapshot {
  int64_t step = 0;                          // training steps done
  int64_t total_steps = 0;                   // epochs * (training digits / batch_size)
  int epoch = 0;                             // 0-based
  std::vector<float> curve_steps, accuracy;  // held-out accuracy (0..1) after each step listed
  std::vector<float> loss;                   // mean training loss since the previous point
  // The network's parameters by nn::Sequential's names ("0.weight", ...), to load into a
  // classifier of the same layers (build_digit_classifier).
  std::vector<std::pair<std::string, Tensor>> params;
  double seconds = 0.0;  // since the run started
  bool done = false;     // finished, stopped or failed
  bool stopped = false;  // stop() was asked before the last epoch ended
  std::string error;     // why it failed ("" when it did not)
};

// Splits the built-in digits as convt-train-classifier does: every 10th (index % 10 == 9) held
// out. Throws std::invalid_argument for unlabelled data or images that are not (N, 1, 20, 20).
void split_digits(const Dataset& all, Dataset* train, Dataset* heldout);

class LiveClassifierRun {
 public:
  // Starts the worker at once. `digits` must outlive nothing: it is shared.
  LiveClassifierRun(std::shared_ptr<const Dataset> digits, LiveClassifierOptions options);
  ~LiveClassifierRun();  // stop(), then joins (within one training step)
  LiveClassifierRun(const LiveClassifierRun&) = delete;
  LiveClassifierRun& operator=(const LiveClassifierRun&) = delete;

  // Asks the worker to stop after its current step; it then publishes a last snapshot.
  void stop() { stop_ = true; }
  // The latest snapshot (never null: step 0 before the first one).
  std::shared_ptr<const LiveClassifierSnapshot> snapshot() const;
  // Increases with every published snapshot.
  uint64_t version() const { return version_; }
  bool running() const { return !finished_; }

 private:
  void work(std::shared_ptr<const Dataset> digits, LiveClassifierOptions options);
  void publish(std::shared_ptr<const LiveClassifierSnapshot> s);

  mutable std::mutex mutex_;
  std::shared_ptr<const LiveClassifierSnapshot> snapshot_;
  std::atomic<uint64_t> version_{0};
  std::atomic<bool> stop_{false}, finished_{false};
  std::thread worker_;
};

// Copies the snapshot's parameters into `net` (a build_digit_classifier network). Throws
// std::runtime_error naming the parameter when one is missing or of another shape.
void load_live_params(const LiveClassifierSnapshot& s, nn::Sequential& net);

}  // namespace convt::lab
