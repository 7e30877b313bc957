// The look of the window and of exported frames: the font (DejaVu Sans when installed), the
// ImGui style of each theme (widgets/palette.h), and the UI scale.
#pragma once

#include "widgets/palette.h"

namespace convt::widgets {

// The font's size at UI scale 100%, in pixels.
inline constexpr float kFontSizePixels = 16.0f;

// Applies UI scale `percent` (100..250) and `theme` to the current ImGui context: the font
// re-rasterised at kFontSizePixels * percent / 100, the theme's colours, the style's sizes
// scaled. Call between frames. With `replace_texture`, the OpenGL3 backend's font texture is
// remade (it must have been made: after the context's first NewFrame); without, its first
// NewFrame makes it.
void apply_ui_scale(int percent, Theme theme, bool replace_texture);

}  // namespace convt::widgets
