// convt-lab: ConvT Lab's one executable.
//   convt-lab op ... | shape ...          command-line subcommands, no display (app/cli/)
//   convt-lab [--panel NAME]              the window
//   convt-lab --screenshot FILE [...]     render headless, write a PNG, exit (gui_options.h)
//
// The GUI follows Dear ImGui's example_glfw_opengl3/main.cpp: init (GLFW, GL 3.3 core, glad,
// ImGui), loop (poll, new frame, panels, render, swap), shutdown in reverse.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <glad/gl.h>  // GL itself; GLFW_INCLUDE_NONE (app/CMakeLists.txt) keeps GLFW off GL headers
#include <imgui.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "animate_command.h"
#include "animation_job.h"
#include "app_state.h"
#include "cli/cli.h"
#include "gfx/heatmap_renderer.h"
#include "gfx/screenshot.h"
#include "gui_options.h"
#include "logic/frame_scheduler.h"
#include "logic/navigator.h"
#include "logic/settings.h"
#include "logic/stepper_model.h"
#include "panels/cnn_panel.h"
#include "panels/completion_panel.h"
#include "panels/experiments_panel.h"
#include "panels/latent_panel.h"
#include "panels/lessons_panel.h"
#include "panels/panels.h"
#include "panels/stepper_panels.h"
#include "panels/training_panel.h"
#include "widgets/layout_check.h"
#include "widgets/palette.h"
#include "widgets/style.h"

