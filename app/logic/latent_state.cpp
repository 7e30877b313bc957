#include "logic/latent_state.h"

namespace convt::lab {

bool latent_working(const LatentState& s) {
  return s.loading.busy() || s.loading.ready() || s.file_loading.busy() || s.file_loading.ready() ||
         s.dirs_loading.busy() || s.dirs_loading.ready();
}

}  // namespace convt::lab
