#pragma once
/// Checks a command runs before any work, so that a bad path or a mistyped command fails in a
/// second with one line naming the flag, the path and why, instead of after a whole training
/// run.
#include <aec/ClosestName.h>
#include <string>
#include <vector>

namespace aec::rt {

/// `path` (an output file) can be created or replaced: its directory exists and is writable
/// and `path` is not a directory. Probes by creating and removing a temporary file beside it.
/// Throws std::runtime_error "--save 'dir/w.npz': directory 'dir' does not exist".
void requireWritableFile(const std::string &flag, const std::string &path);

/// `dir` (an output folder, created when missing) can be made and written: the nearest
/// existing ancestor is a writable directory (probed as above) and `dir` is not a file.
void requireWritableDir(const std::string &flag, const std::string &dir);

/// `path` (an input file) is not a directory; a missing or unreadable file is left to the
/// reader, whose message names the format.
void requireInputFile(const std::string &flag, const std::string &path, const std::string &what);

/// Did-you-mean for commands: aec::closestName (aec/ClosestName.h), the model reader's rule.
using aec::closestName;

} // namespace aec::rt
