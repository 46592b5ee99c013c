/// The scan op (ir/Scan.h): a loop whose step is the node's body graph.
#include "ir/Interpreter.h"
#include "ir/Scan.h"
#include "ir/ops/OpHelpers.h"

#include <xtensor/xview.hpp>

namespace aec {

ScanLayout scanLayout(const Node &node) {
  ScanLayout l;
  l.length = node.attrs.getInt("length", node.loc);
  l.numCarry = node.attrs.getInt("num_carry", node.loc);
  l.numSeq = node.attrs.getInt("num_seq", node.loc);
  l.reverse = node.attrs.getInt("reverse", int64_t(0)) != 0;
  if (!node.body)
    ops::typeError(node, "needs a body graph");
  const Graph &body = *node.body;
  if (l.length < 1 || l.numCarry < 0 || l.numSeq < 0 ||
      l.numCarry > static_cast<int64_t>(body.outputs.size()))
    ops::typeError(node, "has inconsistent length, num_carry or num_seq");
  int64_t at = 0;
  for (size_t k = 0; k < body.outputs.size(); ++k) {
    TensorType t = body.type(body.outputs[k].value);
    if (static_cast<int64_t>(k) >= l.numCarry)
      t.shape.insert(t.shape.begin(), l.length);
    if (k && t.dtype != l.outputs[0].dtype)
      ops::typeError(node, "needs body outputs of one dtype");
    l.offsets.push_back(at);
    at += t.numElements();
    l.outputs.push_back(t);
  }
  l.packed = {l.outputs.empty() ? DType::F32 : l.outputs[0].dtype, {at}};
  return l;
}

namespace {
/// Operands against the body's inputs: carries equal to the body's carry inputs and
/// outputs, sequences [T, step input], invariants equal.
TensorType inferScan(const Graph &g, const Node &n) {
  ScanLayout l = scanLayout(n);
  const Graph &body = *n.body;
  std::vector<ValueId> inputs = body.inputs();
  if (inputs.size() != n.operands.size() || l.numCarry + l.numSeq > (int64_t)inputs.size())
    ops::typeError(n, "needs one operand per body input (" + std::to_string(inputs.size()) +
                          "), got " + std::to_string(n.operands.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    TensorType expected = body.type(inputs[i]);
    const bool carry = static_cast<int64_t>(i) < l.numCarry;
    if (!carry && static_cast<int64_t>(i) < l.numCarry + l.numSeq)
      expected.shape.insert(expected.shape.begin(), l.length);
    if (ops::operandType(g, n, i) != expected)
      ops::typeError(n, "operand " + std::to_string(i) + " is " +
                            ops::operandType(g, n, i).str() + ", the body needs " +
                            expected.str());
    if (carry && body.type(body.outputs[i].value) != body.type(inputs[i]))
      ops::typeError(n, "carry " + std::to_string(i) + " changes type in the body");
  }
  return l.packed;
}

/// Runs the body step by step on the interpreter.
Tensor evalScan(const Node &n, const std::vector<const Tensor *> &args) {
  ScanLayout l = scanLayout(n);
  const Graph &body = *n.body;
  std::vector<ValueId> inputs = body.inputs();
  auto name = [&](size_t i) { return body.node(inputs[i]).attrs.getString("name"); };
  TensorMap bound;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (static_cast<int64_t>(i) < l.numCarry || static_cast<int64_t>(i) >= l.numCarry + l.numSeq)
      bound[name(i)] = *args[i];
  Tensor packed = xt::zeros<double>({static_cast<size_t>(l.packed.numElements())});
  for (int64_t step = 0; step < l.length; ++step) {
    const int64_t t = l.reverse ? l.length - 1 - step : step;
    for (int64_t s = 0; s < l.numSeq; ++s)
      bound[name(l.numCarry + s)] = xt::view(*args[l.numCarry + s], t);
    TensorMap out = interpret(body, bound);
    for (size_t k = 0; k < body.outputs.size(); ++k) {
      const Tensor &y = out.at(body.outputs[k].name);
      if (static_cast<int64_t>(k) < l.numCarry) {
        bound[name(k)] = y;
        continue;
      }
      const int64_t at = l.offsets[k] + t * static_cast<int64_t>(y.size());
      std::copy(y.begin(), y.end(), packed.begin() + at);
    }
  }
  for (int64_t k = 0; k < l.numCarry; ++k) {
    const Tensor &c = bound.at(name(k));
    std::copy(c.begin(), c.end(), packed.begin() + l.offsets[k]);
  }
  return packed;
}

/// The generic tests' scan: c' = tanh(c w + x_t), y_t = c' * x_t over 4 steps.
std::shared_ptr<const Graph> exampleBody(DType dtype) {
  auto body = std::make_shared<Graph>();
  body->name = "example_step";
  Builder b(*body);
  ValueId c = b.input("c", role::Data, {dtype, {2, 3}});
  ValueId x = b.input("x", role::Data, {dtype, {2, 3}});
  ValueId w = b.input("w", role::Data, {dtype, {3, 3}});
  ValueId next = b.tanh(b.add(b.matmul(c, w), x));
  body->addOutput("c", next);
  body->addOutput("y", b.mul(next, x));
  return body;
}
} // namespace

ValueId buildScan(Builder &b, std::shared_ptr<const Graph> body, int64_t length,
                  const std::vector<ValueId> &carries, const std::vector<ValueId> &sequences,
                  const std::vector<ValueId> &invariants, bool reverse) {
  const auto numCarry = static_cast<int64_t>(carries.size());
  Node n{"scan", carries, Attrs{}, {}, b.loc,
         withResiduals(*body, numCarry, static_cast<int64_t>(sequences.size()))};
  n.operands.insert(n.operands.end(), sequences.begin(), sequences.end());
  n.operands.insert(n.operands.end(), invariants.begin(), invariants.end());
  n.attrs.set("length", length);
  n.attrs.set("num_carry", numCarry);
  n.attrs.set("num_seq", static_cast<int64_t>(sequences.size()));
  n.attrs.set("reverse", static_cast<int64_t>(reverse));
  return b.graph().add(std::move(n));
}

ValueId scanOutput(Builder &b, ValueId scan, size_t k) {
  ScanLayout l = scanLayout(b.graph().node(scan));
  const TensorType &t = l.outputs.at(k);
  ValueId flat = b.slice(scan, {l.offsets[k]}, {l.offsets[k] + t.numElements()}, {1});
  return b.reshape(flat, t.shape);
}

void registerScanOps(std::vector<OpDef> &ops) {
  OpDef scan;
  scan.name = "scan";
  scan.arity = -1;
  scan.attrs = {"length", "num_carry", "num_seq"};
  scan.infer = inferScan;
  scan.eval = evalScan;
  scan.grad = scanGradient;
  scan.example = [](std::vector<Shape> &o, Attrs &at, Shape &r) {
    o = {{2, 3}, {4, 2, 3}, {3, 3}};
    at = {{"length", int64_t(4)}, {"num_carry", int64_t(1)}, {"num_seq", int64_t(1)}};
    r = {6 + 4 * 6};
  };
  scan.exampleBody = exampleBody;
  ops.push_back(scan);
}

} // namespace aec
