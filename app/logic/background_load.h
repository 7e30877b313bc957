// BackgroundLoad<T>: slow work (reading a checkpoint, decoding the digits) on its own thread, so
// the window keeps drawing (a spinner, the other tabs) instead of freezing on the old screen.
//
//   first draw:   load.start([] { ...; return T; })      the work runs on a new thread
//   each draw:    if (load.busy()) { draw a spinner; return; }
//                 if (load.ready()) use(load.take());     once, on the UI thread
//
// The work must not touch ImGui, GL or anything the UI thread uses: it builds a fresh T and
// returns it. An exception in the work is rethrown by take(). GL-free (std::async).
#pragma once

#include <chrono>
#include <future>
#include <utility>

namespace convt::lab {

template <class T>
class BackgroundLoad {
 public:
  // Starts `work` (a callable returning T) on its own thread. Nothing happens if one is running.
  template <class Work>
  void start(Work work) {
    if (future_.valid()) return;
    started_ = std::chrono::steady_clock::now();
    future_ = std::async(std::launch::async, std::move(work));
  }
  // True while the work runs (not yet taken).
  bool busy() const {
    return future_.valid() &&
           future_.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
  }
  // True once the work has finished and its result was not yet taken.
  bool ready() const {
    return future_.valid() &&
           future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  // The result (waits if still busy); rethrows the work's exception. Call once per start().
  T take() { return future_.get(); }
  // Seconds since start() (for a spinner's phase or "3 s so far").
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::future<T> future_;
  std::chrono::steady_clock::time_point started_{};
};

}  // namespace convt::lab
