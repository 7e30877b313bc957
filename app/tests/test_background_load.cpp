// BackgroundLoad (app/logic/background_load.h): the work runs on another thread while the caller
// goes on; its result (or exception) is taken once.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "logic/background_load.h"

namespace {

using convt::lab::BackgroundLoad;

TEST(BackgroundLoad, RunsElsewhereWhileTheCallerGoesOn) {
  std::atomic<bool> release{false};
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id worker;
  BackgroundLoad<std::unique_ptr<int>> load;
  EXPECT_FALSE(load.busy());
  EXPECT_FALSE(load.ready());
  load.start([&] {
    worker = std::this_thread::get_id();
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return std::make_unique<int>(42);
  });
  // The caller is not blocked: the work waits for it.
  EXPECT_TRUE(load.busy());
  EXPECT_FALSE(load.ready());
  release = true;
  for (int i = 0; i < 5000 && !load.ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(load.ready());
  EXPECT_FALSE(load.busy());
  EXPECT_NE(worker, caller);
  EXPECT_EQ(*load.take(), 42);
  EXPECT_FALSE(load.ready());  // taken once
}

TEST(BackgroundLoad, RethrowsTheWorksError) {
  BackgroundLoad<int> load;
  load.start([]() -> int { throw std::runtime_error("no such checkpoint"); });
  EXPECT_THROW(
      {
        try {
          load.take();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "no such checkpoint");
          throw;
        }
      },
      std::runtime_error);
}

TEST(BackgroundLoad, CancelReturnsAtOnceAndTheWorkSeesTheFlag) {
  std::atomic<bool> saw_cancel{false};
  BackgroundLoad<int> load;
  load.start([&](const convt::lab::CancelFlag& cancelled) {
    while (!cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    saw_cancel = true;
    return 1;
  });
  EXPECT_TRUE(load.busy());
  load.cancel();
  // The caller is free at once: nothing runs, nothing waits to be taken.
  EXPECT_FALSE(load.busy());
  EXPECT_FALSE(load.ready());
  for (int i = 0; i < 5000 && !saw_cancel; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(saw_cancel);
  // A new start runs and its own result is the one taken.
  load.start([] { return 2; });
  EXPECT_EQ(load.take(), 2);
}

TEST(BackgroundLoad, ACancelledWorkThatCannotStopIsThrownAway) {
  std::atomic<bool> release{false};
  BackgroundLoad<int> load;
  load.start([&] {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return 1;
  });
  load.cancel();
  load.start([] { return 3; });  // while the first one still runs
  for (int i = 0; i < 5000 && !load.ready(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(load.ready());
  EXPECT_EQ(load.take(), 3);
  release = true;  // the destructor then waits for the first work to end
}

TEST(BackgroundLoad, TheDestructorStopsAWorkThatTakesTheFlag) {
  std::atomic<bool> stopped{false};
  {
    BackgroundLoad<int> load;
    load.start([&](const convt::lab::CancelFlag& cancelled) {
      while (!cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      stopped = true;
      return 0;
    });
  }  // would never return if the flag were not set
  EXPECT_TRUE(stopped);
}

}  // namespace
