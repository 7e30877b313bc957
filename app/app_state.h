// All of convt-lab's UI state, in one struct and without GL: model state (the numbers the
// panels compute on) apart from view-only state (which tab is open, what the mouse is over),
// and each panel's own state (app/logic). main.cpp owns the one AppState and hands each panel
// the parts it reads and writes; a panel reaches another's only through lab::Navigator
// (logic/navigator.h), which with main.cpp is the only code to include this header. The GL
// textures the panels keep live beside it in main.cpp.
#pragma once

#include "logic/cnn_model.h"           // CnnModel, CnnView
#include "logic/completion_state.h"    // CompletionState
#include "logic/experiments_model.h"   // ExperimentsState
#include "logic/formula_model.h"       // FormulaView
#include "logic/latent_state.h"        // LatentState
#include "logic/lessons_model.h"       // LessonsView
#include "logic/panel_table.h"         // PanelId, CameFrom
#include "logic/playground_model.h"    // PlaygroundModel, PlaygroundView
#include "logic/stepper_view.h"        // StepperView
#include "logic/training_dashboard.h"  // TrainingDashboard

namespace convt {

struct ModelState {
  lab::PlaygroundModel playground;
  lab::StepperModel stepper;
  lab::CnnModel cnn;
};

struct ViewState {
  lab::PanelId active_panel = lab::PanelId::kLessons;
  bool select_requested = true;  // select active_panel's tab on the next frame (start, menu)
  bool show_about = false;
  bool show_shortcuts = false;  // the F1 overlay
  int scale_percent = 100;      // UI scale: 100..250 (View menu, Ctrl+= / Ctrl+-)
  int theme = 0;                // 0 dark, 1 high contrast (View menu)
  lab::CameFrom came_from;      // the banner above a panel another panel opened
  lab::PlaygroundView playground;
  lab::StepperView stepper;
  lab::FormulaView formula;
  lab::LessonsView lessons;
  lab::CnnView cnn;
};

struct AppState {
  ModelState model;
  ViewState view;
  lab::LatentState latent;            // the latent explorer, model and view
  lab::TrainingDashboard training;    // the training dashboard; its worker stops first
  lab::CompletionState completion;    // the learn-to-complete CNN, tied vs untied
  lab::ExperimentsState experiments;  // FFNN vs GAN, blank canvas, RGB generators
};

}  // namespace convt
