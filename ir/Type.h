#pragma once
/// Tensor types of the graph IR: an element type and a static shape.
#include <cstdint>
#include <string>
#include <vector>

namespace aec {

enum class DType { F32, F64 };

/// "f32" / "f64".
const char *dtypeName(DType dtype);
/// Bytes per element.
int64_t dtypeSize(DType dtype);

using Shape = std::vector<int64_t>;

/// Elements of a tensor of `shape` (1 for a scalar).
int64_t numElements(const Shape &shape);

/// dtype + static shape; rank 0 is a scalar.
struct TensorType {
  DType dtype = DType::F32;
  Shape shape;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numElements() const;
  int64_t bytes() const { return numElements() * dtypeSize(dtype); }
  /// Printed form, e.g. "f32[32, 2]" or "f32[]".
  std::string str() const;
  bool operator==(const TensorType &o) const {
    return dtype == o.dtype && shape == o.shape;
  }
  bool operator!=(const TensorType &o) const { return !(*this == o); }
};

/// The shape of a batch of `batch` samples of shape `sample`.
Shape withBatch(int64_t batch, const Shape &sample);

/// "[32, 2]".
std::string shapeStr(const Shape &shape);

} // namespace aec
