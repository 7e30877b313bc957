// Exercises: every generator's expected answer against an independent route (the scatter and
// gather index formulas, the op run on a tensor of the asked size, the stepper's overlap map,
// direct sums, std::log), over many seeds; checking, the reasons for wrong cells, answers typed
// as text, and the progress file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "convt/ops/conv_transpose2d.h"
#include "convt/shape.h"
#include "convt/data/dataset.h"
#include "convt/io/assets.h"
#include "logic/cnn_inside.h"
#include "logic/exercises.h"
#include "logic/saved_run.h"
#include "logic/stepper_model.h"

namespace {

using convt::lab::AnswerForm;
using convt::lab::check;
using convt::lab::Exercise;
using convt::lab::ExerciseAnswer;
using convt::lab::ExerciseKind;
using convt::lab::make_exercise;

constexpr int kSeeds = 150;

std::vector<ExerciseKind> all_kinds() {
  std::vector<ExerciseKind> v;
  for (int l = 0; l < 10; ++l) {
    for (ExerciseKind k : convt::lab::exercise_kinds(l)) v.push_back(k);
  }
  return v;
}

// The answer the core expects, as the student would give it.
ExerciseAnswer expected_answer(const Exercise& e) {
  ExerciseAnswer a = convt::lab::blank_answer(e);
  if (e.form == AnswerForm::kCells || e.form == AnswerForm::kCounts ||
      e.form == AnswerForm::kMatch) {
    a.cells = e.expected_cells;
  }
  if (e.form == AnswerForm::kNumber) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", e.expected_number ? *e.expected_number : 0.0);
    a.text = e.expected_number ? buf : "invalid";
  }
  if (e.form == AnswerForm::kChoice) a.choice = e.expected_choice;
  return a;
}

std::set<std::pair<int, int>> cells_of(const Exercise& e) {
  std::set<std::pair<int, int>> s;
  for (int i = 0; i < e.grid_h * e.grid_w; ++i) {
    if (e.expected_cells[static_cast<size_t>(i)] != 0) s.insert({i / e.grid_w, i % e.grid_w});
  }
  return s;
}

float shown_at(const convt::lab::ShownGrid& g, int y, int x) {
  return g.values[static_cast<size_t>(y) * g.w + x];
}

TEST(Exercises, EveryLessonWithExercisesHasAtLeastOneAndEveryKindBelongsToOne) {
  for (int l = 0; l < 10; ++l) EXPECT_FALSE(convt::lab::exercise_kinds(l).empty()) << l;
  for (ExerciseKind k : all_kinds()) {
    EXPECT_GE(convt::lab::exercise_lesson(k), 0);
    EXPECT_FALSE(convt::lab::exercise_title(k).empty());
  }
}

TEST(Exercises, TheSameSeedGivesTheSameExerciseAndNewOnesDiffer) {
  for (ExerciseKind k : all_kinds()) {
    const Exercise a = make_exercise(k, 7), b = make_exercise(k, 7);
    EXPECT_EQ(a.prompt, b.prompt);
    EXPECT_EQ(a.expected_cells, b.expected_cells);
    std::set<std::string> prompts;
    for (int n = 0; n < 20; ++n) {
      const Exercise e = make_exercise(k, convt::lab::exercise_seed(1, k, n));
      std::string key = e.prompt + std::to_string(e.expected_number.value_or(-1));
      for (const std::string& c : e.choices) key += c;
      for (int c : e.expected_cells) key += std::to_string(c) + ",";  // kMatch: the runs' order
      for (float v : e.images) key += std::to_string(v);              // kYouAgainstD: the images
      for (const auto& g : e.shown) {
        for (float v : g.values) key += std::to_string(v);
      }
      prompts.insert(key);
    }
    EXPECT_GE(prompts.size(), 5u) << convt::lab::exercise_title(k);
  }
  EXPECT_NE(convt::lab::exercise_seed(1, ExerciseKind::kConvValue, 0),
            convt::lab::exercise_seed(2, ExerciseKind::kConvValue, 0));
}

