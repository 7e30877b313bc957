// curve_plot: several float curves over a shared x axis, drawn with ImDrawList (ImPlot is not
// packaged in Debian), for the training dashboard's live curves.
//
//   y label        -- loss_G  -- loss_D      <- legend, each label in its curve's colour
//    2.0 |   /\        :
//    1.0 |__/  \_/\____:___                  <- markers: dotted vertical lines with a note
//        +-------------------
//          0     500    1000   x label
//
// Axes get round ticks; the mouse shows a vertical cursor and a tooltip with every curve's value
// at the nearest point.
#pragma once

#include <imgui.h>

#include <cmath>
#include <string>
#include <vector>

namespace convt::widgets {

struct CurveSeries {
  std::string label;
  ImU32 colour = IM_COL32(110, 180, 255, 255);
  std::vector<float> x;  // increasing
  std::vector<float> y;  // same length as x; non-finite values leave a gap
};

struct CurveMarker {
  float x = 0.0f;
  std::string text;  // shown in the tooltip when the cursor is near and as a short label
};

struct CurvePlotOptions {
  const char* x_label = "x";
  const char* y_label = "y";
  ImVec2 size{400.0f, 200.0f};
  float y_min = NAN, y_max = NAN;  // fixed range; NAN: from the data
};

void curve_plot(const char* id, const std::vector<CurveSeries>& series,
                const std::vector<CurveMarker>& markers, const CurvePlotOptions& options);

// A round tick spacing (1, 2 or 5 times a power of ten) giving about `target` ticks over `range`.
double nice_tick_step(double range, int target);

}  // namespace convt::widgets
