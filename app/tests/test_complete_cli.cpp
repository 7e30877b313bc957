// `convt-lab complete-train`, run as a user would (the real executable): a tiny tied vs untied
// run on the built-in digits (table, logs, checkpoints that load), and refusals with status 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "convt/data/dataset.h"
#include "convt/io/png.h"
#include "convt/train/completion.h"
#include "lab_process.h"

namespace fs = std::filesystem;

namespace {

class CompleteCli : public convt::test::LabRunDir {};

}  // namespace

TEST_F(CompleteCli, TiedAndUntiedTinyRunEndToEnd) {
  const CmdResult r = run("complete-train --steps 4 --batch 8 --eval-every 2 --out run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("untied "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tied "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("held-out: 1000 images, code zero, after 4 steps"), std::string::npos)
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

// The student's own folder: 24 PNGs of 40x40 "pictures" (the first digits, resized), trained at
// 16x16 (the notes use 64x64; smaller here to stay fast).
TEST_F(CompleteCli, AFolderOfImagesAtAnotherSize) {
  const convt::Dataset digits = convt::resized(convt::load_builtin_digits(28), 40);
  fs::create_directories(dir_ / "pics");
  const int64_t per = 40 * 40;
  for (int i = 0; i < 24; ++i) {
    convt::Tensor one({1, 1, 40, 40});
    std::copy(digits.images.data() + i * 100 * per, digits.images.data() + (i * 100 + 1) * per,
              one.data());
    convt::write_png_grid((dir_ / "pics" / ("p" + std::to_string(i) + ".png")).string(), one, 1, 1,
                          0);
  }
  const CmdResult r =
      run("complete-train --untied --steps 2 --batch 4 --size 16 --data pics --holdout-every 4 "
          "--out run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("held-out: 6 images"), std::string::npos) << r.out;
  auto t = convt::CompletionTrainer::from_checkpoint(
      (dir_ / "run" / "untied" / "checkpoint.safetensors").string(), nullptr);
  EXPECT_EQ(t->config().image_size, 16);
}

TEST_F(CompleteCli, RefusesBadInputWithStatus2) {
  EXPECT_EQ(run("complete-train --out run").status, 2);  // no --steps
  EXPECT_EQ(run("complete-train --steps 2").status, 2);  // no --out
  EXPECT_EQ(run("complete-train --steps 2 --out run --mask top").status, 2);
  EXPECT_EQ(run("complete-train --steps 2 --out run --bogus 1").status, 2);
  EXPECT_EQ(run("complete-train --steps 2 --out run --size 30").status, 2);
  EXPECT_EQ(run("complete-train --steps 2 --out run --data /nonexistent/dir").status, 2);
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  EXPECT_EQ(run("complete-train --help").status, 0);
}
