// Write-then-rename: a crash or a full disk never leaves half a file under the final name.
#pragma once

#include <filesystem>
#include <string>

namespace convt {

// Writes `bytes` to "<path>.tmp-<pid>", flushes, then renames it over `path`.
// Throws std::runtime_error naming the path (and errno's text) on failure; the temp is removed.
// Refuses, before writing, a `path` that exists and is not a regular file (a device such as
// /dev/full, a FIFO, a socket): the rename would replace it with a regular file.
void write_file_atomic(const std::string& path, const std::string& bytes);

// "a character device", "a FIFO (named pipe)", "a regular file", ... for messages.
std::string file_kind(const std::filesystem::file_status& status);

}  // namespace convt
