// The completion panel: a placeholder until its issue is built (see all_panels() in panels.cpp).
#include "panels/panels.h"

namespace convt::panels {

void draw_completion_panel() { draw_placeholder(panel_info(PanelId::kCompletion)); }

}  // namespace convt::panels
