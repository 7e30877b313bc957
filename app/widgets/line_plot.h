// line_plot: a small integer plot drawn with ImDrawList (ImPlot is not packaged in Debian).
//
//   y label
//    20 |            o
//       |        o
//    10 |    o            <- points joined by lines; invalid points leave a gap
//       +--------------
//         1   2   3   x label
//
// Axes are labelled with round ticks; the point under the mouse is outlined and its values shown
// in a tooltip; one point can be marked (the current setting).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace convt::widgets {

struct PlotSeriesPoint {
  int x = 0;
  int y = 0;
  bool valid = true;
  std::string note;  // shown in the tooltip (e.g. why a point is invalid)
};

struct LinePlotOptions {
  const char* x_label = "x";
  const char* y_label = "y";
  ImVec2 size{360.0f, 220.0f};
  int marked_x = -1;  // the current setting, drawn as a large dot; -1: none
  ImU32 colour = IM_COL32(110, 180, 255, 255);
  bool draw_diagonal_2x = false;  // a faint y = 2x guide
};

// Returns the x of the point under the mouse, or -1.
int line_plot(const char* id, const std::vector<PlotSeriesPoint>& points,
              const LinePlotOptions& options);

}  // namespace convt::widgets
