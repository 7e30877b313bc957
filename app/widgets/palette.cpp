#include "widgets/palette.h"

namespace convt::widgets {

namespace {

const Palette kDark = {
    /*error*/ ImVec4(1.0f, 0.38f, 0.38f, 1.0f),
    /*note*/ ImVec4(0.75f, 0.75f, 0.75f, 1.0f),
    /*hint*/ ImVec4(0.62f, 0.66f, 0.72f, 1.0f),
    /*ok*/ ImVec4(0.55f, 0.85f, 0.55f, 1.0f),
    /*accent*/ ImVec4(1.0f, 0.82f, 0.35f, 1.0f),
    /*formula*/ ImVec4(0.62f, 0.85f, 1.0f, 1.0f),
    /*good*/ ImVec4(0.45f, 0.9f, 0.55f, 1.0f),
    /*caution*/ ImVec4(1.0f, 0.55f, 0.45f, 1.0f),
    /*banner_bg*/ ImVec4(0.16f, 0.22f, 0.30f, 1.0f),
    /*saved_bg*/ ImVec4(0.35f, 0.26f, 0.05f, 1.0f),
    /*plot_bg*/ IM_COL32(0, 0, 0, 60),
    /*plot_grid*/ IM_COL32(255, 255, 255, 22),
    /*plot_cursor*/ IM_COL32(255, 255, 255, 90),
};

// Black background, white text: the dark colours, brighter.
const Palette kHighContrast = {
    ImVec4(1.0f, 0.45f, 0.45f, 1.0f),
    ImVec4(0.9f, 0.9f, 0.9f, 1.0f),
    ImVec4(0.85f, 0.88f, 0.95f, 1.0f),
    ImVec4(0.6f, 1.0f, 0.6f, 1.0f),
    ImVec4(1.0f, 0.88f, 0.3f, 1.0f),
    ImVec4(0.65f, 0.9f, 1.0f, 1.0f),
    ImVec4(0.5f, 1.0f, 0.6f, 1.0f),
    ImVec4(1.0f, 0.6f, 0.5f, 1.0f),
    ImVec4(0.10f, 0.18f, 0.35f, 1.0f),
    ImVec4(0.40f, 0.28f, 0.0f, 1.0f),
    IM_COL32(0, 0, 0, 255),
    IM_COL32(255, 255, 255, 40),
    IM_COL32(255, 255, 255, 140),
};

// Dark text on a light background: the same roles, darker and more saturated.
const Palette kLight = {
    ImVec4(0.75f, 0.08f, 0.08f, 1.0f),
    ImVec4(0.32f, 0.32f, 0.32f, 1.0f),
    ImVec4(0.32f, 0.36f, 0.44f, 1.0f),
    ImVec4(0.08f, 0.48f, 0.12f, 1.0f),
    ImVec4(0.62f, 0.36f, 0.0f, 1.0f),
    ImVec4(0.05f, 0.30f, 0.62f, 1.0f),
    ImVec4(0.08f, 0.50f, 0.18f, 1.0f),
    ImVec4(0.72f, 0.25f, 0.08f, 1.0f),
    ImVec4(0.84f, 0.89f, 0.96f, 1.0f),
    ImVec4(0.98f, 0.90f, 0.68f, 1.0f),
    IM_COL32(0, 0, 0, 10),
    IM_COL32(0, 0, 0, 28),
    IM_COL32(0, 0, 0, 110),
};

Theme g_theme = Theme::kDark;

}  // namespace

const Palette& palette() {
  switch (g_theme) {
    case Theme::kHighContrast:
      return kHighContrast;
    case Theme::kLight:
      return kLight;
    case Theme::kDark:
      break;
  }
  return kDark;
}

void set_theme(Theme theme) { g_theme = theme; }
Theme theme() { return g_theme; }

}  // namespace convt::widgets
