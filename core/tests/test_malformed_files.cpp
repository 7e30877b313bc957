// Malformed .npy and .safetensors files, generated: a valid file with random bytes of its header
// changed, random lengths, cut at a random point, or a random field replaced. Each read must
// either succeed or throw the format's own error (NpyError, SafetensorsError) with the file's
// name; never crash, hang, allocate what the header merely claims, or throw anything else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "convt/io/npy.h"
#include "convt/io/safetensors.h"

namespace fs = std::filesystem;
using namespace convt;

namespace {

std::string read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// One random change to `bytes`, mostly in its first `header_end` bytes (where the format is).
std::string mutate(std::string bytes, size_t header_end, std::mt19937_64& gen) {
  const char* const pieces[] = {"}",  "{",   "(",   ")",           ",",          "'",
                                "\"", ":",   "-1",  "99999999999", "4294967295", "[",
                                "]",  "F32", "I64", "True",        "null",       "1e400"};
  const size_t at = gen() % std::max<size_t>(header_end, 1);
  switch (gen() % 6) {
    case 0:  // flip a byte
      bytes[at] = static_cast<char>(gen() & 0xff);
      break;
    case 1:  // cut the file short
      bytes.resize(gen() % bytes.size());
      break;
    case 2:  // a random length field (.npy: bytes 8-9 or 8-11; .safetensors: bytes 0-7)
      for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
        if (gen() % 2) bytes[i + (bytes[0] == '\x93' ? 8 : 0)] = static_cast<char>(gen() & 0xff);
      }
      break;
    case 3:  // insert a piece of syntax
      bytes.insert(at, pieces[gen() % (sizeof pieces / sizeof *pieces)]);
      break;
    case 4:  // delete a few bytes
      bytes.erase(at, 1 + gen() % 4);
      break;
    default:  // replace a digit by a large number
      if (const size_t d = bytes.find_first_of("0123456789", at); d < header_end) {
        bytes.replace(d, 1, pieces[gen() % 2 ? 9 : 10]);
      }
  }
  return bytes;
}

class MalformedFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("convt_malformed_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(MalformedFiles, NpyHeadersAreReadOrRefusedWithNpyError) {
  const fs::path good = dir_ / "good.npy", bad = dir_ / "bad.npy";
  write_npy(good.string(), Tensor({2, 3, 4}, 0.5f));
  const std::string bytes = read_bytes(good);
  std::mt19937_64 gen(19);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string mutated = mutate(bytes, 128, gen);
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << mutated;
    try {
      const Tensor t = read_npy(bad.string());
      EXPECT_LE(t.numel() * 4, static_cast<int64_t>(mutated.size()));
    } catch (const NpyError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an NpyError: " << e.what() << "\nfile: " << mutated;
    }
  }
  EXPECT_GT(refused, 1000);
}

TEST_F(MalformedFiles, SafetensorsHeadersAreReadOrRefusedWithSafetensorsError) {
  const std::string bytes =
      safetensors_bytes({{"G.0.weight", Tensor({2, 3}, 0.25f)}, {"D.0.bias", Tensor({4}, -1.0f)}},
                        {{"format", "convt-gan-1"}, {"step", "12"}});
  const size_t header_end = 8 + static_cast<size_t>(static_cast<unsigned char>(bytes[0]));
  std::mt19937_64 gen(19);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string mutated = mutate(bytes, header_end, gen);
    try {
      const SafetensorsFile f = parse_safetensors(mutated, "fuzz.safetensors");
      for (const auto& [name, t] : f.tensors) {
        EXPECT_LE(t.numel() * 4, static_cast<int64_t>(mutated.size())) << name;
      }
    } catch (const SafetensorsError& e) {
      EXPECT_NE(std::string(e.what()).find("fuzz.safetensors"), std::string::npos) << e.what();
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a SafetensorsError: " << e.what();
    }
  }
  EXPECT_GT(refused, 1000);
}

TEST_F(MalformedFiles, NpyHeaderLengthPastTheFileIsRefusedBeforeAllocating) {
  // A version 2.0 file whose 4-byte header length claims 4294967280 bytes: refused from the file
  // size, not by trying to allocate 4 GB for the header.
  std::string bytes = "\x93NUMPY";
  bytes += std::string("\x02\x00", 2);
  bytes += std::string("\xf0\xff\xff\xff", 4);
  bytes += "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  const fs::path path = dir_ / "long.npy";
  std::ofstream(path, std::ios::binary) << bytes;
  try {
    read_npy(path.string());
    FAIL() << "a header longer than the file must be refused";
  } catch (const NpyError& e) {
    EXPECT_NE(std::string(e.what()).find("expected 4294967280 bytes, the file has 58"),
              std::string::npos)
        << e.what();
  }
}

namespace {

// A version 1.0 .npy with `shape` as its header's shape text and `data_bytes` zero bytes of data.
std::string npy_with_shape(const std::string& shape, size_t data_bytes) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += std::string("\x01\x00", 2);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + std::string(data_bytes, '\0');
}

}  // namespace

TEST_F(MalformedFiles, NpyShapeSizesOutsideInt64OrNotWholeNumbersAreRefusedWithTheNumber) {
  // Each used to be read as another shape ("(1.5, 2, 4, 4)" as (1, 2, 4, 4), "(1 2, 4, 4)" as
  // (1, 4, 4)), refused without the reason, or (with a 0 among them) sizes whose product
  // overflows accepted as an empty array.
  const std::pair<const char*, const char*> cases[] = {
      {"(99999999999999999999, 1)",
       "size 99999999999999999999 is larger than 9223372036854775807 (2^63 - 1)"},
      {"(0, 4611686018427387904, 4611686018427387904)",
       "its sizes multiply to more than 2^63 bytes of float32"},
      {"(1.5, 2, 4, 4)", "expected whole numbers >= 0, found '1.5'"},
      {"(1 2, 4, 4)", "expected whole numbers >= 0, found '1 2'"},
      {"(1, 2, 4, 4x)", "expected whole numbers >= 0, found '4x'"},
      {"(1, -2, 4, 4)", "expected whole numbers >= 0, found '-2'"},
      {"(1,, 2, 4, 4)", "expected whole numbers >= 0, found ''"},
  };
  const fs::path path = dir_ / "x.npy";
  for (const auto& [shape, message] : cases) {
    std::ofstream(path, std::ios::binary) << npy_with_shape(shape, 128);
    try {
      const Tensor t = read_npy(path.string());
      ADD_FAILURE() << shape << " was read as " << t.shape_str();
    } catch (const NpyError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("bad shape ") + shape), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  // What NumPy writes stays readable: a trailing comma, leading zeros, the empty tuple.
  std::ofstream(path, std::ios::binary) << npy_with_shape("(1, 2, 4, 0004,)", 128);
  EXPECT_EQ(read_npy(path.string()).shape(), (std::vector<int64_t>{1, 2, 4, 4}));
  std::ofstream(path, std::ios::binary) << npy_with_shape("()", 4);
  EXPECT_EQ(read_npy(path.string()).numel(), 1);
}
