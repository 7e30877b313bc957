// FrameScheduler: when the window draws a frame, and how long it sleeps in between.
//
// Dear ImGui redraws everything each frame. Drawing without pause keeps a core busy (about 96%
// of one on llvmpipe, for a window nobody touches), and on a 2-core laptop that core is taken
// from training. So the main loop sleeps in glfwWaitEventsTimeout() and draws only when there is
// something new to show (the pattern of tools built on Dear ImGui: "power save" loops):
//
//   what happened                      frames drawn
//   ---------------------------------  ------------------------------------------------------
//   input (mouse, key, resize, focus)  at once, then kSettleFrames more (ImGui lays out popups,
//                                      hover and focus changes a frame late)
//   a watched version changed          one, at most max_data_fps per second (the training
//   (training published a step)        worker publishes after every step)
//   animating (stepper playing, mouse  continuously, at most max_animation_fps per second
//   button held, work in progress)
//   a frame asked for at a time        one at that time (timed requests)
//   slow periodic change               one every redraw_every seconds (a text cursor's blink)
//   a panel loading on another thread  one every loading_redraw_seconds (its spinner turns);
//                                      when the load ends, frames as after input (what it
//                                      loaded is laid out for the first time, and ImGui places
//                                      some of it, a tab bar's tabs, only a frame or two later)
//   nothing                            none: the loop sleeps up to idle_poll_seconds, wakes,
//                                      checks the watched version, sleeps again
//
// GL-free and clock-free: the caller passes the time in seconds (steady clock) and what it saw,
// so every decision is unit-tested (app/tests/test_frame_scheduler.cpp).
#pragma once

#include <chrono>
#include <cstdint>

namespace convt::lab {

// Seconds on the steady (monotonic) clock: the time the scheduler and the panels' pacing use.
inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct FrameSchedulerConfig {
  double max_animation_fps = 60.0;  // while animating
  double max_data_fps = 30.0;       // frames caused by new data only (a training step)
  double idle_poll_seconds = 0.25;  // longest sleep: how often a watched version is checked
  int settle_frames = 2;            // frames after the one that shows an input
  double loading_redraw_seconds = 0.1;  // a loading spinner's frame period
};

// What the main loop saw since the last frame; filled fresh before each decision.
struct FrameSignals {
  bool input = false;         // any window event: mouse, key, text, scroll, resize, focus
  uint64_t data_version = 0;  // a number that changes when something drawn changed (training)
  bool animating = false;     // something moves on its own (stepper playing, mouse held, work)
  double wake_at = -1.0;      // a frame is wanted at this time (seconds; < 0: none)
  double redraw_every = 0.0;  // a frame at most this long after the last one (seconds; 0: no):
                              // a text cursor's blink
  bool loading = false;       // a panel loads on another thread (or its result waits to be taken)
};

class FrameScheduler {
 public:
  explicit FrameScheduler(FrameSchedulerConfig config = {}) : config_(config) {}

  // Whether to draw a frame now, at time `now` (seconds), given what was seen. Call once per
  // loop iteration; when it returns true, draw, then call frame_drawn(now).
  bool should_draw(double now, const FrameSignals& signals);
  // Records that a frame was drawn at `now` (it showed `signals.data_version`).
  void frame_drawn(double now);
  // How long to sleep before the next decision, in seconds (0: decide again at once). Waiting
  // for events with this timeout wakes early on any input.
  double wait_seconds(double now, const FrameSignals& signals) const;

  const FrameSchedulerConfig& config() const { return config_; }
  // Frames still owed to the last input (0 when settled).
  int frames_owed() const { return frames_owed_; }

 private:
  // The time the next frame is due for animation / new data / a wake request (< 0: not due).
  double next_due(const FrameSignals& signals) const;

  FrameSchedulerConfig config_;
  int frames_owed_ = 1;  // the first frame is drawn at once
  double last_frame_ = -1e30;
  uint64_t drawn_version_ = 0;
  uint64_t pending_version_ = 0;  // the version should_draw() last saw
  bool drawn_any_ = false;
  bool was_loading_ = false;  // signals.loading at the last should_draw()
};

}  // namespace convt::lab