TEST(Exercises, TheExpectedAnswerIsRightAndAChangedOneIsWrong) {
  for (ExerciseKind k : all_kinds()) {
    for (uint64_t seed = 0; seed < 40; ++seed) {
      const Exercise e = make_exercise(k, seed);
      const ExerciseAnswer right = expected_answer(e);
      EXPECT_TRUE(check(e, right).right) << e.prompt << " " << check(e, right).verdict;
      ExerciseAnswer wrong = right;
      switch (e.form) {
        case AnswerForm::kCells: wrong.cells[0] = 1 - wrong.cells[0]; break;
        case AnswerForm::kCounts: wrong.cells[0] += 1; break;
        case AnswerForm::kNumber: wrong.text = e.expected_number ? "invalid" : "3"; break;
        case AnswerForm::kChoice:
          wrong.choice = (wrong.choice + 1) % static_cast<int>(e.choices.size());
          break;
        case AnswerForm::kMatch:
          wrong.cells[0] = (wrong.cells[0] + 1) % static_cast<int>(e.choices.size());
          break;
      }
      const auto f = check(e, wrong);
      EXPECT_FALSE(f.right) << e.prompt;
      if (e.form == AnswerForm::kCells || e.form == AnswerForm::kCounts) {
        EXPECT_FALSE(f.reasons.empty()) << e.prompt;
      }
    }
  }
}

// Lesson 2: the cells pixel (i, j) writes to, by the scatter's index formula
// oy = i*stride - padding + ky*dilation, kept inside the output.
TEST(Exercises, LandingCellsFollowTheScatterFormula) {
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kLandingCells, seed);
    const int out = convt::conv_transpose_out_size(e.H, e.kernel_size, e.stride, e.padding, 0,
                                                   e.dilation);
    ASSERT_EQ(e.grid_h, out);
    std::set<std::pair<int, int>> want;
    for (int ky = 0; ky < e.kernel_size; ++ky) {
      for (int kx = 0; kx < e.kernel_size; ++kx) {
        const int oy = e.at_y * e.stride - e.padding + ky * e.dilation;
        const int ox = e.at_x * e.stride - e.padding + kx * e.dilation;
        if (oy >= 0 && oy < out && ox >= 0 && ox < out) want.insert({oy, ox});
      }
    }
    EXPECT_EQ(cells_of(e), want) << e.prompt;
  }
}

TEST(Exercises, ReachAndWindowFollowTheGatherFormula) {
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise r = make_exercise(ExerciseKind::kTransposedReach, seed);
    std::set<std::pair<int, int>> want;
    for (int iy = 0; iy < r.H; ++iy) {
      for (int ix = 0; ix < r.H; ++ix) {
        const int ky = r.at_y - (iy * r.stride - r.padding), kx = r.at_x - (ix * r.stride - r.padding);
        if (ky >= 0 && ky < r.kernel_size && kx >= 0 && kx < r.kernel_size) want.insert({iy, ix});
      }
    }
    EXPECT_EQ(cells_of(r), want) << r.prompt;

    const Exercise w = make_exercise(ExerciseKind::kConvWindow, seed);
    std::set<std::pair<int, int>> window;
    for (int ky = 0; ky < w.kernel_size; ++ky) {
      for (int kx = 0; kx < w.kernel_size; ++kx) {
        const int iy = w.at_y * w.stride - w.padding + ky * w.dilation;
        const int ix = w.at_x * w.stride - w.padding + kx * w.dilation;
        if (iy >= 0 && iy < w.H && ix >= 0 && ix < w.H) window.insert({iy, ix});
      }
    }
    EXPECT_EQ(cells_of(w), window) << w.prompt;
  }
}

