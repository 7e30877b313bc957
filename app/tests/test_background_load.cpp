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

}  // namespace
