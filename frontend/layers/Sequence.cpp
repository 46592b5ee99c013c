/// Sequence layers ([time, features] per sample): Keras' LSTM (a scan over the static
/// sequence), RepeatVector (repeat) and TimeDistributed (time_distributed).
#include "frontend/LayerKind.h"
#include "frontend/SpecParse.h"
#include "ir/Scan.h"

namespace aec {

namespace {

// ---- lstm -----------------------------------------------------------------------------

void parseLstm(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "units", l.units, &SpecReader::getPositiveInt);
  readParam(r, p, l, "return_sequences", l.returnSequences, &SpecReader::getBool);
  parseInitializers(r, p, l);
}

Shape inferLstm(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const Shape &in = inputs.at(0);
  requireRank(l, in, 2, "[time, features]");
  return l.returnSequences ? Shape{in[0], l.units} : Shape{l.units};
}

/// The LSTM step as a scan body: carries h, c [B, u], the step's projected input z_t
/// [B, 4u] and the invariant recurrent kernel R [u, 4u] in; h', c' (and h' again as the
/// per-step output, with return_sequences) out.
std::shared_ptr<const Graph> lstmStep(const SourceLoc &loc, DType dtype, int64_t batch,
                                      int64_t u, bool returnSequences) {
  auto body = std::make_shared<Graph>();
  body->name = "lstm_step";
  Builder b(*body);
  b.loc = loc;
  const TensorType state{dtype, {batch, u}};
  ValueId h = b.input("h", role::Data, state);
  ValueId c = b.input("c", role::Data, state);
  ValueId z = b.input("z", role::Data, {dtype, {batch, 4 * u}});
  ValueId recurrent = b.input("recurrent_kernel", role::Data, {dtype, {u, 4 * u}});
  z = b.add(z, b.matmul(h, recurrent));
  auto gate = [&](int64_t k) { return b.slice(z, {0, k * u}, {batch, (k + 1) * u}, {1, 1}); };
  ValueId i = b.sigmoid(gate(0));
  ValueId f = b.sigmoid(gate(1));
  ValueId g = b.tanh(gate(2));
  ValueId o = b.sigmoid(gate(3));
  ValueId nextC = b.add(b.mul(f, c), b.mul(i, g));
  ValueId nextH = b.mul(o, b.tanh(nextC));
  body->addOutput("h", nextH);
  body->addOutput("c", nextC);
  if (returnSequences)
    body->addOutput("y", nextH);
  return body;
}

/// x [B, T, F] -> h_T [B, u] (or every h_t stacked, [B, T, u], with return_sequences).
///
/// Params (Keras layout, gates in Keras order i, f, c, o along the 4u axis):
///   kernel [F, 4u] (kernel_initializer, glorot_uniform), recurrent_kernel [u, 4u]
///   (recurrent_initializer, orthogonal: orthonormal rows, as Keras), bias [4u] with the
///   forget gate's slice at 1 and the others from bias_initializer (zeros) (init
///   unit_forget_bias:<u>[:<init>], Keras' unit_forget_bias=True).
/// Step: z = x_t K + h R + b; i, f, o = sigmoid, g = tanh of z's four slices;
/// c = f c + i g; h = o tanh(c); h_0 = c_0 = 0.
///
/// The steps are one scan (a loop in the IR, ir/Scan.h) over time-major [T, B, ...]
/// values; the input projection x K + b of all steps is one matmul before it.
ValueId expandLstm(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
  Builder &b = ex.B;
  ValueId x = in.at(0);
  const Shape shape = b.shape(x);
  const DType dtype = b.type(x).dtype;
  const int64_t batch = shape[0], steps = shape[1], features = shape[2], u = l.units;
  ValueId kernel = ex.param(l, "kernel", {features, 4 * u}, initText(l.kernelInit, {features, 4 * u}));
  ValueId recurrent = ex.param(l, "recurrent_kernel", {u, 4 * u}, initText(l.recurrentInit, {u, 4 * u}));
  ValueId bias = ex.param(l, "bias", {4 * u},
                          "unit_forget_bias:" + std::to_string(u) + (l.biasInit == "zeros" ? "" : ":" + l.biasInit));

  // The input projection of all steps is one [T*B, F] x [F, 4u] matmul, time-major.
  ValueId timeMajor = b.reshape(b.transpose(x, {1, 0, 2}), {steps * batch, features});
  ValueId projected = b.matmul(timeMajor, kernel);
  projected = b.add(projected, b.broadcast(bias, {steps * batch, 4 * u}, {1}));
  projected = b.reshape(projected, {steps, batch, 4 * u});

  ValueId zeros = b.constant(0.0, {dtype, {batch, u}});
  ValueId scan = buildScan(b, lstmStep(b.loc, dtype, batch, u, l.returnSequences), steps,
                           {zeros, zeros}, {projected}, {recurrent});
  if (!l.returnSequences)
    return scanOutput(b, scan, 0);
  return b.transpose(scanOutput(b, scan, 2), {1, 0, 2});
}

void countLstm(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  int64_t steps = in[0], feat = in[1], u = l.units;
  row.params = saturatingProduct({4, u, feat + u + 1});
  // Two matmuls + bias per step, then ~10 elementwise ops per unit (gates, cell).
  row.flops = saturatingMul(steps, saturatingSum({saturatingProduct({8, u, feat + u}), 14 * u}));
}

std::vector<std::string> printLstm(const LayerSpec &l) {
  std::vector<std::string> p = {"units=" + std::to_string(l.units)};
  if (l.returnSequences)
    p.push_back("return_sequences=true");
  for (std::string &s : initializerText(l))
    p.push_back(std::move(s));
  return p;
}

// ---- repeat ---------------------------------------------------------------------------

void parseRepeat(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  readParam(r, p, l, "times", l.times, &SpecReader::getPositiveInt);
}

Shape inferRepeat(const LayerSpec &l, const std::vector<Shape> &inputs) {
  requireRank(l, inputs.at(0), 1, "[features]");
  return {l.times, inputs[0][0]};
}

/// [B, F] -> [B, T, F]: operand dims 0, 1 become result dims 0, 2.
ValueId expandRepeat(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in, ValueId *) {
  return ex.B.broadcast(in.at(0), withBatch(ex.Batch, l.outputShape), {0, 2});
}

// ---- time_distributed -----------------------------------------------------------------

/// The wrapped layer (one entry of l.inner), named as the wrapper: its parameters are the
/// wrapper's, as in Keras.
void parseTimeDistributed(const SpecReader &r, const YAML::Node &p, LayerSpec &l) {
  const YAML::Node n = p["layer"];
  if (!n)
    return;
  LayerSpec inner = parseLayer(r, n, l.name, l.inDecoder);
  if (!inner.inputs.empty())
    r.fail(n, "the layer inside time_distributed cannot list inputs");
  if (!lookupLayerKind(inner.kind)->wrappable)
    r.fail(n, "time_distributed cannot wrap " + inner.kind);
  inner.name = l.name;
  inner.loc.layer = l.name;
  l.inner.push_back(std::move(inner));
}

Shape inferTimeDistributed(const LayerSpec &l, const std::vector<Shape> &inputs) {
  const Shape &in = inputs.at(0);
  if (in.size() < 2)
    fail(l.loc, "time_distributed needs an input of rank >= 2 ([time, ...] per sample), got " +
                    shapeStr(in));
  Shape step(in.begin() + 1, in.end());
  Shape out = inferLayerShape(l.inner.at(0), {step});
  out.insert(out.begin(), in[0]);
  return out;
}

/// The wrapped layer as it runs on one time step: its output shape is the wrapper's without
/// the time axis (flatten, reshape and repeat build to their checked shape).
LayerSpec stepLayer(const LayerSpec &l) {
  LayerSpec inner = l.inner.at(0);
  inner.outputShape = Shape(l.outputShape.begin() + 1, l.outputShape.end());
  return inner;
}

/// Layers that act per position apply to [B, T, ...] as they are (Keras'
/// TimeDistributed(BatchNormalization) normalises over batch and time, as this does);
/// others run on [B*T, ...] and are reshaped back.
ValueId expandTimeDistributed(Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
                              ValueId *logitsOut) {
  const LayerSpec inner = stepLayer(l);
  ValueId x = in.at(0);
  if (lookupLayerKind(inner.kind)->perPosition)
    return ex.layer(inner, {x}, logitsOut);
  Shape shape = ex.B.shape(x);
  int64_t outer = ex.Batch, steps = shape[1];
  Shape folded(shape.begin() + 1, shape.end());
  folded[0] = shape[0] * steps;
  ex.Batch = outer * steps;
  ValueId pre = NoValue;
  ValueId y = ex.layer(inner, {ex.B.reshape(x, folded)}, &pre);
  ex.Batch = outer;
  ex.B.loc = l.loc;
  auto unfold = [&](ValueId v) {
    Shape s = ex.B.shape(v);
    s.insert(s.begin() + 1, steps);
    s[0] = outer;
    return ex.B.reshape(v, s);
  };
  if (logitsOut && pre != NoValue)
    *logitsOut = unfold(pre);
  return unfold(y);
}

/// The wrapped layer's count on one step, times the steps; its params once.
void countTimeDistributed(const LayerSpec &l, const Shape &in, LayerSummary &row) {
  LayerSummary step;
  countLayer(stepLayer(l), Shape(in.begin() + 1, in.end()), step);
  row.params = step.params;
  row.flops = saturatingMul(in[0], step.flops);
}

} // namespace

void registerSequenceLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back({.name = "lstm",
                   .keys = {"units", "return_sequences", "kernel_initializer", "bias_initializer",
                            "recurrent_initializer"},
                   .shorthand = "units",
                   .required = {{"units", "a positive integer"}},
                   .parse = parseLstm,
                   .infer = inferLstm,
                   .expand = expandLstm,
                   .count = countLstm,
                   .print = printLstm});
  kinds.push_back({.name = "repeat",
                   .keys = {"times"},
                   .shorthand = "times",
                   .required = {{"times", "a positive integer"}},
                   .parse = parseRepeat,
                   .infer = inferRepeat,
                   .expand = expandRepeat,
                   .print = [](const LayerSpec &l) -> std::vector<std::string> {
                     return {"times=" + std::to_string(l.times)};
                   }});
  kinds.push_back({.name = "time_distributed",
                   .keys = {"layer"},
                   .shorthand = "layer",
                   .required = {{"layer", "a layer such as {dense: 16}"}},
                   .wrappable = false,
                   .parse = parseTimeDistributed,
                   .infer = inferTimeDistributed,
                   .expand = expandTimeDistributed,
                   .count = countTimeDistributed,
                   .print = [](const LayerSpec &l) {
                     std::vector<std::string> p;
                     for (const LayerSpec &inner : l.inner)
                       p.push_back("layer=" + inner.kind + "(" + printLayerParams(inner) + ")");
                     return p;
                   }});
}

} // namespace aec
