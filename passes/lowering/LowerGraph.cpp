/// Graph -> func.func on tensors. Inputs become arguments in graph.inputs()
/// order, outputs results in graph.outputs order; each other node goes through
/// its op's emitter.
#include "passes/lowering/Lowering.h"
#include "passes/lowering/MLIRLowering.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/raw_ostream.h"

#include <set>

namespace aec::lowering {

using namespace mlir;

RankedTensorType toTensorType(MLIRContext &ctx, const TensorType &type) {
  Type elem = type.dtype == DType::F32 ? Type(Float32Type::get(&ctx))
                                       : Float64Type::get(&ctx);
  return RankedTensorType::get(type.shape, elem);
}

namespace {

Location toLocation(MLIRContext &ctx, const SourceLoc &loc) {
  if (!loc.valid())
    return UnknownLoc::get(&ctx);
  return FileLineColLoc::get(&ctx, loc.file.empty() ? "<model>" : loc.file,
                             loc.line, loc.col);
}

/// A copy of `v` into a fresh tensor. Results must be distinct values not
/// defined as function arguments:
/// buffer-results-to-out-params{hoist-static-allocs} writes each result
/// straight into its out-param, which needs one allocation per result (MLIR 19
/// crashes on a returned block argument).
Value freshCopy(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  Value empty =
      b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<linalg::CopyOp>(loc, ValueRange{v}, ValueRange{empty})
      .getResult(0);
}

} // namespace

void emitNodes(OpBuilder &b, const Graph &graph, std::vector<Value> &values) {
  MLIRContext &ctx = *b.getContext();
  for (size_t id = 0; id < graph.size(); ++id) {
    const Node &node = graph.node(static_cast<ValueId>(id));
    if (node.op == "input")
      continue;
    const OpEmitter *emit = findOpEmitter(node.op);
    if (!emit)
      fail(node.loc, "op '" + node.op + "' has no MLIR lowering");
    EmitContext c{
        b, toLocation(ctx, node.loc), node, {}, toTensorType(ctx, node.type)};
    for (ValueId operand : node.operands)
      c.operands.push_back(values.at(operand));
    values[id] = (*emit)(c);
  }
}

namespace {
void lowerGraph(OpBuilder &b, ModuleOp module, const Graph &graph) {
  MLIRContext &ctx = *b.getContext();
  std::vector<ValueId> inputs = graph.inputs();
  SmallVector<Type> argTypes, resultTypes;
  for (ValueId id : inputs)
    argTypes.push_back(toTensorType(ctx, graph.type(id)));
  for (const GraphOutput &out : graph.outputs)
    resultTypes.push_back(toTensorType(ctx, graph.type(out.value)));

  b.setInsertionPointToEnd(module.getBody());
  auto func = b.create<func::FuncOp>(UnknownLoc::get(&ctx), graph.name,
                                     b.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);

  std::vector<Value> values(graph.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    values[inputs[i]] = entry->getArgument(i);
  emitNodes(b, graph, values);

  SmallVector<Value> results;
  std::set<ValueId> returned;
  for (const GraphOutput &out : graph.outputs) {
    Value v = values.at(out.value);
    bool isArg = isa<BlockArgument>(v);
    if (isArg || !returned.insert(out.value).second)
      v = freshCopy(b, v.getLoc(), v);
    results.push_back(v);
  }
  b.create<func::ReturnOp>(UnknownLoc::get(&ctx), results);
}
} // namespace

OwningOpRef<ModuleOp> lowerModule(MLIRContext &ctx, const Module &module,
                                  const std::string &target) {
  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> m = ModuleOp::create(UnknownLoc::get(&ctx));
  if (target != "cpu")
    (*m)->setAttr(TargetAttrName, b.getStringAttr(target));
  for (const Graph &graph : module.graphs)
    lowerGraph(b, *m, graph);
  if (failed(verify(*m)))
    throw std::runtime_error("internal error: lowered MLIR does not verify");
  return m;
}

} // namespace aec::lowering

namespace aec {
std::string emitMLIRText(const Module &module, const std::string &target) {
  auto ctx = lowering::makeContext();
  auto m = lowering::lowerModule(*ctx, module, target);
  std::string text;
  llvm::raw_string_ostream os(text);
  m->print(os);
  return text;
}
} // namespace aec
