// Small text widgets the panels share: a paragraph that wraps at the window's edge, and the
// "(?)" marker whose tooltip explains the control before it.
#pragma once

#include <imgui.h>

#include <string_view>

namespace convt::widgets {

// The x (cursor coordinates, for PushTextWrapPos) of the right edge of what is visible: the
// window's edge minus its padding and scrollbar, or the table cell's edge if nearer. ImGui's own
// wrap (PushTextWrapPos(0)) wraps at the edge of the *content* instead, which in a window that
// scrolls sideways lies off screen, so every line would need a scroll to read.
float visible_wrap_pos();

// PushTextWrapPos(visible_wrap_pos()); pop with ImGui::PopTextWrapPos().
inline void push_wrap_at_visible_edge() { ImGui::PushTextWrapPos(visible_wrap_pos()); }

// `text` wrapped at the visible right edge of the window, in `colour` if given (else the style's).
void wrapped(std::string_view text, const ImVec4* colour = nullptr);

// The same, but lines break only at spaces (logic/text_wrap.h): ImGui's wrap also breaks after
// '.', which can split a number ("1." / "39"). For paragraphs with numbers in them.
// `max_width` > 0 caps the line length (pixels) below the available width, for prose that
// should stay readable in a wide window.
void wrapped_at_spaces(std::string_view text, const ImVec4* colour = nullptr,
                       float max_width = 0.0f);

// `pixels` as laid out at UI scale 100% (a 16 px font), in pixels at the current scale: widths
// and sizes written in pixels grow with the font (View menu, Ctrl+= / Ctrl+-).
inline float px(float pixels) { return pixels * ImGui::GetFontSize() / 16.0f; }

// SameLine() when an item `width` pixels wide fits in the rest of this line; else the item goes
// on the next line (a narrow column, a large UI scale).
void same_line_if_fits(float width);

// "<what>... 1.2 s" with a turning spinner and a Cancel button, for a panel whose data loads on
// another thread. Returns true on the frame Cancel is pressed.
bool loading_note(const char* what, double seconds);

// A greyed "(?)" on the same line as the previous item; hovering it shows `text` in a tooltip
// wrapped at `wrap_em` font sizes.
void help_marker(const char* text, float wrap_em = 28.0f);

}  // namespace convt::widgets
