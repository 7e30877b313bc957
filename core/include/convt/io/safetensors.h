// .safetensors files (https://huggingface.co/docs/safetensors): our checkpoint format, readable
// from Python with `safetensors.numpy.load_file` or the ~20-line reader in
// scripts/read_safetensors.py.
//
// Layout: 8 bytes little-endian uint64 N; N bytes of JSON header (UTF-8, padded with spaces);
// then the data buffer. Header:
//   {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string value>", ...}}
// Offsets are in bytes from the start of the data buffer; tensors are little-endian, C order, and
// tile the buffer exactly (no gaps, no overlaps). We write and read F32 only; store counters and
// RNG state as metadata strings.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "convt/tensor.h"

namespace convt {

// Thrown on a missing, truncated or corrupt file; what() names the file, the tensor where there
// is one, and what was expected and found.
class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SafetensorsFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// The file's bytes (header + data); tensors in name order. Throws SafetensorsError for the
// reserved name "__metadata__" or an empty name.
std::string safetensors_bytes(const std::map<std::string, Tensor>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

// Writes atomically (temp name + rename, convt/io/atomic_file.h): an existing file is replaced
// whole or not at all. Throws SafetensorsError naming the path on failure.
void write_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads every tensor and the metadata. Refuses (SafetensorsError): a file shorter than 8 bytes or
// than its header length says, a header over 100 MB or that is not a JSON object, entries without
// dtype/shape/data_offsets, dtypes other than F32, negative dims, offsets whose length is not
// numel * 4 or that leave the buffer, gaps/overlaps/trailing bytes, metadata values that are not
// strings. `parse_safetensors` does the same on bytes in memory (`path` only names them).
SafetensorsFile read_safetensors(const std::string& path);
SafetensorsFile parse_safetensors(const std::string& bytes, const std::string& path);

// Throws SafetensorsError naming the first tensor (by name) that holds a NaN or an infinity, with
// how many of its values are, as weights saved after training diverged do. Checkpoint loaders
// call it: such weights would only ever produce NaN.
void require_finite_tensors(const SafetensorsFile& f, const std::string& path);

}  // namespace convt
