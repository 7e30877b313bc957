#include "gfx/heatmap_renderer.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "convt_shaders.h"  // generated from shaders/ by app/CMakeLists.txt
#include "gfx/gl_program.h"

namespace convt::gfx {

HeatmapRenderer::HeatmapRenderer() {
  program_ = build_program("heatmap", shaders::k_heatmap_vert, shaders::k_heatmap_frag);
  u_values_ = glGetUniformLocation(program_, "u_values");
  u_vmin_ = glGetUniformLocation(program_, "u_vmin");
  u_vmax_ = glGetUniformLocation(program_, "u_vmax");
  u_colormap_ = glGetUniformLocation(program_, "u_colormap");
  glGenVertexArrays(1, &empty_vao_);  // core profile: a draw needs a bound VAO, even an empty one
}

HeatmapRenderer::~HeatmapRenderer() {
  for (auto& [key, entry] : entries_) destroy(entry);
  glDeleteVertexArrays(1, &empty_vao_);
  glDeleteProgram(program_);
}

void HeatmapRenderer::destroy(Entry& e) {
  glDeleteFramebuffers(1, &e.framebuffer);
  glDeleteTextures(1, &e.values_texture);
  glDeleteTextures(1, &e.colour_texture);
  e = Entry{};
}

namespace {

void set_nearest_clamp(GLenum target) {
  glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

// The GL state a colour pass changes, as it was before: what ImGui's backend (or anyone) had bound.
struct SavedGlState {
  GLint texture = 0, framebuffer = 0, program = 0, vao = 0, active_texture = 0,
        unpack_alignment = 0;
  GLint viewport[4] = {0, 0, 0, 0};
  GLboolean blend = GL_FALSE, scissor = GL_FALSE, depth = GL_FALSE;
};

// Saves that state, and makes texture unit 0 the active one (the one the colour pass uses).
SavedGlState save_gl_state() {
  SavedGlState s;
  glGetIntegerv(GL_ACTIVE_TEXTURE, &s.active_texture);
  glActiveTexture(GL_TEXTURE0);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &s.texture);
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &s.framebuffer);
  glGetIntegerv(GL_CURRENT_PROGRAM, &s.program);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &s.vao);
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &s.unpack_alignment);
  glGetIntegerv(GL_VIEWPORT, s.viewport);
  s.blend = glIsEnabled(GL_BLEND);
  s.scissor = glIsEnabled(GL_SCISSOR_TEST);
  s.depth = glIsEnabled(GL_DEPTH_TEST);
  return s;
}

// Gives back the state save_gl_state() saved.
void restore_gl_state(const SavedGlState& s) {
  glBindVertexArray(static_cast<GLuint>(s.vao));
  glUseProgram(static_cast<GLuint>(s.program));
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(s.framebuffer));
  glViewport(s.viewport[0], s.viewport[1], s.viewport[2], s.viewport[3]);
  glPixelStorei(GL_UNPACK_ALIGNMENT, s.unpack_alignment);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(s.texture));
  glActiveTexture(static_cast<GLenum>(s.active_texture));
  if (s.blend) glEnable(GL_BLEND);
  if (s.scissor) glEnable(GL_SCISSOR_TEST);
  if (s.depth) glEnable(GL_DEPTH_TEST);
}

}  // namespace

GLenum HeatmapRenderer::create_gl_objects(Entry& e, int rows, int cols) {
  e.rows = rows;
  e.cols = cols;
  glGenTextures(1, &e.values_texture);
  glBindTexture(GL_TEXTURE_2D, e.values_texture);
  set_nearest_clamp(GL_TEXTURE_2D);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, cols, rows, 0, GL_RED, GL_FLOAT, nullptr);
  glGenTextures(1, &e.colour_texture);
  glBindTexture(GL_TEXTURE_2D, e.colour_texture);
  set_nearest_clamp(GL_TEXTURE_2D);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, cols, rows, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glGenFramebuffers(1, &e.framebuffer);
  glBindFramebuffer(GL_FRAMEBUFFER, e.framebuffer);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, e.colour_texture, 0);
  return glCheckFramebufferStatus(GL_FRAMEBUFFER);
}

void HeatmapRenderer::colour(Entry& e, const float* values, float vmin, float vmax,
                             Colormap colormap) {
  // Upload the values (row 0 first = texel row 0), then colour them: one fragment per cell.
  glBindTexture(GL_TEXTURE_2D, e.values_texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, e.cols, e.rows, GL_RED, GL_FLOAT, values);
  glBindFramebuffer(GL_FRAMEBUFFER, e.framebuffer);
  glViewport(0, 0, e.cols, e.rows);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_DEPTH_TEST);
  glUseProgram(program_);
  glUniform1i(u_values_, 0);
  glUniform1f(u_vmin_, vmin);
  glUniform1f(u_vmax_, vmax);
  glUniform1i(u_colormap_, static_cast<int>(colormap));
  glBindVertexArray(empty_vao_);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  ++colour_passes_;

  const size_t count = static_cast<size_t>(e.rows) * static_cast<size_t>(e.cols);
  e.values.assign(values, values + count);
  e.vmin = vmin;
  e.vmax = vmax;
  e.colormap = colormap;
}

GLuint HeatmapRenderer::render(uint64_t key, const float* values, int rows, int cols, float vmin,
                               float vmax, Colormap colormap) {
  if (rows < 1 || cols < 1) {
    throw std::invalid_argument("HeatmapRenderer::render: expected rows, cols >= 1, found (" +
                                std::to_string(rows) + ", " + std::to_string(cols) + ")");
  }
  const size_t count = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  Entry& e = entries_[key];
  e.used = true;
  const bool same_size = e.colour_texture != 0 && e.rows == rows && e.cols == cols;
  if (same_size && e.vmin == vmin && e.vmax == vmax && e.colormap == colormap &&
      std::memcmp(e.values.data(), values, count * sizeof(float)) == 0) {
    return e.colour_texture;  // unchanged: nothing to do
  }

  const SavedGlState saved = save_gl_state();
  if (!same_size) {
    if (e.colour_texture != 0) destroy(e);
    const GLenum status = create_gl_objects(e, rows, cols);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
      glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(saved.framebuffer));
      glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(saved.texture));
      destroy(e);
      entries_.erase(key);
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%04X", static_cast<unsigned>(status));
      throw std::runtime_error("HeatmapRenderer: framebuffer for a " + std::to_string(rows) + "x" +
                               std::to_string(cols) + " heatmap is incomplete (status " + hex +
                               ")");
    }
  }
  colour(e, values, vmin, vmax, colormap);
  restore_gl_state(saved);
  return e.colour_texture;
}

std::vector<uint8_t> HeatmapRenderer::read_rgba(uint64_t key) const {
  const Entry& e = entries_.at(key);
  std::vector<uint8_t> pixels(static_cast<size_t>(e.rows) * static_cast<size_t>(e.cols) * 4);
  GLint last_texture = 0, last_pack_alignment = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  glGetIntegerv(GL_PACK_ALIGNMENT, &last_pack_alignment);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glBindTexture(GL_TEXTURE_2D, e.colour_texture);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
  glPixelStorei(GL_PACK_ALIGNMENT, last_pack_alignment);
  return pixels;
}

void HeatmapRenderer::end_frame() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.used) {
      destroy(it->second);
      it = entries_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
}

}  // namespace convt::gfx
