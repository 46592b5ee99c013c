/// aec-plan-arena: a static memory plan for each function's intermediates.
/// After bufferization every intermediate is a static memref.alloc (at the top
/// of the function body, or inside a scan's loop); left alone, each becomes a
/// malloc/free on every step (or loop iteration), and the heap grows with
/// fragmentation (speckle_dae at batch 128 reached 18 GB). Here each alloc gets
/// a live range (from the alloc to the last op of its block that touches it or
/// any view of it, see liveBuffers) and an offset in one
/// arena, by greedy first fit (the best of three orders, see assignOffsets, as
/// TFLite's arena planner and XLA's heap simulator do), so buffers whose ranges do not overlap share
/// memory; the allocs become memref.view ops into the arena.
///
/// The arena is not allocated here: it is the function's last argument, the
/// workspace (`memref<Nxi8>`, 64-byte aligned, aliasing no other argument),
/// which the runtime allocates once per trainer and passes to every call, so a
/// step makes no heap allocation at all. Every function gets the argument, of
/// size 0 when it has nothing to plan, so that the entry ABI is uniform.
/// Allocs the plan cannot take (dynamic sizes, non-identity layouts, buffers
/// that escape) stay allocs and are counted in `aec.unplanned_allocs`; the
/// object emission warns about any heap call left in a function. Runs before
/// the deallocation pipeline. Lit test: tests/lit/mlir/aec-plan-arena.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/Pass.h"

#include <algorithm>

namespace aec::lowering {

using namespace mlir;

namespace {
/// Every buffer starts on a cache line.
constexpr int64_t Alignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0; ///< pre-order op positions of its live range
  int64_t offset = -1;
};

/// Bytes of a static, identity-layout memref (the only kind memref.view makes),
/// rounded up to the alignment; 0 when the alloc cannot be planned.
int64_t plannableBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      !alloc.getDynamicSizes().empty() || !alloc.getSymbolOperands().empty() ||
      !type.getElementType().isIntOrFloat() ||
      type.getMemorySpace() != nullptr)
    return 0;
  int64_t bytes = type.getNumElements() *
                  ((type.getElementTypeBitWidth() + 7) / 8);
  return std::max<int64_t>(1, (bytes + Alignment - 1) / Alignment) * Alignment;
}

/// Live ranges over the ops' pre-order positions in the function. An alloc is live from
/// its position to the end of the last op of its own block that (or an op nested in
/// which) reads or writes it through any alias: a buffer used inside a loop is live for
/// the whole loop, which repeats. A buffer that escapes (returned, passed to a call, or
/// yielded from the loop body it is allocated in into the next iteration) is not planned.
/// Allocations inside a loop body (a scan's step) so get one planned place that every
/// iteration reuses, instead of a malloc per iteration. `unplanned` counts the allocs
/// left as they are.
std::vector<Buffer> liveBuffers(func::FuncOp func, int64_t &unplanned) {
  BufferViewFlowAnalysis aliases(func);
  DenseMap<Operation *, int64_t> start, end;
  int64_t index = 0;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) { start[op] = index++; });
  func.walk<WalkOrder::PostOrder>([&](Operation *op) {
    end[op] = std::max(end.lookup(op), start[op]);
    if (Operation *parent = op->getParentOp())
      end[parent] = std::max(end.lookup(parent), end[op]);
  });
  std::vector<Buffer> buffers;
  DenseMap<Value, SmallVector<size_t, 2>> owners; // alias -> buffers it views
  unplanned = 0;
  func.walk([&](memref::AllocOp alloc) {
    int64_t bytes = plannableBytes(alloc);
    if (bytes == 0) {
      ++unplanned;
      return;
    }
    size_t id = buffers.size();
    buffers.push_back({alloc, bytes, start[alloc], start[alloc], -1});
    for (Value alias : aliases.resolve(alloc.getResult()))
      owners[alias].push_back(id);
  });
  Block *funcBody = &func.getBody().front();
  std::vector<bool> escapes(buffers.size(), false);
  func.walk([&](Operation *op) {
    for (Value operand : op->getOperands()) {
      auto it = owners.find(operand);
      if (it == owners.end())
        continue;
      for (size_t id : it->second) {
        Block *home = buffers[id].alloc->getBlock();
        Operation *user = home->findAncestorOpInBlock(*op);
        bool escaping = !user || isa<func::ReturnOp, func::CallOp>(op) ||
                        (home != funcBody && user == home->getTerminator());
        escapes[id] = escapes[id] || escaping;
        if (user)
          buffers[id].last = std::max(buffers[id].last, end[user]);
      }
    }
  });
  std::vector<Buffer> planned;
  for (size_t id = 0; id < buffers.size(); ++id) {
    if (!escapes[id])
      planned.push_back(buffers[id]);
    else
      ++unplanned;
  }
  return planned;
}