// H_out: the op itself, run on an input of that size, gives the size or refuses.
TEST(Exercises, OutputSizeIsWhatTheOpProducesOrRefuses) {
  int invalid = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kOutputSize, seed);
    int H, k, s, p, a = 0, d = 1;
    const char* text = e.prompt.c_str();
    ASSERT_EQ(std::sscanf(text, "A conv_transpose2d, kernel_size %d, stride %d, padding %d", &k, &s,
                          &p),
              3)
        << text;
    if (const char* o = std::strstr(text, "output_padding ")) std::sscanf(o, "output_padding %d", &a);
    if (const char* o = std::strstr(text, "dilation ")) std::sscanf(o, "dilation %d", &d);
    ASSERT_EQ(std::sscanf(std::strstr(text, "H = "), "H = %d", &H), 1);
    convt::ConvTranspose2dParams cp;
    cp.stride = s;
    cp.padding = p;
    cp.output_padding = a;
    cp.dilation = d;
    convt::Tensor out;
    try {
      convt::conv_transpose2d_forward(out, convt::Tensor({1, 1, H, H}, 1.0f),
                                      convt::Tensor({1, 1, k, k}, 1.0f), nullptr, cp);
      ASSERT_TRUE(e.expected_number.has_value()) << text;
      EXPECT_EQ(*e.expected_number, out.dim(2)) << text;
    } catch (const std::invalid_argument&) {
      EXPECT_FALSE(e.expected_number.has_value()) << text;
      ++invalid;
    }
  }
  EXPECT_GT(invalid, 10);  // both kinds of answer come up
  EXPECT_LT(invalid, kSeeds - 10);
}

// Values: the definition, summed directly from the numbers shown.
TEST(Exercises, ValuesAreTheDirectSums) {
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise c = make_exercise(ExerciseKind::kConvValue, seed);
    int k, s, p, oy, ox;
    ASSERT_EQ(std::sscanf(c.prompt.c_str(), "conv2d, kernel_size %d, stride %d, padding %d", &k, &s,
                          &p),
              3);
    ASSERT_EQ(std::sscanf(std::strstr(c.prompt.c_str(), "What is out("), "What is out(%d, %d)",
                          &oy, &ox),
              2);
    const auto& x = c.shown[0];
    const auto& w = c.shown[1];
    double sum = 0;
    for (int ky = 0; ky < k; ++ky) {
      for (int kx = 0; kx < k; ++kx) {
        const int iy = oy * s - p + ky, ix = ox * s - p + kx;
        if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) sum += shown_at(x, iy, ix) * shown_at(w, ky, kx);
      }
    }
    EXPECT_EQ(*c.expected_number, sum) << c.prompt;

    const Exercise t = make_exercise(ExerciseKind::kTransposedValue, seed);
    ASSERT_EQ(std::sscanf(t.prompt.c_str(), "conv_transpose2d, kernel_size %d, stride %d", &k, &s), 2);
    ASSERT_EQ(std::sscanf(std::strstr(t.prompt.c_str(), "What is out("), "What is out(%d, %d)",
                          &oy, &ox),
              2);
    sum = 0;
    for (int iy = 0; iy < t.shown[0].h; ++iy) {
      for (int ix = 0; ix < t.shown[0].w; ++ix) {
        const int ky = oy - iy * s, kx = ox - ix * s;
        if (ky >= 0 && ky < k && kx >= 0 && kx < k) sum += shown_at(t.shown[0], iy, ix) * shown_at(t.shown[1], ky, kx);
      }
    }
    EXPECT_EQ(*t.expected_number, sum) << t.prompt;

    const Exercise m = make_exercise(ExerciseKind::kPoolValue, seed);
    ASSERT_EQ(std::sscanf(m.prompt.c_str(), "max_pool2d, kernel_size %d, stride %d", &k, &s), 2);
    ASSERT_EQ(std::sscanf(std::strstr(m.prompt.c_str(), "What is out("), "What is out(%d, %d)",
                          &oy, &ox),
              2);
    float best = -1e9f;
    for (int ky = 0; ky < k; ++ky) {
      for (int kx = 0; kx < k; ++kx) best = std::max(best, shown_at(m.shown[0], oy * s + ky, ox * s + kx));
    }
    EXPECT_EQ(*m.expected_number, best) << m.prompt;
  }
}

