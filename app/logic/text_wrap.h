// Word wrap that breaks lines only at spaces, never inside a number.
//
// Dear ImGui's own wrap (PushTextWrapPos, TextWrapped) also breaks after '.', ',', ';', '!', '?'
// and '"', so "1.39" can come out as "1." at the end of one line and "39" at the start of the
// next. The panels' paragraphs are full of such numbers; this wrap keeps each one whole. No GL:
// the caller passes how wide a piece of text is (ImGui::CalcTextSize in the panels).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace convt::lab {

// The lines of `text`, each at most `max_width` wide as measured by `width_of` (any unit, the
// same as max_width), broken greedily at spaces; a '\n' always ends a line (an empty line stays).
// The space at a break is dropped. A single word wider than max_width gets a line of its own
// (never split). Empty text gives one empty line.
std::vector<std::string> wrap_at_spaces(std::string_view text, float max_width,
                                        const std::function<float(std::string_view)>& width_of);

}  // namespace convt::lab
