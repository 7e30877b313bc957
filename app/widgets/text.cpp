#include "widgets/text.h"

#include <algorithm>
#include <string>

#include "logic/text_wrap.h"

namespace convt::widgets {

float visible_wrap_pos() {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float scrollbar = ImGui::GetScrollMaxY() > 0.0f ? style.ScrollbarSize : 0.0f;
  const float window_right = ImGui::GetWindowPos().x + ImGui::GetWindowWidth() -
                             style.WindowPadding.x - scrollbar;
  const float region_right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  const float right = std::min(window_right, region_right);
  // Screen to cursor coordinates; never left of the cursor (a zero width would not wrap at all).
  const float local = right - ImGui::GetWindowPos().x + ImGui::GetScrollX();
  return std::max(local, ImGui::GetCursorPosX() + ImGui::GetFontSize());
}

void wrapped(std::string_view text, const ImVec4* colour) {
  if (colour) ImGui::PushStyleColor(ImGuiCol_Text, *colour);
  push_wrap_at_visible_edge();
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
  if (colour) ImGui::PopStyleColor();
}

void wrapped_at_spaces(std::string_view text, const ImVec4* colour, float max_width) {
  float width = std::max(1.0f, visible_wrap_pos() - ImGui::GetCursorPosX());
  if (max_width > 0.0f) width = std::min(width, max_width);
  const auto width_of = [](std::string_view s) {
    return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x;
  };
  // One item with '\n' between the lines: ImGui's line height, as a wrapped paragraph has (one
  // item per line would add the item spacing between them).
  std::string joined;
  for (const std::string& line : lab::wrap_at_spaces(text, width, width_of)) {
    joined += (joined.empty() ? "" : "\n") + line;
  }
  if (colour) ImGui::PushStyleColor(ImGuiCol_Text, *colour);
  ImGui::PushTextWrapPos(-1.0f);  // the lines are wrapped: a caller's wrap must not split them
  ImGui::TextUnformatted(joined.c_str(), joined.c_str() + joined.size());
  ImGui::PopTextWrapPos();
  if (colour) ImGui::PopStyleColor();
}

void help_marker(const char* text, float wrap_em) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * wrap_em);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void same_line_if_fits(float width) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
}

bool loading_note(const char* what, double seconds) {
  static const char kSpinner[] = "|/-\\";
  const char turn = kSpinner[static_cast<int>(seconds * 8.0) % 4];
  ImGui::Spacing();
  ImGui::Text("%c  %s... %.1f s", turn, what, seconds);
  ImGui::TextDisabled("The other tabs work meanwhile.");
  return ImGui::Button("Cancel");
}

}  // namespace convt::widgets
