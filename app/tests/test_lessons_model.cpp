// Lessons, without GL: the lessons' content (app/logic/lessons_model.h), the lesson files
// (assets/lessons/*.json: every shipped one loads; a broken copy is refused with a message
// naming the file, the field and the value), lesson 2's matrix view against the core, and the
// numbers the lessons' text states. The Show me buttons are tested in test_lessons_show_me.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "logic/formula_model.h"
#include "logic/lessons_model.h"
#include "logic/stepper_model.h"

namespace {

namespace fs = std::filesystem;
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

// ---- The lesson files (assets/lessons/*.json) ------------------------------------------------

// A copy of the shipped lesson folder in a temporary directory, to break one file of.
class LessonFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    shipped_ = fs::path(CONVT_SOURCE_DIR) / "assets" / "lessons";
    dir_ = fs::temp_directory_path() /
           ("convt_lessons_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const fs::directory_entry& e : fs::directory_iterator(shipped_)) {
      if (e.path().extension() == ".json") fs::copy_file(e.path(), dir_ / e.path().filename());
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The shipped file `name`, parsed: the tests change it, then write it to the copy.
  nlohmann::json read(const std::string& name) const {
    std::ifstream in(shipped_ / name);
    return nlohmann::json::parse(in);
  }
  void write(const std::string& name, const nlohmann::json& j) const {
    std::ofstream(dir_ / name) << j.dump(2);
  }
  // Writes `j` as `name` and loads it alone: load_lesson's error message ("" if it loaded).
  std::string error_of(const std::string& name, const nlohmann::json& j) const {
    write(name, j);
    try {
      convt::lab::load_lesson((dir_ / name).string());
    } catch (const convt::lab::LessonError& e) {
      return e.what();
    }
    return "";
  }
  // `message` names the file, the JSON path and the bad value.
  static void names(const std::string& message, const std::string& file, const std::string& path,
                    const std::string& value) {
    EXPECT_NE(message.find(file + ": " + path + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(value), std::string::npos) << message;
  }

  fs::path shipped_, dir_;
};

TEST_F(LessonFiles, EveryShippedFileLoadsAndValidates) {
  const std::vector<convt::lab::Lesson> all = convt::lab::load_lessons(shipped_.string());
  ASSERT_EQ(all.size(), 10u);
  for (const convt::lab::Lesson& l : all) {
    EXPECT_EQ(l.load_error, "") << l.file;
    EXPECT_EQ(l.file.size() > 3 ? l.file.substr(l.file.size() - 5) : "", ".json") << l.file;
  }
  EXPECT_EQ(all[0].file, "01-convolution.json");
  EXPECT_EQ(all[7].file, "08-curves.json");
  // lessons() reads the same folder of the assets.
  ASSERT_EQ(lessons().size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(lessons()[i].title, all[i].title) << i;
}

TEST_F(LessonFiles, EnumsAndSettingsAreReadByName) {
  const std::vector<convt::lab::Lesson> all = convt::lab::load_lessons(shipped_.string());
  ASSERT_EQ(all.size(), 10u);
  const convt::lab::ShowMe& conv = all[0].show_me.at(0);  // "stepper": conv2d, 45, (1, 1)
  EXPECT_EQ(conv.stepper.preset, "conv2d");
  EXPECT_EQ(conv.stepper.step, 45);
  EXPECT_EQ(conv.stepper.y, 1);
  EXPECT_FALSE(conv.stepper.view.has_value());
  EXPECT_EQ(all[3].show_me.at(0).stepper.view, convt::lab::StepperSecondView::kOverlap);
  EXPECT_EQ(all[6].show_me.at(0).training.action, convt::lab::TrainingTarget::Action::kStepA);
  EXPECT_EQ(all[7].show_me.at(1).training.lr_g, 2e-6f);
  EXPECT_EQ(all[7].show_me.at(3).training.smoothing, 1);
  EXPECT_EQ(all[9].show_me.at(0).completion.show, convt::lab::CompletionShow::kTiedOnly);
  EXPECT_EQ(all[9].show_me.at(2).completion.section, convt::lab::CompletionSection::kBlankCanvas);
  EXPECT_EQ(all[2].show_me.at(1).formula.params.output_padding, 1);
}

TEST_F(LessonFiles, UnknownPanel) {
  nlohmann::json j = read("01-convolution.json");
  j["show_me"][1]["panel"] = "cnnn";
  names(error_of("01-convolution.json", j), "01-convolution.json", "show_me[1].panel",
        "no panel \"cnnn\" (have: ");
}

TEST_F(LessonFiles, UnknownStepperPreset) {
  nlohmann::json j = read("01-convolution.json");
  j["show_me"][0]["stepper"]["preset"] = "conv3d";
  const std::string e = error_of("01-convolution.json", j);
  names(e, "01-convolution.json", "show_me[0].stepper.preset", "no stepper preset \"conv3d\"");
  EXPECT_NE(e.find("notes"), std::string::npos) << e;  // the names it has
}

TEST_F(LessonFiles, MissingSavedRun) {
  nlohmann::json j = read("08-curves.json");
  j["show_me"][2]["training"]["saved_run"] = "mode_colapse";
  const std::string e = error_of("08-curves.json", j);
  names(e, "08-curves.json", "show_me[2].training.saved_run",
        "no saved run \"mode_colapse\" in assets/runs/ (have: ");
  EXPECT_NE(e.find("mode_collapse"), std::string::npos) << e;
}

TEST_F(LessonFiles, WrongType) {
  nlohmann::json j = read("01-convolution.json");
  j["show_me"][0]["stepper"]["step"] = "45";
  names(error_of("01-convolution.json", j), "01-convolution.json", "show_me[0].stepper.step",
        "expected an integer >= -1, found \"45\"");
  j = read("01-convolution.json");
  j["show_me"][1]["cnn"]["stride"] = 0;
  names(error_of("01-convolution.json", j), "01-convolution.json", "show_me[1].cnn.stride",
        "expected an integer from 1 to 4, found 0");
  j = read("02-transposed-convolution.json");
  j["matrix_view"] = 1;
  names(error_of("02-transposed-convolution.json", j), "02-transposed-convolution.json",
        "matrix_view", "expected true or false, found 1");
}

TEST_F(LessonFiles, UnknownKey) {
  nlohmann::json j = read("04-checkerboards.json");
  j["show_me"][0]["stepper"]["veiw"] = "overlap";
  const std::string e = error_of("04-checkerboards.json", j);
  names(e, "04-checkerboards.json", "show_me[0].stepper.veiw", "unknown key");
  EXPECT_NE(e.find("view"), std::string::npos) << e;  // the keys it knows
  j = read("04-checkerboards.json");
  j["titel"] = "Overlap";
  names(error_of("04-checkerboards.json", j), "04-checkerboards.json", "titel", "unknown key");
}

TEST_F(LessonFiles, MissingRequiredFields) {
  nlohmann::json j = read("03-output-size.json");
  j.erase("title");
  names(error_of("03-output-size.json", j), "03-output-size.json", "title", "missing");
  j = read("03-output-size.json");
  j["paragraphs"] = nlohmann::json::array();
  names(error_of("03-output-size.json", j), "03-output-size.json", "paragraphs", "found []");
  j = read("03-output-size.json");
  j.erase("show_me");
  names(error_of("03-output-size.json", j), "03-output-size.json", "show_me", "missing");
}

TEST_F(LessonFiles, UnknownNamesOfTheOtherPanels) {
  nlohmann::json j = read("04-checkerboards.json");
  j["show_me"][0]["stepper"]["view"] = "overlay";
  names(error_of("04-checkerboards.json", j), "04-checkerboards.json", "show_me[0].stepper.view",
        "no stepper view \"overlay\" (have: gather, overlap, output)");
  j = read("07-gan-training.json");
  j["show_me"][0]["training"]["action"] = "step_b";
  names(error_of("07-gan-training.json", j), "07-gan-training.json", "show_me[0].training.action",
        "no training action \"step_b\" (have: none, step_a, start)");
  j["show_me"][0]["training"]["action"] = "step_a";
  j["show_me"][0]["training"]["preset"] = "slow";
  names(error_of("07-gan-training.json", j), "07-gan-training.json", "show_me[0].training.preset",
        "no training preset \"slow\"");
  j = read("05-pooling.json");
  j["show_me"][2]["formula"]["model"] = "dcgan21_D";
  names(error_of("05-pooling.json", j), "05-pooling.json", "show_me[2].formula.model",
        "no network table model \"dcgan21_D\"");
  j = read("05-pooling.json");
  j["show_me"][3]["cnn"]["kernel"] = "sobel_z";
  names(error_of("05-pooling.json", j), "05-pooling.json", "show_me[3].cnn.kernel",
        "no CNN kernel preset \"sobel_z\"");
  j = read("06-tied-weights.json");
  j["show_me"][0]["completion"]["region"] = "top-half";
  names(error_of("06-tied-weights.json", j), "06-tied-weights.json", "show_me[0].completion.region",
        "no completion region \"top-half\"");
}

TEST_F(LessonFiles, SettingsForAnotherPanelAndBrokenJson) {
  nlohmann::json j = read("01-convolution.json");
  j["show_me"][0]["cnn"] = {{"kernel", "sobel_y"}};
  names(error_of("01-convolution.json", j), "01-convolution.json", "show_me[0].cnn",
        "opens \"stepper\"");
  std::ofstream(dir_ / "09-latent-space.json") << "{\"title\": \"The latent space\",";
  const std::vector<convt::lab::Lesson> all = convt::lab::load_lessons(dir_.string());
  ASSERT_EQ(all.size(), 10u);
  EXPECT_NE(all[8].load_error.find("09-latent-space.json: not valid JSON"), std::string::npos)
      << all[8].load_error;
}

TEST_F(LessonFiles, OneBadFileLeavesTheOtherNine) {
  nlohmann::json j = read("08-curves.json");
  j["show_me"][2]["training"]["saved_run"] = "mode_colapse";
  write("08-curves.json", j);
  const std::vector<convt::lab::Lesson> all = convt::lab::load_lessons(dir_.string());
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) {
    if (i == 7) continue;
    EXPECT_EQ(all[i].load_error, "") << i;
    EXPECT_EQ(all[i].title, lessons()[i].title) << i;
  }
  const convt::lab::Lesson& bad = all[7];
  EXPECT_EQ(bad.title, "Lesson 8 could not be loaded");
  EXPECT_EQ(bad.file, "08-curves.json");
  EXPECT_NE(bad.load_error.find("show_me[2].training.saved_run"), std::string::npos);
  EXPECT_TRUE(bad.show_me.empty());
  EXPECT_TRUE(bad.paragraphs.empty());
}

TEST_F(LessonFiles, AnEmptyFolderGivesOneLessonThatSaysSo) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  const std::vector<convt::lab::Lesson> all = convt::lab::load_lessons(dir_.string());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0].load_error.find("no lesson files"), std::string::npos) << all[0].load_error;
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
