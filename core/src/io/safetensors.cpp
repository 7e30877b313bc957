// .safetensors reader/writer (F32 only). Format in convt/io/safetensors.h.
#include "convt/io/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "convt/io/atomic_file.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; this code copies floats as they are in memory");

namespace convt {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100u * 1000u * 1000u;  // as the reference implementation
const char* const kMetadataKey = "__metadata__";
constexpr uint64_t kMaxDim = uint64_t{1} << 40;  // any one dim; larger is a corrupt header

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw SafetensorsError(path + ": " + what);
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

std::string safetensors_bytes(const std::map<std::string, Tensor>& tensors,
                              const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps insertion order, so the header reads as the reference implementation
  // writes it: "__metadata__" first, tensors by name, each {"dtype", "shape", "data_offsets"}.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name.empty() || name == kMetadataKey) {
      throw SafetensorsError("safetensors: tensor name '" + name + "' is reserved or empty");
    }
    if (t.ndim() == 0 && t.numel() == 0) {
      throw SafetensorsError("safetensors: tensor '" + name +
                             "' is empty (default-constructed, "
                             "no shape); give it a shape before saving");
    }
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * sizeof(float);
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["dtype"] = "F32";
    entry["shape"] = t.shape();
    entry["data_offsets"] = {offset, offset + bytes};
    header[name] = std::move(entry);
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned, as the reference
  std::string out(8, '\0');
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i)
    out[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  out += text;
  out.reserve(out.size() + offset);
  for (const auto& [name, t] : tensors) {
    out.append(reinterpret_cast<const char*>(t.data()),
               sizeof(float) * static_cast<size_t>(t.numel()));
  }
  return out;
}

void write_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::string bytes;
  try {
    bytes = safetensors_bytes(tensors, metadata);
    write_file_atomic(path, bytes);
  } catch (const SafetensorsError& e) {
    throw SafetensorsError(path + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw SafetensorsError(e.what());
  }
}

namespace {

// The 8-byte little-endian header length, then the JSON header object. `buffer_begin` is where
// the data buffer starts (8 + header length).
json read_header(const std::string& bytes, const std::string& path, uint64_t& buffer_begin) {
  if (bytes.size() < 8) {
    fail(path, "truncated: expected at least 8 bytes (the header length), found " +
                   std::to_string(bytes.size()));
  }
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) {
    header_len = (header_len << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  }
  if (header_len > kMaxHeaderBytes) {
    fail(path, "not a safetensors file: header length " + std::to_string(header_len) +
                   " bytes (expected at most " + std::to_string(kMaxHeaderBytes) + ")");
  }
  if (8 + header_len > bytes.size()) {
    fail(path, "truncated: the header length says " + std::to_string(header_len) +
                   " header bytes, found " + std::to_string(bytes.size() - 8) +
                   " after the length");
  }
  json header;
  try {
    header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<int64_t>(header_len));
  } catch (const json::exception& e) {  // parse_error, or out_of_range for 1e400
    fail(path, std::string("corrupt header: not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object())
    fail(path, "corrupt header: expected a JSON object, found " + std::string(header.type_name()));
  buffer_begin = 8 + header_len;
  return header;
}

// "__metadata__": an object of strings, into file.metadata.
void read_metadata(const json& entry, const std::string& path, SafetensorsFile& file) {
  if (!entry.is_object()) fail(path, "__metadata__: expected an object of strings");
  for (const auto& [key, value] : entry.items()) {
    if (!value.is_string()) {
      fail(path, "__metadata__ '" + key + "': expected a string value, found " +
                     std::string(value.type_name()));
    }
    file.metadata[key] = value.get<std::string>();
  }
}

// A tensor entry's shape; `numel` is its element count, or buffer_size + 1 when that many
// elements cannot fit in the buffer (which also keeps the product from overflowing).
std::vector<int64_t> read_shape(const json& shape_json, uint64_t buffer_size,
                                const std::string& path, const std::string& where,
                                uint64_t& numel) {
  if (!shape_json.is_array())
    fail(path, where + "shape: expected a list, found " + shape_json.dump());
  std::vector<int64_t> shape;
  numel = 1;
  for (const json& d : shape_json) {
    // nlohmann parses non-negative integers as unsigned, negative ones as signed.
    if (!d.is_number_unsigned() || d.get<uint64_t>() > kMaxDim) {
      fail(path, where + "shape " + shape_json.dump() + ": expected integers in [0, " +
                     std::to_string(kMaxDim) + "]");
    }
    shape.push_back(d.get<int64_t>());
    if (shape.back() > 0 && numel > buffer_size / static_cast<uint64_t>(shape.back())) {
      numel = buffer_size + 1;
    } else {
      numel *= static_cast<uint64_t>(shape.back());
    }
  }
  return shape;
}

// Where one tensor's bytes lie in the data buffer.
struct Span {
  uint64_t begin, end;
  std::string name;
};

// One tensor entry {"dtype": "F32", "shape", "data_offsets"}: checked against the buffer and
// copied out of it into file.tensors.
Span read_tensor(const std::string& name, const json& entry, const char* buffer,
                 uint64_t buffer_size, const std::string& path, SafetensorsFile& file) {
  const std::string where = "tensor '" + name + "': ";
  if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
      !entry.contains("data_offsets")) {
    fail(path, where + "expected {\"dtype\", \"shape\", \"data_offsets\"}, found " + entry.dump());
  }
  const json& dtype = entry["dtype"];
  if (!dtype.is_string() || dtype.get<std::string>() != "F32") {
    fail(path, where + "dtype " + dtype.dump() +
                   " is not supported (expected \"F32\"; "
                   "in PyTorch save t.float())");
  }
  uint64_t numel = 0;
  const std::vector<int64_t> shape = read_shape(entry["shape"], buffer_size, path, where, numel);
  const json& offsets = entry["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    fail(path, where + "data_offsets: expected [begin, end] (non-negative integers), found " +
                   offsets.dump());
  }
  const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
  if (begin > end || end > buffer_size) {
    fail(path, where + "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                   "] out of range: the data buffer holds " + std::to_string(buffer_size) +
                   " bytes (file truncated or header corrupt)");
  }
  if (numel > buffer_size || end - begin != numel * sizeof(float)) {
    fail(path, where + "shape " + shape_text(shape) + " needs " +
                   (numel > buffer_size ? std::string("more than the buffer's")
                                        : std::to_string(numel * sizeof(float))) +
                   " bytes of F32, data_offsets [" + std::to_string(begin) + ", " +
                   std::to_string(end) + "] hold " + std::to_string(end - begin));
  }
  std::vector<float> values(static_cast<size_t>(numel));
  if (numel > 0) std::memcpy(values.data(), buffer + begin, static_cast<size_t>(end - begin));
  file.tensors.emplace(name, Tensor(shape, std::move(values)));
  return {begin, end, name};
}