namespace {

constexpr int kWindowWidth = 1280;
constexpr int kWindowHeight = 800;

void glfw_error_callback(int error, const char* description) {
  std::fprintf(stderr, "convt-lab: GLFW error %d: %s\n", error, description);
}

// ---- Input seen, for the frame scheduler (logic/frame_scheduler.h) ----------------------------
// GLFW calls these from glfwPollEvents / glfwWaitEventsTimeout on this thread. They are installed
// before ImGui's backend, which keeps and calls them after its own (mouse buttons, scroll, keys,
// characters, focus, cursor enter); ImGui 1.86 reads the cursor position itself each frame, so
// motion, resizing and exposure are counted here only.
std::atomic<int> g_input_events{0};
void count_input() { g_input_events.fetch_add(1, std::memory_order_relaxed); }

void install_input_counters(GLFWwindow* window) {
  glfwSetCursorPosCallback(window, [](GLFWwindow*, double, double) { count_input(); });
  glfwSetCursorEnterCallback(window, [](GLFWwindow*, int) { count_input(); });
  glfwSetMouseButtonCallback(window, [](GLFWwindow*, int, int, int) { count_input(); });
  glfwSetScrollCallback(window, [](GLFWwindow*, double, double) { count_input(); });
  glfwSetKeyCallback(window, [](GLFWwindow*, int, int, int, int) { count_input(); });
  glfwSetCharCallback(window, [](GLFWwindow*, unsigned int) { count_input(); });
  glfwSetWindowFocusCallback(window, [](GLFWwindow*, int) { count_input(); });
  glfwSetFramebufferSizeCallback(window, [](GLFWwindow*, int, int) { count_input(); });
  glfwSetWindowRefreshCallback(window, [](GLFWwindow*) { count_input(); });
  glfwSetWindowIconifyCallback(window, [](GLFWwindow*, int) { count_input(); });
}

using convt::lab::steady_seconds;

// What the scheduler needs to know about the app this iteration (besides input).
convt::lab::FrameSignals frame_signals(const convt::AppState& state) {
  convt::lab::FrameSignals s;
  s.input = g_input_events.exchange(0) > 0;
  // The training worker publishes a new snapshot after every step and wakes the loop
  // (set_publish_listener below); one frame shows it.
  if (const auto* session = state.training.session.get()) s.data_version = session->version();
  const ImGuiIO& io = ImGui::GetIO();
  // Moving on their own: a playing stepper; a mouse button held (ImGui repeats a held +/- button
  // and scrolls a held scrollbar arrow without any new event).
  const bool stepper_playing =
      state.view.active_panel == convt::lab::PanelId::kStepper && state.view.stepper.playing;
  s.animating = stepper_playing || ImGui::IsAnyMouseDown();
  // A text field being edited: its cursor blinks (ImGui's blink half-period is about 0.6 s).
  if (io.WantTextInput) s.redraw_every = 0.5;
  // A panel loading on another thread: its spinner turns, and a frame takes the result.
  s.loading = convt::lab::latent_working(state.latent) || state.completion.loading.busy() ||
              state.completion.loading.ready();
  // An animation export under way: a few frames of it per loop iteration.
  for (const convt::lab::AnimationExport* e :
       {&state.view.stepper.animation, &state.training.animation, &state.view.formula.animation,
        &state.latent.animation}) {
    if (e->pending || e->progress.running) s.loading = true;
  }
  // The CNN panel's "Train it live": its curve and kernels move (a frame takes each snapshot).
  const auto& live = state.model.cnn.inside.live;
  if (live && (live->running() || live->version() != state.model.cnn.inside.live_taken)) {
    s.loading = true;
  }
  return s;
}

using convt::widgets::apply_ui_scale;
using convt::widgets::Theme;

// The UI scales the View menu and Ctrl+= / Ctrl+- step through, in percent.
constexpr int kScales[] = {100, 125, 150, 175, 200, 250};

int next_scale(int percent, int direction) {
  if (direction > 0) {
    for (int s : kScales)
      if (s > percent) return s;
    return kScales[std::size(kScales) - 1];
  }
  for (int i = static_cast<int>(std::size(kScales)) - 1; i >= 0; --i)
    if (kScales[i] < percent) return kScales[i];
  return kScales[0];
}

void draw_main_menu(convt::AppState& state, convt::lab::Navigator& nav, GLFWwindow* window) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("ConvT Lab")) {
    if (ImGui::MenuItem("Keyboard shortcuts", "F1")) state.view.show_shortcuts = true;
    if (ImGui::MenuItem("About")) state.view.show_about = true;
    if (ImGui::MenuItem("Quit", "Esc")) glfwSetWindowShouldClose(window, GLFW_TRUE);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (int percent : kScales) {
      const std::string label = std::to_string(percent) + "%";
      const char* shortcut = percent == 100 ? "Ctrl+0" : nullptr;
      if (ImGui::MenuItem(label.c_str(), shortcut, state.view.scale_percent == percent)) {
        state.view.scale_percent = percent;
      }
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Dark theme", nullptr, state.view.theme == 0)) state.view.theme = 0;
    if (ImGui::MenuItem("Light theme", nullptr, state.view.theme == 2)) state.view.theme = 2;
    if (ImGui::MenuItem("High-contrast theme", nullptr, state.view.theme == 1)) {
      state.view.theme = 1;
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Larger", "Ctrl+=")) {
      state.view.scale_percent = next_scale(state.view.scale_percent, +1);
    }
    if (ImGui::MenuItem("Smaller", "Ctrl+-")) {
      state.view.scale_percent = next_scale(state.view.scale_percent, -1);
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Panels")) {
    int number = 0;
    for (const auto& p : convt::lab::all_panels()) {
      const std::string shortcut = "Ctrl+" + std::to_string(++number);
      if (ImGui::MenuItem(p.title, shortcut.c_str(), state.view.active_panel == p.id)) {
        nav.open_panel(p.id);
      }
    }
    ImGui::EndMenu();
  }
  // The tagline at the right end, when it fits beside the menus.
  const char* tagline = "transposed convolution and GANs, from the loops up";
  const float tagline_x = ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(tagline).x -
                          ImGui::GetStyle().ItemSpacing.x;
  if (tagline_x > ImGui::GetCursorPosX()) {
    ImGui::SameLine(tagline_x);
    ImGui::TextDisabled("%s", tagline);
  }
  ImGui::EndMainMenuBar();
}

void draw_about(convt::AppState& state) {
  if (state.view.show_about) {
    ImGui::OpenPopup("About ConvT Lab");
    state.view.show_about = false;
  }
  if (ImGui::BeginPopupModal("About ConvT Lab", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted(
        "ConvT Lab: see what a transposed convolution does, one number at a time.");
    ImGui::TextDisabled("Every number comes from the core library's plain loops (core/).");
    ImGui::Text("Dear ImGui %s, OpenGL %s", IMGUI_VERSION,
                reinterpret_cast<const char*>(glGetString(GL_VERSION)));
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

// The GL textures the panels keep between frames (their state proper is GL-free, in AppState):
// made and destroyed while the GL context is current.
struct PanelTextures {
  convt::panels::TrainingTextures training;
  convt::panels::ExperimentsTextures experiments;
  convt::panels::LatentTextures latent;
  convt::panels::CnnTextures cnn;
};

void draw_panel(convt::lab::PanelId id, convt::AppState& state, convt::lab::Navigator& nav,
                PanelTextures& textures, convt::gfx::HeatmapRenderer& heatmaps) {
  using convt::lab::PanelId;
  switch (id) {
    case PanelId::kPlayground:
      convt::panels::draw_playground_panel(state.model.playground, state.view.playground, heatmaps);
      break;
    case PanelId::kStepper:
      convt::panels::draw_stepper_panel(state.model.stepper, state.view.stepper, heatmaps);
      break;
    case PanelId::kFormula:
      convt::panels::draw_formula_panel(state.view.formula);
      break;
    case PanelId::kTraining:
      convt::panels::draw_training_panel(state.training, textures.training, heatmaps, nav);
      break;
    case PanelId::kLatent:
      convt::panels::draw_latent_panel(state.latent, textures.latent, heatmaps, nav);
      break;
    case PanelId::kCompletion:
      convt::panels::draw_completion_panel(state.completion, heatmaps);
      break;
    case PanelId::kExperiments:
      convt::panels::draw_experiments_panel(state.experiments, textures.experiments, heatmaps);
      break;
    case PanelId::kLessons:
      convt::panels::draw_lessons_panel(state.view.lessons, nav);
      break;
    case PanelId::kCnn:
      convt::panels::draw_cnn_panel(state.model.cnn, state.view.cnn, textures.cnn, heatmaps, nav);
      break;
  }
}

// The banner above a panel that another panel opened: where it came from, and a way back.
void draw_came_from(convt::ViewState& view, convt::lab::Navigator& nav) {
  convt::lab::CameFrom& back = view.came_from;
  if (!back.active) return;
  if (view.active_panel != back.shown_on) {  // the student went elsewhere
    back.active = false;
    return;
  }
  ImGui::PushStyleColor(ImGuiCol_ChildBg, convt::widgets::palette().banner_bg);
  const float height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().WindowPadding.y;
  ImGui::BeginChild("came_from", ImVec2(0.0f, height), false, ImGuiWindowFlags_NoScrollbar);
  ImGui::SetCursorPos(
      ImVec2(ImGui::GetStyle().WindowPadding.x * 0.5f, ImGui::GetStyle().WindowPadding.y * 0.5f));
  if (ImGui::Button(back.button.c_str())) nav.go_back();
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(back.text.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", back.text.c_str());
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

// F1: the keys of the window and of the panel on screen.
void draw_shortcuts(convt::ViewState& view) {
  if (view.show_shortcuts) {
    ImGui::OpenPopup("Keyboard shortcuts");
    view.show_shortcuts = false;
  }
  if (!ImGui::BeginPopupModal("Keyboard shortcuts", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    return;
  }
  auto row = [](const char* keys, const char* what) {
    ImGui::TextColored(convt::widgets::palette().accent, "%s", keys);
    ImGui::SameLine(ImGui::GetFontSize() * 11.0f);
    ImGui::TextUnformatted(what);
  };
  ImGui::TextDisabled("EVERYWHERE");
  row("Ctrl+1 .. Ctrl+9", "open the tabs, left to right");
  row("Ctrl+= / Ctrl+-", "larger / smaller (UI scale 100% .. 250%)");
  row("Ctrl+0", "UI scale 100%");
  row("F1", "this list");
  row("Esc", "close a popup; else quit (a training run is saved first)");
  row("Tab", "next text field");
  if (view.active_panel == convt::lab::PanelId::kStepper) {
    ImGui::Spacing();
    ImGui::TextDisabled("STEPPER (when no text field is being edited)");
    row("Space", "play / pause");
    row("Left / Right", "one event back / forward");
    row("Shift+Left / Right", "one input pixel (one window) back / forward");
    row("Home / End", "the first / the last event");
    row("+ / -", "faster / slower (x1.5)");
  }
  if (view.active_panel == convt::lab::PanelId::kTraining) {
    ImGui::Spacing();
    ImGui::TextDisabled("TRAINING");
    row("Ctrl+S", "save the checkpoint (to the path in the Checkpoint field)");
  }
  ImGui::Spacing();
  if (ImGui::Button("Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// Window-wide keys: Ctrl+1..9 open the tabs (through the navigator, as the Panels menu does),
// Ctrl+= / Ctrl+- / Ctrl+0 the UI scale, F1 the shortcut list (none while typing).
void handle_window_keys(convt::ViewState& view, convt::lab::Navigator& nav) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) view.show_shortcuts = true;
  if (!io.KeyCtrl) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)) {
    view.scale_percent = next_scale(view.scale_percent, +1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)) {
    view.scale_percent = next_scale(view.scale_percent, -1);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_0, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_0, false)) {
    view.scale_percent = 100;
  }
  const auto& panels = convt::lab::all_panels();
  for (size_t i = 0; i < panels.size() && i < 9; ++i) {
    if (ImGui::IsKeyPressed(GLFW_KEY_1 + static_cast<int>(i), false)) nav.open_panel(panels[i].id);
  }
}

// One full-window ImGui window under the menu bar, holding the panels' tab bar.
void draw_frame(convt::AppState& state, convt::lab::Navigator& nav, PanelTextures& textures,
                convt::gfx::HeatmapRenderer& heatmaps, GLFWwindow* window) {
  draw_main_menu(state, nav, window);
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  // Scroll bars (both ways) where a panel is larger than a small window: nothing out of reach.
  const ImGuiWindowFlags flags =
      ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
      ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
      ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_HorizontalScrollbar;
  if (ImGui::Begin("ConvT Lab##main", nullptr, flags)) {
    if (ImGui::BeginTabBar("panels")) {
      // A request made before this frame (menu, start) selects its tab now; one a panel makes
      // while drawing (the latent panel's "Step through this") is kept for the next frame.
      const bool select = state.view.select_requested;
      state.view.select_requested = false;
      for (const auto& p : convt::lab::all_panels()) {
        ImGuiTabItemFlags tab_flags = 0;
        if (select && state.view.active_panel == p.id) tab_flags |= ImGuiTabItemFlags_SetSelected;
        if (ImGui::BeginTabItem(p.title, nullptr, tab_flags)) {
          if (!select && !state.view.select_requested) state.view.active_panel = p.id;
          ImGui::Spacing();
          draw_came_from(state.view, nav);
          draw_panel(p.id, state, nav, textures, heatmaps);
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
  draw_about(state);
  draw_shortcuts(state.view);
}

// --cnn-train-live T: starts "Train it live" and waits (before the first frame, for
// screenshots) until the run has trained `seconds` or finished; selects its tab.
void train_cnn_classifier_live(double seconds, convt::lab::InsideModel& m,
                               convt::lab::InsideView& v) {
  if (!m.start_live()) {
    std::fprintf(stderr, "convt-lab: --cnn-train-live: %s\n", m.classifier_error.c_str());
    return;
  }
  while (m.live->running() && m.live->snapshot()->seconds < seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  m.take_live();
  v.select_tab = 1;
}

// The CNN panel's --cnn-view classifier, --cnn-d FILE, --cnn-train-live T and --cnn-select N:L[:C]
// (checked by parse_gui_options); --picture digit:N picks the classifier's digit too. A selection
// outside the networks is reported on stderr and ignored.
// The lessons' exercises: their seed (--exercise-seed; a random one interactively, 1 for a
// screenshot, which must render the same every time), the kept progress (not for screenshots),
// and --exercise K [--answer TEXT]. Returns false after printing why when --answer does not fit
// the exercise.
bool open_exercise(const convt::GuiOptions& options, convt::lab::LessonsView& lessons) {
  namespace lab = convt::lab;
  const uint64_t seed = options.exercise_seed >= 0 ? static_cast<uint64_t>(options.exercise_seed)
                        : options.screenshot()     ? 1u
                                                   : std::random_device{}();
  lessons.exercises =
      lab::ExerciseSession(seed, options.screenshot() ? "" : lab::exercise_progress_path());
  if (!lessons.exercises.message().empty()) {
    std::fprintf(stderr, "convt-lab: %s\n", lessons.exercises.message().c_str());
  }
  if (options.exercise < 0) return true;
  lessons.exercises.open(options.lesson, options.exercise);
  lessons.scroll_to_exercise = true;
  if (!lessons.exercises.has_exercise()) {  // an asset is missing: the panel says which
    std::fprintf(stderr, "convt-lab: --exercise: %s\n", lessons.exercises.message().c_str());
    return options.answer.empty();
  }
  if (options.answer.empty()) return true;
  try {
    lessons.exercises.answer() = lab::parse_answer(lessons.exercises.exercise(), options.answer);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "convt-lab: --answer: %s\n", e.what());
    return false;
  }
  lessons.exercises.submit();
  const auto& feedback = lessons.exercises.feedback();
  std::fprintf(stderr, "convt-lab: --answer: %s\n",
               feedback ? feedback->verdict.c_str() : lessons.exercises.message().c_str());
  return true;
}

void apply_cnn_classifier_options(const convt::GuiOptions& options, convt::AppState& state) {
  if (!options.cnn_classifier) return;
  convt::lab::InsideModel& m = state.model.cnn.inside;
  convt::lab::InsideView& v = state.view.cnn.inside;
  state.view.cnn.section = convt::lab::CnnSection::kClassifier;
  if (!options.cnn_d.empty()) m.d_path = options.cnn_d;
  if (options.picture.rfind("digit:", 0) == 0) m.digit = std::stoi(options.picture.substr(6));
  m.load();
  if (!m.classifier_error.empty())
    std::fprintf(stderr, "convt-lab: %s\n", m.classifier_error.c_str());
  if (!options.cnn_d.empty() && !m.d_error.empty()) {
    std::fprintf(stderr, "convt-lab: --cnn-d: %s\n", m.d_error.c_str());
  }
  if (options.cnn_train_live >= 0.0) train_cnn_classifier_live(options.cnn_train_live, m, v);
  if (options.select_network < 0) return;
  const convt::lab::NetworkInside& net = options.select_network == 0 ? m.cls : m.d;
  if (options.select_layer >= static_cast<int>(net.layers.size())) {
    std::fprintf(stderr, "convt-lab: --cnn-select: the network shows %zu map rows\n",
                 net.layers.size());
    return;
  }
  const convt::lab::LayerMaps& row = net.layers[static_cast<size_t>(options.select_layer)];
  if (options.select_channel >= row.channels()) {
    std::fprintf(stderr, "convt-lab: --cnn-select: that row has %d channels\n", row.channels());
    return;
  }
  v.network = options.select_network;
  v.layer = options.select_layer;
  v.channel = options.select_channel >= 0 ? options.select_channel : row.order.front();
}

// ---- Start-up ------------------------------------------------------------------------------

// The settings kept from the last run fill in what the command line left open: the window's
// size, the UI scale, the theme, and the tab unless the command line opens something else.
// Not for screenshots (`remember` false): those render the same for everyone.
convt::lab::AppSettings load_remembered_settings(const std::string& settings_file,
                                                 convt::GuiOptions& options) {
  std::vector<std::string> warnings;
  convt::lab::AppSettings settings = convt::lab::load_settings(settings_file, &warnings);
  for (const std::string& w : warnings)
    std::fprintf(stderr, "convt-lab: settings: %s\n", w.c_str());
  if (options.width == 0) {
    options.width = settings.window_width;
    options.height = settings.window_height;
  }
  if (options.scale_percent == 0) options.scale_percent = settings.scale_percent;
  if (options.theme < 0) options.theme = settings.theme;
  const bool opens_elsewhere = options.panel_given || options.show_me_lesson >= 0 ||
                               options.lesson >= 0 || !options.preset.empty() ||
                               !options.kernel.empty() || !options.picture.empty() ||
                               !options.latent_checkpoint.empty();
  if (!opens_elsewhere) {
    if (auto id = convt::lab::find_panel(settings.panel)) options.panel = *id;
  }
  return settings;
}

// For the next run: this window size, scale, theme, tab and stepper setting.
void save_remembered_settings(GLFWwindow* window, const convt::AppState& state,
                              convt::lab::AppSettings settings, const std::string& settings_file) {
  int w = 0, h = 0;
  glfwGetWindowSize(window, &w, &h);
  if (w >= 640 && h >= 480) {  // not when closed minimised (0 x 0)
    settings.window_width = w;
    settings.window_height = h;
  }
  settings.scale_percent = state.view.scale_percent;
  settings.theme = state.view.theme;
  settings.panel = convt::lab::panel_info(state.view.active_panel).name;
  const auto& presets = convt::lab::stepper_presets();
  const int index = state.view.stepper.preset_index;
  settings.stepper_preset =
      index >= 0 && index < static_cast<int>(presets.size()) ? presets[index].name : "";
  settings.stepper_speed = state.view.stepper.events_per_second;
  const std::string failed = convt::lab::save_settings(settings_file, settings);
  if (!failed.empty()) std::fprintf(stderr, "convt-lab: settings not saved: %s\n", failed.c_str());
}

// GLFW, a window with an OpenGL 3.3 core context, glad. Returns nullptr after saying why on
// stderr (GLFW is then terminated).
GLFWwindow* open_window(const convt::GuiOptions& options) {
  glfwSetErrorCallback(glfw_error_callback);
  if (!glfwInit()) {
    std::fprintf(stderr,
                 "convt-lab: cannot open a window: GLFW failed to initialise (no display?). "
                 "---> HINT: run under xvfb-run -a -s '-screen 0 1280x800x24'\n");
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  if (options.screenshot()) glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
  const int width = options.width > 0 ? options.width : kWindowWidth;
  const int height = options.height > 0 ? options.height : kWindowHeight;
  GLFWwindow* window = glfwCreateWindow(width, height, "ConvT Lab", nullptr, nullptr);
  if (window == nullptr) {
    std::fprintf(stderr,
                 "convt-lab: cannot create a %dx%d window with an OpenGL 3.3 core context\n", width,
                 height);
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  if (gladLoadGL(glfwGetProcAddress) == 0) {
    std::fprintf(stderr, "convt-lab: glad could not load the OpenGL 3.3 functions\n");
    glfwDestroyWindow(window);
    glfwTerminate();
    return nullptr;
  }
  glfwSwapInterval(options.screenshot() ? 0 : 1);
  return window;
}

void init_imgui(GLFWwindow* window) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; leave no imgui.ini in the working directory
  // ImGuiConfigFlags_NavEnableKeyboard stays off: keyboard navigation would move a focus frame
  // with the arrows and "press" the focused widget with Space, which the stepper uses to step
  // and play. Tab still moves between fields.
  install_input_counters(window);  // before ImGui's backend, which chains to them
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
}

// The CNN panel's --picture digit:N | emoji:N | fashion:N | FILE, with --gray.
void apply_picture_option(const convt::GuiOptions& options, convt::AppState& state) {
  convt::lab::CnnModel& cnn = state.model.cnn;
  const std::string& spec = options.picture;
  cnn.keep_rgb = !options.gray;
  if (spec.rfind("digit:", 0) == 0) {
    cnn.source = convt::lab::CnnSource::kDigit;
    cnn.digit = std::stoi(spec.substr(6));
  } else if (spec.rfind("emoji:", 0) == 0) {
    cnn.source = convt::lab::CnnSource::kEmoji;
    cnn.emoji = std::stoi(spec.substr(6));
  } else if (spec.rfind("fashion:", 0) == 0) {
    cnn.source = convt::lab::CnnSource::kFashion;
    cnn.fashion = std::stoi(spec.substr(8));
  } else {
    cnn.source = convt::lab::CnnSource::kFile;
    cnn.file_path = spec;
    std::snprintf(state.view.cnn.path_field, sizeof state.view.cnn.path_field, "%s", spec.c_str());
  }
  cnn.load_picture();
  if (!cnn.picture_error.empty()) {
    std::fprintf(stderr, "convt-lab: --picture: %s\n", cnn.picture_error.c_str());
  }
}

// The stepper's --preset / --step (else the remembered preset and speed), the CNN panel's
// --kernel and --picture (checked by parse_gui_options).
void apply_stepper_and_cnn_options(const convt::GuiOptions& options,
                                   const convt::lab::AppSettings* remembered,
                                   convt::AppState& state) {
  std::string preset = options.preset;
  if (preset.empty() && remembered && convt::lab::find_preset(remembered->stepper_preset)) {
    preset = remembered->stepper_preset;
  }
  convt::lab::stepper_load_preset(state.model.stepper, state.view.stepper,
                                  preset.empty() ? "notes" : preset);
  if (remembered && options.preset.empty() && remembered->stepper_speed > 0.0f) {
    state.view.stepper.events_per_second = remembered->stepper_speed;
  }
  if (options.step >= 0) state.model.stepper.set_position(options.step);
  if (const auto* k = convt::lab::find_kernel_preset(options.kernel)) {
    state.model.cnn.apply_preset(static_cast<int>(k - convt::lab::cnn_kernel_presets().data()));
  }
  if (!options.picture.empty()) apply_picture_option(options, state);
  apply_cnn_classifier_options(options, state);
}

// Sets the app's state as the command line asks before the first frame: the tab, scale and
// theme, each panel's options, a lesson's Show me, a headless training run. `remembered`: the
// last run's settings, or nullptr (screenshots). Returns false after saying why on stderr
// when an option cannot be applied (the exit status is then 2).
bool apply_start_options(const convt::GuiOptions& options,
                         const convt::lab::AppSettings* remembered, convt::AppState& state,
                         convt::lab::Navigator& nav) {
  state.view.scale_percent = options.scale_percent > 0 ? options.scale_percent : 100;
  // A screenshot shows the panel loaded, not its spinner: load on this thread.
  state.latent.load_in_background = !options.screenshot();
  state.latent.start_path = options.latent_checkpoint;
  state.completion.load_in_background = !options.screenshot();
  if (options.theme >= 0) state.view.theme = options.theme;
  state.view.active_panel = options.panel;
  apply_stepper_and_cnn_options(options, remembered, state);
  // The lessons' --lesson N and --show-me N[.M]: a Show me sets up its panel and
  // switches to it, as its button does; with --train-seconds its run trains T seconds.
  if (options.lesson >= 0) state.view.lessons.current = options.lesson;
  if (!open_exercise(options, state.view.lessons)) return false;
  if (options.show_me_lesson >= 0) {
    std::string note;
    if (!nav.show_me(options.show_me_lesson, options.show_me_index, &note)) {
      std::fprintf(stderr, "convt-lab: --show-me: %s\n", note.c_str());
    }
    if (options.train_seconds > 0.0) state.training.headless_seconds = options.train_seconds;
  }
  // The training dashboard's --open-popup saved-runs: the popup opens on the first frame.
  state.training.open_saved_runs = options.open_saved_runs;
  state.view.stepper.open_export_popup = options.open_export_animation;
  // The training dashboard's --train-seconds T: train T seconds before the screenshot.
  // With --panel latent, the explorer follows that run.
  if (options.train_seconds > 0.0 && options.show_me_lesson < 0) {
    convt::lab::begin_headless_training(state.training, options.train_seconds,
                                        options.train_threads);
    if (options.panel == convt::lab::PanelId::kLatent) state.latent.follow.set_following(true);
  }
  return true;
}

// ---- The loop ------------------------------------------------------------------------------

// The animation exports under way: the stepper's "Export animation...", the dashboard's
// "Export time-lapse...", the formula's "Export sweep", the latent explorer's walk
// (app/animation_job.h). pump() runs ~50 ms of each between frames, with the window's context
// current.
struct AnimationExports {
  std::unique_ptr<convt::AnimationJob> stepper, timelapse, formula, latent;

  void pump(convt::AppState& state) {
    const convt::FrameLook look{state.view.scale_percent, static_cast<Theme>(state.view.theme)};
    constexpr double kSeconds = 0.05;
    convt::pump_animation_export(
        state.view.stepper.animation, stepper,
        [&](const convt::lab::AnimationRequest& r) {
          return convt::make_stepper_job(state.model.stepper, state.view.stepper, r, look);
        },
        kSeconds);
    convt::pump_animation_export(
        state.training.animation, timelapse,
        [&](const convt::lab::AnimationRequest& r) {
          return convt::make_timelapse_job(r.source_dir, r, look);
        },
        kSeconds);
    convt::pump_animation_export(
        state.view.formula.animation, formula,
        [&](const convt::lab::AnimationRequest& r) {
          return convt::make_formula_job(state.view.formula, r, look);
        },
        kSeconds);
    convt::pump_animation_export(
        state.latent.animation, latent,
        [&](const convt::lab::AnimationRequest& r) {
          const convt::LatentPath path{state.latent.a, state.latent.b, state.latent.mode,
                                       state.latent.a_what, state.latent.b_what};
          return convt::make_latent_job(state.latent.model, path, r, look);
        },
        kSeconds);
  }
};

// --screenshot: writes the back buffer to the PNG, with --check-layout's problems on stdout.
// Returns the exit status: 0, 1 (the PNG could not be written) or 3 (layout problems).
int take_screenshot(const convt::GuiOptions& options, const convt::AppState& state, int width,
                    int height) {
  try {
    convt::gfx::save_back_buffer_png(options.screenshot_path, width, height);
    std::printf("convt-lab: wrote %s (%dx%d, panel %s, %d frames)\n",
                options.screenshot_path.c_str(), width, height,
                convt::lab::panel_info(state.view.active_panel).name, options.frames);
    if (!options.check_layout) return 0;
    const std::vector<std::string> problems = convt::widgets::layout_problems();
    for (const std::string& p : problems) std::printf("layout: %s\n", p.c_str());
    return problems.empty() ? 0 : 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convt-lab: %s\n", e.what());
    return 1;
  }
}

// One ImGui frame: the window's keys, the menu, the tabs and the popups, rendered to the back
// buffer. Returns the framebuffer's size.
ImVec2 render_frame(const convt::GuiOptions& options, convt::AppState& state,
                    convt::lab::Navigator& nav, PanelTextures& textures,
                    convt::gfx::HeatmapRenderer& heatmaps, GLFWwindow* window) {
  ImGuiIO& io = ImGui::GetIO();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // A screenshot shows the panel, not a tooltip of wherever Xvfb's cursor happens to rest.
  if (options.screenshot()) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
  // Esc quits, as the menu says, unless it is closing a popup or leaving a text field.
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) && !io.WantTextInput &&
      !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel)) {
    glfwSetWindowShouldClose(window, GLFW_TRUE);
  }
  handle_window_keys(state.view, nav);
  draw_frame(state, nav, textures, heatmaps, window);
  ImGui::Render();
  int width = 0, height = 0;
  glfwGetFramebufferSize(window, &width, &height);
  glViewport(0, 0, width, height);
  glClearColor(0.11f, 0.12f, 0.14f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  heatmaps.end_frame();
  return ImVec2(static_cast<float>(width), static_cast<float>(height));
}

// Wait, poll, new frame, panels, render, swap, until the window closes (or, for --screenshot,
// the PNG is written). The window sleeps until there is something new to draw
// (logic/frame_scheduler.h): input, a training step published, a playing stepper. A screenshot
// draws every frame at once, except while it trains (--train-seconds), where it runs the
// window's own schedule. Returns the exit status.
int run_loop(const convt::GuiOptions& options, convt::AppState& state, convt::lab::Navigator& nav,
             GLFWwindow* window, convt::gfx::HeatmapRenderer& heatmaps) {
  PanelTextures textures;
  AnimationExports exports;
  int applied_scale = state.view.scale_percent, applied_theme = state.view.theme;
  apply_ui_scale(applied_scale, static_cast<Theme>(applied_theme), false);
  const bool scheduled = !options.screenshot() || options.train_seconds > 0.0;
  convt::lab::FrameScheduler scheduler;
  bool listening = false;  // the training session wakes the loop when it publishes
  int status = 0;
  for (int frame = 0; !glfwWindowShouldClose(window); ++frame) {
    glfwPollEvents();
    while (scheduled && !glfwWindowShouldClose(window)) {
      if (!listening && state.training.session) {
        state.training.session->set_publish_listener(glfwPostEmptyEvent);
        listening = true;
      }
      const double now = steady_seconds();
      const convt::lab::FrameSignals signals = frame_signals(state);
      if (scheduler.should_draw(now, signals)) break;
      glfwWaitEventsTimeout(scheduler.wait_seconds(now, signals));
    }
    if (glfwWindowShouldClose(window)) break;
    if (state.view.scale_percent != applied_scale || state.view.theme != applied_theme) {
      applied_scale = state.view.scale_percent;  // between frames, as fonts must be
      applied_theme = state.view.theme;
      apply_ui_scale(applied_scale, static_cast<Theme>(applied_theme), true);
    }
    const ImVec2 size = render_frame(options, state, nav, textures, heatmaps, window);
    if (options.screenshot() && frame + 1 >= options.frames &&
        convt::lab::headless_training_ready(state.training) &&
        convt::lab::lesson_run_ready(state.training)) {
      status = take_screenshot(options, state, static_cast<int>(size.x), static_cast<int>(size.y));
      break;
    }
    glfwSwapBuffers(window);
    scheduler.frame_drawn(steady_seconds());
    exports.pump(state);
  }
  // The worker may publish once more while it stops: no waking a window that is gone.
  if (state.training.session) state.training.session->set_publish_listener(nullptr);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // `animate` draws panels (offscreen, no display): it lives beside the GUI, not in app/cli/.
  if (argc >= 2 && std::string(argv[1]) == "animate") return convt::run_animate(argc, argv);
  if (convt::cli::is_cli_command(argc, argv)) return convt::cli::run_cli(argc, argv);

  convt::GuiOptions options;
  const convt::GuiParseResult parsed = convt::parse_gui_options(argc, argv, options);
  if (parsed.status == convt::GuiParseResult::Status::kHelp) {
    std::fputs(parsed.message.c_str(), stdout);
    return 0;
  }
  if (parsed.status == convt::GuiParseResult::Status::kError) {
    std::fprintf(stderr, "%s\n", parsed.message.c_str());
    return 2;
  }
  // Settings kept from the last run (not for screenshots: those render the same for all).
  const bool remember = !options.screenshot();
  const std::string settings_file = remember ? convt::lab::settings_path() : "";
  convt::lab::AppSettings settings;
  if (remember) settings = load_remembered_settings(settings_file, options);

  GLFWwindow* window = open_window(options);
  if (window == nullptr) return 1;
  init_imgui(window);
  int status = 0;
  {
    std::unique_ptr<convt::gfx::HeatmapRenderer> heatmaps;
    try {
      heatmaps = std::make_unique<convt::gfx::HeatmapRenderer>();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "convt-lab: %s\n", e.what());
      status = 1;
    }
    convt::AppState state;
    convt::lab::Navigator nav(state);  // the links between panels
    if (!apply_start_options(options, remember ? &settings : nullptr, state, nav)) {
      status = 2;
    } else if (heatmaps) {
      status = run_loop(options, state, nav, window, *heatmaps);
      if (remember) save_remembered_settings(window, state, settings, settings_file);
    }
  }  // the renderer's and the panels' textures go before the context

  // ---- Shutdown, in reverse ------------------------------------------------------------------
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return status;
}
