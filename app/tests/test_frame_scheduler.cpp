// When the window draws (app/logic/frame_scheduler.h): the decisions for idle, input, a playing
// stepper, training publishing steps and a timed request, with the clock passed in by hand.
#include <gtest/gtest.h>

#include "logic/frame_scheduler.h"

namespace {

using convt::lab::FrameScheduler;
using convt::lab::FrameSchedulerConfig;
using convt::lab::FrameSignals;

// Runs the scheduler as the main loop does, on a simulated clock, from `from` to `to` seconds:
// decide, then draw (frame_drawn) or sleep wait_seconds. As glfwWaitEventsTimeout() does, the
// sleep ends early when an event arrives: input, or the worker's wake-up when it publishes a new
// data_version (simulated in 1 ms ticks). `signals_at(t)` gives what the loop sees at time t.
// Returns the number of frames drawn.
template <class SignalsAt>
int simulate(FrameScheduler& scheduler, double from, double to, SignalsAt signals_at) {
  int frames = 0;
  for (double t = from; t < to;) {
    const FrameSignals s = signals_at(t);
    if (scheduler.should_draw(t, s)) {
      scheduler.frame_drawn(t);
      ++frames;
      t += 0.001;  // the frame's own work
      continue;
    }
    const double wait = scheduler.wait_seconds(t, s);
    EXPECT_GT(wait, 0.0) << "no frame to draw, yet no sleep, at t = " << t;
    const double until = t + (wait > 0.0 ? wait : 0.001);
    for (t += 0.001; t < until; t += 0.001) {
      const FrameSignals now = signals_at(t);
      if (now.input || now.data_version != s.data_version) break;
    }
    if (t > until) t = until;
  }
  return frames;
}

TEST(FrameScheduler, DrawsTheFirstFrameAtOnce) {
  FrameScheduler scheduler;
  EXPECT_TRUE(scheduler.should_draw(0.0, {}));
}

TEST(FrameScheduler, IdleDrawsNothingAndSleepsTheIdlePoll) {
  FrameScheduler scheduler;
  FrameSignals idle;
  ASSERT_TRUE(scheduler.should_draw(0.0, idle));
  scheduler.frame_drawn(0.0);
  EXPECT_FALSE(scheduler.should_draw(0.1, idle));
  EXPECT_DOUBLE_EQ(scheduler.wait_seconds(0.1, idle), scheduler.config().idle_poll_seconds);
  // Ten idle seconds after the first frame: no frame at all.
  EXPECT_EQ(simulate(scheduler, 0.2, 10.2, [](double) { return FrameSignals{}; }), 0);
}

TEST(FrameScheduler, InputDrawsAtOnceThenSettlesAndStops) {
  FrameSchedulerConfig config;
  config.settle_frames = 2;
  FrameScheduler scheduler(config);
  scheduler.should_draw(0.0, {});
  scheduler.frame_drawn(0.0);

  FrameSignals click;
  click.input = true;
  ASSERT_TRUE(scheduler.should_draw(5.0, click));
  EXPECT_EQ(scheduler.wait_seconds(5.0, click), 0.0);
  scheduler.frame_drawn(5.0);
  // The input's own frame, then two settling frames without any new input, then none.
  FrameSignals quiet;
  for (int k = 0; k < 2; ++k) {
    ASSERT_TRUE(scheduler.should_draw(5.001 * (k + 1), quiet)) << "settling frame " << k;
    scheduler.frame_drawn(5.001 * (k + 1));
  }
  EXPECT_FALSE(scheduler.should_draw(5.1, quiet));
  EXPECT_EQ(scheduler.frames_owed(), 0);
}

TEST(FrameScheduler, PlayingStepperDrawsAtTheAnimationRate) {
  FrameSchedulerConfig config;
  config.max_animation_fps = 60.0;
  FrameScheduler scheduler(config);
  FrameSignals playing;
  playing.animating = true;
  const int frames = simulate(scheduler, 0.0, 2.0, [&](double) { return playing; });
  // 60 frames/s for 2 s (+1: the first frame); never more.
  EXPECT_GE(frames, 110);
  EXPECT_LE(frames, 121);
  // Between two frames it sleeps the rest of the 1/60 s.
  scheduler.frame_drawn(10.0);
  EXPECT_FALSE(scheduler.should_draw(10.005, playing));
  EXPECT_NEAR(scheduler.wait_seconds(10.005, playing), 1.0 / 60.0 - 0.005, 1e-9);
}

TEST(FrameScheduler, TrainingDrawsOnePerNewVersionCappedAtTheDataRate) {
  FrameSchedulerConfig config;
  config.max_data_fps = 30.0;
  // Frames drawn in 10 s for a worker publishing `per_second` new snapshots a second.
  auto frames_for = [&](double per_second) {
    FrameScheduler scheduler(config);
    return simulate(scheduler, 0.0, 10.0, [per_second](double t) {
      FrameSignals s;
      s.data_version = static_cast<uint64_t>(t * per_second);
      return s;
    });
  };
  const int slow = frames_for(7.0);  // one frame per new snapshot
  EXPECT_GE(slow, 68);
  EXPECT_LE(slow, 72);
  const int fast = frames_for(500.0);  // capped at 30 frames per second
  EXPECT_GE(fast, 290);
  EXPECT_LE(fast, 301);
}

TEST(FrameScheduler, UnchangedVersionDrawsNothing) {
  FrameScheduler scheduler;
  FrameSignals s;
  s.data_version = 42;
  ASSERT_TRUE(scheduler.should_draw(0.0, s));
  scheduler.frame_drawn(0.0);
  EXPECT_FALSE(scheduler.should_draw(1.0, s));
  s.data_version = 43;
  EXPECT_TRUE(scheduler.should_draw(1.0, s));
}

// A slow periodic change (a cursor's blink, a spinner) draws one frame per period, counted from
// the last frame: the loop asks again after every wake-up, so "now + period" would never come.
TEST(FrameScheduler, RedrawEveryDrawsOnePerPeriod) {
  FrameScheduler scheduler;
  FrameSignals blink;
  blink.redraw_every = 0.5;
  const int frames = simulate(scheduler, 0.0, 10.0, [&](double) { return blink; });
  EXPECT_GE(frames, 19);  // the first, then one per 0.5 s
  EXPECT_LE(frames, 21);
}

TEST(FrameScheduler, LoadingTurnsTheSpinnerThenSettlesAsAfterInput) {
  FrameSchedulerConfig config;
  config.settle_frames = 2;
  FrameScheduler scheduler(config);
  // Loading for 2 s: the first frame, then one per loading_redraw_seconds (0.1 s).
  const int spinner = simulate(scheduler, 0.0, 2.0, [](double) {
    FrameSignals s;
    s.loading = true;
    return s;
  });
  EXPECT_GE(spinner, 19);
  EXPECT_LE(spinner, 21);
  // The load ends: the frame that shows it and two settling frames, then nothing at all.
  const int after = simulate(scheduler, 2.0, 12.0, [](double) { return FrameSignals{}; });
  EXPECT_EQ(after, 1 + config.settle_frames);
}

TEST(FrameScheduler, WakeRequestDrawsOneFrameAtItsTime) {
  FrameScheduler scheduler;
  scheduler.should_draw(0.0, {});
  scheduler.frame_drawn(0.0);
  FrameSignals blink;
  blink.wake_at = 0.53;
  EXPECT_FALSE(scheduler.should_draw(0.1, blink));
  EXPECT_NEAR(scheduler.wait_seconds(0.1, blink), 0.25, 1e-9);  // the idle poll is shorter
  EXPECT_NEAR(scheduler.wait_seconds(0.4, blink), 0.13, 1e-9);
  EXPECT_TRUE(scheduler.should_draw(0.53, blink));
}

}  // namespace
