// .safetensors: round trip, the byte layout of the format, and refusal of damaged files
// (truncated, corrupt header, bad offsets, unknown dtype) with messages naming file and tensor.
// Also: atomic writes leave no temp file behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "convt/io/atomic_file.h"
#include "convt/io/safetensors.h"

namespace fs = std::filesystem;
using namespace convt;

namespace {

class Safetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("convt_test_safetensors_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    tensors_["G.fc.weight"] = Tensor({3, 2}, std::vector<float>{1.5f, -2, 3, 0.25f, 1e-30f, -7});
    tensors_["D.conv1.weight"] = Tensor({2, 1, 2, 2});
    for (int i = 0; i < 8; ++i) tensors_["D.conv1.weight"][i] = 0.1f * static_cast<float>(i) - 0.3f;
    tensors_["scalar"] = Tensor({}, std::vector<float>{42.0f});
    tensors_["empty"] = Tensor({0, 3});
    metadata_ = {{"step", "1234"}, {"spec", "{\"model\": \"dcgan20\"}"}, {"rng", "1 0x1p+0 5 6 7"}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  // The message of the SafetensorsError that parsing `bytes` throws ("" if none).
  static std::string parse_error(const std::string& bytes) {
    try {
      parse_safetensors(bytes, "ckpt.safetensors");
    } catch (const SafetensorsError& e) {
      return e.what();
    }
    return "";
  }
  // A file with a hand-made header and `data_bytes` bytes of data.
  static std::string with_header(const std::string& header, size_t data_bytes) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
      out[static_cast<size_t>(i)] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    return out + header + std::string(data_bytes, '\0');
  }

  fs::path dir_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_F(Safetensors, RoundTripIsExact) {
  write_safetensors(path("a.safetensors"), tensors_, metadata_);
  const SafetensorsFile f = read_safetensors(path("a.safetensors"));
  EXPECT_EQ(f.metadata, metadata_);
  ASSERT_EQ(f.tensors.size(), tensors_.size());
  for (const auto& [name, t] : tensors_) {
    ASSERT_EQ(f.tensors.count(name), 1u) << name;
    EXPECT_EQ(f.tensors.at(name).shape(), t.shape()) << name;
    EXPECT_EQ(f.tensors.at(name).values(), t.values()) << name;  // bitwise: same floats
  }
}

TEST_F(Safetensors, LayoutFollowsTheFormat) {
  const std::string bytes = safetensors_bytes(tensors_, metadata_);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  EXPECT_EQ(n % 8, 0u) << "data starts 8-byte aligned";
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["step"], "1234");
  const auto& w = header["G.fc.weight"];
  EXPECT_EQ(w["dtype"], "F32");
  EXPECT_EQ(w["shape"], nlohmann::json({3, 2}));
  const uint64_t begin = w["data_offsets"][0], end = w["data_offsets"][1];
  EXPECT_EQ(end - begin, 6 * sizeof(float));
  float first = 0;
  std::memcpy(&first, bytes.data() + 8 + n + begin, sizeof first);
  EXPECT_EQ(first, 1.5f);  // little-endian float32, C order
  EXPECT_EQ(bytes.size(), 8 + n + (6 + 8 + 1 + 0) * sizeof(float));
}

// Byte vectors from the reference implementation's own tests (huggingface/safetensors,
// safetensors/src/tensor.rs: test_serialization, test_serialization_forced_alignement,
// test_empty): the values 0..5 as F32 shape (1, 2, 3) / (1, 1, 2, 3), and metadata only.
// Our writer produces the same bytes, and our reader reads them.
TEST_F(Safetensors, SameBytesAsTheReferenceImplementation) {
  auto le_u64 = [](uint64_t n) {
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i)
      b[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return b;
  };
  const std::vector<float> values = {0, 1, 2, 3, 4, 5};
  const std::string data(reinterpret_cast<const char*>(values.data()), 24);
  const std::string attn_dot_0 =
      le_u64(64) + R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})" + data;
  const std::string attn0 = le_u64(72) +
                            R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})" +
                            std::string(7, ' ') + data;
  const std::string metadata_only = le_u64(40) + R"({"__metadata__":{"framework":"pt"}})" + "     ";
  EXPECT_EQ(safetensors_bytes({{"attn.0", Tensor({1, 2, 3}, values)}}), attn_dot_0);
  EXPECT_EQ(safetensors_bytes({{"attn0", Tensor({1, 1, 2, 3}, values)}}), attn0);
  EXPECT_EQ(safetensors_bytes({}, {{"framework", "pt"}}), metadata_only);
  EXPECT_EQ(parse_safetensors(attn0, "attn0").tensors.at("attn0").values(), values);
  EXPECT_EQ(parse_safetensors(metadata_only, "m").metadata.at("framework"), "pt");
}

TEST_F(Safetensors, OnlyMetadataAndNoTensorsIsValid) {
  const SafetensorsFile f = parse_safetensors(safetensors_bytes({}, {{"k", "v"}}), "x");
  EXPECT_TRUE(f.tensors.empty());
  EXPECT_EQ(f.metadata.at("k"), "v");
}

