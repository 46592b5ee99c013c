/// pad, slice and concat without strided views escaping. A slice is a strided
/// view copied (linalg.copy) into a fresh tensor; pad and concat linalg.copy
/// each operand into its (strided) window of the result, which one-shot
/// bufferization writes in place.
///
/// Why so: a strided view that reaches a function result or a reshape, or an
/// insert_slice of a computed tensor, bufferizes to memref.copy between strided
/// buffers, which lowers to a call into the MLIR C runner library (memrefCopy)
/// that trainers do not link. The linalg.copy into the window survives fusion
/// because aec-fuse-elementwise never propagates a reshape source through it
/// (upstream's pass would, leaving an identity generic that canonicalization
/// erases, and the bare insert_slice). A generic that writes the window would
/// not do: canonicalization replaces an outs operand the body never reads with
/// tensor.empty.
#include "passes/lowering/GatherLowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace aec::lowering {

using namespace mlir;

namespace {
/// Index attributes for static offsets / sizes / strides.
SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

/// Writes `src` into `dest` at `offsets` with `strides`: linalg.copy into the
/// extract_slice window of `dest`, inserted back at the same place.
Value copyInto(OpBuilder &b, Location loc, Value src, Value dest,
               ArrayRef<int64_t> offsets, ArrayRef<int64_t> strides) {
  // A slice: copy from its view rather than from its materialized copy, which
  // then dies when nothing else reads it (im2col's window slices are each read
  // once, by the patch concat).
  if (auto sliceCopy = src.getDefiningOp<linalg::CopyOp>())
    if (sliceCopy.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
      if (auto view = sliceCopy.getDpsInputs()[0]
                          .getDefiningOp<tensor::ExtractSliceOp>())
        src = view.getResult();
  auto srcType = cast<RankedTensorType>(src.getType());
  SmallVector<OpFoldResult> offs = indexAttrs(b, offsets),
                            sizes = indexAttrs(b, srcType.getShape()),
                            steps = indexAttrs(b, strides);
  Value window =
      b.create<tensor::ExtractSliceOp>(loc, srcType, dest, offs, sizes, steps);
  Value copied =
      b.create<linalg::CopyOp>(loc, ValueRange{src}, ValueRange{window})
          .getResult(0);
  return b.create<tensor::InsertSliceOp>(loc, copied, dest, offs, sizes, steps);
}
} // namespace

/// Fill with the pad value, then copy the operand in at offset `low` with
/// stride interior + 1.
Value emitPad(EmitContext &c) {
  std::vector<int64_t> strides = c.node.attrs.getInts("interior", c.node.loc);
  for (int64_t &s : strides)
    s += 1;
  RankedTensorType type = c.resultType;
  Value value = c.b.create<arith::ConstantOp>(
      c.loc, c.b.getFloatAttr(type.getElementType(),
                              c.node.attrs.getFloat("value", c.node.loc)));
  Value filled =
      c.b.create<linalg::FillOp>(c.loc, ValueRange{value},
                                 ValueRange{emptyLike(c.b, c.loc, type)})
          .getResult(0);
  return copyInto(c.b, c.loc, c.operands[0], filled,
                  c.node.attrs.getInts("low", c.node.loc), strides);
}

/// A strided view of the operand copied into a fresh tensor. Not a generic with
/// input map start + stride * i: linalg infers loop bounds from a pure-dim
/// input map (stride 1, start 0), so a shortened slice would not verify.
Value emitSlice(EmitContext &c) {
  const std::vector<int64_t> &start = c.node.attrs.getInts("start", c.node.loc);
  const std::vector<int64_t> &strides =
      c.node.attrs.getInts("strides", c.node.loc);
  Value view = c.b.create<tensor::ExtractSliceOp>(
      c.loc, c.resultType, c.operands[0], indexAttrs(c.b, start),
      indexAttrs(c.b, c.resultType.getShape()), indexAttrs(c.b, strides));
  return c.b
      .create<linalg::CopyOp>(c.loc, ValueRange{view},
                              ValueRange{emptyLike(c.b, c.loc, c.resultType)})
      .getResult(0);
}

/// Each operand copied to its offset along the axis of one fresh tensor.
Value emitConcat(EmitContext &c) {
  int64_t axis = c.node.attrs.getInt("axis", c.node.loc);
  int64_t rank = c.resultType.getRank();
  Value dest = emptyLike(c.b, c.loc, c.resultType);
  SmallVector<int64_t> offsets(rank, 0), unit(rank, 1);
  for (Value part : c.operands) {
    dest = copyInto(c.b, c.loc, part, dest, offsets, unit);
    offsets[axis] += cast<RankedTensorType>(part.getType()).getDimSize(axis);
  }
  return dest;
}

} // namespace aec::lowering
