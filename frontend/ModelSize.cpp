/// How big a model may be: each layer's output must be addressable (its bytes at the batch
/// fit in int64), and the whole model's training memory (an estimate, from the same counts
/// `aec check` prints) must fit a stated limit, so an absurd size is one clear error here
/// rather than an overflowed count, an hour of compiling or an out-of-memory abort later.
#include "frontend/Expand.h"
#include "frontend/SpecParse.h"

#include <aec/CheckedSize.h>

#include <cmath>
#include <cstdlib>
#include <limits>

namespace aec {

namespace {

constexpr int64_t F32Bytes = 4;
constexpr int64_t DefaultMaxMemory = int64_t(16) << 30; // 16 GiB

/// "12.3 GiB" (binary units, as AEC_MAX_MEMORY's suffixes); "over 8 EiB" when saturated.
std::string bytesText(int64_t bytes) {
  if (bytes == std::numeric_limits<int64_t>::max())
    return "over 8 EiB";
  const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

/// Arrays the optimizer keeps per parameter (Adam: two moments; SGD: its momentum buffer).
int64_t optimizerSlots(const OptimizerSpec &o) {
  if (o.kind == "adam")
    return 2;
  if (o.kind == "sgd")
    return o.momentum > 0 ? 1 : 0;
  return 1; // rmsprop: its mean square
}

} // namespace

int64_t modelMemoryLimit() {
  const char *text = std::getenv("AEC_MAX_MEMORY");
  if (!text || !*text)
    return DefaultMaxMemory;
  char *end = nullptr;
  const double value = std::strtod(text, &end);
  double scale = 1;
  switch (*end) {
  case 'K': case 'k': scale = 1024.0; ++end; break;
  case 'M': case 'm': scale = 1024.0 * 1024; ++end; break;
  case 'G': case 'g': scale = 1024.0 * 1024 * 1024; ++end; break;
  case 'T': case 't': scale = 1024.0 * 1024 * 1024 * 1024; ++end; break;
  default: break;
  }
  if (end == text || *end != '\0' || !(value > 0) || value * scale >= 9.2e18)
    fail(SourceLoc(), "AEC_MAX_MEMORY='" + std::string(text) +
                          "' is not a memory size (e.g. 64G, 512M or a number of bytes)");
  return static_cast<int64_t>(value * scale);
}

void checkShapeSize(const ModelSpec &spec, const Shape &shape, const SourceLoc &loc) {
  std::optional<int64_t> elems = checkedProduct(shape);
  std::optional<int64_t> bytes = elems ? checkedMul(*elems, spec.batch * F32Bytes) : std::nullopt;
  if (!bytes)
    fail(loc, (loc.layer.empty() ? "input shape " : "output shape ") + shapeStr(shape) +
                  " is too large: at batch " + std::to_string(spec.batch) +
                  " it holds more than 2^63 bytes");
}

void checkModelSize(const ModelSpec &spec) {
  const int64_t limit = modelMemoryLimit();
  int64_t params = 0, outputs = 0, largest = 0;
  const LayerSpec *largestLayer = nullptr;
  std::vector<LayerSummary> rows = summarize(spec);
  for (size_t i = 0; i < rows.size(); ++i) {
    const LayerSpec &l = i < spec.encoder.size() ? spec.encoder[i] : spec.decoder[i - spec.encoder.size()];
    params = saturatingAdd(params, rows[i].params);
    const int64_t out = numElements(l.outputShape); // checked by checkLayerSize
    outputs = saturatingAdd(outputs, out);
    const int64_t cost = saturatingAdd(rows[i].params, saturatingMul(out, spec.batch));
    if (!largestLayer || cost > largest) {
      largest = cost;
      largestLayer = &l;
    }
  }
  // Parameters, their gradients and the optimizer's slots; each layer's output at the batch,
  // kept for the backward pass, and its gradient.
  const int64_t paramBytes = saturatingProduct({params, 2 + optimizerSlots(spec.optimizer), F32Bytes});
  const int64_t outputBytes = saturatingProduct({outputs, spec.batch, 2, F32Bytes});
  const int64_t total = saturatingAdd(paramBytes, outputBytes);
  if (total <= limit)
    return;
  SourceLoc loc = largestLayer ? largestLayer->loc : SourceLoc();
  if (loc.file.empty())
    loc.file = spec.file;
  fail(loc, "the model needs " + bytesText(total) + " to train (parameters with gradients and " +
                spec.optimizer.kind + " state " + bytesText(paramBytes) + ", layer outputs at batch " +
                std::to_string(spec.batch) + " " + bytesText(outputBytes) + "), over the limit of " +
                bytesText(limit) + "; this layer is the largest. Set AEC_MAX_MEMORY (e.g. " +
                "AEC_MAX_MEMORY=64G) to raise the limit on a machine with that memory");
}

} // namespace aec
