// The lessons panel renders headless: `--screenshot FILE --panel lessons --lesson N`
// exits 0 and writes a PNG that is not blank; with no --panel the app opens on the lessons;
// `--show-me N` renders the panel the lesson's Show me sets up. Needs a display (./test.sh runs
// ctest under xvfb-run -a -s '-screen 0 1280x800x24'); skipped without DISPLAY.
#include <gtest/gtest.h>
#include <stb_image.h>  // implementation in libstb
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "lab_process.h"
#include "logic/exercises.h"

namespace {

namespace fs = std::filesystem;

using convt::test::colour_count;
using convt::test::has_display;
using convt::test::read_text;
using convt::test::run_lab;

// Renders in a fresh directory of its own (LabRunDir); skipped without a display.
class LessonsScreenshot : public convt::test::LabRunDir {
 protected:
  void SetUp() override {
    if (!has_display()) {
      GTEST_SKIP() << "no DISPLAY; run under xvfb-run -a -s '-screen 0 1280x800x24'";
    }
    LabRunDir::SetUp();
  }
};

TEST_F(LessonsScreenshot, MatrixLessonRendersNonBlank) {
  expect_renders("--panel lessons --lesson 2", "lesson2");
}

TEST_F(LessonsScreenshot, NoPanelOpensTheLessons) {
  const fs::path png = dir_ / "default.png", log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "'", log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("panel lessons"), std::string::npos) << read_text(log);
  int width = 0;
  EXPECT_GT(colour_count(png, &width), 50u) << "looks blank";
}

TEST_F(LessonsScreenshot, ShowMeRendersTheTargetPanel) {
  const fs::path png = dir_ / "show_me_4.png", log = dir_ / "log.txt";
  ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --show-me 4", log), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("panel stepper"), std::string::npos) << read_text(log);
  int width = 0;
  EXPECT_GT(colour_count(png, &width), 100u) << "looks blank";
}

// Lesson 8's saved runs open in the training panel at once (nothing to train first).
TEST_F(LessonsScreenshot, ShowMeSavedRunsRenderTheTrainingPanel) {
  for (const char* which : {"8.3", "8.4"}) {
    const fs::path png = dir_ / (std::string("show_me_") + which + ".png"), log = dir_ / "log.txt";
    ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --show-me " + which, log), 0)
        << read_text(log);
    EXPECT_NE(read_text(log).find("panel training"), std::string::npos) << read_text(log);
    int width = 0;
    EXPECT_GT(colour_count(png, &width), 100u) << which << " looks blank";
  }
}

// Pixels of this colour, give or take 2 per channel (the verdict's text: glyph interiors).
size_t pixels_of(const fs::path& png, unsigned char r, unsigned char g, unsigned char b) {
  int w = 0, h = 0, channels = 0;
  unsigned char* data = stbi_load(png.c_str(), &w, &h, &channels, 3);
  if (data == nullptr) return 0;
  size_t n = 0;
  for (size_t i = 0; i + 2 < static_cast<size_t>(w) * h * 3; i += 3) {
    n += std::abs(data[i] - r) <= 2 && std::abs(data[i + 1] - g) <= 2 &&
         std::abs(data[i + 2] - b) <= 2;
  }
  stbi_image_free(data);
  return n;
}

// Every exercise kind renders answered (--answer): with the core's answer the verdict says Right
// and is drawn in the palette's "good" green, with a wrong one Not quite, in its "error" red. Screenshots use exercise seed 1,
// so the exercise on screen is make_exercise(kind, exercise_seed(1, kind, 0)).
TEST_F(LessonsScreenshot, EveryExerciseRendersRightAndWrongAnswers) {
  const unsigned char good[3] = {115, 230, 140}, error[3] = {255, 97, 97};  // palette.cpp, dark
  for (int lesson = 0; lesson < 10; ++lesson) {
    const std::vector<convt::lab::ExerciseKind> kinds = convt::lab::exercise_kinds(lesson);
    for (size_t k = 0; k < kinds.size(); ++k) {
      const convt::lab::Exercise e =
          convt::lab::make_exercise(kinds[k], convt::lab::exercise_seed(1, kinds[k], 0));
      const std::string right = convt::lab::expected_answer_text(e);
      const bool try_wrong = k == 0;  // one wrong answer per lesson is enough
      for (bool answer_right : {true, false}) {
        if (!answer_right && !try_wrong) continue;
        std::string text = right;
        if (!answer_right) {
          text = e.form == convt::lab::AnswerForm::kChoice
                     ? std::to_string((e.expected_choice + 1) % static_cast<int>(e.choices.size()) + 1)
                 : e.form == convt::lab::AnswerForm::kNumber
                     ? (e.expected_number ? std::to_string(*e.expected_number + 1.0) : "3")
                 : e.form == convt::lab::AnswerForm::kCells  ? (right == "none" ? "0,0" : "none")
                                                             : std::string();
          if (e.form == convt::lab::AnswerForm::kMatch) {  // the runs named in turn: rotate
            text = right.substr(right.find(' ') + 1) + " " + right.substr(0, right.find(' '));
          } else if (text.empty()) {  // counts: one too many on the first cell
            text = std::to_string(e.expected_cells[0] + 1) + right.substr(right.find(' '));
          }
        }
        const std::string name = "lesson" + std::to_string(lesson + 1) + "_exercise" +
                                 std::to_string(k + 1) + (answer_right ? "_right" : "_wrong");
        const fs::path png = dir_ / (name + ".png"), log = dir_ / "log.txt";
        ASSERT_EQ(run_lab("--screenshot '" + png.string() + "' --lesson " +
                              std::to_string(lesson + 1) + " --exercise " + std::to_string(k + 1) +
                              " --answer '" + text + "' --frames 6",
                          log),
                  0)
            << name << ": " << read_text(log);
        EXPECT_NE(read_text(log).find(answer_right ? "--answer: Right" : "--answer: Not quite"),
                  std::string::npos)
            << name << ": " << read_text(log);
        const unsigned char* c = answer_right ? good : error;
        EXPECT_GT(pixels_of(png, c[0], c[1], c[2]), 3u) << name << ": no verdict in its colour";
      }
    }
  }
}

TEST_F(LessonsScreenshot, AnAnswerThatDoesNotFitIsRefusedWithoutRendering) {
  const fs::path png = dir_ / "bad.png", log = dir_ / "log.txt";
  EXPECT_EQ(run_lab("--screenshot '" + png.string() + "' --lesson 4 --exercise 1 --answer '1 2'", log), 2);
  EXPECT_NE(read_text(log).find("--answer: expected"), std::string::npos) << read_text(log);
  EXPECT_FALSE(fs::exists(png));
  EXPECT_EQ(run_lab("--screenshot '" + png.string() + "' --lesson 9 --exercise 2", log), 2);
  EXPECT_NE(read_text(log).find("--exercise 2: expected --lesson N of a lesson with that many"),
            std::string::npos)
      << read_text(log);
}

}  // namespace
