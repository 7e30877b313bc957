// The look of the window (and of exported frames): font, ImGui style, theme, UI scale. Moved
// here from main.cpp so that offscreen rendering (gfx/offscreen.h) draws exactly what the
// window does.
#include "widgets/style.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <cmath>
#include <filesystem>

namespace convt::widgets {

namespace {

// A readable font: DejaVu Sans when the system has it, else ImGui's built-in font, enlarged;
// rasterised at `pixels` so text stays sharp at any UI scale.
void load_font(ImGuiIO& io, float pixels) {
  io.Fonts->Clear();
  const char* candidates[] = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"};
  for (const char* path : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec) && io.Fonts->AddFontFromFileTTF(path, pixels)) {
      return;
    }
  }
  ImFontConfig config;
  config.SizePixels = pixels;
  io.Fonts->AddFontDefault(&config);
}

// The themes of the View menu (widgets/palette.h): the usual dark one, a light one for a bright
// room, and a high-contrast one for projectors and weak eyes (black background, white text,
// brighter frames and borders).
void apply_high_contrast(ImGuiStyle& style) {
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
  c[ImGuiCol_TextDisabled] = ImVec4(0.85f, 0.85f, 0.85f, 1.0f);
  c[ImGuiCol_WindowBg] = ImVec4(0.0f, 0.0f, 0.0f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 1.0f);
  c[ImGuiCol_PopupBg] = ImVec4(0.05f, 0.05f, 0.05f, 1.0f);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.08f, 0.08f, 0.08f, 1.0f);
  c[ImGuiCol_Border] = ImVec4(0.9f, 0.9f, 0.9f, 0.8f);
  c[ImGuiCol_Separator] = ImVec4(0.8f, 0.8f, 0.8f, 1.0f);
  c[ImGuiCol_FrameBg] = ImVec4(0.14f, 0.14f, 0.20f, 1.0f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.25f, 0.25f, 0.40f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.10f, 0.30f, 0.75f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.20f, 0.45f, 0.95f, 1.0f);
  c[ImGuiCol_Tab] = ImVec4(0.10f, 0.25f, 0.60f, 1.0f);
  c[ImGuiCol_TabActive] = ImVec4(0.25f, 0.50f, 1.0f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.15f, 0.35f, 0.80f, 1.0f);
  c[ImGuiCol_SliderGrab] = ImVec4(1.0f, 0.85f, 0.2f, 1.0f);
  c[ImGuiCol_CheckMark] = ImVec4(1.0f, 0.85f, 0.2f, 1.0f);
  style.FrameBorderSize = 1.0f;
  style.ChildBorderSize = 1.0f;
}

void apply_style(float scale, Theme theme) {
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  ImGui::StyleColorsDark();
  style.WindowRounding = 0.0f;
  style.FrameRounding = 4.0f;
  style.GrabRounding = 4.0f;
  style.TabRounding = 4.0f;
  style.FramePadding = ImVec2(8.0f, 4.0f);
  style.ItemSpacing = ImVec2(10.0f, 7.0f);
  style.WindowPadding = ImVec2(14.0f, 10.0f);
  ImVec4* c = style.Colors;
  if (theme == Theme::kLight) {
    ImGui::StyleColorsLight();
    c[ImGuiCol_WindowBg] = ImVec4(0.96f, 0.96f, 0.95f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.0f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.88f, 0.89f, 0.91f, 1.0f);
    c[ImGuiCol_TextDisabled] = ImVec4(0.38f, 0.38f, 0.40f, 1.0f);  // readable, still secondary
    c[ImGuiCol_Border] = ImVec4(0.0f, 0.0f, 0.0f, 0.25f);
  } else {
    c[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.14f, 1.0f);
    c[ImGuiCol_MenuBarBg] = ImVec4(0.15f, 0.16f, 0.19f, 1.0f);
    c[ImGuiCol_Separator] = ImVec4(0.28f, 0.30f, 0.34f, 1.0f);
  }
  if (theme == Theme::kHighContrast) apply_high_contrast(style);
  convt::widgets::set_theme(theme);
  style.ScaleAllSizes(scale);
}

}  // namespace

// The UI scale (View menu, Ctrl+= / Ctrl+- / Ctrl+0, --scale): the font re-rasterised at
// 16 px x scale, the style's sizes scaled with it. Panels size their widgets from the font
// (ImGui::GetFontSize(), widgets::px), so everything grows together. Call between frames.
// The first call comes before the backend has made its GL objects (its first NewFrame makes the
// font texture); later ones replace the texture.
void apply_ui_scale(int percent, Theme theme, bool replace_texture) {
  const float scale = static_cast<float>(percent) / 100.0f;
  ImGuiIO& io = ImGui::GetIO();
  load_font(io, std::round(kFontSizePixels * scale));
  if (replace_texture) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  apply_style(scale, theme);
}

}  // namespace convt::widgets
