// The panels of convt-lab: one free function per panel, each in app/panels/<name>.cpp, taking
// the state it reads and writes. main.cpp shows them as tabs.
//
// To add a panel: add its id below and a row to the table in panels.cpp, write
// app/panels/<name>.cpp, and call it from draw_panel() in main.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "panels/playground_model.h"
#include "panels/stepper_panels.h"  // draw_stepper_panel, draw_formula_panel

namespace convt::panels {

enum class PanelId {
  kPlayground,
  kStepper,
  kFormula,
  kTraining,
  kLatent,
  kCompletion,
  kExperiments,
  kLessons
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

// ---- View-only state of the playground (what the mouse is over), apart from its model --------
struct PlaygroundView {
  enum class Grid { kNone, kInput, kKernel, kCanvas, kOutput };
  Grid hovered_grid = Grid::kNone;  // last frame's hover, drawn this frame
  int hovered_row = -1, hovered_col = -1;
  int input_preset = 0, kernel_preset = 0;
};

// ---- Panels ------------------------------------------------------------------------------------
// The transposed-convolution playground (playground.cpp).
void draw_playground_panel(PlaygroundModel& model, PlaygroundView& view,
                           gfx::HeatmapRenderer& heatmaps);

// The latent explorer: draw_latent_panel in panels/latent_panel.h.

// The training dashboard: draw_training_panel in panels/training_panel.h.

// The completion panel: draw_completion_panel in panels/completion_panel.h.

// Other generators (FFNN vs GAN, blank canvas, RGB): draw_experiments_panel in
// panels/experiments_panel.h.

// The lessons: draw_lessons_panel in panels/lessons_panel.h.

// A placeholder panel (none left; kept for panels still to come) says in one line what it
// will be.

// The text every placeholder shows (placeholder.cpp).
void draw_placeholder(const PanelInfo& info);

}  // namespace convt::panels
