// `convt-lab ffnn-train`, run as a user would (the real executable): a tiny run on the built-in
// 20x20 digits writes the checkpoint, log and sample grids and prints the FFNN vs GAN table; the
// checkpoint loads; bad input exits 2 with one line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convt/train/ffnn.h"
#include "lab_process.h"

namespace fs = std::filesystem;

namespace {

class FfnnCli : public convt::test::LabRunDir {};

}  // namespace

TEST_F(FfnnCli, TinyRunEndToEnd) {
  const CmdResult r = run("ffnn-train --steps 20 --batch 16 --seed 1 --out run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("done: 20 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FFNN "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GAN "), std::string::npos) << r.out;  // the shipped dcgan20 beside it
  for (const char* f :
       {"checkpoint.safetensors", "log.csv", "samples_ffnn.png", "samples_gan.png", "mean.png"}) {
    EXPECT_TRUE(fs::exists(dir_ / "run" / f)) << f;
  }
  std::ifstream log(dir_ / "run" / "log.csv");
  int rows = 0;
  for (std::string l; std::getline(log, l);) ++rows;
  EXPECT_EQ(rows, 21);  // header + 20 steps
  int64_t steps = 0;
  auto G = convt::FfnnTrainer::load_generator((dir_ / "run" / "checkpoint.safetensors").string(),
                                              nullptr, &steps);
  EXPECT_EQ(steps, 20);
  EXPECT_EQ(G->output_shape(), (std::vector<int64_t>{1, 20, 20}));
}

TEST_F(FfnnCli, BadInputExitsTwoWithOneLine) {
  CmdResult r = run("ffnn-train --steps 5 --seconds 5 --out run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("at most one of --steps, --seconds"), std::string::npos) << r.out;
  r = run("ffnn-train --steps 2 --gan /nonexistent.safetensors --out run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("/nonexistent.safetensors"), std::string::npos) << r.out;
  r = run("ffnn-train --steps 2 --model dcgan20 --out run");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "run" / "checkpoint.safetensors"));
}
