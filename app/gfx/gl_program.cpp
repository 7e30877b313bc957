#include "gfx/gl_program.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace convt::gfx {
namespace {

GLuint compile(const char* name, GLenum kind, const char* source) {
  GLuint shader = glCreateShader(kind);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(length > 0 ? length : 1), '\0');
    glGetShaderInfoLog(shader, length, nullptr, log.data());
    glDeleteShader(shader);
    throw std::runtime_error(std::string("shader '") + name + "' (" +
                             (kind == GL_VERTEX_SHADER ? "vertex" : "fragment") +
                             "): compile failed: " + log.c_str());
  }
  return shader;
}

}  // namespace

GLuint build_program(const char* name, const char* vertex_source, const char* fragment_source) {
  GLuint vs = compile(name, GL_VERTEX_SHADER, vertex_source);
  GLuint fs = 0;
  try {
    fs = compile(name, GL_FRAGMENT_SHADER, fragment_source);
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  GLuint program = glCreateProgram();
  glAttachShader(program, vs);
  glAttachShader(program, fs);
  glLinkProgram(program);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(length > 0 ? length : 1), '\0');
    glGetProgramInfoLog(program, length, nullptr, log.data());
    glDeleteProgram(program);
    throw std::runtime_error(std::string("shader program '") + name +
                             "': link failed: " + log.c_str());
  }
  return program;
}

void check_gl_error(const std::string& where) {
  GLenum error = glGetError();
  if (error != GL_NO_ERROR) {
    throw std::runtime_error(where + ": OpenGL error 0x" + [error] {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(error));
      return std::string(buf);
    }());
  }
}

}  // namespace convt::gfx
