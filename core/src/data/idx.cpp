// IDX files (MNIST's format) and Fashion-MNIST.
// Layout (http://yann.lecun.com/exdb/mnist/), all integers big-endian:
//   bytes 0-1: 0x00 0x00;  byte 2: data type (0x08 = unsigned byte);  byte 3: number of dims D;
//   then D uint32 dims;  then prod(dims) data bytes, row-major.
// Images: D = 3 (N, H, W), magic 0x00000803.  Labels: D = 1 (N), magic 0x00000801.
// Files are read through zlib's gzread, which reads gzip and plain files alike.
#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "convt/data/dataset.h"

namespace convt {

namespace {

constexpr uint32_t kMaxSide = 4096;  // an H or W above this is taken as a corrupt header

// The whole (decompressed) content of `path`.
std::string read_maybe_gzipped(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw DataError(path + ": cannot open IDX file (" + std::strerror(errno) + ")");
  }
  if (!S_ISREG(st.st_mode)) throw DataError(path + ": expected an IDX file, found a directory");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot open IDX file (" + std::strerror(errno) + ")");
  std::string bytes;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
  int err = Z_OK;
  const char* msg = gzerror(f, &err);
  const std::string message = msg ? msg : "";
  gzclose(f);
  if (n < 0 || (err != Z_OK && err != Z_STREAM_END)) {
    throw DataError(path + ": corrupt or truncated gzip data after " +
                    std::to_string(bytes.size()) + " decompressed bytes (zlib: " + message + ")");
  }
  return bytes;
}

uint32_t big_endian_u32(const std::string& b, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(b[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::string hex32(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08X", v);
  return s;
}

// Checks the magic number and sizes of an unsigned-byte IDX file with `ndims` dims and returns
// the dims. `what` is "images" or "labels" for the messages.
std::vector<uint32_t> parse_idx_header(const std::string& bytes, const std::string& path,
                                       uint32_t ndims, const std::string& what) {
  const uint32_t expected_magic = 0x00000800u | ndims;
  const std::string expected = "an IDX " + what + " file (magic " + hex32(expected_magic) +
                               ": unsigned bytes, " + std::to_string(ndims) + " dims)";
  if (bytes.size() < 4) {
    throw DataError(path + ": expected " + expected + ", found only " +
                    std::to_string(bytes.size()) + " bytes");
  }
  const uint32_t magic = big_endian_u32(bytes, 0);
  if (magic != expected_magic) {
    std::string guess;
    if ((magic & 0xFFFFFF00u) == 0x00000800u) {
      guess = (magic & 0xFFu) == 1   ? " (a labels file?)"
              : (magic & 0xFFu) == 3 ? " (an images file?)"
                                     : "";
    } else if ((magic & 0xFFFF0000u) == 0 && ((magic >> 8) & 0xFFu) != 0x08) {
      guess = " (IDX data type " + hex32((magic >> 8) & 0xFFu) +
              "; only unsigned bytes, 0x08, are supported)";
    } else {
      guess = " (not an IDX file)";
    }
    throw DataError(path + ": expected " + expected + ", found magic " + hex32(magic) + guess);
  }
  const size_t header_bytes = 4 + 4 * static_cast<size_t>(ndims);
  if (bytes.size() < header_bytes) {
    throw DataError(path + ": truncated IDX header: expected " + std::to_string(header_bytes) +
                    " bytes, found " + std::to_string(bytes.size()));
  }
  std::vector<uint32_t> dims;
  uint64_t count = 1;
  for (uint32_t i = 0; i < ndims; ++i) {
    dims.push_back(big_endian_u32(bytes, 4 + 4 * i));
    const bool side = i > 0;
    if (dims.back() == 0 || (side && dims.back() > kMaxSide)) {
      throw DataError(path + ": implausible IDX dim " + std::to_string(i) + " = " +
                      std::to_string(dims.back()) + " (expected 1.." +
                      (side ? std::to_string(kMaxSide) : std::string("2^32-1")) + ")");
    }
    count *= dims.back();
  }
  const uint64_t expected_size = header_bytes + count;
  if (bytes.size() != expected_size) {
    std::ostringstream s;
    s << path << ": " << (bytes.size() < expected_size ? "truncated" : "unexpected trailing data")
      << ": the IDX header promises " << count << " data bytes (" << expected_size
      << " in all), found " << bytes.size() << " bytes";
    throw DataError(s.str());
  }
  return dims;
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
  const std::string image_bytes = read_maybe_gzipped(images_path);
  const std::vector<uint32_t> dims = parse_idx_header(image_bytes, images_path, 3, "images");
  const int64_t n = dims[0], h = dims[1], w = dims[2];
  Dataset data;
  data.images = Tensor({n, 1, h, w});  // (N, 1, H, W)
  const unsigned char* pixels = reinterpret_cast<const unsigned char*>(image_bytes.data()) + 16;
  float* out = data.images.data();
  for (int64_t i = 0; i < n * h * w; ++i) out[i] = pixel_to_unit(pixels[i]);

  data.labels.assign(static_cast<size_t>(n), -1);
  if (!labels_path.empty()) {
    const std::string label_bytes = read_maybe_gzipped(labels_path);
    const std::vector<uint32_t> label_dims =
        parse_idx_header(label_bytes, labels_path, 1, "labels");
    if (label_dims[0] != dims[0]) {
      throw DataError(labels_path + ": expected " + std::to_string(n) + " labels (the count in " +
                      images_path + "), found " + std::to_string(label_dims[0]));
    }
    for (int64_t i = 0; i < n; ++i)
      data.labels[static_cast<size_t>(i)] =
          static_cast<unsigned char>(label_bytes[static_cast<size_t>(8 + i)]);
  }
  const size_t slash = images_path.rfind('/');
  data.name = slash == std::string::npos ? images_path : images_path.substr(slash + 1);
  data.description = std::to_string(n) + " images " + std::to_string(h) + "x" + std::to_string(w) +
                     " from " + images_path + (labels_path.empty() ? " (no labels)" : "");
  return data;
}

std::vector<std::string> fashion_mnist_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("CONVT_FASHION_MNIST_DIR"); env && *env) dirs.emplace_back(env);
  dirs.emplace_back("/usr/share/datasets/fashion-mnist");
  return dirs;
}

Dataset load_fashion_mnist(bool train) {
  const std::string prefix = train ? "train" : "t10k";
  const std::string images_name = prefix + "-images-idx3-ubyte.gz";
  const std::string labels_name = prefix + "-labels-idx1-ubyte.gz";
  std::string tried;
  for (const std::string& dir : fashion_mnist_search_dirs()) {
    const std::string images = dir + "/" + images_name, labels = dir + "/" + labels_name;
    if (is_regular_file(images) && is_regular_file(labels)) {
      Dataset data = load_idx(images, labels);
      data.name = "fashion-mnist-" + std::string(train ? "train" : "test");
      data.description = "Fashion-MNIST " + std::string(train ? "training" : "test") + " set, " +
                         std::to_string(data.size()) + " images 28x28 (Zalando, MIT), from " + dir;
      return data;
    }
    tried += "\n  " + images;
  }
  throw DataError("Fashion-MNIST not found: expected " + images_name + " and " + labels_name +
                  "; tried:" + tried +
                  "\n---> HINT: install it with `scripts/setup.sh --with-fashion-mnist` (Debian "
                  "package dataset-fashion-mnist), or set CONVT_FASHION_MNIST_DIR");
}

}  // namespace convt
