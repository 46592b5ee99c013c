#pragma once
/// A dense row-major float32 host array: the one data type the runtime moves around.
#include <aec/Descriptor.h>

#include <string>
#include <vector>

namespace aec::rt {

/// Row-major float32 array; `dims` empty means a scalar (one element).
struct Array {
  Dims dims;
  std::vector<float> data;

  Array() = default;
  explicit Array(Dims d, float fill = 0.0f) : dims(std::move(d)), data(numElements(dims), fill) {}
  Array(Dims d, std::vector<float> values) : dims(std::move(d)), data(std::move(values)) {}

  bool empty() const { return dims.empty() && data.empty(); }
  /// Leading dimension (number of samples); 1 for a scalar.
  int64_t rows() const { return dims.empty() ? 1 : dims[0]; }
  /// Elements per leading-dimension row.
  /// Values per row (leading dimension). No temporary Dims: batch copies call it per row,
  /// inside a step that must not touch the heap.
  int64_t rowSize() const {
    int64_t n = 1;
    for (size_t d = 1; d < dims.size(); ++d)
      n *= dims[d];
    return n;
  }
  /// Shape of one row (dims without the leading one).
  Dims rowDims() const { return dims.empty() ? Dims{} : Dims(dims.begin() + 1, dims.end()); }
  float *row(int64_t i) { return data.data() + i * rowSize(); }
  const float *row(int64_t i) const { return data.data() + i * rowSize(); }
};

/// Rows [begin, end) of `a` as a new array.
Array sliceRows(const Array &a, int64_t begin, int64_t end);
/// Rows of `a` at `indices`, in that order.
Array gatherRows(const Array &a, const std::vector<int64_t> &indices);

} // namespace aec::rt
