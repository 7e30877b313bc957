// .npy read/write: round trips, a file numpy wrote, and the files we must refuse.
//
// The numpy-written fixtures come from scripts/make_op_fixtures.py (np.save / np.lib.format),
// in core/tests/fixtures/ops/:
//   npy_example.npy          np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3
//   npy_example_v2.npy       the same, .npy format version 2.0
//   npy_example_f8.npy       the same as float64 ('<f8')
//   npy_example_fortran.npy  the same, float32, Fortran order
// Malformed files (truncated, bad magic) are made here from the good one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "convt/io/npy.h"
#include "convt/tensor.h"

namespace convt {
namespace {

namespace fs = std::filesystem;

const std::string kOpsDir = std::string(CONVT_FIXTURE_DIR) + "/ops";

// A fresh, empty directory per test, removed afterwards.
class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("convt_npy_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The values of npy_example.npy, by the formula the script used.
Tensor npy_example_values() {
  Tensor t({2, 3, 4});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(i) * 0.5f - 3.0f;
  return t;
}

// Expects `fn` to throw NpyError whose message contains every one of `parts`.
template <class Fn>
void expect_npy_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected NpyError, nothing was thrown";
  } catch (const NpyError& e) {
    const std::string what = e.what();
    for (const auto& part : parts) {
      EXPECT_NE(what.find(part), std::string::npos)
          << "message should contain \"" << part << "\"; it is: " << what;
    }
  }
}

TEST_F(NpyTest, RoundTripOneD) {
  Tensor t({5}, std::vector<float>{1.5f, -2.0f, 0.0f, 3.25e-7f, 1e30f});
  write_npy(path("a.npy"), t);
  Tensor back = read_npy(path("a.npy"));
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(back.values(), t.values());  // bit-exact
  // numpy writes a 1-tuple as "(5,)".
  EXPECT_NE(read_bytes(path("a.npy")).find("'shape': (5,)"), std::string::npos);
}

TEST_F(NpyTest, RoundTripFourD) {
  Tensor t({2, 3, 4, 5});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = static_cast<float>(i) / 7.0f - 3.0f;
  write_npy(path("b.npy"), t);
  Tensor back = read_npy(path("b.npy"));
  EXPECT_EQ(back.shape(), t.shape());
  EXPECT_EQ(back.values(), t.values());
  const std::string bytes = read_bytes(path("b.npy"));
  EXPECT_NE(bytes.find("'shape': (2, 3, 4, 5)"), std::string::npos);
  // Header (magic + version + length + dict) padded to a multiple of 64, ending in '\n'.
  const size_t data_start = bytes.size() - t.numel() * sizeof(float);
  EXPECT_EQ(data_start % 64, 0u);
  EXPECT_EQ(bytes[data_start - 1], '\n');
}

TEST_F(NpyTest, RoundTripZeroElements) {
  Tensor t({3, 0});
  write_npy(path("empty.npy"), t);
  Tensor back = read_npy(path("empty.npy"));
  EXPECT_EQ(back.shape(), (std::vector<int64_t>{3, 0}));
  EXPECT_EQ(back.numel(), 0);
}

TEST_F(NpyTest, OverwritesAndLeavesNoTempFile) {
  write_npy(path("c.npy"), Tensor({2, 2}, 1.0f));
  write_npy(path("c.npy"), Tensor({3}, 2.0f));  // replaces the earlier file
  EXPECT_EQ(read_npy(path("c.npy")).shape(), (std::vector<int64_t>{3}));
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"c.npy"}) << "write_npy left a temp file behind";
}

TEST_F(NpyTest, WriteToMissingDirectoryThrowsNamingThePath) {
  const std::string target = path("no_such_dir/d.npy");
  expect_npy_error([&] { write_npy(target, Tensor({2}, 0.0f)); }, {target});
  EXPECT_FALSE(fs::exists(target));
}

TEST(NpyNumpyFile, ReadsWhatNumpyWrote) {
  const Tensor expected = npy_example_values();
  for (const char* name : {"npy_example.npy", "npy_example_v2.npy"}) {
    SCOPED_TRACE(name);
    const Tensor t = read_npy(kOpsDir + "/" + name);
    EXPECT_EQ(t.shape(), (std::vector<int64_t>{2, 3, 4}));
    EXPECT_EQ(t.values(), expected.values());  // k * 0.5 - 3 is exact in float32
  }
}

