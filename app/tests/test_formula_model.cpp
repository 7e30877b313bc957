// Formula model: the terms, the plots, the round trip, the doubling sets, Keras' names and the
// network tables. Every size is checked against shape.h (the core's formulas) or against an
// identity (terms sum to the result; the round trip comes back to where it started).
#include <gtest/gtest.h>

#include <algorithm>

#include "convt/shape.h"
#include "logic/formula_model.h"

using namespace convt;
using namespace convt::lab;

TEST(FormulaModel, TermsSumToTheFormulaAndSayWhatTheyDo) {
  FormulaParams p;  // 4x4, k4 s2 p1 -> 8 (the notes)
  const FormulaResult r = evaluate(p);
  ASSERT_TRUE(r.valid) << r.error;
  EXPECT_EQ(r.H_out, conv_transpose_out_size(4, 4, 2, 1, 0, 1));
  EXPECT_EQ(r.H_out, 8);
  ASSERT_EQ(r.terms.size(), 4u);
  int sum = 0;
  for (const FormulaTerm& t : r.terms) sum += t.value;
  EXPECT_EQ(sum, r.H_out);
  EXPECT_NE(r.terms[0].explanation.find("spread the input out"), std::string::npos);
  EXPECT_NE(r.terms[1].explanation.find("cut what padding adds"), std::string::npos);
  EXPECT_NE(r.terms[2].explanation.find("the kernel's reach"), std::string::npos);
  EXPECT_NE(r.terms[3].explanation.find("recover a size the forward conv could not tell apart"),
            std::string::npos);
  EXPECT_EQ(r.formula, conv_transpose_formula(4, 4, 2, 1, 0, 1, "H"));
  // Dilation 1: the notes' form with kH.
  EXPECT_EQ(r.notes_form, "H_out = (H-1)*stride - 2*padding + kH = (4-1)*2 - 2*1 + 4 = 8");
  p.dilation = 2;
  EXPECT_EQ(evaluate(p).notes_form, "");
  // Sweep: the terms always sum to shape.h's size.
  for (int h = 1; h <= 8; ++h)
    for (int k = 1; k <= 7; ++k)
      for (int s = 1; s <= 4; ++s)
        for (int pad = 0; pad <= 3; ++pad)
          for (int d = 1; d <= 3; ++d) {
            FormulaParams q{h, k, s, pad, 0, d};
            const FormulaResult e = evaluate(q);
            if (!e.valid) continue;
            int total = 0;
            for (const FormulaTerm& t : e.terms) total += t.value;
            ASSERT_EQ(total, conv_transpose_out_size(h, k, s, pad, 0, d));
          }
}

TEST(FormulaModel, InvalidParametersGiveShapesError) {
  FormulaParams p;
  p.output_padding = 2;  // >= stride 2
  const FormulaResult r = evaluate(p);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.error.find("output_padding"), std::string::npos) << r.error;
}

TEST(FormulaModel, PlotPoints) {
  FormulaParams p;
  p.kernel_size = 5;
  p.padding = 2;
  p.output_padding = 1;  // the GAN's 'same': H_out = 2H
  const std::vector<PlotPoint> vs_h = plot_vs_input(p, 32);
  ASSERT_EQ(vs_h.size(), 32u);
  for (const PlotPoint& pt : vs_h) {
    ASSERT_TRUE(pt.valid);
    EXPECT_EQ(pt.y, conv_transpose_out_size(pt.x, 5, 2, 2, 1, 1));
    EXPECT_EQ(pt.y, 2 * pt.x);
  }
  // Against stride: output_padding 1 needs stride >= 2, so stride 1 is invalid, with the reason.
  const std::vector<PlotPoint> vs_s = plot_vs_stride(p, 6);
  ASSERT_EQ(vs_s.size(), 6u);
  EXPECT_EQ(vs_s[0].x, 1);
  EXPECT_FALSE(vs_s[0].valid);
  EXPECT_NE(vs_s[0].error.find("output_padding"), std::string::npos);
  for (size_t i = 1; i < vs_s.size(); ++i) {
    EXPECT_TRUE(vs_s[i].valid);
    EXPECT_EQ(vs_s[i].y, conv_transpose_out_size(p.H, 5, vs_s[i].x, 2, 1, 1));
  }
  const std::vector<PlotPoint> vs_p = plot_vs_padding(p, 8);
  ASSERT_EQ(vs_p.size(), 9u);
  EXPECT_EQ(vs_p[0].x, 0);
  for (const PlotPoint& pt : vs_p) {
    const int expected = (p.H - 1) * 2 - 2 * pt.x + 4 + 1 + 1;
    EXPECT_EQ(pt.valid, expected >= 1);
    if (pt.valid) {
      EXPECT_EQ(pt.y, expected);
    }
  }
}

