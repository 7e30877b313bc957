// The completion panel: the notes' learn-to-complete CNN, tied vs untied. What it shows is
// lab::CompletionState (app/logic/completion_state.h, no GL); this file draws it.
#pragma once

#include "gfx/heatmap_renderer.h"
#include "logic/completion_state.h"

namespace convt::panels {

void draw_completion_panel(lab::CompletionState& state, gfx::HeatmapRenderer& heatmaps);

}  // namespace convt::panels
