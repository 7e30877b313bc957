#include "gfx/offscreen.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <backends/imgui_impl_opengl3.h>
#include <glad/gl.h>
#include <imgui.h>

#include <cfloat>
#include <stdexcept>
#include <string>

#include "gfx/screenshot.h"
#include "widgets/style.h"

namespace convt::gfx {

namespace {

std::string egl_error(const char* step) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(eglGetError()));
  return std::string("headless OpenGL (EGL, Mesa's surfaceless platform): ") + step +
         " failed (EGL error " + code + ")";
}

GLADapiproc egl_proc(const char* name) {
  return reinterpret_cast<GLADapiproc>(eglGetProcAddress(name));
}

}  // namespace

HeadlessGl::HeadlessGl() {
  const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  if (client == nullptr ||
      std::string(client).find("EGL_MESA_platform_surfaceless") == std::string::npos) {
    throw std::runtime_error(
        "headless OpenGL: EGL has no surfaceless platform (EGL_MESA_platform_surfaceless); "
        "expected Mesa's libEGL (Debian: libegl-mesa0)");
  }
  auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
      eglGetProcAddress("eglGetPlatformDisplayEXT"));
  EGLDisplay display = get_platform_display ? get_platform_display(EGL_PLATFORM_SURFACELESS_MESA,
                                                                   EGL_DEFAULT_DISPLAY, nullptr)
                                            : EGL_NO_DISPLAY;
  if (display == EGL_NO_DISPLAY) throw std::runtime_error(egl_error("eglGetPlatformDisplayEXT"));
  EGLint major = 0, minor = 0;
  if (!eglInitialize(display, &major, &minor)) throw std::runtime_error(egl_error("eglInitialize"));
  display_ = display;
  if (!eglBindAPI(EGL_OPENGL_API)) {
    eglTerminate(display);
    throw std::runtime_error(egl_error("eglBindAPI(OpenGL)"));
  }
  // No config and no surface: we draw into a framebuffer object (EGL_KHR_no_config_context,
  // EGL_KHR_surfaceless_context, both in Mesa).
  const EGLint attributes[] = {EGL_CONTEXT_MAJOR_VERSION,
                               3,
                               EGL_CONTEXT_MINOR_VERSION,
                               3,
                               EGL_CONTEXT_OPENGL_PROFILE_MASK,
                               EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                               EGL_NONE};
  EGLContext context = eglCreateContext(display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attributes);
  if (context == EGL_NO_CONTEXT) {
    const std::string message = egl_error("eglCreateContext (OpenGL 3.3 core)");
    eglTerminate(display);
    throw std::runtime_error(message);
  }
  context_ = context;
  if (!eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, context)) {
    const std::string message = egl_error("eglMakeCurrent (no surface)");
    eglDestroyContext(display, context);
    eglTerminate(display);
    throw std::runtime_error(message);
  }
  if (gladLoadGL(egl_proc) == 0) {
    eglMakeCurrent(display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    eglDestroyContext(display, context);
    eglTerminate(display);
    throw std::runtime_error("headless OpenGL: glad could not load the OpenGL 3.3 functions");
  }
}

HeadlessGl::~HeadlessGl() {
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(display_, context_);
  eglTerminate(display_);
}

std::string HeadlessGl::renderer() const {
  return std::string(reinterpret_cast<const char*>(glGetString(GL_VERSION))) + ", " +
         reinterpret_cast<const char*>(glGetString(GL_RENDERER));
}

OffscreenImGui::OffscreenImGui(int width, int height, int scale_percent, widgets::Theme theme)
    : width_(width), height_(height) {
  glGenFramebuffers(1, &framebuffer_);
  glGenRenderbuffers(1, &colour_);
  GLint last_framebuffer = 0, last_renderbuffer = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &last_framebuffer);
  glGetIntegerv(GL_RENDERBUFFER_BINDING, &last_renderbuffer);
  glBindRenderbuffer(GL_RENDERBUFFER, colour_);
  glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, colour_);
  const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(last_framebuffer));
  glBindRenderbuffer(GL_RENDERBUFFER, static_cast<GLuint>(last_renderbuffer));
  if (status != GL_FRAMEBUFFER_COMPLETE) {
    glDeleteFramebuffers(1, &framebuffer_);
    glDeleteRenderbuffers(1, &colour_);
    throw std::runtime_error("offscreen frame " + std::to_string(width) + "x" +
                             std::to_string(height) + ": framebuffer incomplete (status " +
                             std::to_string(status) + ")");
  }
  heatmaps_ = std::make_unique<HeatmapRenderer>();
  ImGuiContext* previous = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGui::GetIO().IniFilename = nullptr;
  ImGui_ImplOpenGL3_Init("#version 330 core");
  widgets::apply_ui_scale(scale_percent, theme, false);
  ImGui::SetCurrentContext(previous);
}

OffscreenImGui::~OffscreenImGui() {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(context_);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext(context_);
  ImGui::SetCurrentContext(previous == context_ ? nullptr : previous);
  heatmaps_.reset();
  glDeleteFramebuffers(1, &framebuffer_);
  glDeleteRenderbuffers(1, &colour_);
}

std::vector<uint8_t> OffscreenImGui::render(const std::function<void(HeatmapRenderer&)>& draw,
                                            float delta_seconds) {
  ImGuiContext* previous = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
  io.DeltaTime = delta_seconds;
  io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0.0f, 0.0f));
  ImGui::SetNextWindowSize(io.DisplaySize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (ImGui::Begin("##offscreen", nullptr, flags)) draw(*heatmaps_);
  ImGui::End();
  ImGui::Render();

  GLint last_framebuffer = 0, last_viewport[4] = {}, last_pack = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &last_framebuffer);
  glGetIntegerv(GL_VIEWPORT, last_viewport);
  glGetIntegerv(GL_PACK_ALIGNMENT, &last_pack);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, width_, height_);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  heatmaps_->end_frame();
  std::vector<uint8_t> rgb(static_cast<size_t>(width_) * height_ * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  glReadPixels(0, 0, width_, height_, GL_RGB, GL_UNSIGNED_BYTE, rgb.data());
  const GLenum error = glGetError();
  glPixelStorei(GL_PACK_ALIGNMENT, last_pack);
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(last_framebuffer));
  glViewport(last_viewport[0], last_viewport[1], last_viewport[2], last_viewport[3]);
  ImGui::SetCurrentContext(previous);
  if (error != GL_NO_ERROR) {
    throw std::runtime_error("offscreen frame: glReadPixels failed (GL error " +
                             std::to_string(error) + ")");
  }
  flip_rows(rgb, width_ * 3, height_);
  return rgb;
}

}  // namespace convt::gfx
