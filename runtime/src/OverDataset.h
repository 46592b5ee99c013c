#pragma once
/// The one loop that runs a function over a whole data set in static-size batches, for a
/// host FunctionCall (Model.cpp) and a DeviceFunctionCall (CudaModel.cpp) alike.
#include <aec/Model.h>
#include <aec/Random.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace aec::rt {

/// Runs `call` over every row of `src` in file order (B rows per call, the last batch padded)
/// and returns each result with a leading batch dimension, cut to the real rows. `Call` has
/// run(src, rows, state, hypers, false), batch(), info() and result(name) (host arrays).
template <class Call, class State>
std::map<std::string, Array> runBatches(Call &call, const BatchSource &src, State &state, const Hypers &hypers) {
  const Array *driver = src.data ? src.data : src.latent;
  if (!driver)
    throw std::logic_error("runOverDataset: no input");
  const int64_t n = driver->rows(), b = call.batch();
  Hypers h = {{"lr", 0.0f}, {"t", 1.0f}, {"seed", 0.0f}};
  for (const auto &[k, v] : hypers)
    h[k] = v;
  std::map<std::string, Array> out;
  for (const auto &r : call.info().results)
    if (!r.dims.empty() && r.dims[0] == b) {
      Dims d = r.dims;
      d[0] = n;
      out.emplace(r.name, Array(d));
    }
  std::vector<int64_t> rows;
  BatchSource batchSrc = src;
  for (int64_t start = 0; start < n; start += b) {
    rows.clear();
    for (int64_t i = start; i < std::min(n, start + b); ++i)
      rows.push_back(i);
    // A stream per batch from the batch's first row: the same draws however the rows are run.
    batchSrc.noiseSeed = deriveSeed(src.noiseSeed, static_cast<uint64_t>(start));
    call.run(batchSrc, rows, state, h, false);
    for (auto &[name, arr] : out) {
      const Array &res = call.result(name);
      std::memcpy(arr.row(start), res.data.data(), rows.size() * res.rowSize() * sizeof(float));
    }
  }
  return out;
}

} // namespace aec::rt
