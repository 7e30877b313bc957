#include "convt/train/checkpoint_file.h"

#include <stdexcept>

#include "convt/nn/state_dict.h"

namespace convt {

CheckpointFile::CheckpointFile(const std::string& path, const std::string& kind)
    : path_(path), kind_(kind) {
  try {
    file_ = read_safetensors(path);
  } catch (const std::exception& e) {
    throw CheckpointError(std::string("cannot read checkpoint: ") + e.what());
  }
  try {
    require_finite_tensors(file_, path);
  } catch (const SafetensorsError& e) {
    throw CheckpointError(e.what());
  }
}

const std::string& CheckpointFile::meta(const std::string& key) const {
  auto it = file_.metadata.find(key);
  if (it == file_.metadata.end()) {
    throw CheckpointError(path_ + ": not a convt " + kind_ + " checkpoint: metadata \"" + key +
                          "\" is missing");
  }
  return it->second;
}

nlohmann::json CheckpointFile::meta_json(const std::string& key) const {
  try {
    return nlohmann::json::parse(meta(key));
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(path_ + ": metadata \"" + key + "\" is not valid JSON: " + e.what());
  }
}

int64_t CheckpointFile::meta_count(const std::string& key) const {
  const std::string& v = meta(key);
  try {
    size_t used = 0;
    const long long x = std::stoll(v, &used);
    if (used != v.size() || x < 0) throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw CheckpointError(path_ + ": metadata \"" + key + "\": expected a count, found '" + v +
                          "'");
  }
}

bool CheckpointFile::has_meta(const std::string& key) const {
  return file_.metadata.count(key) != 0;
}

std::string CheckpointFile::meta_or(const std::string& key, const std::string& fallback) const {
  auto it = file_.metadata.find(key);
  return it == file_.metadata.end() ? fallback : it->second;
}

void CheckpointFile::require_tensors(const std::map<std::string, Tensor*>& targets) const {
  try {
    nn::check_tensors(file_.tensors, {targets.begin(), targets.end()}, path_);
  } catch (const nn::StateDictError& e) {
    throw CheckpointError(e.what());
  }
}

void CheckpointFile::require_format(const std::string& format) const {
  const std::string& found = meta("format");
  if (found != format) {
    throw CheckpointError(path_ + ": expected checkpoint format '" + format + "', found '" + found +
                          "'");
  }
}

}  // namespace convt
