// The lessons panel: its draw function. The lessons themselves (text, formulas, targets) are
// lab::lessons() in app/logic/lessons_model.h; a Show me is a request to lab::Navigator
// (app/logic/navigator.h), which sets up the target panel.
#pragma once

#include "logic/lessons_model.h"
#include "logic/navigator.h"

namespace convt::panels {

void draw_lessons_panel(lab::LessonsView& view, lab::Navigator& nav);

}  // namespace convt::panels
