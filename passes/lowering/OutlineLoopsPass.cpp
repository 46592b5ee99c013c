/// aec-outline-loops: every top-level loop nest of a function becomes a private
/// function of its own, called in its place, and identical loop nests share one.
///
/// Why: a training step is one function of hundreds of loop nests, and much of the
/// work repeats: the same 40x40 matmul tile in each layer, the same forward kernels
/// in train_step, eval_step, reconstruct and encode. Deduplicated here, before the
/// vector lowering, every later MLIR pass, LLVM's O3 and instruction selection see
/// each kernel once, and LLVM never meets a huge function (some of its passes cost
/// more than linearly in function size: on fashion_conv, IndVarSimplify took 19 s
/// of O3's 32 s on the one big function). The calls cost nanoseconds per step.
///
/// The constants and strided subviews a loop nest uses are recomputed inside its
/// function (they are free), so that its arguments are plain buffers (the
/// function's arguments, the intermediates' places in the arena) and scalars; a loop
/// that would still need a strided or dynamic buffer argument stays where it is,
/// since the bare-pointer calling convention passes static identity-layout buffers
/// only. Lit test:
/// tests/lit/mlir/aec-outline-loops.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

#include <map>

namespace aec::lowering {

using namespace mlir;

namespace {

/// A type the bare-pointer calling convention passes: no strided or dynamic buffers.
bool passable(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return !memref || (memref.hasStaticShape() && memref.getLayout().isIdentity());
}

/// Ops recomputed in the outlined function rather than passed to it: constants (loop
/// bounds stay known) and the strided views of buffers, which cannot be passed. A
/// plain buffer, such as an intermediate's place in the arena, is passed: the same
/// computation on another layer's buffers is then the same function.
bool recomputable(Operation *op) {
  if (isa<arith::ConstantOp, memref::GetGlobalOp>(op))
    return true;
  return isa<memref::SubViewOp, memref::ReinterpretCastOp, memref::ExpandShapeOp,
             memref::CollapseShapeOp, memref::CastOp, memref::ViewOp>(op) &&
         !passable(op->getResult(0).getType());
}

/// What a loop nest needs from its function: the values it takes as arguments and
/// the recomputable ops (operands first) that produce the others.
struct Captures {
  llvm::SetVector<Value> arguments;
  llvm::SetVector<Operation *> recomputed;

  void add(Value v) {
    Operation *def = v.getDefiningOp();
    if (!def || !recomputable(def)) {
      arguments.insert(v);
      return;
    }
    if (recomputed.contains(def))
      return;
    for (Value operand : def->getOperands())
      add(operand);
    recomputed.insert(def);
  }
};

/// The function's text without its name: equal texts are the same computation.
std::string bodyKey(func::FuncOp kernel) {
  std::string key;
  llvm::raw_string_ostream os(key);
  kernel.getFunctionType().print(os);
  AsmState state(kernel);
  for (Operation &op : kernel.getBody().front()) {
    op.print(os, state);
    os << "\n";
  }
  return key;
}

class OutlineLoopsPass : public PassWrapper<OutlineLoopsPass, OperationPass<ModuleOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OutlineLoopsPass)

  StringRef getName() const final { return "OutlineLoopsPass"; }
  StringRef getArgument() const final { return "aec-outline-loops"; }
  StringRef getDescription() const final {
    return "Move each top-level loop nest into a private function; identical ones share one";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    std::map<std::string, func::FuncOp> kernels; // body text -> the kernel
    for (func::FuncOp f : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (f.isExternal() || !f.getBody().hasOneBlock())
        continue;
      for (Operation &op : llvm::make_early_inc_range(f.getBody().front()))
        if (isa<scf::ForOp>(op))
          outline(op, f, symbols, kernels);
    }
  }

private:
  void outline(Operation &loop, func::FuncOp parent, SymbolTable &symbols,
               std::map<std::string, func::FuncOp> &kernels) {
    Captures captures;
    for (Value v : loop.getOperands())
      captures.add(v);
    visitUsedValuesDefinedAbove(loop.getRegions(),
                                [&](OpOperand *use) { captures.add(use->get()); });
    SmallVector<Type> argumentTypes;
    for (Value v : captures.arguments) {
      if (!passable(v.getType()))
        return;
      argumentTypes.push_back(v.getType());
    }

    MLIRContext *ctx = &getContext();
    auto builder = OpBuilder::atBlockEnd(getOperation().getBody());
    auto kernel = builder.create<func::FuncOp>(
        loop.getLoc(), "kernel", FunctionType::get(ctx, argumentTypes, loop.getResultTypes()));
    kernel.setPrivate();
    kernel->setAttr("no_inline", UnitAttr::get(ctx)); // inlined back, the big function returns
    // Not exported from the trainer's object (func-to-llvm makes private functions external).
    kernel->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    Block *entry = kernel.addEntryBlock();
    IRMapping map;
    for (auto [value, argument] : llvm::zip(captures.arguments, entry->getArguments()))
      map.map(value, argument);
    OpBuilder body = OpBuilder::atBlockEnd(entry);
    for (Operation *op : captures.recomputed)
      body.clone(*op, map);
    Operation *copy = body.clone(loop, map);
    body.create<func::ReturnOp>(loop.getLoc(), copy->getResults());

    std::string key = bodyKey(kernel);
    auto [it, fresh] = kernels.try_emplace(key, kernel);
    if (fresh) {
      kernel.setSymName((parent.getSymName() + "_loop").str());
      symbols.insert(kernel); // made unique: train_step_loop, train_step_loop_0, ...
    } else {
      kernel.erase();
    }
    OpBuilder caller(&loop);
    auto call = caller.create<func::CallOp>(loop.getLoc(), it->second,
                                            captures.arguments.getArrayRef());
    loop.replaceAllUsesWith(call.getResults());
    loop.erase();
  }
};

} // namespace

std::unique_ptr<Pass> createOutlineLoopsPass() { return std::make_unique<OutlineLoopsPass>(); }

} // namespace aec::lowering
