// The lessons panel: its draw function and apply_show_me(), which puts
// another panel into the state a lesson's "Show me" asks for. The lessons themselves (text,
// formulas, targets) are lab::lessons() in app/logic/lessons_model.h.
#pragma once

#include <string>

#include "logic/lessons_model.h"

namespace convt {
struct AppState;
}

namespace convt::panels {

// Applies lessons()[lesson].show_me[index] to `state`: switches the active tab to the target panel
// and sets that panel's preset, step and selection (stepper), parameters and network table
// (formula), form and run (training: a run in progress is first saved to its checkpoint), seed
// (latent). Returns false, with `note` saying why, when the target panel does not exist in this
// build; the state is then unchanged. Throws std::out_of_range for a bad lesson or index.
// Needs no GL context (the tests call it on a bare AppState).
bool apply_show_me(AppState& state, int lesson, int index, std::string* note = nullptr);

void draw_lessons_panel(AppState& state);

// Screenshot mode after --show-me: false (after a 30 ms sleep) while a Show me's training command
// is still being carried out (a run loading, or its Step A), so the picture shows its result.
bool lessons_screenshot_ready(const AppState& state);

}  // namespace convt::panels
