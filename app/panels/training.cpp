// The training panel: a placeholder until its issue is built (see all_panels() in panels.cpp).
#include "panels/panels.h"

namespace convt::panels {

void draw_training_panel() { draw_placeholder(panel_info(PanelId::kTraining)); }

}  // namespace convt::panels
