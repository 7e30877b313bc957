// The playground's numbers (app/logic/playground_model.h), checked by identities against the
// core: the output is the canvas with `padding` cut off every side, every canvas cell is the sum
// of the contributions the panel lists for it, and invalid settings give the core's error.
#include <gtest/gtest.h>

#include <string>

#include "convt/ops/conv_transpose2d.h"
#include "convt/shape.h"
#include "logic/playground_model.h"

namespace {

using convt::lab::PlaygroundModel;

// Every slider combination the panel offers.
template <class F>
void for_each_setting(F f) {
  for (int s = 1; s <= 3; ++s) {
    for (int p = 0; p <= 2; ++p) {
      for (int a = 0; a <= 2; ++a) f(s, p, a);
    }
  }
}

PlaygroundModel model_for(int s, int p, int a) {
  PlaygroundModel m;
  m.input = {1, 2, 0, -1, 0.5f, 3, 0, 1, -2};
  m.kernel = {0.25f, 1, -1, 2, 1, 0, -0.5f, 1, 3};
  m.stride = s;
  m.padding = p;
  m.output_padding = a;
  m.recompute();
  return m;
}

TEST(PlaygroundModel, ValidExactlyWhenTheShapeRulesSaySo) {
  for_each_setting([](int s, int p, int a) {
    PlaygroundModel m = model_for(s, p, a);
    bool valid = true;
    try {
      convt::conv_transpose_out_size(3, 3, s, p, a, 1);
    } catch (const convt::ShapeError&) {
      valid = false;
    }
    EXPECT_EQ(m.ok, valid) << "s" << s << " p" << p << " a" << a << ": " << m.error;
    EXPECT_EQ(m.error.empty(), valid);
    if (!valid) {
      EXPECT_NE(m.error.find("output_padding"), std::string::npos) << m.error;
      EXPECT_EQ(m.out_h(), 0);
    }
  });
}

TEST(PlaygroundModel, OutputSizeIsTheFormula) {
  for_each_setting([](int s, int p, int a) {
    PlaygroundModel m = model_for(s, p, a);
    if (!m.ok) return;
    const int expected = convt::conv_transpose_out_size(3, 3, s, p, a, 1);
    EXPECT_EQ(m.out_h(), expected);
    EXPECT_EQ(m.out_w(), expected);
    EXPECT_NE(m.formula_h.find("= " + std::to_string(expected)), std::string::npos) << m.formula_h;
    EXPECT_EQ(m.formula_h.rfind("H_out", 0), 0u);
    EXPECT_EQ(m.formula_w.rfind("W_out", 0), 0u);
  });
}

TEST(PlaygroundModel, OutputIsTheCanvasWithPaddingCroppedAway) {
  for_each_setting([](int s, int p, int a) {
    PlaygroundModel m = model_for(s, p, a);
    if (!m.ok) return;
    EXPECT_GE(m.canvas_h(), (3 - 1) * s + 3);  // the whole uncropped scatter is on the canvas
    for (int oy = 0; oy < m.out_h(); ++oy) {
      for (int ox = 0; ox < m.out_w(); ++ox) {
        EXPECT_TRUE(m.canvas_cell_kept(oy + p, ox + p));
        EXPECT_EQ(m.output.at(0, 0, oy, ox), m.canvas.at(0, 0, oy + p, ox + p))
            << "s" << s << " p" << p << " a" << a << " at " << oy << "," << ox;
      }
    }
    int kept = 0;
    for (int cy = 0; cy < m.canvas_h(); ++cy) {
      for (int cx = 0; cx < m.canvas_w(); ++cx) kept += m.canvas_cell_kept(cy, cx);
    }
    EXPECT_EQ(kept, m.out_h() * m.out_w());
  });
}

TEST(PlaygroundModel, CanvasCellsAreTheSumOfTheirContributions) {
  for_each_setting([](int s, int p, int a) {
    PlaygroundModel m = model_for(s, p, a);
    if (!m.ok) return;
    int total = 0;
    for (int cy = 0; cy < m.canvas_h(); ++cy) {
      for (int cx = 0; cx < m.canvas_w(); ++cx) {
        float sum = 0.0f;  // in the core's loop order, so the float sums match exactly
        for (const auto& c : m.contributions_to_canvas(cy, cx)) {
          EXPECT_EQ(c.iy * s + c.ky, cy);
          EXPECT_EQ(c.ix * s + c.kx, cx);
          EXPECT_EQ(c.product, c.x * c.w);
          sum += c.product;
          ++total;
        }
        EXPECT_EQ(sum, m.canvas.at(0, 0, cy, cx)) << "s" << s << " canvas " << cy << "," << cx;
      }
    }
    EXPECT_EQ(total, 3 * 3 * 3 * 3);  // every input pixel meets every weight once
  });
}

TEST(PlaygroundModel, StampsCoverTheKernelShapedBlock) {
  PlaygroundModel m = model_for(2, 1, 0);
  ASSERT_TRUE(m.ok);
  auto stamp = m.stamp_of_input(1, 2);
  ASSERT_EQ(stamp.size(), 9u);
  EXPECT_EQ(stamp.front().row, 2);  // top-left at (iy*S, ix*S)
  EXPECT_EQ(stamp.front().col, 4);
  EXPECT_EQ(stamp.back().row, 4);
  EXPECT_EQ(stamp.back().col, 6);
  auto uses = m.cells_of_weight(0, 0);
  ASSERT_EQ(uses.size(), 9u);
  EXPECT_EQ(uses[4].row, 2);  // input (1, 1) with weight (0, 0)
  EXPECT_EQ(uses[4].col, 2);
}

TEST(PlaygroundModel, DefaultIsValidAndPresetsHaveNineValues) {
  PlaygroundModel m;
  m.recompute();
  EXPECT_TRUE(m.ok) << m.error;
  EXPECT_FALSE(convt::lab::playground_input_presets().empty());
  EXPECT_FALSE(convt::lab::playground_kernel_presets().empty());
  EXPECT_EQ(convt::lab::playground_input_presets().front().values, PlaygroundModel{}.input);
  EXPECT_EQ(convt::lab::playground_kernel_presets().front().values, PlaygroundModel{}.kernel);
}

}  // namespace
