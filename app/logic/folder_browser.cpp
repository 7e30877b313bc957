#include "logic/folder_browser.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

namespace convt::lab {

namespace fs = std::filesystem;

bool is_image_file_name(const std::string& name) {
  std::string ext = fs::path(name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

FolderListing list_folder(const std::string& path) {
  FolderListing out;
  std::error_code ec;
  fs::path dir = path.empty() ? fs::current_path(ec) : fs::path(path);
  const fs::path absolute = fs::absolute(dir, ec);
  if (!ec) dir = absolute.lexically_normal();
  std::string text = dir.string();
  if (text.size() > 1 && text.back() == '/') text.pop_back();  // "/a/b/" -> "/a/b"
  out.path = text;
  dir = fs::path(text);
  if (dir.has_parent_path() && dir.parent_path() != dir) out.parent = dir.parent_path().string();

  fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    out.error = "cannot open " + out.path + ": " + ec.message();
    return out;
  }
  // increment(ec), not a range-for: reading can fail halfway (the folder removed meanwhile, an
  // I/O error), and this runs mid-frame, where an exception must not escape.
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::string name = entry.path().filename().string();
    std::error_code type_ec;
    if (entry.is_directory(type_ec)) {
      if (!name.empty() && name[0] != '.') out.subfolders.push_back(name);
    } else if (entry.is_regular_file(type_ec) && is_image_file_name(name)) {
      ++out.images;
    }
  }
  if (ec) {
    out.error = "cannot read all of " + out.path + ": " + ec.message();
    out.subfolders.clear();
    out.images = 0;
    return out;
  }
  std::sort(out.subfolders.begin(), out.subfolders.end());
  return out;
}

}  // namespace convt::lab
