/// The convolutions for the GPU: each one linalg.generic over all its dims, in
/// gather form, so that it becomes one kernel with one thread per result
/// element (the CPU form, ConvLowerings.cpp, loops over taps and pixel rows on
/// the host around small vectorized tiles: thousands of launches on a GPU).
/// Padding is a zero-filled copy of the padded side, since an affine map cannot
/// skip the border; conv2d_transpose reads a dilated copy of its input (zeros
/// between the pixels) with the kernel flipped:
///
///   conv2d      y[b, o, q, f]  = sum_{i, j, c} xp[b, o s + i, q s + j, c] k[i, j, c, f]
///   kernel_grad dk[i, j, c, f] = sum_{b, o, q} xp[b, o s + i, q s + j, c] dy[b, o, q, f]
///   transpose   dx[b, y, x, c] = sum_{i, j, f} D[b, y + (kh-1-i) + e, x + (kw-1-j) + e, f]
///                                              k[i, j, c, f]
///
/// with xp = x shifted by `low` into zeros, and D[b, o s + off, q s + off, f] =
/// dy[b, o, q, f] (zeros elsewhere), off = max(0, kh-1-low), e = low + off -
/// (kh-1): D's element y + (kh-1-i) + e holds dy[o] exactly where y = o s + i -
/// low, i.e. where tap i of output o lands (conv2d's adjoint).
#include "passes/lowering/ConvLowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

namespace aec::lowering {

using namespace mlir;

namespace {

/// `source` [B, H, W, C] placed into zeros of `shape` at (offH, offW) with
/// pixel strides (sh, sw).
Value placeInZeros(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> shape,
                   int64_t offH, int64_t offW, int64_t sh, int64_t sw) {
  auto type = cast<RankedTensorType>(source.getType());
  Value zeros = zeroTensor(b, loc, RankedTensorType::get(shape, type.getElementType()));
  SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(offH),
                                       b.getIndexAttr(offW), b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes, strides = {b.getIndexAttr(1), b.getIndexAttr(sh),
                                              b.getIndexAttr(sw), b.getIndexAttr(1)};
  for (int64_t d : type.getShape())
    sizes.push_back(b.getIndexAttr(d));
  return b.create<tensor::InsertSliceOp>(loc, source, zeros, offsets, sizes, strides);
}

/// acc (zero-filled, `resultType`) += sum over the reduction dims of lhs * rhs.
Value sumOfProducts(EmitContext &c, Value lhs, Value rhs, ArrayRef<AffineMap> maps,
                    ArrayRef<utils::IteratorType> iterators) {
  Value acc = zeroTensor(c.b, c.loc, c.resultType);
  return c.b
      .create<linalg::GenericOp>(
          c.loc, TypeRange{c.resultType}, ValueRange{lhs, rhs}, ValueRange{acc}, maps,
          iterators,
          [&](OpBuilder &nb, Location loc, ValueRange a) {
            Value product = nb.create<arith::MulFOp>(loc, a[0], a[1]);
            nb.create<linalg::YieldOp>(loc, Value(nb.create<arith::AddFOp>(loc, a[2], product)));
          })
      .getResult(0);
}

/// x [B, H, W, C] padded for a conv with `kh` x `kw` taps to `out` [.., Ho, Wo, ..].
Value paddedInput(EmitContext &c, Value x, const ConvWindow &w, int64_t kh, int64_t kw,
                  ArrayRef<int64_t> out) {
  ArrayRef<int64_t> in = cast<RankedTensorType>(x.getType()).getShape();
  if (w.low[0] < 0 || w.low[1] < 0)
    fail(c.node.loc, "internal error: negative convolution padding on the GPU path");
  int64_t hp = std::max(in[1] + w.low[0], (out[1] - 1) * w.stride[0] + kh);
  int64_t wp = std::max(in[2] + w.low[1], (out[2] - 1) * w.stride[1] + kw);
  if (hp == in[1] && wp == in[2])
    return x;
  return placeInZeros(c.b, c.loc, x, {in[0], hp, wp, in[3]}, w.low[0], w.low[1], 1, 1);
}

using utils::IteratorType;
constexpr IteratorType P = IteratorType::parallel, R = IteratorType::reduction;

} // namespace

bool targetsGpu(OpBuilder &b) {
  Operation *op = b.getInsertionBlock()->getParentOp();
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op) : op->getParentOfType<ModuleOp>();
  auto target = module ? module->getAttrOfType<StringAttr>(TargetAttrName) : nullptr;
  return target && target.getValue() == "cuda";
}

