// The first draw of a panel whose data is slow to load (the Latent and Completion tabs): the
// load runs on another thread into a fresh state (lab::BackgroundLoad) while the tab shows a
// spinner, and the panel takes what it loaded when it is done. With load_in_background off
// (screenshots), it loads at once on this thread.
#pragma once

#include <memory>

#include "widgets/text.h"

namespace convt::panels {

// Cancel (beside the spinner) gives the load up and leaves a "Load now" button in the tab.
//
// `State` has `bool started, load_cancelled, load_in_background` and `lab::BackgroundLoad<
// std::shared_ptr<State>> loading`. `prepare(State& fresh)` copies into the fresh state what the
// load needs from `s` (e.g. a seed a lesson set); `load(State&)` loads; `take(State& s,
// State& loaded)` moves the results into `s`. Returns true while the load runs (the spinner is
// drawn: the caller draws nothing else this frame).
template <class State, class Prepare, class Load, class Take>
bool first_load(State& s, Prepare prepare, Load load, Take take, const char* what) {
  if (s.load_cancelled) {
    ImGui::Spacing();
    ImGui::Text("%s: cancelled.", what);
    if (ImGui::Button("Load now")) {
      s.load_cancelled = false;
      s.started = false;
    }
    return true;
  }
  if (!s.started && s.load_in_background) {
    s.started = true;
    auto fresh = std::make_shared<State>();
    prepare(*fresh);
    s.loading.start([fresh, load] {
      load(*fresh);
      return fresh;
    });
  } else if (!s.started) {
    load(s);
  }
  if (s.loading.busy()) {
    if (widgets::loading_note(what, s.loading.seconds())) {
      s.loading.cancel();  // the load runs to its end on its own thread and is thrown away
      s.load_cancelled = true;
    }
    return true;
  }
  if (s.loading.ready()) take(s, *s.loading.take());
  return false;
}

}  // namespace convt::panels
