// The panels' own colours for the roles ImGui's style has no slot for (an error, a note, the
// current event, a banner), one set per theme of the View menu, so that every text stays
// readable on the theme's background.
#pragma once

#include <imgui.h>

namespace convt::widgets {

// The View menu's themes; the number is what settings.json stores.
enum class Theme { kDark = 0, kHighContrast = 1, kLight = 2 };

struct Palette {
  ImVec4 error;       // a refusal, a failed load, a diagnosis' title
  ImVec4 note;        // secondary explanations
  ImVec4 hint;        // hints under controls
  ImVec4 ok;          // a healthy verdict, a saved file
  ImVec4 accent;      // a lesson's question, the current event, a result, a banner's title
  ImVec4 formula;     // formulas in the lessons
  ImVec4 good;        // a check that passed
  ImVec4 caution;     // a lesson's warning note
  ImVec4 banner_bg;   // the "Back to ..." banner, the lessons' formula box
  ImVec4 saved_bg;    // the saved-run banner
  ImU32 plot_bg;      // a plot's background
  ImU32 plot_grid;    // plot grid lines
  ImU32 plot_cursor;  // the vertical line under the mouse in a plot
};

// The palette of the current theme (dark until set_theme is called).
const Palette& palette();
void set_theme(Theme theme);
Theme theme();

}  // namespace convt::widgets
