// Saved runs (app/logic/saved_run.h): the training log reader on good, truncated and corrupt
// files (each error names the file and the line), the PNG grid decoder against
// convt::write_png_grid, a whole saved run written here, and the shipped runs of lesson 8
// (assets/runs/mode_collapse, assets/runs/divergence): they load, and the diagnoses computed from
// them are the ones the lesson promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "convt/io/assets.h"
#include "convt/io/png.h"
#include "lab_process.h"
#include "logic/lessons_model.h"
#include "logic/quality_score.h"
#include "logic/saved_run.h"

namespace {

namespace fs = std::filesystem;
using convt::lab::Diagnosis;
using convt::lab::SavedRunError;

const char* kCliHeader =
    "step,epoch,loss_g,loss_d,d_real,d_fake,acc_real,acc_fake,samples_per_second,seconds\n";

// Files written in a fresh directory of the test's own (LabRunDir's dir_).
class SavedRunFiles : public convt::test::LabRunDir {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  // The message of the SavedRunError that f throws ("" if it throws none).
  template <class F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const SavedRunError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(SavedRunFiles, ReadsTheCliLog) {
  const std::string path = write("log.csv", std::string(kCliHeader) +
                                                "1,0,0.687,1.367,0.512,0.502,0.5,0.25,28.1,2.2\n"
                                                "2,0,0.643,1.413,0.51,0.53,0.375,0.125,29,2.1\n");
  const auto points = convt::lab::read_training_log(path);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].step, 2);
  EXPECT_FLOAT_EQ(points[0].loss_g, 0.687f);
  EXPECT_FLOAT_EQ(points[0].loss_d, 1.367f);
  EXPECT_FLOAT_EQ(points[1].d_real, 0.51f);
  EXPECT_FLOAT_EQ(points[1].d_fake, 0.53f);
  EXPECT_FLOAT_EQ(points[0].acc_real, 0.5f);
  EXPECT_FLOAT_EQ(points[0].acc_fake, 0.25f);
}

TEST_F(SavedRunFiles, ReadsTheDashboardsExportWithQuotedEvents) {
  const std::string path =
      write("metrics.csv",
            "step,loss_G,loss_D,D(x),D(G(z)),acc_real,acc_fake,steps_per_point,event\n"
            "1,0.7,1.4,0.5,0.5,0.5,0.5,1,\n"
            "2,0.8,1.3,0.6,0.4,0.6,0.6,1,\"lr_G 1e-4 -> 2e-4; lr_D 1e-4 -> 2e-4, \"\"now\"\"\"\n");
  const auto points = convt::lab::read_training_log(path);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_FLOAT_EQ(points[1].loss_g, 0.8f);
  EXPECT_FLOAT_EQ(points[1].d_fake, 0.4f);
}

TEST_F(SavedRunFiles, TruncatedRowNamesFileAndLine) {
  const std::string path = write("log.csv", std::string(kCliHeader) +
                                                "1,0,0.687,1.367,0.512,0.502,0.5,0.25,28.1,2.2\n"
                                                "2,0,0.643,1.41");  // cut mid-row
  const std::string e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find(path + ":3"), std::string::npos) << e;
  EXPECT_NE(e.find("expected 10 fields"), std::string::npos) << e;
  EXPECT_NE(e.find("found 4"), std::string::npos) << e;
}

TEST_F(SavedRunFiles, CorruptNumberNamesLineColumnAndText) {
  const std::string path = write("log.csv", std::string(kCliHeader) +
                                                "1,0,0.687,1.367,0.512,0.502,0.5,0.25,28.1,2.2\n"
                                                "2,0,0.6x3,1.413,0.51,0.53,0.375,0.125,29,2.1\n");
  const std::string e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find(path + ":3"), std::string::npos) << e;
  EXPECT_NE(e.find("'loss_g'"), std::string::npos) << e;
  EXPECT_NE(e.find("'0.6x3'"), std::string::npos) << e;
}

