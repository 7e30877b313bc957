// The training dashboard's "Browse..." for a folder of the student's own images (Dear ImGui has
// no file dialog): one folder at a time, its parent, its subfolders, and how many images
// load_image_folder() (convt/data/dataset.h) would read from it. No GL; unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace convt::lab {

struct FolderListing {
  std::string path;                     // absolute and normalised ("/home/me/pictures")
  std::string parent;                   // its parent; "" at the root
  std::vector<std::string> subfolders;  // names, sorted; hidden ones (".git") left out
  int64_t images = 0;  // .png / .jpg / .jpeg files (any case), not recursive: what the loader reads
  std::string error;   // why the folder could not be listed ("" when it could)
};

// Lists `path` ("" = the current directory). Never throws: a missing or unreadable folder gives
// a listing with `error` set ("cannot open /x: No such file or directory") and the path kept.
FolderListing list_folder(const std::string& path);

// True for a file name the image-folder loader reads (.png, .jpg, .jpeg, any case).
bool is_image_file_name(const std::string& name);

}  // namespace convt::lab
