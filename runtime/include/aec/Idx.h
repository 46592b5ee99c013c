#pragma once
/// IDX files (MNIST / Fashion-MNIST), plain or gzip-compressed.
#include <aec/Array.h>

#include <cstdint>
#include <string>

namespace aec::rt {

/// Reads an .idx or .idx.gz (any name: gzip is detected by zlib). Element types u8, i8, i16,
/// i32, f32, f64 (big-endian) become float without scaling: normalize with {scale: 255}.
/// `maxRows` >= 0 reads no more than that many samples (leading index), for data.rows.
Array readIdx(const std::string &path, int64_t maxRows = -1);

} // namespace aec::rt
