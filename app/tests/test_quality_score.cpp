// The sample-quality score (app/logic/quality_score.h) with the shipped classifier
// (assets/classifier/digits20.safetensors): high on real digits, low on noise, and the score's
// identities (1 for identical inputs; histogram sums to N); 28x28 digits judged as the 20x20
// ones they were made from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "convt/rng.h"
#include "logic/quality_score.h"

namespace {

convt::Tensor first_rows(const convt::Tensor& images, int64_t stride, int64_t n) {
  convt::Tensor out({n, 1, 20, 20});
  for (int64_t i = 0; i < n; ++i) {
    std::copy(images.data() + i * stride * 400, images.data() + (i * stride + 1) * 400,
              out.data() + i * 400);
  }
  return out;
}

class QualityScoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    classifier_ =
        convt::lab::load_classifier(convt::asset_path("classifier/digits20.safetensors")).release();
    digits_ = new convt::Dataset(convt::load_builtin_digits(20));
  }
  static void TearDownTestSuite() {
    delete classifier_;
    delete digits_;
  }
  static convt::nn::Sequential* classifier_;
  static convt::Dataset* digits_;
};
convt::nn::Sequential* QualityScoreTest::classifier_ = nullptr;
convt::Dataset* QualityScoreTest::digits_ = nullptr;

TEST_F(QualityScoreTest, HighOnRealDigits) {
  // 500 digits spread over the (class-sorted) set: every class about equally often.
  const convt::Tensor real = first_rows(digits_->images, digits_->size() / 500, 500);
  const convt::lab::QualityScore q = convt::lab::quality_score(*classifier_, real);
  EXPECT_EQ(q.count, 500);
  EXPECT_GT(q.score, 7.0f);  // at most 10 (10 classes)
  EXPECT_LE(q.score, 10.0f + 1e-3f);
  EXPECT_GT(q.confident, 0.85f);
  for (int c = 0; c < 10; ++c) EXPECT_GT(q.histogram[c], 25) << c;
}

// The ceiling a generator's score is read against: the 1,000 digits the classifier never saw in
// training (every 10th, i % 10 == 9, as app/tools/train_classifier.cpp holds them out). Printed,
// since reports quote it beside generators' scores.
TEST_F(QualityScoreTest, HeldOutRealDigitsGiveTheCeiling) {
  convt::Tensor held_out({1000, 1, 20, 20});
  for (int64_t k = 0; k < 1000; ++k) {
    const int64_t i = 10 * k + 9;
    std::copy(digits_->images.data() + i * 400, digits_->images.data() + (i + 1) * 400,
              held_out.data() + k * 400);
  }
  const convt::lab::QualityScore q = convt::lab::quality_score(*classifier_, held_out);
  std::printf("quality score of the 1000 held-out real digits: %.2f, confident %.1f%%\n", q.score,
              100.0 * q.confident);
  EXPECT_GT(q.score, 8.0f);
  EXPECT_GT(q.confident, 0.85f);
}

TEST_F(QualityScoreTest, LowOnNoise) {
  convt::Tensor noise({500, 1, 20, 20});
  convt::Rng rng(7);
  for (float& v : noise.values()) v = rng.uniform(-1.0f, 1.0f);
  const convt::lab::QualityScore q = convt::lab::quality_score(*classifier_, noise);
  EXPECT_LT(q.score, 2.5f);
  int total = 0;
  for (int h : q.histogram) total += h;
  EXPECT_EQ(total, 500);
}

TEST_F(QualityScoreTest, OneImageRepeatedScoresOne) {
  // p(y|x) == p(y) for every x: KL = 0, exp(0) = 1 (mode collapse in its purest form).
  const convt::Tensor same = first_rows(digits_->images, 0, 50);
  const convt::lab::QualityScore q = convt::lab::quality_score(*classifier_, same);
  EXPECT_NEAR(q.score, 1.0f, 1e-4f);
  EXPECT_EQ(*std::max_element(q.histogram.begin(), q.histogram.end()), 50);
}

// The built-in 20x20 digits are the 28x28 ones area-resized (scripts/build_digits_assets.py)
// and stored as 8-bit: classifier_input of the 28x28 set gives them back to within half a grey
// level, and the two sets score the same.
TEST_F(QualityScoreTest, The28x28DigitsResizedAreThe20x20Ones) {
  const convt::Dataset d28 = convt::load_builtin_digits(28);
  const convt::Tensor resized = convt::lab::classifier_input(d28.images);
  ASSERT_EQ(resized.shape(), digits_->images.shape());
  float worst = 0.0f;
  for (int64_t i = 0; i < resized.numel(); ++i) {
    worst = std::max(worst, std::abs(resized[i] - digits_->images[i]));
  }
  EXPECT_LE(worst, 1.0f / 255.0f + 1e-5f);  // half of a level (2/255 in [-1, 1])
  const convt::Tensor real20 = first_rows(digits_->images, digits_->size() / 500, 500);
  convt::Tensor real28({500, 1, 28, 28});
  for (int64_t i = 0; i < 500; ++i) {
    const int64_t k = i * (d28.size() / 500);
    std::copy(d28.images.data() + k * 784, d28.images.data() + (k + 1) * 784,
              real28.data() + i * 784);
  }
  EXPECT_NEAR(convt::lab::quality_score(*classifier_, real28).score,
              convt::lab::quality_score(*classifier_, real20).score, 0.02f);
}

TEST(QualityScoreShapes, OnlyGrayDigitSizesAreTaken) {
  EXPECT_TRUE(convt::lab::classifier_takes({1, 20, 20}));
  EXPECT_TRUE(convt::lab::classifier_takes({1, 28, 28}));
  EXPECT_FALSE(convt::lab::classifier_takes({3, 32, 32}));
  EXPECT_FALSE(convt::lab::classifier_takes({1, 32, 32}));
  try {
    convt::lab::classifier_input(convt::Tensor({2, 3, 32, 32}));
    FAIL() << "a colour batch was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("found (2, 3, 32, 32)"), std::string::npos) << e.what();
  }
}

TEST(QualityScoreFile, MissingWeightIsNamed) {
  EXPECT_THROW(convt::lab::load_classifier("/nonexistent/classifier.safetensors"), std::exception);
}

// The nearest real digit and the class directions are for digit models only: by the data the
// file names, or for a file that does not say, by the 20x20 size of the app's older dcgan20s.
TEST(DrawsDigits, ByTheTrainingDataElseByTheOlderSize) {
  using convt::lab::draws_digits;
  EXPECT_TRUE(draws_digits({1, 20, 20}, "digits20"));
  EXPECT_TRUE(draws_digits({1, 28, 28}, "digits28"));
  EXPECT_TRUE(draws_digits({1, 20, 20}, ""));
  EXPECT_FALSE(draws_digits({1, 28, 28}, ""));
  EXPECT_FALSE(draws_digits({1, 28, 28}, "fashion-mnist-train"));
  EXPECT_FALSE(draws_digits({1, 20, 20}, "fashion-mnist-train@20"));
  EXPECT_FALSE(draws_digits({1, 20, 20}, "my_pictures"));
  EXPECT_FALSE(draws_digits({1, 20, 20}, "digits_scanned"));  // a folder of that name
  EXPECT_FALSE(draws_digits({1, 32, 32}, "digits28@32"));  // no classifier or real digit that size
  EXPECT_FALSE(draws_digits({3, 32, 32}, "emoji"));
}

}  // namespace
