/// `aec check`'s per-layer summary: parameters (as Keras counts them) and forward FLOPs per
/// sample, from each kind's LayerKind::count. FLOP conventions: a multiply-add is 2, every
/// other elementwise op 1; a non-linear activation costs 1 per element (its real cost
/// varies by target); normalisation layers cost 8 per element (mean, centre, square,
/// variance, rsqrt, scale, shift, add), pooling one per window element.
#include "frontend/LayerKind.h"

namespace aec {

std::vector<LayerSummary> summarize(const ModelSpec &spec) {
  std::map<std::string, Shape> shapes;
  std::vector<LayerSummary> rows;
  auto add = [&](const LayerSpec &l) {
    LayerSummary row;
    row.name = l.name;
    row.kind = l.kind;
    row.outputShape = l.outputShape;
    Shape in = l.sources.empty() ? spec.inputShape : shapes.at(l.sources[0]);
    countLayer(l, in, row);
    shapes[l.name] = l.outputShape;
    rows.push_back(row);
  };
  for (const LayerSpec &l : spec.encoder)
    add(l);
  for (const LayerSpec &l : spec.decoder)
    add(l);
  return rows;
}

int64_t forwardFlopsPerSample(const ModelSpec &spec) {
  int64_t flops = 0;
  for (const LayerSummary &row : summarize(spec))
    flops += row.flops;
  return flops;
}

} // namespace aec
