// BackgroundLoad<T>: slow work (reading a checkpoint, decoding the digits) on its own thread, so
// the window keeps drawing (a spinner, the other tabs) instead of freezing on the old screen.
//
//   first draw:   load.start([] { ...; return T; })      the work runs on a new thread
//   each draw:    if (load.busy()) { draw a spinner and a Cancel button; return; }
//                 if (load.ready()) use(load.take());     once, on the UI thread
//   Cancel:       load.cancel()                           the caller goes on at once
//
// A work that can stop early takes the cancel flag: start([](const CancelFlag& cancelled) {...})
// and returns (anything) or throws once `cancelled` is true; its result is never taken. A
// cancelled work that cannot stop early runs to its end on its own thread and is thrown away;
// the destructor waits for it (it owns what it reads, so nothing it uses goes away first).
//
// The work must not touch ImGui, GL or anything the UI thread uses: it builds a fresh T and
// returns it. An exception in the work is rethrown by take(). GL-free (std::async).
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <memory>
#include <type_traits>
#include <utility>

namespace convt::lab {

// True once the caller has cancelled the work (BackgroundLoad::cancel).
using CancelFlag = std::atomic<bool>;

template <class T>
class BackgroundLoad {
 public:
  BackgroundLoad() = default;
  BackgroundLoad(BackgroundLoad&&) noexcept = default;
  BackgroundLoad& operator=(BackgroundLoad&&) noexcept = default;
  // Waits for the works still running, after telling them to stop (their CancelFlag).
  ~BackgroundLoad() {
    if (cancelled_) cancelled_->store(true);
    for (auto& f : abandoned_) f.wait();
  }

  // Starts `work` (a callable returning T, with no argument or a `const CancelFlag&`) on its own
  // thread. Nothing happens if one is running.
  template <class Work>
  void start(Work work) {
    if (future_.valid()) return;
    drop_finished_abandoned();
    started_ = std::chrono::steady_clock::now();
    auto flag = std::make_shared<CancelFlag>(false);
    cancelled_ = flag;
    if constexpr (std::is_invocable_v<Work, const CancelFlag&>) {
      future_ = std::async(std::launch::async,
                           [flag, work = std::move(work)]() mutable { return work(*flag); });
    } else {
      future_ = std::async(std::launch::async, std::move(work));
    }
  }
  // True while the work runs (not yet taken, not cancelled).
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
  // Gives up the running work: busy() and ready() are false at once, its result (or error) is
  // never taken, and the work sees its CancelFlag set. start() may be called again right away.
  void cancel() {
    if (!future_.valid()) return;
    if (cancelled_) cancelled_->store(true);
    abandoned_.push_back(std::move(future_));
    future_ = std::future<T>();
    drop_finished_abandoned();
  }
  // Seconds since start() (for a spinner's phase or "3 s so far").
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  void drop_finished_abandoned() {
    abandoned_.remove_if([](const std::future<T>& f) {
      return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
  }

  std::future<T> future_;
  std::shared_ptr<CancelFlag> cancelled_;
  std::list<std::future<T>> abandoned_;  // cancelled works still running (joined on destruction)
  std::chrono::steady_clock::time_point started_{};
};

}  // namespace convt::lab
