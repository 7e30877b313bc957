// Drawing on a grayscale canvas with the mouse, without GL: the brush the completion panel and
// the CNN panel's "Inside the classifier" share (app/widgets/drawing_canvas.h draws the canvas
// and turns the mouse into strokes).
//
//   canvas (H, W)  float in [-1, 1]: -1 paper (black), +1 ink (white), as the built-in digits
//   a stroke       the segment (y0, x0) - (y1, x1) in pixel units: pixel (r, c) is the square
//                  [r, r + 1) x [c, c + 1), centred at (r + 0.5, c + 0.5)
#pragma once

namespace convt::lab {

// A round brush with a soft edge, in canvas pixels: a pixel at distance d from the stroke gets
// ink strength s = clamp((outer - d) / (outer - inner), 0, 1) (1 inside `inner`), and becomes
//   draw:  max(v, -1 + 2 s)       (towards white ink, never lighter than it was)
//   erase: min(v, 1 - 2 s)        (towards black paper)
// Defaults give strokes about 2-3 pixels wide on a 28x28 canvas, like MNIST's pen.
struct Brush {
  float inner = 0.6f;
  float outer = 1.6f;
  bool erase = false;
};

// Where the mouse was when the last stroke ended, so that a held button draws one continuous
// line from frame to frame.
struct StrokeState {
  bool stroking = false;  // the mouse button is held down on the canvas
  float last_y = 0.0f, last_x = 0.0f;
};

// Paints one stroke of `brush` on canvas (rows, cols), row-major. Pixels outside the canvas are
// skipped (a stroke may start or end outside it). Returns true when some pixel changed.
bool paint_stroke(float* canvas, int rows, int cols, float y0, float x0, float y1, float x1,
                  const Brush& brush);

}  // namespace convt::lab