TEST_F(SavedRunFiles, MissingColumnEmptyLogAndMissingFile) {
  std::string path = write("a.csv", "step,loss_g,loss_d\n1,0.7,1.4\n");
  std::string e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find(path + ":1"), std::string::npos) << e;
  EXPECT_NE(e.find("no column 'd_real'"), std::string::npos) << e;

  path = write("b.csv", kCliHeader);
  e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find("no rows"), std::string::npos) << e;

  path = write("c.csv", "");
  e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find("empty file"), std::string::npos) << e;

  path = (dir_ / "missing.csv").string();
  e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find(path + ": cannot open"), std::string::npos) << e;
}

TEST_F(SavedRunFiles, StepsMustIncrease) {
  const std::string path = write("log.csv", std::string(kCliHeader) +
                                                "2,0,0.687,1.367,0.512,0.502,0.5,0.25,28.1,2.2\n"
                                                "2,0,0.643,1.413,0.51,0.53,0.375,0.125,29,2.1\n");
  const std::string e = error_of([&] { convt::lab::read_training_log(path); });
  EXPECT_NE(e.find(path + ":3"), std::string::npos) << e;
  EXPECT_NE(e.find("does not follow step 2"), std::string::npos) << e;
}

// A step that is not a whole number in int64_t's range (nan, inf, 1e300, 2.5, 0) is an error
// naming the line and the text, checked before any conversion (converting nan is undefined).
TEST_F(SavedRunFiles, StepThatIsNotAWholeNumberNamesLineAndText) {
  for (const std::string step : {"nan", "inf", "1e300", "2.5", "0", "-3"}) {
    const std::string path = write("log.csv", std::string(kCliHeader) + step +
                                                  ",0,0.687,1.367,0.512,0.502,0.5,0.25,28.1,2.2\n");
    const std::string e = error_of([&] { convt::lab::read_training_log(path); });
    EXPECT_NE(e.find(path + ":2"), std::string::npos) << step << ": " << e;
    EXPECT_NE(e.find("expected a whole number >= 1, found '" + step + "'"), std::string::npos)
        << step << ": " << e;
  }
}

// Five 4x4 images with distinct values, written as an 8-bit grid and read back.
convt::Tensor five_images() {
  convt::Tensor t({5, 1, 4, 4});
  for (int64_t i = 0; i < t.numel(); ++i) {
    t.data()[i] = -1.0f + 2.0f * static_cast<float>((i * 37) % 80) / 79.0f;
  }
  return t;
}

TEST_F(SavedRunFiles, PngGridRoundTripsWithin8Bits) {
  const convt::Tensor t = five_images();
  const std::string path = (dir_ / "grid.png").string();
  convt::write_png_grid(path, t, 3, 2, 1);  // 2 rows: 3 + 2 tiles
  const convt::Tensor back = convt::lab::read_png_grid(path, 5, 4, 3, 2, 1);
  ASSERT_EQ(back.shape(), t.shape());
  float worst = 0.0f;
  for (int64_t i = 0; i < t.numel(); ++i) {
    worst = std::max(worst, std::fabs(back.data()[i] - t.data()[i]));
  }
  EXPECT_LE(worst, 1.0f / 127.5f);  // half a grey level each way, at most
}

TEST_F(SavedRunFiles, PngGridOfAnotherSizeSaysExpectedAndFound) {
  const std::string path = (dir_ / "grid.png").string();
  convt::write_png_grid(path, five_images(), 3, 2, 1);  // 3*8 + 4 = 28 wide, 2*8 + 3 = 19 high
  const std::string e = error_of([&] { convt::lab::read_png_grid(path, 5, 4, 3, 3, 1); });
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("expected a 40 x 27 grid"), std::string::npos) << e;
  EXPECT_NE(e.find("found 28 x 19"), std::string::npos) << e;
  const std::string bad = write("bad.png", "not a png");
  EXPECT_NE(error_of([&] { convt::lab::read_png_grid(bad, 5, 4, 3, 2, 1); }).find(bad),
            std::string::npos);
}

// A small saved run: run.json, a log and two grids of five 4x4 images.
void write_run(const fs::path& dir, const std::string& json) {
  std::ofstream(dir / "run.json") << json;
  std::ofstream(dir / "log.csv") << kCliHeader << "1,0,0.7,1.4,0.5,0.5,0.5,0.5,1,1\n"
                                 << "2,0,0.8,1.3,0.6,0.4,0.6,0.6,1,1\n";
  convt::write_png_grid((dir / "a.png").string(), five_images(), 3, 2, 1);
  convt::write_png_grid((dir / "b.png").string(), five_images(), 3, 2, 1);
}

