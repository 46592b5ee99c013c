/// What the CPU pipeline makes of each function, read back from the IR after
/// aec-plan-arena: the kernels left after fusion (one per top-level loop nest
/// of the bufferized function) and the memory plan (every memref.view into the
/// arena, its offset, size and live range). `aec check` prints the arena and
/// its bound, `aec dump --stage opt` the whole plan.
#include "passes/lowering/Lowering.h"
#include "passes/lowering/MLIRLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <algorithm>

namespace aec::lowering {

using namespace mlir;

namespace {

/// "file:line:col" of the first file location in `loc` (fused ones included).
std::string sourceOf(Location loc) {
  std::string out;
  loc->walk([&](Location l) {
    if (auto file = dyn_cast<FileLineColLoc>(l)) {
      out = file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn());
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return out;
}

/// The kind of a top-level op that is a kernel, "" for bookkeeping ops
/// (constants, views, allocs, returns).
std::string kernelKind(Operation &op, int64_t &scalarOps) {
  scalarOps = 0;
  if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
    for (Operation &inner : generic.getBody()->without_terminator())
      scalarOps += isa<arith::ConstantOp>(inner) ? 0 : 1;
    return generic.getNumReductionLoops() > 0 ? "reduction" : "elementwise";
  }
  if (isa<linalg::MatmulOp, linalg::MatmulTransposeAOp, linalg::MatmulTransposeBOp>(op))
    return "matmul";
  if (isa<linalg::FillOp>(op))
    return "fill";
  if (isa<memref::CopyOp, linalg::CopyOp>(op))
    return "copy";
  if (isa<scf::ForOp, scf::ForallOp>(op)) {
    bool matmul = false;
    op.walk([&](Operation *inner) {
      matmul |= isa<linalg::MatmulOp>(inner) || inner->getName().getStringRef() == "vector.contract";
    });
    return matmul ? "tiled matmul" : "loop nest";
  }
  if (isa<linalg::LinalgOp>(op))
    return op.getName().getStringRef().drop_front(7).str(); // "linalg." dropped
  return "";
}

/// The top-level op of `body` that contains `op`.
Operation *topLevel(Operation *op, Block &body) {
  while (op->getBlock() != &body)
    op = op->getParentOp();
  return op;
}

/// Every op that reads or writes the buffer `view`, through any view of it.
void collectUsers(Value view, std::vector<Operation *> &users) {
  for (Operation *user : view.getUsers()) {
    users.push_back(user);
    if (isa<ViewLikeOpInterface>(user))
      for (Value result : user->getResults())
        collectUsers(result, users);
  }
}

FunctionPlan planOf(func::FuncOp func) {
  FunctionPlan plan;
  plan.name = func.getSymName().str();
  if (auto a = func->getAttrOfType<IntegerAttr>("aec.arena_bytes"))
    plan.arenaBytes = a.getInt();
  if (auto a = func->getAttrOfType<IntegerAttr>("aec.live_bytes_bound"))
    plan.liveBoundBytes = a.getInt();
  Block &body = func.getBody().front();
  DenseMap<Operation *, int64_t> kernelIndex; // top-level kernel -> its index
  for (Operation &op : body) {
    KernelSummary k;
    k.kind = kernelKind(op, k.scalarOps);
    if (k.kind.empty())
      continue;
    k.loc = sourceOf(op.getLoc());
    kernelIndex[&op] = static_cast<int64_t>(plan.kernels.size());
    plan.kernels.push_back(k);
  }
  if (auto a = func->getAttrOfType<IntegerAttr>("aec.unplanned_allocs"))
    plan.unplannedAllocs = a.getInt();
  // The slots of the top-level body; buffers inside a loop body (a scan's step) share the
  // loop's bytes and are not listed one by one.
  for (Operation &op : body) {
    auto view = dyn_cast<memref::ViewOp>(op);
    if (!view)
      continue;
    ArenaSlot slot;
    if (auto shift = view.getByteShift().getDefiningOp<arith::ConstantIndexOp>())
      slot.offset = shift.value();
    MemRefType type = view.getType();
    slot.bytes = type.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
    std::vector<Operation *> users;
    collectUsers(view.getResult(), users);
    slot.first = static_cast<int64_t>(plan.kernels.size());
    slot.last = -1;
    for (Operation *user : users) {
      auto it = kernelIndex.find(topLevel(user, body));
      if (it == kernelIndex.end())
        continue;
      slot.first = std::min(slot.first, it->second);
      slot.last = std::max(slot.last, it->second);
    }
    if (slot.last >= 0) {
      const KernelSummary &k = plan.kernels[slot.first];
      slot.producer = k.kind + (k.loc.empty() ? "" : " at " + k.loc);
    } else {
      slot.first = slot.last = 0;
    }
    plan.slots.push_back(slot);
  }
  std::stable_sort(plan.slots.begin(), plan.slots.end(),
                   [](const ArenaSlot &a, const ArenaSlot &b) { return a.offset < b.offset; });
  return plan;
}

} // namespace

} // namespace aec::lowering

namespace aec {

std::vector<FunctionPlan> planFunctions(const Module &module) {
  auto ctx = lowering::makeContext();
  mlir::OwningOpRef<mlir::ModuleOp> m = lowering::lowerModule(*ctx, module);
  // Without the arena (AEC_MLIR_NO_ARENA=1), the bufferized functions as they are.
  bool arena = cpuPipelineText().find("aec-plan-arena") != std::string::npos;
  lowering::runCPUPipelineThrough(*m, arena ? "aec-plan-arena" : "buffer-results-to-out-params");
  std::vector<FunctionPlan> plans;
  for (auto func : m->getOps<mlir::func::FuncOp>())
    if (!func.isExternal())
      plans.push_back(lowering::planOf(func));
  return plans;
}

} // namespace aec
