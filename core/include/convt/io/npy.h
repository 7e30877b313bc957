// .npy files (NumPy's format, versions 1.0-3.0 read, 1.0 written) so students can compare our
// tensors with their numpy code. float32 little-endian ('<f4'), C order only.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once

#include <stdexcept>
#include <string>

#include "convt/tensor.h"

namespace convt {

// Thrown on a missing, truncated or unsupported file; what() names the file and what was found.
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a float32 C-order array. Refuses other dtypes (with a hint to convert:
// `a.astype(np.float32)`), Fortran order, and files shorter than their header says.
Tensor read_npy(const std::string& path);

// Writes to a temporary name beside `path`, then renames, so a crash never leaves a half file.
// Throws NpyError if the file cannot be written.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace convt
