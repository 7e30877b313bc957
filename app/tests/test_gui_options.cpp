// The GUI's command line (app/gui_options.h): good flags parse, bad ones give one clear line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "convt/io/assets.h"
#include "gui_options.h"
#include "panels/panels.h"

namespace {

using convt::GuiOptions;
using convt::GuiParseResult;
using Status = convt::GuiParseResult::Status;

GuiParseResult parse(std::vector<std::string> args, GuiOptions& options) {
  args.insert(args.begin(), "convt-lab");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return convt::parse_gui_options(static_cast<int>(argv.size()), argv.data(), options);
}

TEST(GuiOptions, NoArgumentsOpensTheLessons) {
  GuiOptions o;
  EXPECT_EQ(parse({}, o).status, Status::kRun);
  EXPECT_EQ(o.panel, convt::lab::PanelId::kLessons);
  EXPECT_FALSE(o.screenshot());
  EXPECT_EQ(o.frames, 3);
}

TEST(GuiOptions, ScreenshotPanelFrames) {
  GuiOptions o;
  auto r = parse({"--screenshot", "out.png", "--panel", "formula", "--frames", "7"}, o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_EQ(o.screenshot_path, "out.png");
  EXPECT_EQ(o.panel, convt::lab::PanelId::kFormula);
  EXPECT_EQ(o.frames, 7);
}

TEST(GuiOptions, EqualsForm) {
  GuiOptions o;
  auto r = parse({"--screenshot=a.png", "--panel=lessons", "--frames=1"}, o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_EQ(o.screenshot_path, "a.png");
  EXPECT_EQ(o.panel, convt::lab::PanelId::kLessons);
  EXPECT_EQ(o.frames, 1);
}

TEST(GuiOptions, EveryPanelNameIsAccepted) {
  for (const auto& p : convt::lab::all_panels()) {
    GuiOptions o;
    EXPECT_EQ(parse({"--panel", p.name}, o).status, Status::kRun) << p.name;
    EXPECT_EQ(o.panel, p.id) << p.name;
    EXPECT_EQ(convt::lab::find_panel(p.name), p.id);
  }
}

TEST(GuiOptions, UnknownPanelListsTheValidNames) {
  GuiOptions o;
  auto r = parse({"--panel", "nope"}, o);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("'nope'"), std::string::npos) << r.message;
  for (const auto& p : convt::lab::all_panels()) {
    EXPECT_NE(r.message.find(p.name), std::string::npos) << r.message;
  }
}

TEST(GuiOptions, BadFlagsAreOneLineErrors) {
  const std::vector<std::vector<std::string>> bad = {
      {"--bogus"},
      {"--screenshot"},
      {"--panel"},
      {"--screenshot", "a.png", "--frames", "0"},
      {"--screenshot", "a.png", "--frames", "abc"},
      {"--screenshot", "a.png", "--frames", "5x"},
      {"--screenshot", "a.png", "--frames"},
      {"--frames", "3"},  // --frames without --screenshot
      {"stray"},
  };
  for (const auto& args : bad) {
    GuiOptions o;
    auto r = parse(args, o);
    EXPECT_EQ(r.status, Status::kError) << args[0];
    EXPECT_EQ(r.message.rfind("convt-lab: ", 0), 0u) << r.message;
    EXPECT_EQ(r.message.find('\n'), std::string::npos) << r.message;
  }
}

TEST(GuiOptions, TrainSecondsAndThreads) {
  GuiOptions o;
  auto r = parse({"--screenshot", "t.png", "--panel", "training", "--train-seconds", "30",
                  "--train-threads", "1"},
                 o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_DOUBLE_EQ(o.train_seconds, 30.0);
  EXPECT_EQ(o.train_threads, 1);
  GuiOptions latent;  // the explorer follows the run
  r = parse({"--screenshot", "l.png", "--panel", "latent", "--train-seconds", "5"}, latent);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_EQ(latent.train_threads, 2);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--screenshot", "a.png", "--panel", "stepper", "--train-seconds",
                                 "5"},
        std::vector<std::string>{"--screenshot", "a.png", "--panel", "training", "--train-seconds",
                                 "5", "--train-threads", "0"},
        std::vector<std::string>{"--screenshot", "a.png", "--panel", "training", "--train-threads",
                                 "1"}}) {
    GuiOptions bad;
    r = parse(args, bad);
    EXPECT_EQ(r.status, Status::kError) << args.back();
    EXPECT_EQ(r.message.find('\n'), std::string::npos) << r.message;
  }
}

TEST(GuiOptions, OpenPopupSavedRunsOnTheTrainingPanelOnly) {
  GuiOptions o;
  auto r = parse({"--panel", "training", "--open-popup", "saved-runs"}, o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_TRUE(o.open_saved_runs);
  GuiOptions other;
  r = parse({"--panel", "stepper", "--open-popup", "saved-runs"}, other);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("--panel training"), std::string::npos) << r.message;
  GuiOptions unknown;
  r = parse({"--panel", "training", "--open-popup", "browse"}, unknown);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("found 'browse'"), std::string::npos) << r.message;
}

