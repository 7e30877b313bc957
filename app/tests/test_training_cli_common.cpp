// What `convt-lab train`, `ffnn-train` and `complete-train` share (app/cli/training_run.h), run
// as a user would (the real executable): the same bad value of a shared flag is refused by all
// three with the same message and exit status 2, nothing written; --seconds bounds a run of train
// and ffnn-train by wall time (complete-train trains tied and untied the same steps: no --seconds).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lab_process.h"

namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(CONVT_SOURCE_DIR) + "/core/tests/fixtures/nn/tiny20.json";

class TrainingCli : public convt::test::LabRunDir {
 protected:
  // Each command with the flags it needs besides the shared ones, small enough to be quick.
  const std::vector<std::string> commands_ = {"train --model " + kTiny + " --data digits --batch 8",
                                              "ffnn-train --batch 8 --gan none",
                                              "complete-train --batch 8"};
};

}  // namespace

TEST_F(TrainingCli, TheThreeCommandsRefuseABadSharedFlagAlike) {
  const struct {
    std::string flags, message;
  } cases[] = {
      {"--steps 0 --out run", "--steps: expected a positive integer up to 1000000000, found '0'"},
      {"--steps 1.5 --out run",
       "--steps: expected a positive integer up to 1000000000, found '1.5'"},
      {"--steps 2 --seed x --out run", "--seed: expected a number in [0, 1e+15], found 'x'"},
      {"--steps 2 --threads 0 --out run",
       "--threads: expected a positive integer up to 64, found '0'"},
      {"--steps 2 --backend gpu --out run", "--backend: expected 'fast' or 'naive', found 'gpu'"},
      {"--steps 2 --out run --seed", "--seed: expected a value (N), found the end of the line"},
  };
  for (const std::string& command : commands_) {
    for (const auto& c : cases) {
      SCOPED_TRACE(command + " " + c.flags);
      const CmdResult r = run(command + " " + c.flags);
      EXPECT_EQ(r.status, 2) << r.out;
      EXPECT_EQ(r.out, "convt-lab: " + c.message + "\n");
      EXPECT_FALSE(fs::exists(dir_ / "run"));
    }
    SCOPED_TRACE(command);
    const std::string name = command.substr(0, command.find(' '));
    const CmdResult r = run(command + " --steps 2");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find(name + ": missing --out "), std::string::npos) << r.out;
  }
}

TEST_F(TrainingCli, SecondsBoundTheRunByWallTime) {
  for (const std::string& command : {commands_[0], commands_[1]}) {
    SCOPED_TRACE(command);
    fs::remove_all(dir_ / "run");
    const CmdResult r = run(command + " --seconds 1 --out run");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("done"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(dir_ / "run" / "checkpoint.safetensors")) << r.out;
    const CmdResult both = run(command + " --steps 5 --seconds 1 --out run2");
    EXPECT_EQ(both.status, 2) << both.out;
    EXPECT_NE(both.out.find(": give at most one of "), std::string::npos) << both.out;
  }
  const CmdResult r = run(commands_[2] + " --steps 2 --seconds 1 --out run3");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("complete-train: unknown flag '--seconds'"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "run3"));
}

// The loop's end for a run whose loss overflows at its first step (train's own is in
// test_cli_hostile.cpp): exit status 1, the step named, no checkpoint claimed or written.
TEST_F(TrainingCli, ADivergedFfnnRunExitsOneWithoutACheckpoint) {
  std::string spec =
      convt::test::read_text(std::string(CONVT_SOURCE_DIR) + "/assets/models/ffnn/ffnn20.json");
  const size_t relu = spec.find("{\"type\": \"ReLU\"}");
  ASSERT_NE(relu, std::string::npos);
  spec.replace(relu, 16, "{\"type\": \"LeakyReLU\", \"negative_slope\": 1e38}");
  const size_t tanh = spec.find(",\n    {\"type\": \"Tanh\"}");  // no squashing of the overflow
  ASSERT_NE(tanh, std::string::npos);
  spec.erase(tanh, 22);
  std::ofstream(dir_ / "wild.json") << spec;
  const CmdResult r = run("ffnn-train --model wild.json --steps 5 --batch 8 --gan none --out run");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("ffnn-train: FFNN step 1: "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("wrote "), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "run" / "checkpoint.safetensors"));
}