TEST_F(Safetensors, TruncatedFilesAreRefused) {
  const std::string bytes = safetensors_bytes(tensors_, metadata_);
  for (size_t cut : {size_t{0}, size_t{5}, size_t{40}, bytes.size() - 4, bytes.size() - 1}) {
    const std::string e = parse_error(bytes.substr(0, cut));
    EXPECT_TRUE(contains(e, "ckpt.safetensors: ")) << "cut at " << cut << ": " << e;
    EXPECT_TRUE(contains(e, "truncated")) << "cut at " << cut << ": " << e;
  }
  // Through the file API too: the message names the path.
  std::ofstream(path("cut.safetensors"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  try {
    read_safetensors(path("cut.safetensors"));
    FAIL() << "expected SafetensorsError";
  } catch (const SafetensorsError& e) {
    EXPECT_TRUE(contains(e.what(), path("cut.safetensors"))) << e.what();
  }
  EXPECT_THROW(read_safetensors(path("missing.safetensors")), SafetensorsError);
}

TEST_F(Safetensors, CorruptHeaderIsRefused) {
  std::string bytes = safetensors_bytes(tensors_, metadata_);
  bytes[9] = '#';  // inside the JSON
  EXPECT_TRUE(contains(parse_error(bytes), "corrupt header: not valid JSON")) << parse_error(bytes);
  EXPECT_TRUE(contains(parse_error(with_header("[1, 2]", 0)), "expected a JSON object"));
  std::string huge(16, '\0');
  huge[7] = 1;  // header length 2^56
  EXPECT_TRUE(contains(parse_error(huge), "header length")) << parse_error(huge);
  const std::string e = parse_error(with_header(R"({"w": {"dtype": "F32", "shape": [1]}})", 4));
  EXPECT_TRUE(contains(e, "tensor 'w'")) << e;
  EXPECT_TRUE(contains(e, "data_offsets")) << e;
  EXPECT_TRUE(contains(parse_error(with_header(R"({"__metadata__": {"step": 3}})", 0)),
                       "__metadata__ 'step': expected a string value"));
}

TEST_F(Safetensors, BadOffsetsAreRefused) {
  std::string e = parse_error(
      with_header(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 80]}})", 8));
  EXPECT_TRUE(contains(e, "tensor 'w': data_offsets [0, 80] out of range")) << e;
  EXPECT_TRUE(contains(e, "holds 8 bytes")) << e;

  e = parse_error(
      with_header(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8));
  EXPECT_TRUE(contains(e, "tensor 'w': shape [3] needs 12 bytes")) << e;

  e = parse_error(with_header(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                  "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                              12));
  EXPECT_TRUE(contains(e, "overlaps")) << e;

  e = parse_error(
      with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})", 8));
  EXPECT_TRUE(contains(e, "tensor 'a': data_offsets begin at 4, expected 0 (a gap)")) << e;

  e = parse_error(
      with_header(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})", 8));
  EXPECT_TRUE(contains(e, "trailing bytes")) << e;

  e = parse_error(
      with_header(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4));
  EXPECT_TRUE(contains(e, "expected integers in [0, ")) << e;

  e = parse_error(with_header(
      R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}})", 4));
  EXPECT_TRUE(contains(e, "tensor 'a': shape [4294967296, 4294967296] needs more than")) << e;
  e = parse_error(with_header(
      R"({"a": {"dtype": "F32", "shape": [2, 18446744073709551614], "data_offsets": [0, 4]}})", 4));
  EXPECT_TRUE(contains(e, "tensor 'a': shape [2,18446744073709551614]: expected integers")) << e;
}

TEST_F(Safetensors, OtherDtypesAreRefused) {
  const std::string e = parse_error(
      with_header(R"({"h": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})", 4));
  EXPECT_TRUE(contains(e, "tensor 'h': dtype \"F16\" is not supported (expected \"F32\"")) << e;
}

TEST_F(Safetensors, WriterRefusesReservedAndEmpty) {
  EXPECT_THROW(safetensors_bytes({{"__metadata__", Tensor({1})}}), SafetensorsError);
  EXPECT_THROW(safetensors_bytes({{"w", Tensor()}}), SafetensorsError);
}

TEST_F(Safetensors, AtomicWriteLeavesNoTempFile) {
  write_safetensors(path("ckpt.safetensors"), tensors_, metadata_);
  write_safetensors(path("ckpt.safetensors"), {{"only", Tensor({1}, 5.0f)}}, {});  // replaces
  EXPECT_EQ(listing(), std::vector<std::string>{"ckpt.safetensors"});
  EXPECT_EQ(read_safetensors(path("ckpt.safetensors")).tensors.size(), 1u);

  // A failed write (directory missing) throws, names the path, and leaves nothing behind.
  try {
    write_safetensors(path("no_such_dir/ckpt.safetensors"), tensors_, metadata_);
    FAIL() << "expected SafetensorsError";
  } catch (const SafetensorsError& e) {
    EXPECT_TRUE(contains(e.what(), path("no_such_dir/ckpt.safetensors"))) << e.what();
  }
  // A failed rename (the target is a non-empty directory) removes the temp file.
  fs::create_directories(dir_ / "taken" / "inside");
  EXPECT_THROW(write_file_atomic(path("taken"), "bytes"), std::runtime_error);
  EXPECT_EQ(listing(), (std::vector<std::string>{"ckpt.safetensors", "taken"}));
}
