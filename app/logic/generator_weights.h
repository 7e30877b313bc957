// "Follow the model training in the dashboard live": the copy of G's weights that the
// training worker publishes when asked ("a copy of G's weights when asked"),
// and FollowSchedule, which decides when the latent explorer asks for one and takes it.
//
//   latent panel (UI thread)                     training worker
//   ------------------------                     ---------------
//   schedule.should_request(now, version)? --->  request_generator(): queued, served between
//     session.request_generator()                steps (at once when paused): G's tensors
//   session.generator()  <-- shared_ptr <-----   copied into a new GeneratorWeights, published
//   schedule.is_new(w->version)?
//     LatentModel::load_generator(*w)            (copies the tensors into the explorer's own G)
//
// Once published a GeneratorWeights never changes: threads share it as shared_ptr<const ...>.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "convt/tensor.h"

namespace convt::lab {

struct GeneratorWeights {
  nlohmann::json spec;     // the model spec (nn::build_gan builds G from it)
  std::string model_name;  // "dcgan20"
  uint64_t version = 0;    // TrainingSession::generator_version() when copied
  int64_t step = 0;        // training steps done when copied
  std::string data;        // the training data's name (GanTrainer::data_name(): "digits20", ...)
  // G's parameters and buffers (BatchNorm running statistics) by their state_dict names
  // ("0.weight", "1.running_mean", ...), as nn::Sequential::params() / buffers() list them.
  std::vector<std::pair<std::string, Tensor>> tensors;
};

// When the explorer, following a training run, asks for a new copy of G and when it takes one.
// Times are seconds on any monotonic clock. Asks at most once per interval, and only when G has
// changed since the copy it has (the session's generator_version() differs), so a paused run
// costs nothing.
class FollowSchedule {
 public:
  explicit FollowSchedule(double interval_seconds = 1.0) : interval_(interval_seconds) {}

  // Starts (or stops) following. Starting forgets the copy taken, so the next one is taken.
  void set_following(bool on);
  bool following() const { return following_; }

  // True when a request should go out now: following, the session's G (generator_version)
  // differs from the copy taken, and no request went out in the last interval_seconds.
  bool should_request(double now_seconds, uint64_t generator_version) const;
  void requested(double now_seconds) { last_request_ = now_seconds; }

  // True when a published copy of this version is one the explorer has not taken yet.
  bool is_new(uint64_t weights_version) const {
    return following_ && (!have_taken_ || weights_version != taken_version_);
  }
  void taken(uint64_t weights_version, int64_t step);

  bool have_taken() const { return have_taken_; }
  int64_t taken_step() const { return taken_step_; }  // steps of the copy taken (-1: none)
  double interval_seconds() const { return interval_; }

 private:
  double interval_;
  bool following_ = false;
  bool have_taken_ = false;
  uint64_t taken_version_ = 0;
  int64_t taken_step_ = -1;
  double last_request_ = -1e300;
};

}  // namespace convt::lab