// The tensors must tile the buffer: no gaps, no overlaps, nothing after the last one.
void check_tiling(std::vector<Span> spans, uint64_t buffer_size, const std::string& path) {
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected_begin = 0;
  for (const Span& s : spans) {
    if (s.begin != expected_begin) {
      fail(path, "tensor '" + s.name + "': data_offsets begin at " + std::to_string(s.begin) +
                     ", expected " + std::to_string(expected_begin) +
                     (s.begin < expected_begin ? " (overlaps the previous tensor)" : " (a gap)"));
    }
    expected_begin = s.end;
  }
  if (expected_begin != buffer_size) {
    fail(path, "the tensors cover " + std::to_string(expected_begin) + " bytes of data, found " +
                   std::to_string(buffer_size) + " (trailing bytes or a corrupt header)");
  }
}

}  // namespace

SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& path) {
  uint64_t buffer_begin = 0;
  const json header = read_header(bytes, path, buffer_begin);
  const uint64_t buffer_size = bytes.size() - buffer_begin;
  const char* buffer = bytes.data() + buffer_begin;
  SafetensorsFile file;
  std::vector<Span> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      read_metadata(entry, path, file);
    } else {
      spans.push_back(read_tensor(name, entry, buffer, buffer_size, path, file));
    }
  }
  check_tiling(std::move(spans), buffer_size, path);
  return file;
}

SafetensorsFile read_safetensors(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw SafetensorsError(path + ": is a directory, expected a .safetensors file");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw SafetensorsError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream s;
  s << f.rdbuf();
  if (f.bad()) throw SafetensorsError(path + ": read error (" + std::strerror(errno) + ")");
  return parse_safetensors(s.str(), path);
}

void require_finite_tensors(const SafetensorsFile& f, const std::string& path) {
  for (const auto& [name, t] : f.tensors) {
    const int64_t bad = std::count_if(t.values().begin(), t.values().end(),
                                      [](float v) { return !std::isfinite(v); });
    if (bad > 0) {
      throw SafetensorsError(path + ": tensor '" + name + "' " + t.shape_str() + " holds " +
                             std::to_string(bad) + " non-finite value(s) (NaN or infinity) of " +
                             std::to_string(t.numel()) +
                             "; expected finite weights. HINT: training diverged before this was "
                             "saved; use an earlier checkpoint or start a new run.");
    }
  }
}

}  // namespace convt
