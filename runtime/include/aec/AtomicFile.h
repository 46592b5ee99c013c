#pragma once
/// Atomic output files: every file the runtime writes goes to `<path>.tmp.<pid>` first and is
/// renamed over `path` only when complete, so a crash or error never leaves a half-written
/// weights file or log behind (and an old good file survives a failed save).
#include <functional>
#include <string>
#include <vector>

namespace aec::rt {

/// Calls `write(tmpPath)`, then renames tmpPath to `path`. If `write` throws or the rename
/// fails the temporary is removed and the error is rethrown (as std::runtime_error naming
/// `path`).
void writeAtomically(const std::string &path, const std::function<void(const std::string &tmp)> &write);

/// Writes `bytes` to `path` atomically.
void writeFileAtomically(const std::string &path, const std::string &bytes);

/// Reads a whole file; throws std::runtime_error "cannot open 'p': reason".
std::string readFile(const std::string &path);

/// The temporary name used for `path` by this process.
std::string tempPathFor(const std::string &path);

/// Removes the temporaries a killed writer of `path` left next to it: `<path>.tmp.<pid>` and
/// libzip's `<path>.tmp.<pid>.XXXXXX`, where process <pid> no longer runs (a live writer's
/// file is left alone). Nothing else is touched. Returns the paths removed.
std::vector<std::string> removeStaleTemporaries(const std::string &path);

} // namespace aec::rt