TEST(GuiOptions, OpenPopupExportAnimationOnTheStepperOnly) {
  GuiOptions o;
  auto r = parse({"--panel", "stepper", "--open-popup", "export-animation"}, o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_TRUE(o.open_export_animation);
  EXPECT_FALSE(o.open_saved_runs);
  GuiOptions other;
  r = parse({"--panel", "training", "--open-popup", "export-animation"}, other);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("--panel stepper"), std::string::npos) << r.message;
}

TEST(GuiOptions, TheCnnClassifierViewItsDAndASelection) {
  GuiOptions o;
  ASSERT_EQ(parse({"--cnn-view", "classifier", "--cnn-d", "run/checkpoint.safetensors",
                   "--cnn-select", "D:2:17", "--cnn-train-live", "1.5"},
                  o)
                .status,
            Status::kRun);
  EXPECT_EQ(o.panel, convt::lab::PanelId::kCnn);
  EXPECT_TRUE(o.cnn_classifier);
  EXPECT_EQ(o.cnn_d, "run/checkpoint.safetensors");
  EXPECT_EQ(o.select_network, 1);
  EXPECT_EQ(o.select_layer, 2);
  EXPECT_EQ(o.select_channel, 17);
  EXPECT_DOUBLE_EQ(o.cnn_train_live, 1.5);
  GuiOptions c;
  ASSERT_EQ(parse({"--cnn-select", "classifier:0"}, c).status, Status::kRun);
  EXPECT_EQ(c.select_network, 0);
  EXPECT_EQ(c.select_channel, -1);  // the most active
  EXPECT_FALSE(c.cnn_classifier);
  GuiOptions k;
  ASSERT_EQ(parse({"--cnn-view", "kernels"}, k).status, Status::kRun);
  EXPECT_FALSE(k.cnn_classifier);
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--cnn-view", "layers"},
                                              {"--cnn-select", "D:"},
                                              {"--cnn-select", ":1"},
                                              {"--cnn-train-live", "-1"},
                                              {"--cnn-train-live", "nan"}}) {
    GuiOptions b;
    const auto r = parse(bad, b);
    EXPECT_EQ(r.status, Status::kError) << bad[0] << " " << bad[1];
    EXPECT_EQ(r.message.rfind("convt-lab: " + bad[0] + " expects", 0), 0u) << r.message;
  }
}

TEST(GuiOptions, LatentCheckpointOpensTheExplorerOnAnExistingFile) {
  const std::string file = convt::asset_path("checkpoints/rgb32_emoji_G.safetensors");
  GuiOptions o;
  auto r = parse({"--latent-checkpoint", file}, o);
  ASSERT_EQ(r.status, Status::kRun) << r.message;
  EXPECT_EQ(o.panel, convt::lab::PanelId::kLatent);
  EXPECT_EQ(o.latent_checkpoint, file);
  GuiOptions other;  // --panel wins; the explorer opens the file when its tab is chosen
  ASSERT_EQ(parse({"--panel", "lessons", "--latent-checkpoint", file}, other).status, Status::kRun);
  EXPECT_EQ(other.panel, convt::lab::PanelId::kLessons);
  GuiOptions missing;
  r = parse({"--latent-checkpoint", "no/such/G.safetensors"}, missing);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("no file 'no/such/G.safetensors'"), std::string::npos) << r.message;
  GuiOptions none;
  r = parse({"--latent-checkpoint"}, none);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.message.rfind("convt-lab: --latent-checkpoint expects", 0), 0u) << r.message;
  GuiOptions both;  // a file or the run it follows, not both
  r = parse({"--screenshot", "x.png", "--panel", "latent", "--train-seconds", "2",
             "--latent-checkpoint", file},
            both);
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.message.find("not both"), std::string::npos) << r.message;
}

TEST(GuiOptions, HelpNamesEveryFlag) {
  GuiOptions o;
  auto r = parse({"--help"}, o);
  EXPECT_EQ(r.status, Status::kHelp);
  for (const char* flag : {"--screenshot", "--panel", "--frames", "playground", "--cnn-view",
                           "--cnn-d", "--cnn-select", "--cnn-train-live", "--latent-checkpoint"}) {
    EXPECT_NE(r.message.find(flag), std::string::npos) << flag;
  }
}

TEST(Panels, TableIsConsistent) {
  const auto& panels = convt::lab::all_panels();
  ASSERT_FALSE(panels.empty());
  EXPECT_EQ(panels.front().id, convt::lab::PanelId::kLessons);  // where a newcomer starts
  EXPECT_TRUE(panels.front().ready);
  for (const auto& p : panels) {
    EXPECT_EQ(&convt::lab::panel_info(p.id), &p);
    EXPECT_GT(std::string(p.summary).size(), 20u) << p.name;
  }
  EXPECT_FALSE(convt::lab::find_panel("Playground"));  // names are lower case, exact
}

}  // namespace
