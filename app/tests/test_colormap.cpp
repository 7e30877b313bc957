// The CPU colour maps (app/gfx/colormap.h): the diverging map is centred on zero, its ends are
// ColorBrewer's end classes, and its stops are the same numbers as in shaders/heatmap.frag.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "convt_shaders.h"
#include "gfx/colormap.h"

namespace {

using convt::gfx::Colormap;
using convt::gfx::colormap_rgb;
using convt::gfx::diverging_position;
using convt::gfx::kRdbuR;
using convt::gfx::Rgb;

void expect_rgb_eq(Rgb a, Rgb b, const std::string& what) {
  EXPECT_NEAR(a.r, b.r, 1e-6f) << what;
  EXPECT_NEAR(a.g, b.g, 1e-6f) << what;
  EXPECT_NEAR(a.b, b.b, 1e-6f) << what;
}

TEST(Colormap, DivergingPositionIsCentredOnZero) {
  EXPECT_FLOAT_EQ(diverging_position(0.0f, -3.0f, 3.0f), 0.5f);
  EXPECT_FLOAT_EQ(diverging_position(0.0f, -1.0f, 10.0f), 0.5f);  // asymmetric: still centred
  EXPECT_FLOAT_EQ(diverging_position(-3.0f, -3.0f, 3.0f), 0.0f);
  EXPECT_FLOAT_EQ(diverging_position(3.0f, -3.0f, 3.0f), 1.0f);
  EXPECT_FLOAT_EQ(diverging_position(-1.0f, -1.0f, 10.0f), 0.0f);
  EXPECT_FLOAT_EQ(diverging_position(10.0f, -1.0f, 10.0f), 1.0f);
  EXPECT_FLOAT_EQ(diverging_position(-100.0f, -3.0f, 3.0f), 0.0f);  // clamped
  EXPECT_FLOAT_EQ(diverging_position(100.0f, -3.0f, 3.0f), 1.0f);
}

TEST(Colormap, SymmetricRangeIsMirrored) {
  for (float v = 0.0f; v <= 2.0f; v += 0.125f) {
    EXPECT_FLOAT_EQ(diverging_position(-v, -2.0f, 2.0f), 1.0f - diverging_position(v, -2.0f, 2.0f))
        << v;
  }
}

TEST(Colormap, EndsAndCentreAreTheColorBrewerClasses) {
  expect_rgb_eq(colormap_rgb(Colormap::kDiverging, -2.0f, -2.0f, 2.0f), kRdbuR[0], "vmin");
  expect_rgb_eq(colormap_rgb(Colormap::kDiverging, 0.0f, -2.0f, 2.0f), kRdbuR[5], "zero");
  expect_rgb_eq(colormap_rgb(Colormap::kDiverging, 2.0f, -2.0f, 2.0f), kRdbuR[10], "vmax");
}

TEST(Colormap, NegativeIsBluePositiveIsRedZeroIsLightest) {
  const float zero_luminance = convt::gfx::luminance(colormap_rgb(Colormap::kDiverging, 0, -1, 1));
  for (float v = -1.0f; v <= 1.0f; v += 0.0625f) {
    Rgb c = colormap_rgb(Colormap::kDiverging, v, -1.0f, 1.0f);
    if (v < 0) {
      EXPECT_GT(c.b, c.r) << v;
    }
    if (v > 0) {
      EXPECT_GT(c.r, c.b) << v;
    }
    EXPECT_LE(convt::gfx::luminance(c), zero_luminance + 1e-6f) << v;
  }
  // Further from zero is darker, on both sides.
  for (float v = 0.0f; v < 1.0f; v += 0.0625f) {
    EXPECT_GE(convt::gfx::luminance(colormap_rgb(Colormap::kDiverging, v, -1, 1)),
              convt::gfx::luminance(colormap_rgb(Colormap::kDiverging, v + 0.0625f, -1, 1)));
    EXPECT_GE(convt::gfx::luminance(colormap_rgb(Colormap::kDiverging, -v, -1, 1)),
              convt::gfx::luminance(colormap_rgb(Colormap::kDiverging, -v - 0.0625f, -1, 1)));
  }
}

TEST(Colormap, NanIsMagenta) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_rgb_eq(colormap_rgb(Colormap::kDiverging, nan, -1, 1), {1, 0, 1}, "diverging");
  expect_rgb_eq(colormap_rgb(Colormap::kGray, nan, 0, 1), {1, 0, 1}, "gray");
}

TEST(Colormap, GrayIsLinear) {
  expect_rgb_eq(colormap_rgb(Colormap::kGray, -1.0f, -1.0f, 3.0f), {0, 0, 0}, "vmin");
  expect_rgb_eq(colormap_rgb(Colormap::kGray, 1.0f, -1.0f, 3.0f), {0.5f, 0.5f, 0.5f}, "middle");
  expect_rgb_eq(colormap_rgb(Colormap::kGray, 3.0f, -1.0f, 3.0f), {1, 1, 1}, "vmax");
}

TEST(Colormap, SymmetricLimit) {
  std::vector<float> v = {0.5f, -2.5f, 1.0f, std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN()};
  EXPECT_FLOAT_EQ(convt::gfx::symmetric_limit(v.data(), v.size()), 2.5f);  // non-finite ignored
  std::vector<float> zeros(4, 0.0f);
  EXPECT_FLOAT_EQ(convt::gfx::symmetric_limit(zeros.data(), zeros.size()), 1.0f);
  EXPECT_FLOAT_EQ(convt::gfx::symmetric_limit(nullptr, 0), 1.0f);
}

// The shader and the CPU copy must hold the same 11 stops.
TEST(Colormap, ShaderHasTheSameStops) {
  const std::string source = convt::shaders::k_heatmap_frag;
  const auto table = source.find("k_rdbu_r[11] = vec3[11](");
  ASSERT_NE(table, std::string::npos) << "shaders/heatmap.frag lost its k_rdbu_r table";
  const std::string body = source.substr(table, source.find(");", table) - table);
  std::regex stop(R"(vec3\(\s*([0-9.]+)\s*,\s*([0-9.]+)\s*,\s*([0-9.]+)\s*\))");
  std::vector<Rgb> stops;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), stop); it != std::sregex_iterator();
       ++it) {
    stops.push_back(
        {std::stof((*it)[1]) / 255.f, std::stof((*it)[2]) / 255.f, std::stof((*it)[3]) / 255.f});
  }
  ASSERT_EQ(stops.size(), static_cast<size_t>(convt::gfx::kRdbuStopCount));
  for (size_t i = 0; i < stops.size(); ++i) {
    expect_rgb_eq(stops[i], kRdbuR[i], "stop " + std::to_string(i));
  }
}

}  // namespace
