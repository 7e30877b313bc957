// A checkpoint file as the trainers read it: a .safetensors file (every tensor finite) whose
// metadata says what it is ("format") and holds the run's state as text. One reader for the GAN
// and completion trainers, so their refusals read the same.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "convt/io/safetensors.h"
#include "convt/train/gan_trainer.h"  // CheckpointError

namespace convt {

class CheckpointFile {
 public:
  // Reads `path`; `kind` names the trainer in messages ("GAN", "completion"). Throws
  // CheckpointError ("cannot read checkpoint: ..." with the reader's reason, or the name and
  // count of non-finite values of a tensor).
  CheckpointFile(const std::string& path, const std::string& kind);

  // Metadata `key`. Throws CheckpointError "<path>: not a convt <kind> checkpoint: metadata
  // "<key>" is missing".
  const std::string& meta(const std::string& key) const;
  // Metadata `key` as a count (a whole number >= 0). Throws CheckpointError "<path>: metadata
  // "<key>": expected a count, found '<text>'" (or as meta when it is missing).
  int64_t meta_count(const std::string& key) const;
  // Metadata `key` parsed as JSON (the model "spec"). Throws CheckpointError "<path>: metadata
  // "<key>" is not valid JSON: ..." (or as meta when it is missing).
  nlohmann::json meta_json(const std::string& key) const;
  // Whether metadata `key` is there, and its value (or `fallback`).
  bool has_meta(const std::string& key) const;
  std::string meta_or(const std::string& key, const std::string& fallback) const;
  // Throws CheckpointError "<path>: expected checkpoint format '<format>', found '<found>'"
  // unless metadata "format" is `format`.
  void require_format(const std::string& format) const;

  // Every tensor of `targets` (name -> the live tensor it will be copied into) present with its
  // shape (nn::check_tensors); copies nothing. Throws CheckpointError naming the tensor.
  void require_tensors(const std::map<std::string, Tensor*>& targets) const;

  const SafetensorsFile& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  SafetensorsFile file_;
  std::string path_, kind_;
};

}  // namespace convt
