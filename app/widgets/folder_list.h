// The part every "Browse..." popup shares (the training panel's folder, the CNN tab's picture):
// a lab::FolderListing shown as its path, its error, and a scrolling list to walk folders with.
#pragma once

#include <string>

#include "logic/folder_browser.h"

namespace convt::widgets {

// Draws f.path, f.error (if any) and opens a scrolling child window `id`, 24 font heights wide
// and `rows` high, holding ".. (up)" and f's subfolders; a click on one sets `next` to that
// folder's path (the popup stays open; the caller lists it after ImGui::EndPopup). The caller
// adds its own rows to the list, then calls ImGui::EndChild().
void begin_folder_list(const lab::FolderListing& f, const char* id, float rows, std::string& next);

}  // namespace convt::widgets
