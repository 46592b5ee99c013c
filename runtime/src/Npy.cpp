/// .npy encoding and decoding (format versions 1, 2 and 3).
#include <aec/AtomicFile.h>
#include <aec/Npy.h>

#include <aec/CheckedSize.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace aec::rt {

std::string encodeNpy(const Array &a) {
  std::string shape = "(";
  for (size_t i = 0; i < a.dims.size(); ++i)
    shape += std::to_string(a.dims[i]) + ",";
  if (a.dims.size() > 1)
    shape.pop_back(); // numpy writes "(3,)" for 1-D but "(3, 2)" otherwise; both parse
  shape += ")";
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': {}, }}", shape);
  // Pad with spaces so magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64,
  // as numpy does (keeps the data aligned for memory mapping).
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  const size_t n = a.data.size() * sizeof(float);
  const size_t offset = out.size();
  out.resize(offset + n);
  // Little-endian hosts only (x86-64, aarch64): the in-memory floats are already '<f4'.
  std::memcpy(out.data() + offset, a.data.data(), n);
  return out;
}

namespace {

/// Value text of `key` in the header dict, e.g. "'<f4'" or "(3, 2)".
std::string headerField(const std::string &header, const std::string &key, const std::string &what) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    throw std::runtime_error(fmt::format("'{}': npy header has no '{}'", what, key));
  const size_t colon = header.find(':', k);
  const size_t start = colon == std::string::npos ? colon : header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos)
    throw std::runtime_error(fmt::format("'{}': malformed npy header", what));
  size_t end;
  if (header[start] == '(')
    end = header.find(')', start);
  else if (header[start] == '\'' || header[start] == '"')
    end = header.find(header[start], start + 1);
  else if ((end = header.find_first_of(",}", start)) != std::string::npos)
    --end; // the value ends before the separator
  if (end == std::string::npos || end + 1 <= start)
    throw std::runtime_error(fmt::format("'{}': malformed npy header", what));
  return header.substr(start, end + 1 - start);
}

template <typename T> void convert(const char *src, size_t n, std::vector<float> &dst) {
  dst.resize(n);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));
    dst[i] = static_cast<float>(v);
  }
}

} // namespace

namespace {
/// The array with its axes in reverse order (a full transpose).
Array reverseAxes(const Array &a) {
  Array out;
  out.dims.assign(a.dims.rbegin(), a.dims.rend());
  out.data.resize(a.data.size());
  const size_t rank = a.dims.size();
  std::vector<int64_t> index(rank, 0); // index into `a`, row-major
  std::vector<int64_t> outStride(rank, 1);
  for (size_t d = rank; d-- > 1;)
    outStride[d - 1] = outStride[d] * out.dims[d];
  for (size_t flat = 0; flat < a.data.size(); ++flat) {
    int64_t dst = 0;
    for (size_t d = 0; d < rank; ++d)
      dst += index[d] * outStride[rank - 1 - d];
    out.data[dst] = a.data[flat];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < a.dims[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}
} // namespace

namespace {
/// Bytes per element of a dtype this reader converts; a clear error for any other.
size_t elementSize(const std::string &descr, const std::string &what) {
  if (descr == "<f4" || descr == "<i4")
    return 4;
  if (descr == "<f8" || descr == "<i8")
    return 8;
  if (descr == "|u1" || descr == "<u1")
    return 1;
  if (!descr.empty() && descr[0] == '>')
    throw std::runtime_error(fmt::format(
        "'{}': big-endian dtype '{}' is not supported (save it little-endian, e.g. a.astype('<f4'))",
        what, descr));
  throw std::runtime_error(fmt::format(
      "'{}': unsupported dtype '{}' (use float32 or float64; uint8, int32 and int64 are converted)",
      what, descr));
}
} // namespace

Array decodeNpy(const std::string &bytes, const std::string &what) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw std::runtime_error(fmt::format("'{}' is not a .npy array (bad magic)", what));
  const unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      throw std::runtime_error(fmt::format("'{}': truncated npy header", what));
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    throw std::runtime_error(fmt::format("'{}': unsupported npy format version {}", what, major));
  }
  if (bytes.size() < headerStart + headerLen)
    throw std::runtime_error(fmt::format("'{}': truncated npy header", what));
  const std::string header = bytes.substr(headerStart, headerLen);
  std::string descr = headerField(header, "descr", what);
  std::string fortran = headerField(header, "fortran_order", what);
  std::string shape = headerField(header, "shape", what);
  if (fortran != "False" && fortran != "True")
    throw std::runtime_error(fmt::format("'{}': malformed fortran_order {}", what, fortran));
  if (descr.size() < 2 || (descr.front() != '\'' && descr.front() != '"'))
    throw std::runtime_error(fmt::format("'{}': malformed npy dtype {}", what, descr));
  descr = descr.substr(1, descr.size() - 2);
  Dims dims;
  if (shape.size() < 2 || shape.front() != '(')
    throw std::runtime_error(fmt::format("'{}': malformed npy shape {}", what, shape));
  for (const char *p = shape.c_str() + 1; *p && *p != ')';) {
    if (*p == ' ' || *p == ',') {
      ++p;
      continue;
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(p, shape.c_str() + shape.size(), v);
    if (ec != std::errc() || v < 0)
      throw std::runtime_error(fmt::format("'{}': malformed npy shape {}", what, shape));
    dims.push_back(v);
    p = end;
  }
  // NumPy writes transposed arrays (a.T) in Fortran order: read them as the C-order array
  // of reversed dims, then reverse the axes back.
  const bool fortranOrder = fortran == "True";
  if (fortranOrder)
    std::reverse(dims.begin(), dims.end());
  const size_t elem = elementSize(descr, what);
  // The header's shape is a claim: check it against the bytes present before allocating.
  const char *data = bytes.data() + headerStart + headerLen;
  const size_t avail = bytes.size() - headerStart - headerLen;
  const std::optional<int64_t> count = checkedProduct(dims);
  const std::optional<int64_t> need = count ? checkedMul(*count, static_cast<int64_t>(elem)) : std::nullopt;
  if (!need || static_cast<size_t>(*need) != avail)
    throw std::runtime_error(fmt::format(
        "'{}': the npy header declares shape {} of '{}' ({} bytes), but the file holds {} bytes of data",
        what, shape, descr, need ? std::to_string(*need) : "more than 2^63", avail));
  const size_t n = static_cast<size_t>(*count);
  Array a;
  a.dims = dims;
  if (descr == "<f4") {
    a.data.resize(n);
    std::memcpy(a.data.data(), data, n * 4);
  } else if (descr == "<f8") {
    convert<double>(data, n, a.data);
  } else if (descr == "|u1" || descr == "<u1") {
    convert<uint8_t>(data, n, a.data);
  } else if (descr == "<i4") {
    convert<int32_t>(data, n, a.data);
  } else {
    convert<int64_t>(data, n, a.data);
  }
  return fortranOrder ? reverseAxes(a) : a;
}

Array readNpy(const std::string &path) { return decodeNpy(readFile(path), path); }

void writeNpy(const std::string &path, const Array &a) { writeFileAtomically(path, encodeNpy(a)); }

} // namespace aec::rt