TEST(FormulaModel, RoundTripBringsEveryConvInputBack) {
  for (int s = 1; s <= 4; ++s)
    for (int k = 1; k <= 7; ++k)
      for (int pad = 0; pad <= 3; ++pad)
        for (int h = 1; h <= 10; ++h) {
          FormulaParams p{h, k, s, pad, 0, 1};
          const RoundTrip rt = round_trip(p);
          for (const RoundTripRow& row : rt.rows) {
            // conv2d maps X to H ...
            EXPECT_EQ(conv_out_size(row.conv_input, k, s, pad, 1), h);
            // ... and ConvTranspose2d with this output_padding maps H back to X.
            ASSERT_TRUE(row.allowed);
            EXPECT_EQ(conv_transpose_out_size(h, k, s, pad, row.output_padding, 1), row.conv_input);
          }
          // Every X with conv output H is listed (search a generous range).
          int expected = 0;
          for (int X = 1; X <= 60; ++X) {
            try {
              if (conv_out_size(X, k, s, pad, 1) == h) ++expected;
            } catch (const ShapeError&) {
            }
          }
          EXPECT_EQ(static_cast<int>(rt.rows.size()), expected)
              << "h" << h << " k" << k << " s" << s;
        }
  // k4 s2 p1, H = 4: conv inputs 8 and 9 both give 4; output_padding 0 and 1 bring them back.
  const RoundTrip rt = round_trip(FormulaParams{});
  ASSERT_EQ(rt.rows.size(), 2u);
  EXPECT_EQ(rt.rows[0].conv_input, 8);
  EXPECT_EQ(rt.rows[1].conv_input, 9);
  EXPECT_EQ(rt.rows[1].output_padding, 1);
  EXPECT_NE(rt.conv_formula.find("floor"), std::string::npos);
}

TEST(FormulaModel, DoublingSetsDoubleEveryInput) {
  const std::vector<DoublingSet> sets = doubling_sets(7);
  auto has = [&](int k, int p, int a) {
    return std::any_of(sets.begin(), sets.end(), [&](const DoublingSet& d) {
      return d.kernel_size == k && d.padding == p && d.output_padding == a && !d.note.empty();
    });
  };
  EXPECT_TRUE(has(5, 2, 1));  // the GAN's k5 s2 p2 op1
  EXPECT_TRUE(has(4, 1, 0));  // the minimal generator's k4 s2 p1
  for (const DoublingSet& d : sets) {
    for (int h = 1; h <= 32; ++h)
      EXPECT_EQ(conv_transpose_out_size(h, d.kernel_size, 2, d.padding, d.output_padding, 1), 2 * h)
          << "k" << d.kernel_size << " p" << d.padding << " op" << d.output_padding;
  }
  FormulaParams p;
  EXPECT_TRUE(exactly_doubles(p));
  p.kernel_size = 3;
  EXPECT_FALSE(exactly_doubles(p));
}

