// `convt-lab complete-train`, run as a user would (the real executable): a tiny tied vs untied
// run on the built-in digits (table, logs, checkpoints that load), and refusals with status 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convt/train/completion.h"

namespace fs = std::filesystem;

namespace {

struct CmdResult {
  int status;
  std::string out;  // stdout + stderr
};

class CompleteCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("convt_complete_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CmdResult run(const std::string& args) {
    const std::string log = (dir_ / "cmd.log").string();
    const std::string cmd = "cd '" + dir_.string() + "' && '" + std::string(CONVT_LAB_EXE) + "' " +
                            args + " > '" + log + "' 2>&1";
    const int raw = std::system(cmd.c_str());
    std::ifstream f(log);
    std::stringstream s;
    s << f.rdbuf();
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, s.str()};
  }

  fs::path dir_;
};

}  // namespace

TEST_F(CompleteCli, TiedAndUntiedTinyRunEndToEnd) {
  const CmdResult r = run("complete-train --steps 4 --batch 8 --eval-every 2 --out run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("untied "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tied "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("held-out: 1000 digits, code zero, after 4 steps"), std::string::npos)
      << r.out;
  for (const char* kind : {"tied", "untied"}) {
    const fs::path d = dir_ / "run" / kind;
    std::ifstream log(d / "log.csv");
    int rows = 0;
    for (std::string l; std::getline(log, l);) ++rows;
    EXPECT_EQ(rows, 5) << kind;  // header + 4 steps
    auto t =
        convt::CompletionTrainer::from_checkpoint((d / "checkpoint.safetensors").string(), nullptr);
    EXPECT_EQ(t->steps_done(), 4);
    EXPECT_EQ(t->config().tied, std::string(kind) == "tied");
  }
}

TEST_F(CompleteCli, OneKindOnly) {
  const CmdResult r = run("complete-train --tied --steps 2 --batch 4 --out run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "run" / "tied" / "checkpoint.safetensors"));
  EXPECT_FALSE(fs::exists(dir_ / "run" / "untied"));
}

TEST_F(CompleteCli, RefusesBadInputWithStatus2) {
  EXPECT_EQ(run("complete-train --out run").status, 2);  // no --steps
  EXPECT_EQ(run("complete-train --steps 2").status, 2);  // no --out
  EXPECT_EQ(run("complete-train --steps 2 --out run --mask top").status, 2);
  EXPECT_EQ(run("complete-train --steps 2 --out run --bogus 1").status, 2);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  EXPECT_EQ(run("complete-train --help").status, 0);
}