// Overlap counts: the stepper's overlap map of the same setting.
TEST(Exercises, OverlapCountsAreTheStepperOverlapMap) {
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kOverlapCounts, seed);
    convt::lab::StepperModel model;
    convt::lab::StepperConfig config;
    config.H = config.W = e.H;
    config.kernel_size = e.kernel_size;
    config.stride = e.stride;
    config.padding = e.padding;
    ASSERT_TRUE(model.set_config(config)) << model.error();
    EXPECT_EQ(model.overlap().counts, e.expected_cells) << e.prompt;
  }
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kCheckerboardFree, seed);
    int right = 0;
    for (size_t i = 0; i < e.choices.size(); ++i) {
      int k, s;
      ASSERT_EQ(std::sscanf(e.choices[i].c_str(), "kernel_size %d, stride %d", &k, &s), 2);
      convt::lab::StepperModel model;
      convt::lab::StepperConfig config;
      config.H = config.W = 6;
      config.kernel_size = k;
      config.stride = s;
      config.padding = 0;
      ASSERT_TRUE(model.set_config(config)) << model.error();
      const auto map = model.overlap();
      if (map.interior_min == map.interior_max) {
        ++right;
        EXPECT_EQ(e.expected_choice, static_cast<int>(i)) << e.choices[i];
      }
    }
    EXPECT_EQ(right, 1);
  }
}

TEST(Exercises, PoolOrConvAndWeightTyingAgreeWithTheirDefinitions) {
  std::set<int> seen_pool, seen_tying;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kPoolOrConv, seed);
    const auto& x = e.shown[0];
    const auto& w = e.shown[1];
    bool ab = true, ac = true, bc = true;
    for (int oy = 0; oy < 2; ++oy) {
      for (int ox = 0; ox < 2; ++ox) {
        float mx = -1e9f, sum = 0, conv = 0;
        for (int ky = 0; ky < 2; ++ky) {
          for (int kx = 0; kx < 2; ++kx) {
            const float v = shown_at(x, 2 * oy + ky, 2 * ox + kx);
            mx = std::max(mx, v);
            sum += v;
            conv += v * shown_at(w, ky, kx);
          }
        }
        ab = ab && mx == sum / 4;
        ac = ac && mx == conv;
        bc = bc && sum / 4 == conv;
      }
    }
    EXPECT_EQ(e.expected_choice, ab ? 0 : ac ? 1 : bc ? 2 : 3) << seed;
    seen_pool.insert(e.expected_choice);

    const Exercise t = make_exercise(ExerciseKind::kWeightTying, seed);
    const auto& y = t.shown[1];
    const int out = convt::conv_transpose_out_size(t.H, t.kernel_size, 1, t.padding, 0, 1);
    bool tied_changes = false;  // some non-zero pixel of y has the edited tap inside the output
    for (int iy = 0; iy < t.H; ++iy) {
      for (int ix = 0; ix < t.H; ++ix) {
        const int oy = iy - t.padding + t.at_y, ox = ix - t.padding + t.at_x;
        if (shown_at(y, iy, ix) != 0 && oy >= 0 && oy < out && ox >= 0 && ox < out) tied_changes = true;
      }
    }
    EXPECT_EQ(t.expected_choice, tied_changes ? 0 : 3) << t.prompt;
    seen_tying.insert(t.expected_choice);
  }
  EXPECT_GE(seen_pool.size(), 2u);
  EXPECT_EQ(seen_tying, (std::set<int>{0, 3}));  // "neither" comes up too
}

TEST(Exercises, LossesAreTheNaturalLogs) {
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kDiscriminatorLoss, seed);
    double real, fake;
    ASSERT_EQ(std::sscanf(e.prompt.c_str(), "One batch of one: D says %lf to a real digit (D(x)) and %lf",
                          &real, &fake),
              2);
    const bool d = e.prompt.find("loss_D?") != std::string::npos;
    const double want = d ? -std::log(real) - std::log(1 - fake) : -std::log(fake);
    EXPECT_NEAR(*e.expected_number, want, 1e-5) << e.prompt;
  }
}

