// The panels of convt-lab as data, without GL: their ids, names and titles (the tabs, in order),
// and the banner a panel shows when another panel opened it. The panels themselves draw in
// app/panels/<name>.cpp; main.cpp shows them as tabs.
//
// To add a panel: add its id below and a row to the table in panel_table.cpp, write
// app/panels/<name>.cpp, and call it from draw_panel() in main.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace convt::lab {

enum class PanelId {
  kPlayground,
  kStepper,
  kFormula,
  kTraining,
  kLatent,
  kCompletion,
  kExperiments,
  kLessons,
  kCnn
};

struct PanelInfo {
  PanelId id;
  const char* name;     // command-line name: --panel playground
  const char* title;    // tab title
  const char* summary;  // one line: what the panel is (or will be)
  bool ready;           // false: a placeholder that says what will come
};

// All panels, in tab order.
const std::vector<PanelInfo>& all_panels();
// The row of `id`; throws std::logic_error for an id not in the table.
const PanelInfo& panel_info(PanelId id);
// The panel called `name` (as on the command line), if there is one.
std::optional<PanelId> find_panel(const std::string& name);
// "playground, stepper, formula, ..." for error messages.
std::string panel_names();

// Where the panel on screen was opened from, when another panel opened it (a lesson's Show me,
// the latent explorer's "Step through this"): main.cpp draws `text` in a banner above it with a
// "Back to ..." button. Dropped when the student leaves that panel or presses the button.
struct CameFrom {
  bool active = false;
  PanelId shown_on = PanelId::kLessons;  // the panel the banner belongs to
  PanelId back_to = PanelId::kLessons;   // where "Back" goes
  int lesson = -1;                       // with back_to kLessons: the lesson to reopen
  std::string text;                      // "Lesson 4, Show me: ...", "G layer 3, in channel ..."
  std::string button;                    // "Back to lesson 4", "Back to Latent"
};

}  // namespace convt::lab