// What we write, numpy's reader takes: our header has exactly the keys np.save writes, so the
// bytes for the same array match numpy's own file byte for byte.
TEST_F(NpyTest, WritesTheBytesNumpyWrites) {
  write_npy(path("ours.npy"), npy_example_values());
  EXPECT_EQ(read_bytes(path("ours.npy")), read_bytes(kOpsDir + "/npy_example.npy"));
}

TEST(NpyNumpyFile, RefusesFloat64NamingFileAndDtype) {
  const std::string file = kOpsDir + "/npy_example_f8.npy";
  expect_npy_error([&] { read_npy(file); }, {file, "'<f8'", "float32", "astype(np.float32)"});
}

TEST(NpyNumpyFile, RefusesFortranOrder) {
  const std::string file = kOpsDir + "/npy_example_fortran.npy";
  expect_npy_error([&] { read_npy(file); }, {file, "fortran_order"});
}

TEST_F(NpyTest, RefusesTruncatedData) {
  std::string bytes = read_bytes(kOpsDir + "/npy_example.npy");
  write_bytes(path("short.npy"), bytes.substr(0, bytes.size() - 5));
  expect_npy_error([&] { read_npy(path("short.npy")); }, {path("short.npy"), "truncated"});
}

TEST_F(NpyTest, RefusesTruncatedHeader) {
  std::string bytes = read_bytes(kOpsDir + "/npy_example.npy");
  write_bytes(path("header.npy"), bytes.substr(0, 40));
  expect_npy_error([&] { read_npy(path("header.npy")); }, {path("header.npy"), "truncated"});
}

// A version 1.0 file with the given header text (no padding) and `data_bytes` zero bytes.
std::string npy_with_header(const std::string& header, size_t data_bytes) {
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  return bytes + header + std::string(data_bytes, '\0');
}

TEST_F(NpyTest, RefusesMalformedHeaders) {
  const std::string good_start = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{'descr':", "cannot read 'descr'"},         // key with no value
      {"{'descr': '<f4", "cannot read 'descr'"},    // unclosed string
      {good_start + "5, }\n", "bad shape"},         // not a tuple
      {good_start + "(2,", "cannot read 'shape'"},  // unclosed tuple
      {good_start + "(2, x), }\n", "bad shape"},    // not a number
      {"{'descr': '<f4', 'shape': (2,), }\n", "no 'fortran_order'"},
  };
  for (const auto& [header, message] : cases) {
    SCOPED_TRACE(header);
    write_bytes(path("bad.npy"), npy_with_header(header, 64));
    expect_npy_error([&] { read_npy(path("bad.npy")); }, {path("bad.npy"), message});
  }
}

// A header that claims far more data than the file holds is refused before allocating it.
TEST_F(NpyTest, RefusesHugeClaimedShapeWithoutAllocating) {
  const std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (4000000000, 4000000000, 3), }\n";
  write_bytes(path("huge.npy"), npy_with_header(header, 16));
  expect_npy_error([&] { read_npy(path("huge.npy")); },
                   {path("huge.npy"), "multiply to more than 2^63 bytes"});
  // A zero dimension makes a valid empty array, whatever the other dims say.
  const std::string empty =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4000000000, 3), }\n";
  write_bytes(path("empty.npy"), npy_with_header(empty, 0));
  EXPECT_EQ(read_npy(path("empty.npy")).numel(), 0);
}

TEST_F(NpyTest, RefusesWrongMagic) {
  write_bytes(path("text.npy"), "hello, this is not a numpy file at all\n");
  expect_npy_error([&] { read_npy(path("text.npy")); }, {path("text.npy"), "not a .npy file"});
}

TEST_F(NpyTest, RefusesMissingFileNamingIt) {
  const std::string missing = path("missing.npy");
  expect_npy_error([&] { read_npy(missing); }, {missing, "cannot open"});
}

}  // namespace
}  // namespace convt