// Lesson 8: each shipped saved run is named by the dashboard's own diagnoses as what it was made
// to show (assets/runs/<name>/run.json says how), whatever order the exercise shows them in.
TEST(Exercises, ReadTheCurvesNamesEachSavedRunAsItWasMade) {
  const std::map<std::string, std::string> made_as = {{"healthy", "healthy"},
                                                      {"d_too_strong", "D too strong"},
                                                      {"mode_collapse", "mode collapse"},
                                                      {"divergence", "divergence"}};
  for (uint64_t seed = 0; seed < 3; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kReadCurves, seed);
    ASSERT_EQ(e.runs.size(), 4u);
    std::set<std::string> seen;
    for (size_t i = 0; i < e.runs.size(); ++i) {
      const std::string& reveal = e.reveal[i];
      const size_t a = reveal.find("saved run '") + 11, b = reveal.find('\'', a);
      const std::string name = reveal.substr(a, b - a);
      seen.insert(name);
      ASSERT_TRUE(made_as.count(name)) << reveal;
      EXPECT_EQ(e.choices[static_cast<size_t>(e.expected_cells[i])], made_as.at(name)) << reveal;
      EXPECT_GT(e.runs[i].loss_g.size(), 10u);
      EXPECT_LE(e.runs[i].loss_g.size(), convt::lab::kShownRunPoints);
    }
    EXPECT_EQ(seen.size(), 4u);
  }
}

// You against D: eight real digits and eight of G's samples from the shipped grid, and D's
// probabilities are its forward pass, one image at a time giving the same as the batch of 16.
TEST(Exercises, YouAgainstDShowsEightFakesAndDsOwnForwardPass) {
  const convt::Dataset digits = convt::load_builtin_digits(20);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kYouAgainstD, seed);
    ASSERT_EQ(e.images.size(), 16u * 400u);
    EXPECT_EQ(std::count(e.expected_cells.begin(), e.expected_cells.end(), 1), 8);
    int step = 0;
    ASSERT_EQ(std::sscanf(std::strstr(e.prompt.c_str(), "after "), "after %d steps", &step), 1);
    char name[96];
    std::snprintf(name, sizeof name, "exercises/you_vs_d/%%s_step_%05d.%%s", step);
    char d_file[128], fakes_file[128];
    std::snprintf(d_file, sizeof d_file, name, "d", "safetensors");
    std::snprintf(fakes_file, sizeof fakes_file, name, "fakes", "png");
    const convt::lab::LoadedD d = convt::lab::load_discriminator(convt::asset_path(d_file));
    const convt::Tensor fakes =
        convt::lab::read_png_grid(convt::asset_path(fakes_file), 64, 20, 8, 2, 1);
    for (int c = 0; c < 16; ++c) {
      const float* img = e.images.data() + c * 400;
      const convt::Tensor& pool = e.expected_cells[static_cast<size_t>(c)] ? fakes : digits.images;
      bool found = false;  // the image is one of the fakes (or one of the real digits)
      for (int64_t k = 0; k < pool.dim(0) && !found; ++k) {
        found = std::equal(img, img + 400, pool.data() + k * 400);
      }
      EXPECT_TRUE(found) << "cell " << c;
      const convt::Tensor one({1, 1, 20, 20}, std::vector<float>(img, img + 400));
      const float p = convt::lab::sigmoid(d.D->forward(one)[0]);
      EXPECT_NEAR(e.d_real_prob[static_cast<size_t>(c)], p, 1e-5f) << "cell " << c;
    }
  }
}

// Reasons name the mistake from the numbers: a cell where padding 0 would have put the tap.
TEST(Exercises, LatentLengthFollowsTheNormsAndTheAngleOfThePrompt) {
  // |z_A + z_B|^2 = |z_A|^2 + |z_B|^2 + 2 |z_A| |z_B| cos(theta); the lerp midpoint is half of
  // it, slerp's is sin(theta/2) / sin(theta) times it (Shoemake 1985): recomputed from the
  // rounded numbers the student is shown.
  for (uint64_t seed = 0; seed < 60; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kLatentLength, seed);
    double na = 0, nb = 0, deg = 0;
    unsigned long long shown_seed = 0;
    ASSERT_EQ(std::sscanf(e.prompt.c_str(),
                          "z_A and z_B: 100 numbers each, drawn from N(0, 1) (seed %llu). |z_A| = "
                          "%lf, |z_B| = %lf, the angle between them %lf",
                          &shown_seed, &na, &nb, &deg),
              4)
        << e.prompt;
    const double theta = deg * M_PI / 180.0;
    const double sum = std::sqrt(na * na + nb * nb + 2 * na * nb * std::cos(theta));
    const bool slerp = e.prompt.find("slerp") != std::string::npos;
    const double mid = slerp ? sum * std::sin(theta / 2) / std::sin(theta) : sum / 2;
    ASSERT_TRUE(e.expected_number.has_value());
    EXPECT_NEAR(*e.expected_number, mid, 0.02) << e.prompt;
    EXPECT_LT(0.02 + 0.05, e.tolerance);  // the rounding of the prompt fits in the tolerance
    if (slerp) {  // slerp stays between the two lengths; lerp's middle is shorter than both
      EXPECT_GE(*e.expected_number, std::min(na, nb) - 0.3);
    } else if (deg > 60) {
      EXPECT_LT(*e.expected_number, std::min(na, nb));
    }
  }
}