TEST(FormulaModel, KerasSameInPyTorchTerms) {
  // k5 s2 'same': PyTorch padding 2, output_padding 1 (shape.h); the 13-row canvas of a 5x5
  // input must lose 3 rows: PyTorch 2 top, 1 bottom; TensorFlow 1 top, 2 bottom: shifted.
  const KerasExplanation k5 = keras_explanation(5, 2, 5);
  const TransposePadding same = keras_same_conv_transpose_padding(5, 2);
  EXPECT_EQ(k5.same_padding, same.padding);
  EXPECT_EQ(k5.same_output_padding, same.output_padding);
  EXPECT_EQ(k5.crop_total, 3);
  EXPECT_EQ(k5.torch_top, 2);
  EXPECT_EQ(k5.torch_bottom, 1);
  EXPECT_EQ(k5.tf_top, 1);
  EXPECT_EQ(k5.tf_bottom, 2);
  EXPECT_TRUE(k5.shifted);
  EXPECT_EQ(conv_transpose_out_size(5, 5, 2, k5.same_padding, k5.same_output_padding, 1), 10);
  // The crop totals agree with the canvas: canvas - crops = H*s.
  EXPECT_EQ(conv_transpose_canvas_size(5, 5, 2, 1) - k5.torch_top - k5.torch_bottom, 10);
  EXPECT_EQ(conv_transpose_canvas_size(5, 5, 2, 1) - k5.tf_top - k5.tf_bottom, 10);
  // k4 s2: even total, both frameworks crop 1 and 1.
  const KerasExplanation k4 = keras_explanation(4, 2, 4);
  EXPECT_FALSE(k4.shifted);
  EXPECT_GE(k5.lines.size(), 4u);
  // 'valid': nothing cut.
  EXPECT_EQ(conv_transpose_out_size(5, 5, 2, k5.valid_padding, k5.valid_output_padding, 1),
            5 * 2 + 3);
}

namespace {

std::vector<std::string> out_shapes(const std::vector<TableRow>& rows) {
  std::vector<std::string> v;
  for (const TableRow& r : rows) {
    EXPECT_TRUE(r.ok) << r.layer << ": " << r.formula;
    v.push_back(r.out_shape);
  }
  return v;
}

const ModelSpec& find(const std::vector<ModelSpec>& models, const std::string& name) {
  for (const ModelSpec& m : models)
    if (m.name == name) return m;
  ADD_FAILURE() << "no model " << name;
  return models.front();
}

}  // namespace

TEST(FormulaModel, NetworkTablesFollowTheNotes) {
  // The notes' tables: G 100 -> 6400 -> 5x5x256 -> 10x10x128 -> 20x20x64 -> 20x20x1.
  const std::vector<ModelSpec> models = builtin_models();
  EXPECT_EQ(out_shapes(network_table(find(models, "dcgan20_G"))),
            (std::vector<std::string>{"6400", "5x5x256", "10x10x128", "20x20x64", "20x20x1"}));
  EXPECT_EQ(out_shapes(network_table(find(models, "dcgan20_D"))),
            (std::vector<std::string>{"10x10x64", "5x5x128", "3200", "1"}));
  EXPECT_EQ(out_shapes(network_table(find(models, "dcgan28_G"))),
            (std::vector<std::string>{"12544", "7x7x256", "7x7x128", "14x14x64", "28x28x1"}));
  EXPECT_EQ(out_shapes(network_table(find(models, "minimal32_G"))),
            (std::vector<std::string>{"4096", "4x4x256", "8x8x128", "16x16x64", "32x32x3"}));
  const std::vector<TableRow> rows = network_table(find(models, "dcgan20_G"));
  EXPECT_EQ(rows[2].params, "C_out=128 k5 s2 p2 op1 (Keras 'same')");
  EXPECT_EQ(rows[2].formula, "H_out = (5 - 1)*2 - 2*2 + 1*(5 - 1) + 1 + 1 = 10");
  EXPECT_EQ(rows[2].in_shape, "5x5x256");
}

TEST(FormulaModel, NetworkTableStopsAtTheFirstMismatch) {
  ModelSpec m = builtin_models().front();
  m.layers[1].reshape = {256, 4, 4};  // 6400 values cannot become 4x4x256
  const std::vector<TableRow> rows = network_table(m);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].ok);
  EXPECT_NE(rows[1].formula.find("6400"), std::string::npos) << rows[1].formula;
}

TEST(FormulaModel, SpecsFromAssetsMatchTheBuiltInTables) {
  std::vector<std::string> errors;
  const std::vector<ModelSpec> models = load_models(CONVT_SOURCE_DIR "/assets/models", &errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  const std::vector<ModelSpec> builtin = builtin_models();
  for (const char* name : {"dcgan20_G", "dcgan20_D", "dcgan28_G", "dcgan28_D", "minimal32_G"}) {
    EXPECT_EQ(out_shapes(network_table(find(models, name))),
              out_shapes(network_table(find(builtin, name))))
        << name;
  }
  // A missing directory: the built-in models.
  EXPECT_EQ(load_models("/nonexistent").size(), builtin.size());
}