/// Greedy first fit in the given order: each buffer takes the lowest offset
/// clear of every placed buffer whose live range overlaps its own. Returns the
/// arena's size.
int64_t firstFit(std::vector<Buffer> &buffers, const std::vector<size_t> &order) {
  int64_t arena = 0;
  std::vector<size_t> placed;
  for (size_t id : order) {
    Buffer &buf = buffers[id];
    std::vector<std::pair<int64_t, int64_t>> taken; // [offset, end)
    for (size_t other : placed) {
      const Buffer &o = buffers[other];
      if (o.first <= buf.last && buf.first <= o.last)
        taken.push_back({o.offset, o.offset + o.bytes});
    }
    std::sort(taken.begin(), taken.end());
    int64_t offset = 0;
    for (auto [start, end] : taken) {
      if (start >= offset + buf.bytes)
        break;
      offset = std::max(offset, end);
    }
    buf.offset = offset;
    arena = std::max(arena, offset + buf.bytes);
    placed.push_back(id);
  }
  return arena;
}

/// The smallest of three greedy first-fit plans, in decreasing size, in
/// decreasing size x lifetime, and in order of first use (TFLite's arena
/// planner and XLA's heap simulator try such orders too): no single order wins
/// on every function (fashion_conv's decode: 1.23x its bound by size alone).
int64_t assignOffsets(std::vector<Buffer> &buffers) {
  auto bySize = [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; };
  auto byArea = [&](size_t a, size_t b) {
    auto area = [&](size_t i) {
      return double(buffers[i].bytes) * double(buffers[i].last - buffers[i].first + 1);
    };
    return area(a) > area(b);
  };
  auto byStart = [&](size_t a, size_t b) {
    return buffers[a].first != buffers[b].first ? buffers[a].first < buffers[b].first
                                                : buffers[a].bytes > buffers[b].bytes;
  };
  std::vector<int64_t> bestOffsets;
  int64_t best = -1;
  for (int kind = 0; kind < 3; ++kind) {
    std::vector<size_t> order(buffers.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    if (kind == 0)
      std::stable_sort(order.begin(), order.end(), bySize);
    else if (kind == 1)
      std::stable_sort(order.begin(), order.end(), byArea);
    else
      std::stable_sort(order.begin(), order.end(), byStart);
    int64_t arena = firstFit(buffers, order);
    if (best < 0 || arena < best) {
      best = arena;
      bestOffsets.clear();
      for (const Buffer &b : buffers)
        bestOffsets.push_back(b.offset);
    }
  }
  for (size_t i = 0; i < buffers.size(); ++i)
    buffers[i].offset = bestOffsets[i];
  return std::max<int64_t>(best, 0);
}

/// The most bytes live at once: no plan can use less.
int64_t liveLowerBound(const std::vector<Buffer> &buffers) {
  std::vector<std::pair<int64_t, int64_t>> events; // (index, +bytes / -bytes)
  for (const Buffer &b : buffers) {
    events.push_back({b.first, b.bytes});
    events.push_back({b.last + 1, -b.bytes});
  }
  std::sort(events.begin(), events.end(),
            [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second < b.second; });
  int64_t live = 0, peak = 0;
  for (auto [at, delta] : events)
    peak = std::max(peak, live += delta);
  return peak;
}

class PlanArenaPass
    : public PassWrapper<PlanArenaPass, OperationPass<func::FuncOp>> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(PlanArenaPass)

  StringRef getName() const final { return "PlanArenaPass"; }
  StringRef getArgument() const final { return "aec-plan-arena"; }
  StringRef getDescription() const final {
    return "Place each function's static intermediates at planned offsets "
           "of one workspace, a new last argument (after bufferization, "
           "before deallocation)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, memref::MemRefDialect>();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    int64_t unplanned = 0;
    std::vector<Buffer> buffers = liveBuffers(func, unplanned);
    int64_t arenaBytes = assignOffsets(buffers);
    Block &body = func.getBody().front();
    OpBuilder b(&body, body.begin());
    Location loc = func.getLoc();
    // The workspace: last argument, noalias (the runtime gives it to no other
    // argument) and aligned for the cache-line offsets of the plan.
    unsigned index = func.getNumArguments();
    NamedAttribute argAttrs[] = {
        b.getNamedAttr("llvm.noalias", b.getUnitAttr()),
        b.getNamedAttr("llvm.align", b.getI64IntegerAttr(Alignment))};
    func.insertArgument(index, MemRefType::get({arenaBytes}, b.getI8Type()),
                        b.getDictionaryAttr(argAttrs), loc);
    Value arena = func.getArgument(index);
    for (Buffer &buf : buffers) {
      b.setInsertionPoint(buf.alloc);
      Value offset = b.create<arith::ConstantIndexOp>(buf.alloc.getLoc(), buf.offset);
      Value view = b.create<memref::ViewOp>(buf.alloc.getLoc(), buf.alloc.getType(),
                                            arena, offset, ValueRange{});
      buf.alloc.getResult().replaceAllUsesWith(view);
      buf.alloc.erase();
    }
    // The plan, for the descriptor, `aec dump` and the tests: the workspace,
    // the bound it is measured against, and what it could not take.
    func->setAttr("aec.arena_bytes", b.getI64IntegerAttr(arenaBytes));
    func->setAttr("aec.live_bytes_bound",
                  b.getI64IntegerAttr(liveLowerBound(buffers)));
    func->setAttr("aec.unplanned_allocs", b.getI64IntegerAttr(unplanned));
  }
};
} // namespace

std::unique_ptr<Pass> createPlanArenaPass() {
  return std::make_unique<PlanArenaPass>();
}

} // namespace aec::lowering
