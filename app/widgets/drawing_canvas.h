// drawing_canvas: a (rows, cols) canvas the student draws on with the mouse, shared by the
// completion panel and the CNN panel's "Inside the classifier". The left button draws (or
// erases, when the caller's brush says so), the right button always erases; a held button draws
// one continuous line from frame to frame (lab::StrokeState).
//
//   CanvasInput in = canvas_input("##canvas", rows, cols, cell, stroke, brush);
//   if (in.has_segment && model.stroke(in.y0, in.x0, in.y1, in.x1, in.brush)) ...
//   draw the image at in.origin (rows * cell by cols * cell), then
//   canvas_overlay(in, rows, cols, cell);   // frame and brush circle
#pragma once

#include <imgui.h>

#include "logic/drawing.h"

namespace convt::widgets {

// What the mouse did on the canvas this frame.
struct CanvasInput {
  ImVec2 origin{0, 0};  // screen position of pixel (0, 0)'s corner
  bool hovered = false, active = false;
  // A stroke to paint, in canvas pixels (lab::paint_stroke's units), with the brush to paint it
  // with (erase when the right button is down).
  bool has_segment = false;
  float y0 = 0, x0 = 0, y1 = 0, x1 = 0;
  lab::Brush brush;
};

// An invisible button rows*cell x cols*cell at the cursor that turns the mouse into strokes;
// `stroke` carries the held stroke between frames. Draws nothing: draw the image at
// CanvasInput::origin (ImGui::SetCursorScreenPos), then canvas_overlay.
CanvasInput canvas_input(const char* id, int rows, int cols, float cell, lab::StrokeState& stroke,
                         lab::Brush brush);

// The canvas' frame and, while the mouse is over it, the brush's outer circle.
void canvas_overlay(const CanvasInput& in, int rows, int cols, float cell);

}  // namespace convt::widgets