TEST(Exercises, BlurryAverageExpectsTheMeanOfThePossibleAnswers) {
  // The expected squared error p |y - A|^2 + (1 - p) |y - B|^2 is smallest at y = p A + (1 - p) B.
  for (uint64_t seed = 0; seed < 30; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kBlurryAverage, seed);
    ASSERT_EQ(e.shown.size(), e.choices.size());  // A, B and the averages, as pictures
    ASSERT_GE(e.expected_choice, 0);
    const bool even = e.prompt.find(" 50%") != std::string::npos;
    EXPECT_EQ(e.choices[static_cast<size_t>(e.expected_choice)],
              even ? "the 50/50 average of A and B" : "the average weighted by the chances")
        << e.prompt;
    EXPECT_EQ(e.choices.size(), even ? 3u : 4u) << e.prompt;
  }
}

TEST(Exercises, AWrongLandingCellIsExplainedByPaddingOrStride) {
  bool padding_seen = false;
  for (uint64_t seed = 0; seed < kSeeds && !padding_seen; ++seed) {
    const Exercise e = make_exercise(ExerciseKind::kLandingCells, seed);
    if (e.padding == 0) continue;
    // The student forgets the padding: every tap at i*s + ky*d.
    ExerciseAnswer a = convt::lab::blank_answer(e);
    for (int ky = 0; ky < e.kernel_size; ++ky) {
      for (int kx = 0; kx < e.kernel_size; ++kx) {
        const int oy = e.at_y * e.stride + ky * e.dilation, ox = e.at_x * e.stride + kx * e.dilation;
        if (oy < e.grid_h && ox < e.grid_w) a.cells[static_cast<size_t>(oy) * e.grid_w + ox] = 1;
      }
    }
    const auto f = check(e, a);
    ASSERT_FALSE(f.right);
    for (const std::string& r : f.reasons) {
      if (r.find("would land with padding 0; padding " + std::to_string(e.padding) +
                 " moves every stamp up and left") != std::string::npos) {
        padding_seen = true;
      }
    }
  }
  EXPECT_TRUE(padding_seen);
}

TEST(Exercises, TheExpectedAnswerWrittenAsTextReadsBackRight) {
  for (ExerciseKind k : all_kinds()) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      const Exercise e = make_exercise(k, seed);
      const std::string text = convt::lab::expected_answer_text(e);
      EXPECT_TRUE(check(e, convt::lab::parse_answer(e, text)).right) << e.prompt << ": " << text;
    }
  }
}

TEST(ExerciseSession, CountsAttemptsNotMalformedAnswersAndKeepsTheProgress) {
  const std::string path = testing::TempDir() + "session_" + std::to_string(::getpid()) + ".json";
  std::filesystem::remove(path);
  {
    convt::lab::ExerciseSession session(5, path);
    session.open(2, 0);  // lesson 3: H_out
    ASSERT_TRUE(session.has_exercise());
    session.answer().text = "seven";
    session.submit();
    EXPECT_FALSE(session.feedback().has_value());
    EXPECT_NE(session.message().find("Expected a number"), std::string::npos);
    EXPECT_EQ(session.session_score().tried, 0);
    session.answer() = convt::lab::parse_answer(session.exercise(),
                                                convt::lab::expected_answer_text(session.exercise()));
    session.submit();
    ASSERT_TRUE(session.feedback().has_value());
    EXPECT_TRUE(session.feedback()->right);
    session.submit();  // a second press of Check changes nothing
    EXPECT_EQ(session.session_score().tried, 1);
    const std::string first = session.exercise().prompt;
    session.new_one();
    EXPECT_FALSE(session.feedback().has_value());
    session.answer().text = "invalid";
    if (!session.exercise().expected_number) session.answer().text = "1";
    session.submit();
    EXPECT_FALSE(session.feedback()->right);
    EXPECT_EQ(session.session_streak(), 0);
    EXPECT_EQ(session.progress().best_streak, 1);
  }
  convt::lab::ExerciseSession again(5, path);  // the next run
  EXPECT_EQ(again.progress().of(ExerciseKind::kOutputSize).tried, 2);
  EXPECT_EQ(again.progress().of(ExerciseKind::kOutputSize).right, 1);
  EXPECT_EQ(again.session_score().tried, 0);
  again.reset_progress();
  EXPECT_EQ(convt::lab::ExerciseSession(5, path).progress().total().tried, 0);
  std::filesystem::remove(path);
}

