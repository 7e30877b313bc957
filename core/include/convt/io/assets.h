// Where the files of assets/ (built-in digits, model specs, fonts) are found at run time.
#pragma once

#include <string>
#include <vector>

namespace convt {

// The directories asset_path() searches, in order:
//   1. $CONVT_ASSET_DIR, if set and not empty;
//   2. <directory of the running executable>/../../assets (build/app/convt-lab -> assets/);
//   3. <directory of the running executable>/../share/convt-lab (an installed copy: P/bin/convt-lab
//      -> P/share/convt-lab, as `cmake --install build --prefix P` and the .deb lay it out);
//   4. CONVT_SOURCE_DIR "/assets" (the source tree this library was compiled from).
std::vector<std::string> asset_search_dirs();

// The full path of assets/<relative> (e.g. "digits/digits20.png"): the first search directory
// holding a regular file of that name. Throws std::runtime_error listing every path tried, with
// the hint to set CONVT_ASSET_DIR, when none does.
std::string asset_path(const std::string& relative);

// The search directory that holds the model specs (models/dcgan20.json): where this run's assets
// come from, as `convt-lab --version` prints it. Throws as asset_path when none does.
std::string asset_dir();

}  // namespace convt