const char* kRunJson = R"({
  "title": "A test run", "command": "convt-lab train ...", "date": "2026-11-29",
  "look_for": "nothing", "error": "",
  "hyperparameters": {"batch": 16, "lr_g": 0.01, "lr_d": 1e-05, "beta1": 0.5, "beta2": 0.999,
                      "seed": 3, "threads": 1},
  "grid": {"count": 5, "tile": 4, "cols": 3, "scale": 2, "padding": 1},
  "grids": [{"file": "a.png", "step": 1}, {"file": "b.png", "step": 2}]
})";

TEST_F(SavedRunFiles, LoadsAWholeRun) {
  write_run(dir_, kRunJson);
  const convt::lab::SavedRun run = convt::lab::load_saved_run(dir_.string());
  EXPECT_EQ(run.title, "A test run");
  EXPECT_EQ(run.commit, "");  // optional
  EXPECT_EQ(run.name, dir_.filename().string());
  EXPECT_EQ(run.gan.batch_size, 16);
  EXPECT_FLOAT_EQ(run.gan.lr_d, 1e-5f);
  EXPECT_EQ(run.gan.seed, 3u);
  ASSERT_EQ(run.series.points().size(), 2u);
  EXPECT_FLOAT_EQ(run.series.points()[1].loss_g, 0.8f);
  ASSERT_EQ(run.grids.size(), 2u);
  EXPECT_EQ(run.grids[1].step, 2);
  EXPECT_EQ(run.grids[0].samples.shape(), (std::vector<int64_t>{5, 1, 4, 4}));
  EXPECT_GT(run.grids[0].diversity, 0.1f);  // five different images
}

TEST_F(SavedRunFiles, BadRunJsonNamesTheFileAndWhatIsMissing) {
  std::string json = kRunJson;
  json.replace(json.find("\"date\""), 6, "\"day\"");
  write_run(dir_, json);
  const std::string e = error_of([&] { convt::lab::load_saved_run(dir_.string()); });
  EXPECT_NE(e.find((dir_ / "run.json").string()), std::string::npos) << e;
  EXPECT_NE(e.find("date"), std::string::npos) << e;

  std::ofstream(dir_ / "run.json") << "{ not json";
  EXPECT_NE(error_of([&] { convt::lab::load_saved_run(dir_.string()); }).find("not valid JSON"),
            std::string::npos);
}

TEST_F(SavedRunFiles, TruncatedLogInARunNamesTheLog) {
  write_run(dir_, kRunJson);
  std::ofstream(dir_ / "log.csv") << kCliHeader << "1,0,0.7,1.4,0.5";
  const std::string e = error_of([&] { convt::lab::load_saved_run(dir_.string()); });
  EXPECT_NE(e.find((dir_ / "log.csv").string() + ":2"), std::string::npos) << e;
}

// ---- The shipped runs of lesson 8 ----------------------------------------------------------

convt::lab::SavedRun load_shipped(const std::string& name) {
  convt::lab::SavedRun run = convt::lab::load_saved_run(convt::lab::saved_run_dir(name));
  const auto classifier =
      convt::lab::load_classifier(convt::asset_path(convt::lab::kDigitClassifierAsset));
  convt::lab::score_saved_run(run, *classifier);
  return run;
}

bool has(const std::vector<Diagnosis>& found, Diagnosis::Kind kind) {
  return std::any_of(found.begin(), found.end(),
                     [&](const Diagnosis& d) { return d.kind == kind; });
}

TEST(ShippedSavedRuns, ModeCollapseIsDiagnosedAsModeCollapse) {
  const convt::lab::SavedRun run = load_shipped("mode_collapse");
  const auto found = convt::lab::diagnose_saved_run(run);
  EXPECT_TRUE(has(found, Diagnosis::Kind::kModeCollapse));
  EXPECT_GE(run.series.points().back().step, convt::lab::kModeCollapseMinSteps);
  // The last grid: nearly one image (diversity far below the real digits'), one class on top.
  const convt::lab::SavedGrid& last = run.grids.back();
  EXPECT_LT(last.diversity, 0.3f * run.real_diversity);
  const int top = *std::max_element(last.score.histogram.begin(), last.score.histogram.end());
  EXPECT_GT(top, static_cast<int>(last.score.count) / 2);
  // Lesson 8 says so: "the classifier calls 60 of 64 an 8" (from the PNG, as from the floats
  // that `convt-lab sample --score` judged when the run was made).
  EXPECT_EQ(last.score.histogram[8], 60);
  EXPECT_NE(convt::lab::lessons().at(7).show_me.at(2).look_for.find("60 of 64 an 8"),
            std::string::npos);
}

