/// The scan's gradient rule, JAX's way: the forward scan also stacks the values of each
/// step that the adjoint of its body needs (residuals), and the backward pass is a scan in
/// the opposite direction over the adjoint of the body. The adjoint body is built by the
/// same reverse sweep as any graph (ir/Adjoint.h) from ops with gradient rules, and the
/// backward scan is an ordinary scan, so gradients of gradients work through it too.
///
/// The adjoint body's carries are the adjoints of the forward carries and one running sum
/// per invariant (its gradient summed over the steps); its sequences are the adjoints of
/// the per-step outputs, the forward sequences it reads and the residuals; its invariants
/// are the forward invariants. Its per-step outputs are the adjoints of the forward
/// sequences.
#include "ir/Adjoint.h"
#include "ir/Scan.h"

#include <algorithm>
#include <set>

namespace aec {

namespace {
/// True when elements [from, from + count) of the 1-D `v` are known zeros: zero
/// constants, and the zero padding and zero gaps that the slices' gradient rules and
/// sumAdjoints build around the outputs that do have adjoints.
bool knownZero(const Graph &g, ValueId v, int64_t from, int64_t count) {
  if (count <= 0)
    return true;
  const Node &n = g.node(v);
  if (n.op == "constant")
    return n.attrs.getFloat("value") == 0.0;
  if (n.type.rank() != 1)
    return false;
  if (n.op == "pad") {
    if (n.attrs.getFloat("value") != 0.0 || n.attrs.getInts("interior")[0] != 0)
      return false;
    int64_t low = n.attrs.getInts("low")[0], inner = g.type(n.operands[0]).shape[0];
    int64_t start = std::max(from, low), end = std::min(from + count, low + inner);
    return start >= end || knownZero(g, n.operands[0], start - low, end - start);
  }
  if (n.op == "concat") {
    int64_t at = 0;
    for (ValueId part : n.operands) {
      int64_t size = g.type(part).shape[0];
      int64_t start = std::max(from, at), end = std::min(from + count, at + size);
      if (start < end && !knownZero(g, part, start - at, end - start))
        return false;
      at += size;
    }
    return true;
  }
  if (n.op == "add")
    return knownZero(g, n.operands[0], from, count) && knownZero(g, n.operands[1], from, count);
  return false;
}

/// `base`, or `base` with a number appended, not yet an input name of `g`.
std::string freshInputName(const Graph &g, const std::string &base) {
  std::set<std::string> taken;
  for (ValueId v : g.inputs())
    taken.insert(g.node(v).attrs.getString("name"));
  std::string name = base;
  for (int i = 1; taken.count(name); ++i)
    name = base + "." + std::to_string(i);
  return name;
}

/// Elements [offset, offset + numElements(type)) of the 1-D `packed`, shaped as `type`.
ValueId region(Builder &b, ValueId packed, int64_t offset, const TensorType &type) {
  ValueId flat = b.slice(packed, {offset}, {offset + type.numElements()}, {1});
  return b.reshape(flat, type.shape);
}

/// The adjoint body before its inputs are put in scan order: the forward body with the
/// adjoint sweep appended; its new inputs (adjoint seeds, running sums) and its outputs.
struct AdjointBody {
  Graph graph;
  ValueId numForward = 0;
  std::vector<ValueId> carries, sequences; ///< new inputs, in scan order
  std::vector<ValueId> outputs;            ///< in scan order (carries, then per-step)
};

/// Appends to a copy of `fwd` the adjoint of one step: seeds for the carries and for the
/// seeded per-step outputs in, the adjoints of the carries, the running sums of the
/// invariants' adjoints and the adjoints of the sequences' steps out.
AdjointBody differentiateBody(const Graph &fwd, const ScanLayout &l,
                              const std::vector<bool> &seeded) {
  AdjointBody a{fwd, static_cast<ValueId>(fwd.size()), {}, {}, {}};
  a.graph.name = fwd.name + "_adjoint";
  a.graph.outputs.clear();
  Builder b(a.graph);
  if (fwd.size()) // the new inputs print with the body's location
    b.loc = fwd.node(0).loc;
  const std::vector<ValueId> in = fwd.inputs();
  std::vector<ValueId> roots, seeds;
  for (size_t k = 0; k < fwd.outputs.size(); ++k) {
    const bool carry = static_cast<int64_t>(k) < l.numCarry;
    if (!carry && !seeded[k])
      continue;
    ValueId out = fwd.outputs[k].value;
    ValueId seed = b.input(freshInputName(a.graph, "d_" + fwd.outputs[k].name), role::Data,
                           fwd.type(out));
    (carry ? a.carries : a.sequences).push_back(seed);
    roots.push_back(out);
    seeds.push_back(seed);
  }
  std::vector<ValueId> adjoints = buildAdjoints(a.graph, roots, seeds, in);
  for (int64_t k = 0; k < l.numCarry; ++k)
    a.outputs.push_back(adjoints[k]);
  for (size_t i = l.numCarry + l.numSeq; i < in.size(); ++i) {
    const std::string &name = fwd.node(in[i]).attrs.getString("name");
    ValueId sum = b.input(freshInputName(a.graph, "sum_d_" + name), role::Data, fwd.type(in[i]));
    a.carries.push_back(sum);
    a.outputs.push_back(b.add(sum, adjoints[i]));
  }
  for (int64_t s = 0; s < l.numSeq; ++s)
    a.outputs.push_back(adjoints[l.numCarry + s]);
  return a;
}

/// The backward scan's body for the given seeded outputs, the forward sequences it reads
/// (indices among the scan's sequences) and the forward values it reads (residuals), in
/// the order of its inputs.
struct BackwardBody {
  std::shared_ptr<Graph> body;
  std::vector<int64_t> sequences;
  std::vector<ValueId> residuals;
};

BackwardBody backwardBody(const Graph &fwd, const ScanLayout &l, const std::vector<bool> &seeded) {
  const std::vector<ValueId> fwdIn = fwd.inputs();
  const int64_t numInv = static_cast<int64_t>(fwdIn.size()) - l.numCarry - l.numSeq;
  AdjointBody a = differentiateBody(fwd, l, seeded);
  const Graph &adj = a.graph;

  // Live nodes of the adjoint sweep, and the forward values they read.
  std::vector<bool> live(adj.size(), false);
  for (ValueId v : a.outputs)
    live[v] = true;
  for (ValueId id = static_cast<ValueId>(adj.size()) - 1; id >= a.numForward; --id)
    if (live[id])
      for (ValueId v : adj.node(id).operands)
        live[v] = true;
  // A forward value read by the sweep is a residual unless it is a constant, a sequence's
  // step or an invariant, which the backward scan has as they are.
  BackwardBody out{std::make_shared<Graph>(), {}, {}};
  for (int64_t s = 0; s < l.numSeq; ++s)
    if (live[fwdIn[l.numCarry + s]])
      out.sequences.push_back(s);
  for (ValueId id = 0; id < a.numForward; ++id) {
    if (!live[id])
      continue;
    const Node &n = adj.node(id);
    auto pos = std::find(fwdIn.begin(), fwdIn.end(), id);
    const bool carryInput = pos != fwdIn.end() && pos - fwdIn.begin() < l.numCarry;
    if (n.op == "constant" || (n.op == "input" && !carryInput))
      continue;
    out.residuals.push_back(id);
  }

  // Inputs in scan order, then the live nodes, residuals read from inputs.
  Graph &bwd = *out.body;
  bwd.name = adj.name;
  std::vector<ValueId> map(adj.size(), NoValue);
  auto addInput = [&](ValueId from, const std::string &name) {
    Node n{"input", {}, Attrs{{"name", name}, {"role", std::string(role::Data)}},
           adj.type(from), adj.node(from).loc};
    map[from] = bwd.addUnchecked(std::move(n));
  };
  auto inputName = [&](ValueId v) { return adj.node(v).attrs.getString("name"); };
  for (ValueId v : a.carries)
    addInput(v, inputName(v));
  for (ValueId v : a.sequences)
    addInput(v, inputName(v));
  for (int64_t s : out.sequences)
    addInput(fwdIn[l.numCarry + s], inputName(fwdIn[l.numCarry + s]));
  for (ValueId r : out.residuals)
    addInput(r, freshInputName(adj, "res" + std::to_string(r)));
  for (int64_t i = 0; i < numInv; ++i)
    addInput(fwdIn[l.numCarry + l.numSeq + i], inputName(fwdIn[l.numCarry + l.numSeq + i]));
  for (ValueId id = 0; id < static_cast<ValueId>(adj.size()); ++id) {
    if (!live[id] || map[id] != NoValue || adj.node(id).op == "input")
      continue;
    Node n = adj.node(id);
    for (ValueId &v : n.operands)
      v = map.at(v);
    map[id] = bwd.addUnchecked(std::move(n));
  }
  for (size_t k = 0; k < a.outputs.size(); ++k)
    bwd.addOutput("out" + std::to_string(k), map.at(a.outputs[k]));
  return out;
}

/// The index of the per-step output of `body` that is `value`, adding one when none is.
size_t stackedOutput(Graph &body, int64_t numCarry, ValueId value) {
  for (size_t k = numCarry; k < body.outputs.size(); ++k)
    if (body.outputs[k].value == value)
      return k;
  body.addOutput("res" + std::to_string(body.outputs.size()), value);
  return body.outputs.size() - 1;
}
} // namespace

std::shared_ptr<const Graph> withResiduals(const Graph &body, int64_t numCarry, int64_t numSeq) {
  ScanLayout l;
  l.numCarry = numCarry;
  l.numSeq = numSeq;
  std::vector<bool> seeded(body.outputs.size(), true);
  BackwardBody bwd = backwardBody(body, l, seeded);
  auto out = std::make_shared<Graph>(body);
  for (ValueId r : bwd.residuals)
    stackedOutput(*out, numCarry, r);
  return out;
}

std::vector<ValueId> scanGradient(Builder &b, const Node &node, ValueId self, ValueId grad) {
  Graph &g = b.graph();
  const ScanLayout l = scanLayout(node);
  const Graph &fwd = *node.body;
  const std::vector<ValueId> fwdIn = fwd.inputs();
  const int64_t numInv = static_cast<int64_t>(fwdIn.size()) - l.numCarry - l.numSeq;

  // Per-step outputs whose adjoint is known to be zero (residuals in a first-order
  // gradient, unused sequences) get no seed, so the adjoint body does no work for them.
  std::vector<bool> seeded(fwd.outputs.size());
  for (size_t k = 0; k < seeded.size(); ++k)
    seeded[k] = !knownZero(g, grad, l.offsets[k], l.outputs[k].numElements());
  BackwardBody bwd = backwardBody(fwd, l, seeded);

  // Residuals come from the forward scan's per-step outputs (buildScan stacks them); a
  // scan built without them is run again with them added (correct, but twice the work).
  Graph augmented = fwd;
  std::vector<size_t> residualOutput;
  for (ValueId r : bwd.residuals)
    residualOutput.push_back(stackedOutput(augmented, l.numCarry, r));
  ValueId source = self;
  if (augmented.outputs.size() != fwd.outputs.size())
    source = g.add(Node{"scan", node.operands, node.attrs, {}, node.loc,
                        std::make_shared<const Graph>(std::move(augmented))});

  std::vector<ValueId> carries, sequences, invariants;
  for (int64_t k = 0; k < l.numCarry; ++k)
    carries.push_back(seeded[k] ? region(b, grad, l.offsets[k], l.outputs[k])
                                : b.constant(0.0, l.outputs[k]));
  for (int64_t i = 0; i < numInv; ++i)
    carries.push_back(b.constant(0.0, g.type(node.operands[l.numCarry + l.numSeq + i])));
  for (size_t k = l.numCarry; k < fwd.outputs.size(); ++k)
    if (seeded[k])
      sequences.push_back(region(b, grad, l.offsets[k], l.outputs[k]));
  for (int64_t s : bwd.sequences)
    sequences.push_back(node.operands[l.numCarry + s]);
  for (size_t k : residualOutput)
    sequences.push_back(scanOutput(b, source, k));
  for (int64_t i = 0; i < numInv; ++i)
    invariants.push_back(node.operands[l.numCarry + l.numSeq + i]);
  ValueId backward = buildScan(b, bwd.body, l.length, carries, sequences, invariants, !l.reverse);

  std::vector<ValueId> adjoints;
  for (int64_t k = 0; k < l.numCarry; ++k)
    adjoints.push_back(scanOutput(b, backward, k));
  for (int64_t s = 0; s < l.numSeq; ++s)
    adjoints.push_back(scanOutput(b, backward, l.numCarry + numInv + s));
  for (int64_t i = 0; i < numInv; ++i)
    adjoints.push_back(scanOutput(b, backward, l.numCarry + i));
  return adjoints;
}

} // namespace aec
