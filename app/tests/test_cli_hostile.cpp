// The CLI given the inputs a careless user or a script sends: sizes that overflow 32 bits,
// special files as outputs, signals mid-run, broken model specs and checkpoints. Each case must
// be refused with exit status 2 and a message naming what was expected and what was found, and
// leave existing files byte-identical.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "convt/io/npy.h"
#include "convt/tensor.h"
#include "lab_process.h"

namespace {

using convt::Tensor;

class CliHostile : public convt::test::LabRunDir {
 protected:
  void save(const std::string& name, const Tensor& t) { convt::write_npy((dir_ / name).string(), t); }
  bool exists(const std::string& name) const { return std::filesystem::exists(dir_ / name); }

  // Exit status 2 and every piece of `needles` in the output.
  void expect_refused(const CmdResult& r, const std::vector<std::string>& needles) {
    EXPECT_EQ(r.status, 2) << r.out;
    for (const std::string& n : needles) EXPECT_NE(r.out.find(n), std::string::npos) << r.out;
  }
};

// ---- Sizes: computed in 64 bits, refused when they do not fit --------------------------------

TEST_F(CliHostile, ShapeRefusesAnOutputSizeThatOverflowsInt32) {
  // (1000000-1)*4295 + 1 = 4294995706 used to wrap to 28410.
  const CmdResult r = run("shape conv_transpose2d --in 1000000 --kernel-size 1 --stride 4295");
  expect_refused(r, {"4294995706", "2147483647"});
  EXPECT_EQ(r.out.find("H_out=28410"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpRefusesAnOutputSizeThatOverflowsInt32) {
  save("tall.npy", Tensor({1, 1, 1000000, 1}, 1.0f));
  save("w.npy", Tensor({1, 1, 1, 1}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input tall.npy --weight w.npy --stride 4295,1 --out y.npy");
  expect_refused(r, {"conv_transpose2d H", "4294995706", "2147483647"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, ShapeRefusesAKernelWhoseDilatedReachOverflows) {
  // 1000000*(3000-1)+1 = 2999000001 used to wrap to a small reach, and H_out to 1295967300.
  const CmdResult r = run("shape conv2d --in 4 --kernel-size 3000,1 --dilation 1000000,1");
  expect_refused(r, {"2999000001", "larger than the padded input"});
  EXPECT_EQ(r.out.find("1295967300"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpConv2dRefusesAHugeDilationBeforeAllocating) {
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({1, 2, 3000, 1}, 1.0f));
  // It used to run for minutes and grow past 4 GB (ctest's timeout failed it).
  const CmdResult r = run("op conv2d --input x.npy --weight w.npy --dilation 1000000,1 "
                          "--out y.npy");
  expect_refused(r, {"conv2d H", "2999000001"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, OpMaxPoolRefusesAnOverflowingWindow) {
  save("x.npy", Tensor({1, 1, 4, 4}, 1.0f));
  const CmdResult r = run("op max_pool2d --input x.npy --kernel-size 3000,1 "
                          "--dilation 1000000,1 --padding 1000,0 --out y.npy");
  expect_refused(r, {"max_pool2d H", "2999000001"});
  EXPECT_FALSE(exists("y.npy"));
}

TEST_F(CliHostile, AnOverflowingSizeIsNotCalledNegative) {
  // (3000-1)*1000000 + 1 = 2999000001 used to wrap to a negative "is not positive: padding
  // crops the whole output", with padding 0.
  save("x.npy", Tensor({1, 1, 3000, 1}, 1.0f));
  save("w.npy", Tensor({1, 1, 1, 1}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --stride 1000000,1 --out y.npy");
  expect_refused(r, {"2999000001", "2147483647"});
  EXPECT_EQ(r.out.find("not positive"), std::string::npos) << r.out;
}

TEST_F(CliHostile, OpRefusesAnOutputOverTheMemoryBudgetWithItsSizes) {
  // (4-1)*1000000 + 3 = 3000003 per axis fits int32, but the output has 9e12 elements: the
  // message gives the shape and the budget, not "out of memory ... lower --trace-limit".
  save("x.npy", Tensor({1, 2, 4, 4}, 1.0f));
  save("w.npy", Tensor({2, 3, 3, 3}, 1.0f));
  const CmdResult r =
      run("op conv_transpose2d --input x.npy --weight w.npy --stride 1000000 --out y.npy");
  expect_refused(r, {"(1, 3, 3000003, 3000003)", "27000054000027 elements", "268435456"});
  EXPECT_EQ(r.out.find("--trace-limit"), std::string::npos) << r.out;
  EXPECT_FALSE(exists("y.npy"));
}

}  // namespace
