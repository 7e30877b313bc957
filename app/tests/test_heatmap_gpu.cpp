// The heatmap shader against its CPU copy: a grid coloured on the GPU (through the FBO) reads
// back as colormap_rgb() of each value, within rounding. Needs a display (xvfb-run); skipped
// without DISPLAY.
#include <GLFW/glfw3.h>
#include <glad/gl.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "gfx/colormap.h"
#include "gfx/heatmap_renderer.h"

namespace {

using convt::gfx::Colormap;

class HeatmapGpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* d = std::getenv("DISPLAY");
    if (d == nullptr || *d == '\0') GTEST_SKIP() << "no DISPLAY; run under xvfb-run";
    glfwSetErrorCallback([](int error, const char* description) {
      std::fprintf(stderr, "test_heatmap_gpu: GLFW error %d: %s\n", error, description);
    });
    ASSERT_TRUE(glfwInit());
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    window_ = glfwCreateWindow(64, 64, "test_heatmap_gpu", nullptr, nullptr);
    ASSERT_NE(window_, nullptr);
    glfwMakeContextCurrent(window_);
    ASSERT_NE(gladLoadGL(glfwGetProcAddress), 0);
  }
  void TearDown() override {
    if (window_ != nullptr) glfwDestroyWindow(window_);
    glfwTerminate();
  }
  GLFWwindow* window_ = nullptr;
};

void expect_matches_cpu(const std::vector<uint8_t>& rgba, const std::vector<float>& values,
                        Colormap colormap, float vmin, float vmax) {
  ASSERT_EQ(rgba.size(), values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    const convt::gfx::Rgb c = convt::gfx::colormap_rgb(colormap, values[i], vmin, vmax);
    EXPECT_NEAR(rgba[4 * i + 0], c.r * 255.0f, 1.01f) << "cell " << i << " value " << values[i];
    EXPECT_NEAR(rgba[4 * i + 1], c.g * 255.0f, 1.01f) << "cell " << i << " value " << values[i];
    EXPECT_NEAR(rgba[4 * i + 2], c.b * 255.0f, 1.01f) << "cell " << i << " value " << values[i];
    EXPECT_EQ(rgba[4 * i + 3], 255);
  }
}

TEST_F(HeatmapGpuTest, DivergingShaderMatchesTheCpuColormap) {
  convt::gfx::HeatmapRenderer renderer;
  const int rows = 5, cols = 7;  // not square, so a row/column mix-up shows
  std::vector<float> values(rows * cols);
  for (int i = 0; i < rows * cols; ++i) values[static_cast<size_t>(i)] = -4.0f + 0.3f * i;
  values[3] = std::numeric_limits<float>::quiet_NaN();
  renderer.render(1, values.data(), rows, cols, -3.0f, 6.0f, Colormap::kDiverging);
  expect_matches_cpu(renderer.read_rgba(1), values, Colormap::kDiverging, -3.0f, 6.0f);
}

TEST_F(HeatmapGpuTest, GrayShaderMatchesTheCpuColormap) {
  convt::gfx::HeatmapRenderer renderer;
  std::vector<float> values = {0.0f, 0.1f, 0.25f, 0.5f, 0.75f, 0.9f, 1.0f, 2.0f, -1.0f};
  renderer.render(7, values.data(), 3, 3, 0.0f, 1.0f, Colormap::kGray);
  expect_matches_cpu(renderer.read_rgba(7), values, Colormap::kGray, 0.0f, 1.0f);
}

TEST_F(HeatmapGpuTest, CachesUnchangedGridsAndFreesUnusedOnes) {
  convt::gfx::HeatmapRenderer renderer;
  std::vector<float> a = {1, 2, 3, 4};
  const GLuint t1 = renderer.render(1, a.data(), 2, 2, -4, 4, Colormap::kDiverging);
  const GLuint t2 = renderer.render(1, a.data(), 2, 2, -4, 4, Colormap::kDiverging);
  EXPECT_EQ(t1, t2);
  EXPECT_EQ(renderer.colour_passes(), 1);  // same values, range and map: not re-coloured
  a[2] = -3;
  renderer.render(1, a.data(), 2, 2, -4, 4, Colormap::kDiverging);
  EXPECT_EQ(renderer.colour_passes(), 2);
  renderer.render(1, a.data(), 2, 2, -5, 5, Colormap::kDiverging);
  EXPECT_EQ(renderer.colour_passes(), 3);
  renderer.render(2, a.data(), 1, 4, -4, 4, Colormap::kDiverging);
  EXPECT_EQ(renderer.texture_count(), 2u);
  renderer.end_frame();  // both used this frame: kept
  EXPECT_EQ(renderer.texture_count(), 2u);
  renderer.render(2, a.data(), 1, 4, -4, 4, Colormap::kDiverging);
  renderer.end_frame();  // key 1 not used since the last end_frame: freed
  EXPECT_EQ(renderer.texture_count(), 1u);
  EXPECT_THROW(renderer.read_rgba(1), std::out_of_range);
  EXPECT_THROW(renderer.render(3, a.data(), 0, 4, -1, 1, Colormap::kDiverging),
               std::invalid_argument);
  EXPECT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR));
}

}  // namespace
