// A check that nothing a panel draws is out of reach: after a frame, every visible ImGui window
// whose contents are wider than it (or taller, when it cannot scroll) and that cannot scroll to
// them is a layout problem. `--screenshot FILE --check-layout` runs it on the frame it saves
// (app/tests/test_layout.cpp renders every panel at the sizes and scales students have).
#pragma once

#include <string>
#include <vector>

namespace convt::widgets {

// One line per window with contents it cut off and cannot scroll to: its name, the contents'
// size and the room it has, in pixels. Empty when every window fits or scrolls. Reads the
// contents' extent of the frame before the last one (ImGui's ContentSize), so call it after at
// least two frames of the same layout.
std::vector<std::string> layout_problems();

}  // namespace convt::widgets