TEST(ShippedSavedRuns, DivergenceIsDiagnosedAsDivergence) {
  const convt::lab::SavedRun run = load_shipped("divergence");
  EXPECT_EQ(run.commit, "fdedfe8");  // the build that made it (assets/README.md)
  const auto found = convt::lab::diagnose_saved_run(run);
  EXPECT_TRUE(has(found, Diagnosis::Kind::kGLossExploding) || has(found, Diagnosis::Kind::kNaN));
  EXPECT_FALSE(has(found, Diagnosis::Kind::kModeCollapse) &&
               !has(found, Diagnosis::Kind::kGLossExploding));
}

// The "Saved runs..." popup's list: folders with a run.json, sorted; other folders and files are
// not runs.
TEST_F(SavedRunFiles, ListsFoldersWithARunJsonSorted) {
  for (const char* name : {"zeta", "alpha", "logs_only"}) fs::create_directories(dir_ / name);
  write("zeta/run.json", "{}");
  write("alpha/run.json", "{}");
  write("logs_only/log.csv", kCliHeader);
  write("run.json", "{}");  // a file beside the folders, not a folder
  EXPECT_EQ(convt::lab::list_saved_runs_in(dir_.string()),
            (std::vector<std::string>{"alpha", "zeta"}));
}

// The dashboard lists the runs once per opening of the popup: a run added since shows up at the
// next call (the list is read from disk each call, not cached here).
TEST_F(SavedRunFiles, ListingAgainSeesARunAddedSince) {
  fs::create_directories(dir_ / "first");
  write("first/run.json", "{}");
  EXPECT_EQ(convt::lab::list_saved_runs_in(dir_.string()), (std::vector<std::string>{"first"}));
  fs::create_directories(dir_ / "second");
  write("second/run.json", "{}");
  EXPECT_EQ(convt::lab::list_saved_runs_in(dir_.string()),
            (std::vector<std::string>{"first", "second"}));
}

TEST_F(SavedRunFiles, ListingAMissingDirectoryIsEmpty) {
  EXPECT_TRUE(convt::lab::list_saved_runs_in((dir_ / "no_such_dir").string()).empty());
  EXPECT_TRUE(convt::lab::list_saved_runs_in(write("a_file", "x")).empty());
}

TEST(ShippedSavedRuns, ListedForTheDashboardsSavedRunsMenu) {
  const std::vector<std::string> names = convt::lab::list_saved_runs();
  EXPECT_NE(std::find(names.begin(), names.end(), "mode_collapse"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "divergence"), names.end());
  // completion28 holds logs but no run.json: not a saved run of the dashboard.
  EXPECT_EQ(std::find(names.begin(), names.end(), "completion28"), names.end());
}

// Lesson 8's Show me buttons open these runs, and their look_for quotes the runs' real numbers:
// the last step, written out, appears in the text (so the assets and the lesson cannot drift).
TEST(ShippedSavedRuns, Lesson8ShowMeNamesExistingRunsAndTheirLastStep) {
  const convt::lab::Lesson& lesson = convt::lab::lessons().at(7);
  int saved = 0;
  for (const convt::lab::ShowMe& s : lesson.show_me) {
    if (s.training.saved_run.empty()) continue;
    ++saved;
    const convt::lab::SavedRun run =
        convt::lab::load_saved_run(convt::lab::saved_run_dir(s.training.saved_run));
    const std::string last_step = "step " + std::to_string(run.series.points().back().step);
    EXPECT_NE(s.look_for.find(last_step), std::string::npos)
        << s.label << ": '" << last_step << "' not in: " << s.look_for;
  }
  EXPECT_EQ(saved, 2);
}

}  // namespace
