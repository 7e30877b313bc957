#include "gfx/heatmap_renderer.h"

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

static void set_nearest_clamp(GLenum target) {
  glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
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

  GLint last_texture = 0, last_framebuffer = 0, last_program = 0, last_vao = 0,
        last_active_texture = 0, last_unpack_alignment = 0;
  GLint last_viewport[4];
  glGetIntegerv(GL_ACTIVE_TEXTURE, &last_active_texture);
  glActiveTexture(GL_TEXTURE0);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &last_framebuffer);
  glGetIntegerv(GL_CURRENT_PROGRAM, &last_program);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &last_vao);
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &last_unpack_alignment);
  glGetIntegerv(GL_VIEWPORT, last_viewport);
  const GLboolean last_blend = glIsEnabled(GL_BLEND);
  const GLboolean last_scissor = glIsEnabled(GL_SCISSOR_TEST);
  const GLboolean last_depth = glIsEnabled(GL_DEPTH_TEST);

  if (!same_size) {
    if (e.colour_texture != 0) destroy(e);
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
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, e.colour_texture,
                           0);
    GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
      glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(last_framebuffer));
      glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
      destroy(e);
      entries_.erase(key);
      throw std::runtime_error("HeatmapRenderer: framebuffer for a " + std::to_string(rows) + "x" +
                               std::to_string(cols) + " heatmap is incomplete (status 0x" +
                               std::to_string(status) + ")");
    }
  }

  // Upload the values (row 0 first = texel row 0), then colour them: one fragment per cell.
  glBindTexture(GL_TEXTURE_2D, e.values_texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, cols, rows, GL_RED, GL_FLOAT, values);
  glBindFramebuffer(GL_FRAMEBUFFER, e.framebuffer);
  glViewport(0, 0, cols, rows);
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

  e.values.assign(values, values + count);
  e.vmin = vmin;
  e.vmax = vmax;
  e.colormap = colormap;

  // Restore what ImGui's backend (or anyone) had bound.
  glBindVertexArray(static_cast<GLuint>(last_vao));
  glUseProgram(static_cast<GLuint>(last_program));
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(last_framebuffer));
  glViewport(last_viewport[0], last_viewport[1], last_viewport[2], last_viewport[3]);
  glPixelStorei(GL_UNPACK_ALIGNMENT, last_unpack_alignment);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
  glActiveTexture(static_cast<GLenum>(last_active_texture));
  if (last_blend) glEnable(GL_BLEND);
  if (last_scissor) glEnable(GL_SCISSOR_TEST);
  if (last_depth) glEnable(GL_DEPTH_TEST);
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
