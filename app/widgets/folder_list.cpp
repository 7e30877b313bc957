#include "widgets/folder_list.h"

#include <imgui.h>

#include <filesystem>

#include "widgets/palette.h"

namespace convt::widgets {

void begin_folder_list(const lab::FolderListing& f, const char* id, float rows, std::string& next) {
  ImGui::TextUnformatted(f.path.c_str());
  if (!f.error.empty()) ImGui::TextColored(palette().error, "%s", f.error.c_str());
  const float em = ImGui::GetFontSize();
  ImGui::BeginChild(id, ImVec2(em * 24.0f, em * rows), true);
  if (!f.parent.empty() &&
      ImGui::Selectable(".. (up)", false, ImGuiSelectableFlags_DontClosePopups)) {
    next = f.parent;
  }
  for (const std::string& name : f.subfolders) {
    if (ImGui::Selectable((name + "/").c_str(), false, ImGuiSelectableFlags_DontClosePopups)) {
      next = (std::filesystem::path(f.path) / name).string();
    }
  }
}

}  // namespace convt::widgets
