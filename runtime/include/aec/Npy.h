#pragma once
/// NumPy .npy and .npz files (the weights format and a data format).
#include <aec/Array.h>

#include <map>
#include <string>
#include <vector>

namespace aec::rt {

/// Serializes `a` as .npy bytes: dtype '<f4', C order, header padded to 64 bytes.
std::string encodeNpy(const Array &a);
/// Parses .npy bytes. Accepts '<f4', '<f8' (and '|u1', '<i4', '<i8', converted to float);
/// errors on Fortran order or any other dtype name `what` (a file or "file:key").
Array decodeNpy(const std::string &bytes, const std::string &what);

/// Reads an .npy file.
Array readNpy(const std::string &path);
/// Writes an .npy file atomically.
void writeNpy(const std::string &path, const Array &a);

/// An .npz archive: ordered so written files list arrays in insertion order.
using NpzEntries = std::vector<std::pair<std::string, Array>>;

/// Reads every array of an .npz (stored or deflated members); keys without ".npy".
/// Errors name the file: missing, not a zip archive, corrupt member, bad npy header.
std::map<std::string, Array> readNpz(const std::string &path);
/// Keys of an .npz without reading the arrays.
std::vector<std::string> listNpz(const std::string &path);
/// Reads one array of an .npz; error lists the keys it has when `key` is missing.
Array readNpzKey(const std::string &path, const std::string &key);
/// Writes an .npz atomically; `compress` deflates members (np.load reads both).
void writeNpz(const std::string &path, const NpzEntries &entries, bool compress = false);

} // namespace aec::rt
