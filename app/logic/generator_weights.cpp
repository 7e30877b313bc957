#include "logic/generator_weights.h"

namespace convt::lab {

void FollowSchedule::set_following(bool on) {
  if (on && !following_) {
    have_taken_ = false;
    taken_step_ = -1;
    last_request_ = -1e300;
  }
  following_ = on;
}

bool FollowSchedule::should_request(double now_seconds, uint64_t generator_version) const {
  if (!following_) return false;
  if (have_taken_ && generator_version == taken_version_) return false;  // nothing new
  return now_seconds - last_request_ >= interval_;
}

void FollowSchedule::taken(uint64_t weights_version, int64_t step) {
  have_taken_ = true;
  taken_version_ = weights_version;
  taken_step_ = step;
}

}  // namespace convt::lab
