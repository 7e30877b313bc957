// Lessons, without GL: the lessons' content (app/logic/lessons_model.h), lesson 2's
// matrix view against the core, and the numbers the lessons' text states. The Show me buttons are
// tested in test_lessons_show_me.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "logic/formula_model.h"
#include "logic/lessons_model.h"
#include "logic/stepper_model.h"

namespace {

using convt::lab::lessons;

// ---- Content ------------------------------------------------------------------------------

TEST(Lessons, TenLessonsInTheStudentsOrder) {
  ASSERT_EQ(lessons().size(), 10u);
  EXPECT_NE(lessons()[0].title.find("Convolution"), std::string::npos);
  EXPECT_NE(lessons()[1].title.find("Transposed"), std::string::npos);
  EXPECT_NE(lessons()[2].title.find("formula"), std::string::npos);
  EXPECT_NE(lessons()[3].title.find("checkerboard"), std::string::npos);
  EXPECT_NE(lessons()[4].title.find("pooling"), std::string::npos);
  EXPECT_NE(lessons()[6].title.find("Step A"), std::string::npos);
  EXPECT_NE(lessons()[7].title.find("curves"), std::string::npos);
  EXPECT_NE(lessons()[8].title.find("latent"), std::string::npos);
}

TEST(Lessons, EachHasAQuestionTextAndAShowMeToAKnownPanel) {
  for (size_t i = 0; i < lessons().size(); ++i) {
    const convt::lab::Lesson& l = lessons()[i];
    EXPECT_FALSE(l.title.empty()) << i;
    EXPECT_EQ(l.question.back(), '?') << "lesson " << i + 1;
    EXPECT_FALSE(l.paragraphs.empty()) << i;
    ASSERT_FALSE(l.show_me.empty()) << "lesson " << i + 1;
    for (const convt::lab::ShowMe& s : l.show_me) {
      EXPECT_EQ(s.label.rfind("Show me", 0), 0u) << s.label;
      EXPECT_GT(s.look_for.size(), 40u) << s.label;
      const std::set<std::string> targets = {"stepper",    "formula",     "training", "latent",
                                             "completion", "experiments", "cnn"};
      EXPECT_EQ(targets.count(s.panel), 1u) << s.panel;
    }
  }
}

// "No walls of text": a lesson's paragraphs fit a screen (at most ~1,300 characters, each
// paragraph at most ~560).
TEST(Lessons, TextIsShort) {
  for (size_t i = 0; i < lessons().size(); ++i) {
    size_t total = 0;
    for (const std::string& p : lessons()[i].paragraphs) {
      EXPECT_LE(p.size(), 560u) << "lesson " << i + 1 << ": " << p.substr(0, 60);
      total += p.size();
    }
    EXPECT_LE(total, 1300u) << "lesson " << i + 1;
  }
}

// ---- Lesson 2's matrix view ---------------------------------------------------------------

TEST(LessonsMatrix, ShapesOfTheTinyCase) {
  const convt::lab::ConvMatrixView v = convt::lab::conv_matrix_view();
  EXPECT_EQ(v.H_out, 2);
  EXPECT_EQ(v.C.rows, 4);
  EXPECT_EQ(v.C.cols, 9);
  EXPECT_EQ(v.T.rows, 9);
  EXPECT_EQ(v.T.cols, 4);
  // Row y00 of C is the kernel laid on the top-left window: x00 x01 / x10 x11 = 1 2 / 3 4.
  EXPECT_EQ(v.C.at(0, 0), 1.0f);
  EXPECT_EQ(v.C.at(0, 1), 2.0f);
  EXPECT_EQ(v.C.at(0, 2), 0.0f);
  EXPECT_EQ(v.C.at(0, 3), 3.0f);
  EXPECT_EQ(v.C.at(0, 4), 4.0f);
}

TEST(LessonsMatrix, TransposedConvolutionIsTheTransposeOfConvolution) {
  EXPECT_EQ(convt::lab::conv_matrix_view().max_diff_from_transpose, 0.0f);
  // A strided, padded case too: 5x5, k3 s2 p1 -> 3x3 (the adjoint identity, any weights).
  const std::vector<float> k = {0.5f, -1.0f, 2.0f, 0.25f, 1.0f, -0.5f, 3.0f, 1.5f, -2.0f};
  const convt::lab::Matrix C = convt::lab::conv2d_matrix(5, 5, k, 3, 3, 2, 1);
  const convt::lab::Matrix T = convt::lab::conv_transpose2d_matrix(3, 3, k, 3, 3, 2, 1);
  ASSERT_EQ(C.rows, 9);
  ASSERT_EQ(C.cols, 25);
  const convt::lab::Matrix Ct = convt::lab::transpose(C);
  ASSERT_EQ(T.rows, Ct.rows);
  ASSERT_EQ(T.cols, Ct.cols);
  for (size_t i = 0; i < T.values.size(); ++i) EXPECT_EQ(T.values[i], Ct.values[i]) << i;
}

TEST(LessonsMatrix, MatrixTimesImageIsTheCoresConvolution) {
  const convt::lab::ConvMatrixView v = convt::lab::conv_matrix_view();
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  convt::Tensor x({1, 1, 3, 3});
  for (float& value : x.values()) value = u(rng);
  convt::Tensor w({1, 1, 2, 2}, v.kernel);
  convt::Tensor y;
  convt::conv2d_forward(y, x, w, nullptr, convt::Conv2dParams{});
  ASSERT_EQ(y.numel(), 4);
  for (int r = 0; r < 4; ++r) {
    float sum = 0.0f;
    for (int c = 0; c < 9; ++c) sum += v.C.at(r, c) * x.values()[static_cast<size_t>(c)];
    EXPECT_NEAR(sum, y.values()[static_cast<size_t>(r)], 1e-5f) << r;
  }
}

TEST(LessonsMatrix, RoundTripIsNotTheInput) {
  const convt::lab::ConvMatrixView v = convt::lab::conv_matrix_view();
  ASSERT_EQ(v.TCx.size(), v.x.size());
  EXPECT_NE(v.TCx, v.x);
  // C x by hand for x = 1..9 and the kernel 1 2 / 3 4: y00 = 1*1 + 2*2 + 3*4 + 4*5 = 37.
  EXPECT_EQ(v.Cx[0], 37.0f);
}

// ---- What the lessons' text says is true ----------------------------------------------------

TEST(LessonsClaims, Lesson1Conv2dFiveToThree) {
  const convt::lab::StepperPreset* p = convt::lab::find_preset("conv2d");
  ASSERT_NE(p, nullptr);
  convt::lab::StepperModel m;
  m.load_preset(*p);
  EXPECT_EQ(m.out_h(), 3);
  EXPECT_EQ(m.block_size(), 9);  // one window = 9 products
}

TEST(LessonsClaims, Lesson3FormulaExamples) {
  convt::lab::FormulaParams p;  // H 4, k4 s2 p1
  EXPECT_EQ(convt::lab::evaluate(p).H_out, 8);
  p.H = 5;
  p.kernel_size = 5;
  p.padding = 2;
  p.output_padding = 1;
  EXPECT_EQ(convt::lab::evaluate(p).H_out, 10);
  // "k3 s2 p1 turns both 7 and 8 into 4".
  convt::lab::FormulaParams q;
  q.H = 4;
  q.kernel_size = 3;
  q.padding = 1;
  bool seven = false, eight = false;
  for (const convt::lab::RoundTripRow& r : convt::lab::round_trip(q).rows) {
    EXPECT_EQ(r.conv_output, 4);
    seven |= r.conv_input == 7;
    eight |= r.conv_input == 8;
  }
  EXPECT_TRUE(seven && eight);
}

TEST(LessonsClaims, Lesson4UnevennessK3S2IsFourK4S2IsOne) {
  convt::lab::StepperModel m;
  m.load_preset(*convt::lab::find_preset("k3s2"));
  EXPECT_EQ(m.overlap().interior_max, 4);
  EXPECT_EQ(m.overlap().interior_min, 1);
  m.load_preset(*convt::lab::find_preset("k4s2"));
  EXPECT_EQ(m.overlap().interior_max, 4);
  EXPECT_EQ(m.overlap().interior_min, 4);
}

}  // namespace
