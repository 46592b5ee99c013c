#include <aec/Array.h>

#include <algorithm>
#include <stdexcept>

namespace aec::rt {

Array sliceRows(const Array &a, int64_t begin, int64_t end) {
  if (begin < 0 || end > a.rows() || begin > end)
    throw std::out_of_range("sliceRows: bad range");
  Dims dims = a.dims;
  dims[0] = end - begin;
  const int64_t w = a.rowSize();
  return Array(dims, std::vector<float>(a.data.begin() + begin * w, a.data.begin() + end * w));
}

Array gatherRows(const Array &a, const std::vector<int64_t> &indices) {
  Dims dims = a.dims;
  dims[0] = static_cast<int64_t>(indices.size());
  Array out(dims);
  const int64_t w = a.rowSize();
  for (size_t i = 0; i < indices.size(); ++i)
    std::copy_n(a.row(indices[i]), w, out.data.data() + i * w);
  return out;
}

} // namespace aec::rt
