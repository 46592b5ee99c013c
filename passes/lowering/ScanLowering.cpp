/// scan -> one scf.for over the steps, the body's ops emitted inside it (ir/Scan.h).
///
/// Every loop-carried tensor is updated through tensor.insert_slice at a slice no other
/// step touches, so one-shot bufferization writes it in place and no buffer is yielded
/// from one iteration to the next (which would need an allocation per step):
///   - each carry lives in a history [T + 1, ...]: step i reads slot i, writes slot i + 1
///     (the final carry is slot T);
///   - the per-step outputs are written straight into the packed 1-D result, at
///     offset + t * size.
/// The intermediates of the body are then step-local buffers, which aec-plan-arena places
/// in the arena like any other.
#include "ir/Scan.h"
#include "passes/lowering/MLIRLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// `x` as a 1-D tensor (a view: collapse or expand of its shape).
Value flatten(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getRank() == 1)
    return x;
  auto flat = RankedTensorType::get({type.getNumElements()}, type.getElementType());
  if (type.getRank() == 0)
    return b.create<tensor::ExpandShapeOp>(loc, flat, x, ArrayRef<ReassociationIndices>{});
  ReassociationIndices all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  return b.create<tensor::CollapseShapeOp>(loc, flat, x, ArrayRef<ReassociationIndices>{all});
}

/// Offsets, sizes and strides of slot `index` of a stack of `type` [n, shape...].
struct SlotWindow {
  SmallVector<OpFoldResult> offsets, sizes, strides;
  SlotWindow(OpBuilder &b, RankedTensorType type, OpFoldResult index)
      : offsets(type.getRank(), b.getIndexAttr(0)), strides(type.getRank(), b.getIndexAttr(1)) {
    offsets[0] = index;
    sizes.push_back(b.getIndexAttr(1));
    for (int64_t d = 1; d < type.getRank(); ++d)
      sizes.push_back(b.getIndexAttr(type.getDimSize(d)));
  }
};

/// Slot `index` of `stack` [n, shape...] as a tensor of `shape` (rank-reducing slice).
Value extractSlot(OpBuilder &b, Location loc, Value stack, OpFoldResult index) {
  auto type = cast<RankedTensorType>(stack.getType());
  SlotWindow w(b, type, index);
  auto slotType = RankedTensorType::get(type.getShape().drop_front(), type.getElementType());
  return b.create<tensor::ExtractSliceOp>(loc, slotType, stack, w.offsets, w.sizes, w.strides);
}

/// `stack` with slot `index` overwritten by `value` (rank-reducing insert).
Value insertSlot(OpBuilder &b, Location loc, Value value, Value stack, OpFoldResult index) {
  SlotWindow w(b, cast<RankedTensorType>(stack.getType()), index);
  return b.create<tensor::InsertSliceOp>(loc, value, stack, w.offsets, w.sizes, w.strides);
}

/// `packed` with the 1-D `value` written at `offset`.
Value insertFlat(OpBuilder &b, Location loc, Value value, Value packed, OpFoldResult offset) {
  int64_t n = cast<RankedTensorType>(value.getType()).getDimSize(0);
  return b.create<tensor::InsertSliceOp>(loc, value, packed, ArrayRef<OpFoldResult>{offset},
                                         ArrayRef<OpFoldResult>{b.getIndexAttr(n)},
                                         ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
}
} // namespace

Value emitScan(EmitContext &c) {
  const ScanLayout l = scanLayout(c.node);
  const Graph &body = *c.node.body;
  const std::vector<ValueId> inputs = body.inputs();
  OpBuilder &b = c.b;
  Location loc = c.loc;
  MLIRContext &ctx = *b.getContext();
  Type elem = c.resultType.getElementType();

  // Loop-carried: the carries' histories, then the packed result.
  SmallVector<Value> init;
  for (int64_t k = 0; k < l.numCarry; ++k) {
    auto carryType = toTensorType(ctx, l.outputs[k]);
    SmallVector<int64_t> shape = {l.length + 1};
    shape.append(carryType.getShape().begin(), carryType.getShape().end());
    Value history = b.create<tensor::EmptyOp>(loc, shape, elem);
    init.push_back(insertSlot(b, loc, c.operands[k], history, b.getIndexAttr(0)));
  }
  init.push_back(b.create<tensor::EmptyOp>(loc, c.resultType.getShape(), elem));

  Value lower = b.create<arith::ConstantIndexOp>(loc, 0);
  Value upper = b.create<arith::ConstantIndexOp>(loc, l.length);
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto loop = b.create<scf::ForOp>(
      loc, lower, upper, one, init,
      [&](OpBuilder &nb, Location loc, Value step, ValueRange carried) {
        Value t = step;
        if (l.reverse)
          t = nb.create<arith::SubIOp>(
              loc, nb.create<arith::ConstantIndexOp>(loc, l.length - 1), step);
        std::vector<Value> values(body.size());
        for (int64_t k = 0; k < l.numCarry; ++k)
          values[inputs[k]] = extractSlot(nb, loc, carried[k], step);
        for (int64_t s = 0; s < l.numSeq; ++s)
          values[inputs[l.numCarry + s]] = extractSlot(nb, loc, c.operands[l.numCarry + s], t);
        for (size_t i = l.numCarry + l.numSeq; i < inputs.size(); ++i)
          values[inputs[i]] = c.operands[i];
        emitNodes(nb, body, values);

        // The per-step outputs first: they may read a carry's slot i, which must not
        // be read after slot i + 1 of the same history is written, or bufferization
        // copies the slot (it cannot tell slots i and i + 1 apart).
        Value packed = carried.back();
        for (size_t k = l.numCarry; k < body.outputs.size(); ++k) {
          Value y = flatten(nb, loc, values[body.outputs[k].value]);
          int64_t size = cast<RankedTensorType>(y.getType()).getDimSize(0);
          Value offset = nb.create<arith::AddIOp>(
              loc, nb.create<arith::ConstantIndexOp>(loc, l.offsets[k]),
              nb.create<arith::MulIOp>(loc, t, nb.create<arith::ConstantIndexOp>(loc, size)));
          packed = insertFlat(nb, loc, y, packed, offset);
        }
        SmallVector<Value> next;
        Value nextStep = nb.create<arith::AddIOp>(loc, step, one);
        for (int64_t k = 0; k < l.numCarry; ++k)
          next.push_back(
              insertSlot(nb, loc, values[body.outputs[k].value], carried[k], nextStep));
        next.push_back(packed);
        nb.create<scf::YieldOp>(loc, next);
      });

  Value packed = loop.getResults().back();
  for (int64_t k = 0; k < l.numCarry; ++k) {
    Value last = extractSlot(b, loc, loop.getResult(k), b.getIndexAttr(l.length));
    packed = insertFlat(b, loc, flatten(b, loc, last), packed, b.getIndexAttr(l.offsets[k]));
  }
  return packed;
}

} // namespace aec::lowering
