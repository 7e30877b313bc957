// The heatmap renderer: a float grid becomes an RGBA texture, coloured on the GPU.
//
//   values (rows x cols floats) --upload--> R32F texture --shaders/heatmap.frag through an FBO-->
//   RGBA8 texture, one texel per cell, nearest filtering --> ImGui::Image / ImDrawList::AddImage.
//
// Textures are cached by a caller-chosen key (the heatmap widget uses its ImGui ID) and only
// re-coloured when the values, range or colour map change. end_frame() frees the textures that
// were not asked for since the previous end_frame(), so panels that stop drawing a heatmap do
// not leak it.
//
// Needs a current OpenGL 3.3 core context with glad loaded, on the thread that owns it; destroy
// the renderer before the context.
#pragma once

#include <glad/gl.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "gfx/colormap.h"

namespace convt::gfx {

class HeatmapRenderer {
 public:
  // Compiles the embedded heatmap shaders. Throws std::runtime_error with the driver's log.
  HeatmapRenderer();
  ~HeatmapRenderer();
  HeatmapRenderer(const HeatmapRenderer&) = delete;
  HeatmapRenderer& operator=(const HeatmapRenderer&) = delete;

  // Colours `values` ((rows, cols), row-major, row 0 at the top) into the texture cached under
  // `key` and returns its GL name. Texel (col, row) is cell (row, col); in ImGui, uv (0,0)-(1,1)
  // shows row 0 at the top. Throws std::invalid_argument if rows or cols < 1.
  GLuint render(uint64_t key, const float* values, int rows, int cols, float vmin, float vmax,
                Colormap colormap);

  // Reads back the colour texture of `key` as rows*cols RGBA8 pixels, row 0 first (for tests).
  // Throws std::out_of_range if nothing was rendered under `key`.
  std::vector<uint8_t> read_rgba(uint64_t key) const;

  // Frees the textures not rendered since the previous end_frame(). Call once per frame.
  void end_frame();

  size_t texture_count() const { return entries_.size(); }
  // How many times a grid was actually re-coloured (cache misses), for tests.
  int64_t colour_passes() const { return colour_passes_; }

 private:
  struct Entry {
    GLuint values_texture = 0;  // R32F (cols x rows)
    GLuint colour_texture = 0;  // RGBA8 (cols x rows), nearest
    GLuint framebuffer = 0;
    int rows = 0, cols = 0;
    std::vector<float> values;  // what the texture shows now
    float vmin = 0, vmax = 0;
    Colormap colormap = Colormap::kDiverging;
    bool used = true;
  };
  static void destroy(Entry& e);
  // Makes e's value texture, colour texture and framebuffer for a (rows, cols) grid, leaving the
  // framebuffer bound; returns its status (GL_FRAMEBUFFER_COMPLETE when it can be drawn into).
  static GLenum create_gl_objects(Entry& e, int rows, int cols);
  // Uploads `values` (e.rows x e.cols) into e's value texture and colours them into its colour
  // texture, one fragment per cell; e then remembers what it shows.
  void colour(Entry& e, const float* values, float vmin, float vmax, Colormap colormap);

  GLuint program_ = 0;
  GLuint empty_vao_ = 0;
  GLint u_values_ = -1, u_vmin_ = -1, u_vmax_ = -1, u_colormap_ = -1;
  std::unordered_map<uint64_t, Entry> entries_;
  int64_t colour_passes_ = 0;
};

}  // namespace convt::gfx
