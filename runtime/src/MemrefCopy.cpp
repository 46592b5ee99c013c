/// `memrefCopy`, the one MLIR runtime function generated code may call: finalize-memref-to-
/// llvm lowers a memref.copy between non-contiguous layouts to it (at O3 LLVM usually folds
/// that path away; at lower levels the call stays). Implemented here from MLIR's documented
/// descriptor layout so trainers link at any optimisation level without MLIR's runtime libs.
#include <cstdint>
#include <cstring>
#include <vector>

namespace {
/// A ranked memref descriptor: allocated and aligned pointers, offset, sizes[rank],
/// strides[rank] (in elements), laid out contiguously.
struct DescriptorView {
  char *aligned;
  int64_t offset;
  const int64_t *sizes;
  const int64_t *strides;

  DescriptorView(void *descriptor, int64_t rank) {
    auto **ptrs = static_cast<char **>(descriptor);
    aligned = ptrs[1];
    auto *ints = reinterpret_cast<const int64_t *>(ptrs + 2);
    offset = ints[0];
    sizes = ints + 1;
    strides = ints + 1 + rank;
  }
};
} // namespace

extern "C" {
/// MLIR's UnrankedMemRefType: the rank and a pointer to the ranked descriptor.
struct AecUnrankedMemRef {
  int64_t rank;
  void *descriptor;
};

void memrefCopy(int64_t elemSize, AecUnrankedMemRef *src, AecUnrankedMemRef *dst) {
  const int64_t rank = src->rank;
  DescriptorView s(src->descriptor, rank), d(dst->descriptor, rank);
  int64_t count = 1;
  for (int64_t i = 0; i < rank; ++i)
    count *= s.sizes[i];
  if (count == 0)
    return;
  // Walk every element in row-major order, keeping both element offsets up to date. The
  // index lives on the stack: a training step makes no heap call (graph tensors have rank
  // <= 8; the vector is for completeness).
  constexpr int64_t MaxStackRank = 16;
  int64_t stackIndex[MaxStackRank] = {};
  std::vector<int64_t> heapIndex(rank > MaxStackRank ? static_cast<size_t>(rank) : 0, 0);
  int64_t *index = rank > MaxStackRank ? heapIndex.data() : stackIndex;
  int64_t so = s.offset, dof = d.offset;
  for (int64_t n = 0; n < count; ++n) {
    std::memcpy(d.aligned + dof * elemSize, s.aligned + so * elemSize, static_cast<size_t>(elemSize));
    for (int64_t k = rank - 1; k >= 0; --k) {
      so += s.strides[k];
      dof += d.strides[k];
      if (++index[k] < s.sizes[k])
        break;
      so -= s.strides[k] * s.sizes[k];
      dof -= d.strides[k] * d.sizes[k];
      index[k] = 0;
    }
  }
}
}
