#include "logic/frame_scheduler.h"

#include <algorithm>
#include <limits>

namespace convt::lab {

bool FrameScheduler::should_draw(double now, const FrameSignals& signals) {
  const bool load_ended = was_loading_ && !signals.loading;
  was_loading_ = signals.loading;
  if (signals.input || load_ended) {
    frames_owed_ = std::max(frames_owed_, 1 + config_.settle_frames);
  }
  pending_version_ = signals.data_version;
  if (frames_owed_ > 0) return true;
  const double due = next_due(signals);
  return due >= 0.0 && now >= due;
}

void FrameScheduler::frame_drawn(double now) {
  if (frames_owed_ > 0) --frames_owed_;
  last_frame_ = now;
  drawn_version_ = pending_version_;
  drawn_any_ = true;
}

double FrameScheduler::next_due(const FrameSignals& signals) const {
  constexpr double kNever = std::numeric_limits<double>::infinity();
  double due = kNever;
  if (signals.animating) due = last_frame_ + 1.0 / config_.max_animation_fps;
  if (!drawn_any_ || signals.data_version != drawn_version_) {
    due = std::min(due, last_frame_ + 1.0 / config_.max_data_fps);
  }
  if (signals.wake_at >= 0.0) due = std::min(due, signals.wake_at);
  if (signals.redraw_every > 0.0) due = std::min(due, last_frame_ + signals.redraw_every);
  if (signals.loading) due = std::min(due, last_frame_ + config_.loading_redraw_seconds);
  return due == kNever ? -1.0 : std::max(0.0, due);
}

double FrameScheduler::wait_seconds(double now, const FrameSignals& signals) const {
  if (frames_owed_ > 0) return 0.0;
  const double due = next_due(signals);
  if (due < 0.0) return config_.idle_poll_seconds;
  return std::clamp(due - now, 0.0, config_.idle_poll_seconds);
}

}  // namespace convt::lab
