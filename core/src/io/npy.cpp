// .npy reader/writer for float32 C-order arrays.
// Layout: "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE for 2.0/3.0),
// a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with
// spaces to a multiple of 64 bytes and ending in '\n', then the raw data.
#include "convt/io/npy.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "convt/io/atomic_file.h"

namespace convt {

namespace {

// The value text after 'key': in the header dict, e.g. "'<f4'" or "False" or "(2, 3)".
std::string dict_value(const std::string& header, const std::string& key, const std::string& path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) {
    throw NpyError(path + ": not a valid .npy header: no '" + key + "' in " + header);
  }
  const auto bad = [&] {
    return NpyError(path + ": not a valid .npy header: cannot read '" + key + "' in " + header);
  };
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) throw bad();
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) throw bad();
  size_t end = std::string::npos;  // one past the value
  if (header[start] == '(') {
    end = header.find(')', start);
  } else if (header[start] == '\'') {
    end = header.find('\'', start + 1);
  } else {
    end = header.find_first_of(",}", start + 1);
    if (end != std::string::npos) --end;
  }
  if (end == std::string::npos) throw bad();
  return header.substr(start, end + 1 - start);
}

// The shape tuple "(2, 3)", "(5,)" or "()": whole numbers >= 0, each within int64, whose product
// (of the non-zero ones, times 4 bytes) fits int64 too. Anything else is refused with the number.
std::vector<int64_t> parse_shape(const std::string& text, const std::string& path) {
  const std::string bad = path + ": bad shape " + text + " in the .npy header";
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    throw NpyError(bad + " (expected a tuple)");
  }
  std::vector<std::string> items;
  std::stringstream s(text.substr(1, text.size() - 2));  // strip ( )
  std::string item;
  while (std::getline(s, item, ',')) {
    const size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    items.push_back(b == std::string::npos ? "" : item.substr(b, e + 1 - b));
  }
  if (!items.empty() && items.back().empty() && items.size() > 1) items.pop_back();  // "(5,)"
  if (items.size() == 1 && items[0].empty()) items.clear();                          // "()"
  std::vector<int64_t> shape;
  uint64_t bytes = sizeof(float);  // of the non-zero sizes: a 0 does not hide an overflow
  for (const std::string& d : items) {
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos) {
      throw NpyError(bad + ": expected whole numbers >= 0, found '" + d + "'");
    }
    const std::string digits = d.substr(std::min(d.find_first_not_of('0'), d.size() - 1));
    if (digits.size() > 19 || (digits.size() == 19 && digits > "9223372036854775807")) {
      throw NpyError(bad + ": size " + d + " is larger than 9223372036854775807 (2^63 - 1)");
    }
    const int64_t v = std::stoll(digits);
    if (v > 0 && __builtin_mul_overflow(bytes, static_cast<uint64_t>(v), &bytes)) bytes = ~0ULL;
    shape.push_back(v);
  }
  if (bytes > static_cast<uint64_t>(INT64_MAX)) {
    throw NpyError(bad + ": its sizes multiply to more than 2^63 bytes of float32");
  }
  return shape;
}

}  // namespace

Tensor read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw NpyError(path + ": cannot open (" + std::strerror(errno) + ")");
  char magic[8];
  if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    throw NpyError(path + ": not a .npy file (expected the magic string \\x93NUMPY)");
  }
  const int major = static_cast<unsigned char>(magic[6]);
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    if (!f.read(reinterpret_cast<char*>(b), 2)) throw NpyError(path + ": truncated .npy header");
    header_len = b[0] | (b[1] << 8);
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    if (!f.read(reinterpret_cast<char*>(b), 4)) throw NpyError(path + ": truncated .npy header");
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  } else {
    throw NpyError(path + ": unsupported .npy version " + std::to_string(major) +
                   " (expected 1, 2 or 3)");
  }
  // Check the length against the file before allocating it (a corrupt length can say 4 GB).
  const std::streampos header_start = f.tellg();
  f.seekg(0, std::ios::end);
  const int64_t left = static_cast<int64_t>(f.tellg() - header_start);
  f.seekg(header_start);
  if (static_cast<int64_t>(header_len) > left) {
    throw NpyError(path + ": truncated .npy header (expected " + std::to_string(header_len) +
                   " bytes, the file has " + std::to_string(left) + " after the length field)");
  }
  std::string header(header_len, '\0');
  if (!f.read(header.data(), header_len)) {
    throw NpyError(path + ": truncated .npy header (expected " + std::to_string(header_len) +
                   " bytes)");
  }
  const std::string descr = dict_value(header, "descr", path);
  if (descr != "'<f4'") {
    throw NpyError(path + ": expected dtype float32 ('<f4'), found " + descr +
                   ". HINT: save it with np.save(path, a.astype(np.float32))");
  }
  if (dict_value(header, "fortran_order", path) != "False") {
    throw NpyError(path + ": expected C order, found fortran_order True. "
                   "HINT: save np.ascontiguousarray(a)");
  }
  std::vector<int64_t> shape = parse_shape(dict_value(header, "shape", path), path);
  // The dict literal, then padding spaces and '\n': it must open with '{' and close with '}'
  // (checked after the values, whose own messages are more precise).
  const size_t last = header.find_last_not_of(" \n");
  if (header.empty() || header[0] != '{' || last == std::string::npos || header[last] != '}') {
    throw NpyError(path +
                   ": not a valid .npy header: expected a dict {...} padded with spaces, "
                   "found " +
                   header);
  }
  // Compare the size the header promises with what the file holds before allocating it, so a
  // truncated or corrupt file is refused without trying to allocate its claimed size.
  const std::streampos data_start = f.tellg();
  f.seekg(0, std::ios::end);
  const int64_t have = static_cast<int64_t>(f.tellg() - data_start);
  f.seekg(data_start);
  int64_t need = static_cast<int64_t>(sizeof(float));  // bytes the header promises
  bool overflow = false;
  for (int64_t d : shape) overflow = overflow || __builtin_mul_overflow(need, d, &need);
  if (overflow || need > have) {
    throw NpyError(path + ": truncated: shape " + shape_to_string(shape) + " needs " +
                   (overflow ? std::string("more than 2^63") : std::to_string(need)) +
                   " bytes of data, found " + std::to_string(have));
  }
  Tensor t(shape);
  const std::streamsize want = static_cast<std::streamsize>(t.numel() * sizeof(float));
  f.read(reinterpret_cast<char*>(t.data()), want);
  if (f.gcount() != want) {
    throw NpyError(path + ": truncated: shape " + t.shape_str() + " needs " + std::to_string(want) +
                   " bytes of data, found " + std::to_string(f.gcount()));
  }
  return t;
}

void write_npy(const std::string& path, const Tensor& t) {
  std::string shape = "(";
  for (int i = 0; i < t.ndim(); ++i) shape += std::to_string(t.shape()[i]) + ", ";
  if (t.ndim() > 1) shape.resize(shape.size() - 2);
  if (t.ndim() == 1) shape.resize(shape.size() - 1);  // "(5,"
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(t.data()), t.numel() * sizeof(float));
  try {
    write_file_atomic(path, bytes);
  } catch (const std::runtime_error& e) {
    throw NpyError(e.what());
  }
}

}  // namespace convt