Value emitConv2dGather(EmitContext &c) {
  ConvWindow w(c.node);
  Value k = c.operands[1];
  ArrayRef<int64_t> ks = cast<RankedTensorType>(k.getType()).getShape();
  Value xp = paddedInput(c, c.operands[0], w, ks[0], ks[1], c.resultType.getShape());
  MLIRContext *ctx = c.b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // dims (b, o, q, f, i, j, c)
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0, {d(0), d(1) * w.stride[0] + d(4), d(2) * w.stride[1] + d(5), d(6)}, ctx),
      AffineMap::get(7, 0, {d(4), d(5), d(6), d(3)}, ctx),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  return sumOfProducts(c, xp, k, maps, {P, P, P, P, R, R, R});
}

Value emitConv2dKernelGradGather(EmitContext &c) {
  ConvWindow w(c.node);
  Value dy = c.operands[1];
  ArrayRef<int64_t> ks = c.resultType.getShape();
  Value xp = paddedInput(c, c.operands[0], w, ks[0], ks[1],
                         cast<RankedTensorType>(dy.getType()).getShape());
  MLIRContext *ctx = c.b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // dims (i, j, c, f, b, o, q)
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0, {d(4), d(5) * w.stride[0] + d(0), d(6) * w.stride[1] + d(1), d(2)}, ctx),
      AffineMap::get(7, 0, {d(4), d(5), d(6), d(3)}, ctx),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  return sumOfProducts(c, xp, dy, maps, {P, P, P, P, R, R, R});
}

Value emitConv2dTransposeGather(EmitContext &c) {
  ConvWindow w(c.node);
  Value dy = c.operands[0], k = c.operands[1];
  ArrayRef<int64_t> in = cast<RankedTensorType>(dy.getType()).getShape(); // [B, Ho, Wo, F]
  ArrayRef<int64_t> ks = cast<RankedTensorType>(k.getType()).getShape();  // [kh, kw, C, F]
  ArrayRef<int64_t> out = c.resultType.getShape();                         // [B, H, W, C]
  int64_t offH = std::max<int64_t>(0, ks[0] - 1 - w.low[0]), offW = std::max<int64_t>(0, ks[1] - 1 - w.low[1]);
  int64_t eh = w.low[0] + offH - (ks[0] - 1), ew = w.low[1] + offW - (ks[1] - 1);
  int64_t hd = std::max(out[1] + ks[0] - 1 + eh, (in[1] - 1) * w.stride[0] + offH + 1);
  int64_t wd = std::max(out[2] + ks[1] - 1 + ew, (in[2] - 1) * w.stride[1] + offW + 1);
  Value dilated = placeInZeros(c.b, c.loc, dy, {in[0], hd, wd, in[3]}, offH, offW, w.stride[0], w.stride[1]);
  MLIRContext *ctx = c.b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto cst = [&](int64_t v) { return getAffineConstantExpr(v, ctx); };
  // dims (b, y, x, c, i, j, f)
  // The kernel indexed by plain dims (linalg derives the loop bounds from them),
  // the flip moved into D's index: tap i reads D[y + (kh-1-i) + e].
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0, {d(0), d(1) - d(4) + cst(ks[0] - 1 + eh), d(2) - d(5) + cst(ks[1] - 1 + ew), d(6)}, ctx),
      AffineMap::get(7, 0, {d(4), d(5), d(3), d(6)}, ctx),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  return sumOfProducts(c, dilated, k, maps, {P, P, P, P, R, R, R});
}

} // namespace aec::lowering