TEST(Exercises, AnswersTypedAsTextAndTheirErrors) {
  const Exercise cells = make_exercise(ExerciseKind::kLandingCells, 3);
  const ExerciseAnswer a = convt::lab::parse_answer(cells, "0,0 1,2");
  EXPECT_EQ(a.cells[0], 1);
  EXPECT_EQ(a.cells[static_cast<size_t>(1 * cells.grid_w + 2)], 1);
  EXPECT_THROW(convt::lab::parse_answer(cells, "0,0 99,0"), std::invalid_argument);
  EXPECT_THROW(convt::lab::parse_answer(cells, "0;0"), std::invalid_argument);
  const Exercise counts = make_exercise(ExerciseKind::kOverlapCounts, 3);
  EXPECT_THROW(convt::lab::parse_answer(counts, "1 2"), std::invalid_argument);
  const Exercise choice = make_exercise(ExerciseKind::kCheckerboardFree, 3);
  EXPECT_EQ(convt::lab::parse_answer(choice, "2").choice, 1);
  EXPECT_THROW(convt::lab::parse_answer(choice, "4"), std::invalid_argument);
  const Exercise number = make_exercise(ExerciseKind::kConvValue, 3);
  ExerciseAnswer typed;
  typed.text = "seven";
  const auto f = check(number, typed);
  EXPECT_FALSE(f.right);
  EXPECT_NE(f.verdict.find("Expected a number"), std::string::npos) << f.verdict;
}

TEST(ExerciseProgress, RoundTripAndACorruptFileIsIgnoredWithAMessage) {
  const std::string dir = testing::TempDir() + "exercise_progress_" + std::to_string(::getpid());
  const std::string path = dir + "/sub/exercises.json";
  convt::lab::ExerciseProgress p;
  p.add(ExerciseKind::kLandingCells, true);
  p.add(ExerciseKind::kLandingCells, true);
  p.add(ExerciseKind::kOutputSize, false);
  p.add(ExerciseKind::kOutputSize, true);
  EXPECT_EQ(p.streak, 1);
  EXPECT_EQ(p.best_streak, 2);
  ASSERT_EQ(convt::lab::save_exercise_progress(path, p), "");
  std::vector<std::string> warnings;
  const auto q = convt::lab::load_exercise_progress(path, &warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(q.of(ExerciseKind::kLandingCells).right, 2);
  EXPECT_EQ(q.of(ExerciseKind::kOutputSize).tried, 2);
  EXPECT_EQ(q.total().right, 3);
  EXPECT_EQ(q.best_streak, 2);

  for (const char* bad : {"{not json", R"({"kinds": {"output_size": {"right": 5, "tried": 2}},
                           "streak": 0, "best_streak": 0})", "[]"}) {
    std::ofstream(path) << bad;
    warnings.clear();
    const auto r = convt::lab::load_exercise_progress(path, &warnings);
    ASSERT_EQ(warnings.size(), 1u) << bad;
    EXPECT_NE(warnings[0].find(path), std::string::npos);
    EXPECT_EQ(r.total().tried, 0);
  }
  warnings.clear();
  EXPECT_EQ(convt::lab::load_exercise_progress(dir + "/missing.json", &warnings).total().tried, 0);
  EXPECT_TRUE(warnings.empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
