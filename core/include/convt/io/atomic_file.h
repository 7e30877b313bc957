// Write-then-rename: a crash or a full disk never leaves half a file under the final name.
#pragma once

#include <string>

namespace convt {

// Writes `bytes` to "<path>.tmp-<pid>", flushes, then renames it over `path`.
// Throws std::runtime_error naming the path (and errno's text) on failure; the temp is removed.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace convt
