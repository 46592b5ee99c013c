#include "ir/Type.h"

namespace aec {

const char *dtypeName(DType dtype) { return dtype == DType::F32 ? "f32" : "f64"; }

int64_t dtypeSize(DType dtype) { return dtype == DType::F32 ? 4 : 8; }

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int64_t TensorType::numElements() const { return aec::numElements(shape); }

Shape withBatch(int64_t batch, const Shape &sample) {
  Shape s{batch};
  s.insert(s.end(), sample.begin(), sample.end());
  return s;
}

std::string shapeStr(const Shape &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string TensorType::str() const { return dtypeName(dtype) + shapeStr(shape); }

} // namespace aec
