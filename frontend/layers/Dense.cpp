/// dense: Keras' Dense, matmul + bias + activation on the last axis.
#include "frontend/LayerKind.h"

namespace aec {

ValueId affine(Builder &b, ValueId x, ValueId kernel, ValueId bias) {
  Shape inShape = b.shape(x);
  int64_t in = inShape.back(), units = b.shape(kernel)[1];
  int64_t rows = numElements(inShape) / in;
  ValueId flat = inShape.size() == 2 ? x : b.reshape(x, {rows, in});
  ValueId y = b.matmul(flat, kernel);
  if (bias != NoValue)
    y = b.add(y, b.broadcast(bias, {rows, units}, {1}));
  if (inShape.size() != 2) {
    Shape outShape = inShape;
    outShape.back() = units;
    y = b.reshape(y, outShape);
  }
  return y;
}

namespace {

void parseDense(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "units", l.units, &SpecReader::getPositiveInt);
  readParam(r, p, l, "use_bias", l.useBias, &SpecReader::getBool);
  parseActivation(r, p, l);
  parseInitializers(r, p, l);
}

/// Any rank: the leading axes are rows (Keras' Dense acts on the last axis).
Shape inferDense(const LayerSpec &l, const std::vector<Shape> &in) {
  Shape out = in.at(0);
  out.back() = l.units;
  return out;
}

/// Params: kernel [in, units] (kernel_initializer, glorot_uniform), bias [units]
/// (bias_initializer, zeros).
ValueId expandDense(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                    ValueId *logitsOut) {
  ValueId x = in.at(0);
  int64_t fanIn = ex.B.shape(x).back();
  ValueId kernel = ex.param(l, "kernel", {fanIn, l.units}, initText(l.kernelInit, {fanIn, l.units}));
  ValueId bias = l.useBias ? ex.param(l, "bias", {l.units}, initText(l.biasInit, {l.units})) : NoValue;
  ValueId y = affine(ex.B, x, kernel, bias);
  if (logitsOut)
    *logitsOut = y;
  return activation(ex.B, y, l.activation, l.alpha);
}

void countDense(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  int64_t outElems = numElements(l.outputShape);
  int64_t fanIn = in.back(), rows = numElements(in) / fanIn;
  row.params = saturatingSum({saturatingMul(fanIn, l.units), l.useBias ? l.units : 0});
  row.flops = saturatingSum({saturatingProduct({rows, 2, fanIn, l.units}), l.useBias ? outElems : 0,
                             activationFlops(l, outElems)});
}

std::vector<std::string> printDense(const LayerSpec &l) {
  std::vector<std::string> p = {"units=" + std::to_string(l.units), activationText(l)};
  if (!l.useBias)
    p.push_back("use_bias=false");
  for (std::string &s : initializerText(l))
    p.push_back(std::move(s));
  return p;
}

} // namespace

void registerDenseLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back({.name = "dense",
                   .keys = {"units", "activation", "alpha", "use_bias", "kernel_initializer", "bias_initializer"},
                   .shorthand = "units",
                   .required = {{"units", "a positive integer"}},
                   .perPosition = true,
                   .parse = parseDense,
                   .infer = inferDense,
                   .expand = expandDense,
                   .count = countDense,
                   .print = printDense});
}

} // namespace aec
