// Compiling and linking GLSL programs, with errors that show the driver's log.
// Needs a current OpenGL 3.3 core context with glad loaded.
#pragma once

#include <glad/gl.h>

#include <string>

namespace convt::gfx {

// Compiles `vertex_source` and `fragment_source` and links them. `name` ("heatmap") appears in
// errors. Throws std::runtime_error with the compile or link log.
GLuint build_program(const char* name, const char* vertex_source, const char* fragment_source);

// Throws std::runtime_error naming `where` and the GL error code if glGetError() reports one.
void check_gl_error(const std::string& where);

}  // namespace convt::gfx
