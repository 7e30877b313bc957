// Drawing ImGui frames without a window, for exported animations (app/animation_job.h).
//
//   HeadlessGl       an OpenGL 3.3 core context with no display and no window: EGL on Mesa's
//                    surfaceless platform (EGL_MESA_platform_surfaceless; llvmpipe when there is
//                    no GPU), made current with no surface (EGL_KHR_surfaceless_context), glad
//                    loaded. The CLI uses it: no X server needed.
//   OffscreenImGui   an ImGui context of its own (font, style and theme as the window's:
//                    widgets/style.h), the OpenGL3 backend, a heatmap renderer and a width x
//                    height framebuffer object: render() runs one ImGui frame of a draw
//                    function in a window filling the frame and reads the pixels back. It works
//                    in any current GL 3.3 context: HeadlessGl's, or the window's (the GUI's
//                    exports), whose ImGui context it leaves as it found it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gfx/heatmap_renderer.h"
#include "widgets/palette.h"

struct ImGuiContext;

namespace convt::gfx {

class HeadlessGl {
 public:
  // Creates the context and makes it current on this thread. Throws std::runtime_error saying
  // which EGL step failed (no EGL, no surfaceless platform, no GL 3.3 core context).
  HeadlessGl();
  ~HeadlessGl();
  HeadlessGl(const HeadlessGl&) = delete;
  HeadlessGl& operator=(const HeadlessGl&) = delete;
  // "Mesa 22.3.6, llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string renderer() const;

 private:
  void* display_ = nullptr;  // EGLDisplay
  void* context_ = nullptr;  // EGLContext
};

class OffscreenImGui {
 public:
  // Needs a current GL 3.3 core context with glad loaded. `scale_percent` and `theme` as the
  // window's View menu. Throws std::runtime_error if the framebuffer cannot be made.
  OffscreenImGui(int width, int height, int scale_percent, widgets::Theme theme);
  ~OffscreenImGui();
  OffscreenImGui(const OffscreenImGui&) = delete;
  OffscreenImGui& operator=(const OffscreenImGui&) = delete;

  // One ImGui frame: `draw` is called inside a borderless window filling the frame (as the
  // window's panels are drawn inside its tab), with this object's heatmap renderer; then the
  // frame is rendered and read back. Returns width * height * 3 bytes of RGB8, row 0 at the
  // top. The mouse is outside the frame (no hover, no tooltip); each frame advances time by
  // `delta_seconds`.
  std::vector<uint8_t> render(const std::function<void(HeatmapRenderer&)>& draw,
                              float delta_seconds = 1.0f / 12.0f);

  int width() const { return width_; }
  int height() const { return height_; }
  HeatmapRenderer& heatmaps() { return *heatmaps_; }

 private:
  int width_ = 0, height_ = 0;
  ImGuiContext* context_ = nullptr;
  unsigned framebuffer_ = 0, colour_ = 0;
  std::unique_ptr<HeatmapRenderer> heatmaps_;
};

}  // namespace convt::gfx
