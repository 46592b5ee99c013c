/// .npz archives through libzip.
#include <aec/AtomicFile.h>
#include <aec/Npy.h>

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace aec::rt {
namespace {

struct ZipCloser {
  void operator()(zip_t *z) const { zip_discard(z); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

/// True when the file begins with a zip local file header.
bool startsAsZip(const std::string &path) {
  char magic[4] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(magic, 4) && std::memcmp(magic, "PK\x03\x04", 4) == 0;
}

ZipPtr openForRead(const std::string &path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("cannot open '{}': no such file", path));
  int err = 0;
  zip_t *z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    // A zip's directory is at its end: a file cut short starts as a zip but has none, which
    // libzip reports as "Not a zip archive". Say what the user can act on.
    if ((err == ZIP_ER_NOZIP || err == ZIP_ER_INCONS) && startsAsZip(path))
      throw std::runtime_error(fmt::format("'{}': truncated or damaged .npz file (it starts as a zip archive, but "
                                           "the directory at its end is missing or broken: {})",
                                           path, why));
    throw std::runtime_error(fmt::format("'{}': not a .npz file: {}", path, why));
  }
  return ZipPtr(z);
}

std::string keyOf(const std::string &member) {
  const std::string ext = ".npy";
  if (member.size() > ext.size() && member.compare(member.size() - ext.size(), ext.size(), ext) == 0)
    return member.substr(0, member.size() - ext.size());
  return member;
}

/// The member's bytes, CRC-32 checked. libzip checks a member's CRC only when a read
/// reaches its end (a read returning 0), so this reads until then rather than stopping at
/// the declared size. The buffer grows with the data actually read: the declared size is the
/// archive's claim, and a corrupt one must not decide an allocation.
std::string readMember(zip_t *z, zip_uint64_t index, const std::string &path, const std::string &name) {
  zip_stat_t st;
  if (zip_stat_index(z, index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw std::runtime_error(fmt::format("'{}': cannot read member '{}': {}", path, name, zip_strerror(z)));
  zip_file_t *f = zip_fopen_index(z, index, 0);
  if (!f)
    throw std::runtime_error(fmt::format("'{}': cannot read member '{}': {}", path, name, zip_strerror(z)));
  // Reserve no more than a modest first block on the archive's word (found by fuzzing: a
  // declared 4 GB member in a 200-byte file); the buffer grows as data arrives.
  std::string bytes;
  bytes.reserve(std::min<zip_uint64_t>(st.size, 16 << 20));
  char chunk[1 << 16];
  zip_int64_t got;
  while ((got = zip_fread(f, chunk, sizeof chunk)) > 0 && bytes.size() <= st.size)
    bytes.append(chunk, static_cast<size_t>(got));
  std::string why;
  if (got < 0) {
    zip_error_t *err = zip_file_get_error(f);
    why = zip_error_code_zip(err) == ZIP_ER_CRC
              ? "its CRC-32 checksum does not match its data"
              : zip_error_strerror(err);
  }
  zip_fclose(f);
  if (got < 0)
    throw std::runtime_error(fmt::format("'{}': member '{}' is corrupt: {}", path, name, why));
  if (bytes.size() != st.size)
    throw std::runtime_error(fmt::format("'{}': member '{}' is corrupt or truncated ({} bytes, the archive declares {})",
                                         path, name, bytes.size(), st.size));
  return bytes;
}

/// A member's array; errors name the archive once, then the member, as readMember's do.
Array decodeMember(const std::string &bytes, const std::string &path, const std::string &name) {
  try {
    return decodeNpy(bytes, name);
  } catch (const std::runtime_error &e) {
    throw std::runtime_error(fmt::format("'{}': member {}", path, e.what()));
  }
}

} // namespace

std::vector<std::string> listNpz(const std::string &path) {
  ZipPtr z = openForRead(path);
  std::vector<std::string> keys;
  zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i)
    keys.push_back(keyOf(zip_get_name(z.get(), i, 0)));
  return keys;
}

std::map<std::string, Array> readNpz(const std::string &path) {
  ZipPtr z = openForRead(path);
  std::map<std::string, Array> out;
  zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    std::string name = zip_get_name(z.get(), i, 0);
    std::string key = keyOf(name);
    out[key] = decodeMember(readMember(z.get(), i, path, name), path, name);
  }
  return out;
}

Array readNpzKey(const std::string &path, const std::string &key) {
  ZipPtr z = openForRead(path);
  zip_int64_t i = zip_name_locate(z.get(), (key + ".npy").c_str(), 0);
  if (i < 0)
    i = zip_name_locate(z.get(), key.c_str(), 0);
  if (i < 0) {
    std::string have;
    zip_int64_t n = zip_get_num_entries(z.get(), 0);
    for (zip_int64_t j = 0; j < n; ++j)
      have += (j ? ", " : "") + keyOf(zip_get_name(z.get(), j, 0));
    throw std::runtime_error(fmt::format("'{}' has no array '{}' (it has: {})", path, key, have));
  }
  const std::string name = zip_get_name(z.get(), i, 0);
  return decodeMember(readMember(z.get(), i, path, name), path, name);
}

void writeNpz(const std::string &path, const NpzEntries &entries, bool compress) {
  writeAtomically(path, [&](const std::string &tmp) {
    int err = 0;
    zip_t *z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
      throw std::runtime_error(fmt::format("cannot write '{}'", path));
    // libzip reads the source buffers at zip_close, so the encoded bytes must outlive the loop.
    std::vector<std::string> blobs;
    blobs.reserve(entries.size());
    try {
      for (const auto &[key, array] : entries) {
        blobs.push_back(encodeNpy(array));
        zip_source_t *src = zip_source_buffer(z, blobs.back().data(), blobs.back().size(), 0);
        if (!src)
          throw std::runtime_error(fmt::format("cannot write '{}': {}", path, zip_strerror(z)));
        zip_int64_t idx = zip_file_add(z, (key + ".npy").c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        if (idx < 0) {
          zip_source_free(src);
          throw std::runtime_error(fmt::format("cannot write '{}': {}", path, zip_strerror(z)));
        }
        zip_set_file_compression(z, idx, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
        // A fixed time stamp (1980-01-01, zip's epoch), not the time of writing: the same
        // weights give the same bytes, so runs compare with cmp.
        zip_file_set_dostime(z, idx, 0, (0 << 9) | (1 << 5) | 1, 0);
      }
    } catch (...) {
      zip_discard(z);
      throw;
    }
    if (zip_close(z) != 0) {
      std::string why = zip_strerror(z);
      zip_discard(z);
      throw std::runtime_error(fmt::format("cannot write '{}': {}", path, why));
    }
    // libzip writes no file at all for an empty archive; np.load expects an empty zip.
    if (!std::filesystem::exists(tmp))
      writeFileAtomically(tmp, std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  });
}

} // namespace aec::rt
