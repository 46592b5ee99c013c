/// Direct convolutions (conv2d, conv2d_transpose, conv2d_kernel_grad;
/// ir/ops/Conv.cpp) without patch matrices or padded copies. Each is a sum over
/// the kernel's taps (i, j) of one small contraction on strided views: the
/// tap's output pixels whose input pixel is real (tapRange; padding is never
/// visited), e.g. for conv2d
///
///   y[b, ho, wo, :] += x[b, ho s + i - low, wo s + j - low, :] x k[i, j] ([C,
///   F])
///
/// accumulated in place into extract_slice windows of the zero-filled result
/// (one-shot bufferization turns them into subviews, so no tap copies
/// anything). The taps are a loop (scf.for over i and j, each tap's pixel range
/// computed at run time), not unrolled: one convolution is one or two
/// vectorized kernels whatever its kernel size, which keeps the machine code and
/// the compile time small. The three ops share one contraction shape, [B, h,
/// w, P] x [P, Q] -> [B, h, w, Q] for conv2d and conv2d_transpose (whose kernel
/// is transposed once, a few KB) and [B, h, w, C]^T x [B, h, w, F] -> [C, F]
/// for the kernel gradient; the innermost loop always runs along a contiguous
/// channels-last dim of the result and of a kernel row, so it vectorizes.
#include "passes/lowering/ConvLowerings.h"
#include "ir/Window.h"
#include "passes/lowering/AecPasses.h"
#include "passes/lowering/MatmulPlan.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <array>

namespace aec::lowering {

using namespace mlir;

ConvWindow::ConvWindow(const Node &n) {
  const std::vector<int64_t> &s = n.attrs.getInts("strides", n.loc);
  const std::vector<int64_t> &l = n.attrs.getInts("pad_low", n.loc);
  stride = {s[0], s[1]};
  low = {l[0], l[1]};
}

Value zeroTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  Value zero = b.create<arith::ConstantOp>(loc, b.getFloatAttr(type.getElementType(), 0.0));
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<linalg::FillOp>(loc, ValueRange{zero}, ValueRange{empty}).getResult(0);
}

namespace {
using Window = ConvWindow;

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

/// A window of `source` (offsets and sizes static or dynamic, static strides);
/// `type` may drop unit dims (a kernel tap [1, 1, C, F] read as [C, F]).
Value window(OpBuilder &b, Location loc, Value source, RankedTensorType type,
             ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
             ArrayRef<int64_t> strides) {
  return b.create<tensor::ExtractSliceOp>(loc, type, source, offsets, sizes,
                                          indexAttrs(b, strides));
}

/// `value` written back into `dest` where window() read it.
Value insertWindow(OpBuilder &b, Location loc, Value value, Value dest,
                   ArrayRef<OpFoldResult> offsets,
                   ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> strides) {
  return b.create<tensor::InsertSliceOp>(loc, value, dest, offsets, sizes,
                                         indexAttrs(b, strides));
}

/// `map` applied to `operands` (affine, so that it folds where they are
/// constant and lowers to plain index arithmetic where not).
Value apply(OpBuilder &b, Location loc, AffineExpr expr, ValueRange operands) {
  auto map = AffineMap::get(operands.size(), 0, expr);
  return b.create<affine::AffineApplyOp>(loc, map, operands);
}

/// An scf.for from `lb` to `ub` by `step` that threads `acc` through `body`.
Value loop(OpBuilder &b, Location loc, Value lb, Value ub, int64_t step,
           Value acc, function_ref<Value(OpBuilder &, Value, Value)> body) {
  Value stepValue = b.create<arith::ConstantIndexOp>(loc, step);
  auto forOp = b.create<scf::ForOp>(
      loc, lb, ub, stepValue, ValueRange{acc},
      [&](OpBuilder &nested, Location loc, Value iv, ValueRange args) {
        nested.create<scf::YieldOp>(loc, body(nested, iv, args[0]));
      });
  return forOp.getResult(0);
}

Value constIndex(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantIndexOp>(loc, v);
}

/// The outputs o of one dim whose tap `tap` (a loop index) reads a real input
/// element, o s + tap - low in [0, in): `count` of them from `first`, both
/// computed at run time (ir/Window.h's convTapRange, in index arithmetic).
struct DynamicTapRange {
  Value first, count;
};
DynamicTapRange tapRange(OpBuilder &b, Location loc, int64_t in, int64_t out,
                  Value tap, int64_t stride, int64_t low) {
  MLIRContext *ctx = b.getContext();
  AffineExpr t = getAffineDimExpr(0, ctx);
  auto cst = [&](int64_t v) { return getAffineConstantExpr(v, ctx); };
  Value first = b.create<affine::AffineMaxOp>(
      loc, AffineMap::get(1, 0, {(cst(low) - t).ceilDiv(stride), cst(0)}, ctx),
      ValueRange{tap});
  Value last = b.create<affine::AffineMinOp>(
      loc,
      AffineMap::get(1, 0, {(cst(in - 1 + low) - t).floorDiv(stride), cst(out - 1)},
                     ctx),
      ValueRange{tap});
  AffineExpr f = getAffineDimExpr(0, ctx), l = getAffineDimExpr(1, ctx);
  Value count = b.create<affine::AffineMaxOp>(
      loc, AffineMap::get(2, 0, {l - f + 1, cst(0)}, ctx),
      ValueRange{first, last});
  return {first, count};
}

/// The input index o s + tap - low of output o (a real pixel for o in the tap's
/// range).
Value inputIndex(OpBuilder &b, Location loc, Value o, Value tap, int64_t stride,
                 int64_t low) {
  MLIRContext *ctx = b.getContext();
  AffineExpr oe = getAffineDimExpr(0, ctx), te = getAffineDimExpr(1, ctx);
  return apply(b, loc, oe * stride + te - low, {o, tap});
}

/// inputIndex of a tap's first output, clamped into [0, in) so that the window
/// of a tap with no real pixels (its count 0) still starts inside the input.
Value firstInputIndex(OpBuilder &b, Location loc, Value first, Value tap,
                      int64_t stride, int64_t low, int64_t in) {
  MLIRContext *ctx = b.getContext();
  AffineExpr d = getAffineDimExpr(0, ctx);
  Value low0 = b.create<affine::AffineMaxOp>(
      loc, AffineMap::get(1, 0, {d, getAffineConstantExpr(0, ctx)}, ctx),
      ValueRange{inputIndex(b, loc, first, tap, stride, low)});
  return b.create<affine::AffineMinOp>(
      loc, AffineMap::get(1, 0, {d, getAffineConstantExpr(in - 1, ctx)}, ctx),
      ValueRange{low0});
}

/// Loops over the taps (i, j) of a [kh, kw] kernel threading `acc`.
Value forEachTap(OpBuilder &b, Location loc, int64_t kh, int64_t kw, Value acc,
                 function_ref<Value(OpBuilder &, Value, Value, Value)> body) {
  Value zero = constIndex(b, loc, 0);
  return loop(b, loc, zero, constIndex(b, loc, kh), 1, acc,
              [&](OpBuilder &b, Value i, Value acc) {
                Value zero = constIndex(b, loc, 0);
                return loop(b, loc, zero, constIndex(b, loc, kw), 1, acc,
                            [&](OpBuilder &b, Value j, Value acc) {
                              return body(b, i, j, acc);
                            });
              });
}

RankedTensorType tensorOf(Type element, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, element);
}

/// acc += sum over the reduction dims of lhs * rhs: a linalg.generic over five
/// dims (b, h, w, p, q) with the given maps and iterator kinds. Multiply and
/// add may fuse into an FMA (contract), as the vectorized matmul tiles do.
Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs, Value acc,
               ArrayRef<AffineMap> maps,
               ArrayRef<utils::IteratorType> iterators,
               ArrayRef<int64_t> tile) {
  auto contractFlag = arith::FastMathFlagsAttr::get(
      b.getContext(), arith::FastMathFlags::contract);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{acc.getType()}, ValueRange{lhs, rhs}, ValueRange{acc},
      maps, iterators, [&](OpBuilder &b, Location loc, ValueRange a) {
        Value product = b.create<arith::MulFOp>(loc, a[0], a[1], contractFlag);
        b.create<linalg::YieldOp>(loc, Value(b.create<arith::AddFOp>(
                                           loc, a[2], product, contractFlag)));
      });
  if (!tile.empty())
    generic->setAttr(ConvTileAttrName, b.getDenseI64ArrayAttr(tile));
  return generic.getResult(0);
}

/// The maps of [B, h, w, P] x [P, Q] -> [B, h, w, Q] over dims (b, h, w, q, p):
/// the reduction last, so that its tile loop is innermost and the accumulator
/// tile stays in registers (aec-tile-convs).
SmallVector<AffineMap> imageTimesTapMaps(MLIRContext *ctx) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  return {AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx),
          AffineMap::get(5, 0, {d(4), d(3)}, ctx),
          AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

/// Output pixels along a row per register tile of an image convolution, from 8
/// down to 4: the one that leaves the fewest pixels over (the larger on a tie)
/// across the taps' column counts, which are static (a tap's last columns, fewer
/// than a tile, go one pixel at a time, at about half the speed). E.g. 7 for
/// 64 columns and a 3x3 `same` kernel (63, 64, 63 columns: 1 left over, 15 with 8).
int64_t pixelTile(const Window &w, int64_t in, int64_t out, int64_t kw) {
  int64_t best = 8, bestLeft = -1;
  for (int64_t tile = 8; tile >= 4; --tile) {
    int64_t left = 0;
    for (int64_t j = 0; j < kw; ++j)
      left += convTapRange(in, out, j, w.stride[1], w.low[1]).count % tile;
    if (bestLeft < 0 || left < bestLeft) {
      best = tile;
      bestLeft = left;
    }
  }
  return best;
}

/// Tile of the output channels dim, the vector lanes of the outer products: up
/// to 32 lanes; a dim narrower than 4 (a conv to 1 filter) whole, as a unit dim
/// that the tile drops, leaving a matrix-vector product.
int64_t channelTile(int64_t size) {
  return size < 4 ? size : pickTile(size, 32, size >= 16 ? 16 : 4);
}

/// Depth of one step of a reduction loop: aec-tile-convs keeps the
/// accumulator tile in registers across the loop, so a short step costs
/// little and keeps the unrolled code (and compile time) small.
constexpr int64_t ReductionTile = 4;

/// Channel counts below which a tap stays a scalar loop nest: no dim to
/// vectorize.
bool tooNarrow(int64_t p, int64_t q) { return p < 4 && q < 4; }

/// The image convolutions' contraction of one tap, `pixels` output pixels of
/// row `oh` from column `ow` of batch element `bi`: [1, 1, pixels, P] x [P, Q]
/// accumulated into its window of `acc`.
struct ImageTap {
  const Window &w;
  Value lhs, taps;      ///< [B, ., ., P] and the [kh, kw, P, Q] tap matrices
  bool accIsImage;      ///< conv2d_transpose: the strided side is the result
  ArrayRef<int64_t> image; ///< the strided side's shape [B, H, W, .]
  int64_t p, q;
  Type element;

  Value operator()(OpBuilder &b, Location loc, Value acc, Value bi, Value i,
                   Value j, Value oh, Value ow, int64_t pixels) const {
    SmallVector<OpFoldResult> outAt = {bi, oh, ow, b.getIndexAttr(0)},
                              imageAt = {bi,
                                         inputIndex(b, loc, oh, i, w.stride[0], w.low[0]),
                                         inputIndex(b, loc, ow, j, w.stride[1], w.low[1]),
                                         b.getIndexAttr(0)};
    SmallVector<int64_t> imageSteps = {1, w.stride[0], w.stride[1], 1},
                         unit = {1, 1, 1, 1};
    SmallVector<OpFoldResult> lhsSizes = indexAttrs(b, {1, 1, pixels, p}),
                              accSizes = indexAttrs(b, {1, 1, pixels, q});
    Value lhsView =
        window(b, loc, lhs, tensorOf(element, {1, 1, pixels, p}),
               accIsImage ? outAt : imageAt, lhsSizes,
               accIsImage ? unit : imageSteps);
    Value tap = window(b, loc, taps, tensorOf(element, {p, q}),
                       {i, j, b.getIndexAttr(0), b.getIndexAttr(0)},
                       indexAttrs(b, {1, 1, p, q}), unit);
    ArrayRef<OpFoldResult> accAt = accIsImage ? imageAt : outAt;
    ArrayRef<int64_t> accSteps = accIsImage ? imageSteps : unit;
    Value accView = window(b, loc, acc, tensorOf(element, {1, 1, pixels, q}),
                           accAt, accSizes, accSteps);
    SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
    iterators[4] = utils::IteratorType::reduction;
    // b, h and w are the tile already; aec-tile-convs tiles q and p.
    SmallVector<int64_t> tile;
    if (!tooNarrow(p, q))
      tile = {0, 0, 0, channelTile(q), pickTile(p, ReductionTile, 1)};
    Value sum = contract(b, loc, lhsView, tap, accView,
                         imageTimesTapMaps(b.getContext()), iterators, tile);
    return insertWindow(b, loc, sum, acc, accAt, accSizes, accSteps);
  }
};

/// Sum over taps of image-side view x tap matrix into the out-side view of the
/// accumulator, for conv2d (image = lhs, strided) and conv2d_transpose (image =
/// acc, strided). `taps` is [kh, kw, P, Q] with P the lhs channels. Per tap,
/// row by row: whole register tiles of pixelTile() columns, then the rest one
/// pixel at a time.
Value imageTimesTaps(EmitContext &c, Value lhs, Value taps, bool accIsImage) {
  Location loc = c.loc;
  Window w(c.node);
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto tapsType = cast<RankedTensorType>(taps.getType());
  ArrayRef<int64_t> image =
      accIsImage ? c.resultType.getShape() : lhsType.getShape();
  ArrayRef<int64_t> out =
      accIsImage ? lhsType.getShape() : c.resultType.getShape();
  ImageTap tapTile{w,
                   lhs,
                   taps,
                   accIsImage,
                   image,
                   tapsType.getDimSize(2),
                   tapsType.getDimSize(3),
                   c.resultType.getElementType()};
  MLIRContext *ctx = c.b.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  const int64_t pixels = pixelTile(w, image[2], out[2], tapsType.getDimSize(1));
  Value acc = zeroTensor(c.b, loc, c.resultType);
  return forEachTap(
      c.b, loc, tapsType.getDimSize(0), tapsType.getDimSize(1), acc,
      [&](OpBuilder &b, Value i, Value j, Value acc) {
        DynamicTapRange rows = tapRange(b, loc, image[1], out[1], i, w.stride[0], w.low[0]);
        DynamicTapRange cols = tapRange(b, loc, image[2], out[2], j, w.stride[1], w.low[1]);
        Value whole = apply(b, loc, d0 - d0 % pixels, {cols.count});
        Value zero = constIndex(b, loc, 0);
        return loop(b, loc, zero, constIndex(b, loc, image[0]), 1, acc,
                    [&](OpBuilder &b, Value bi, Value acc) {
          return loop(b, loc, zero, rows.count, 1, acc,
                      [&](OpBuilder &b, Value r, Value acc) {
            Value oh = apply(b, loc, d0 + d1, {rows.first, r});
            auto columns = [&](Value from, Value to, int64_t pixels, Value acc) {
              return loop(b, loc, from, to, pixels, acc,
                          [&](OpBuilder &b, Value col, Value acc) {
                Value ow = apply(b, loc, d0 + d1, {cols.first, col});
                return tapTile(b, loc, acc, bi, i, j, oh, ow, pixels);
              });
            };
            acc = columns(zero, whole, pixels, acc);
            return columns(whole, cols.count, 1, acc);
          });
        });
      });
}
} // namespace

Value emitConv2d(EmitContext &c) {
  if (targetsGpu(c.b))
    return emitConv2dGather(c);
  return imageTimesTaps(c, c.operands[0], c.operands[1], /*accIsImage=*/false);
}

/// The kernel [kh, kw, C, F] transposed to [kh, kw, F, C] first, so the
/// innermost loop runs along C, contiguous in both the kernel row and the
/// result.
Value emitConv2dTranspose(EmitContext &c) {
  if (targetsGpu(c.b))
    return emitConv2dTransposeGather(c);
  Value k = c.operands[1];
  auto kType = cast<RankedTensorType>(k.getType());
  ArrayRef<int64_t> ks = kType.getShape();
  auto tType = tensorOf(kType.getElementType(), {ks[0], ks[1], ks[3], ks[2]});
  Value empty = c.b.create<tensor::EmptyOp>(c.loc, tType.getShape(),
                                            tType.getElementType());
  Value kt = c.b.create<linalg::TransposeOp>(c.loc, k, empty,
                                             ArrayRef<int64_t>{0, 1, 3, 2})
                 .getResult()[0];
  return imageTimesTaps(c, c.operands[0], kt, /*accIsImage=*/true);
}

/// dk[i, j] = sum over the tap's pixels of x view^T x y view: [C, F] per tap,
/// reducing over (b, h, w), the tap's pixel range dynamic (tiles of one pixel
/// need no static extent), with the [C, F] tile in registers throughout.
Value emitConv2dKernelGrad(EmitContext &c) {
  if (targetsGpu(c.b))
    return emitConv2dKernelGradGather(c);
  Location loc = c.loc;
  Window w(c.node);
  Value x = c.operands[0], y = c.operands[1];
  ArrayRef<int64_t> image = cast<RankedTensorType>(x.getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(y.getType()).getShape();
  ArrayRef<int64_t> ks = c.resultType.getShape();
  Type element = c.resultType.getElementType();
  int64_t batch = image[0], ch = ks[2], f = ks[3];
  MLIRContext *ctx = c.b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Dims (b, h, c, f, w), the loops in that order: per row of pixels (a few
  // KB of x and y, which stay in cache), every [C, F] tile reduces over the
  // row's pixels with its accumulator in registers. With the pixels innermost
  // across all rows, each tile streamed the whole of x and y from memory (C/8
  // x F/32 times; 70% of speckle_dae's kernel-gradient time in the loads).
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {d(0), d(1), d(4), d(2)}, ctx),
      AffineMap::get(5, 0, {d(0), d(1), d(4), d(3)}, ctx),
      AffineMap::get(5, 0, {d(2), d(3)}, ctx)};
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::reduction);
  iterators[2] = iterators[3] = utils::IteratorType::parallel;
  // C rows x F lanes of accumulators; with one filter, up to 16 rows of a
  // matrix-vector product.
  SmallVector<int64_t> tile;
  if (!tooNarrow(ch, f))
    tile = {1, 1, pickTile(ch, f < 4 ? 16 : 8, 1), channelTile(f), 1};
  Value acc = zeroTensor(c.b, loc, c.resultType);
  return forEachTap(
      c.b, loc, ks[0], ks[1], acc, [&](OpBuilder &b, Value i, Value j, Value acc) {
        DynamicTapRange rows = tapRange(b, loc, image[1], out[1], i, w.stride[0], w.low[0]);
        DynamicTapRange cols = tapRange(b, loc, image[2], out[2], j, w.stride[1], w.low[1]);
        OpFoldResult zero = b.getIndexAttr(0);
        SmallVector<OpFoldResult> xAt = {zero,
                                         firstInputIndex(b, loc, rows.first, i, w.stride[0],
                                                    w.low[0], image[1]),
                                         firstInputIndex(b, loc, cols.first, j, w.stride[1],
                                                    w.low[1], image[2]),
                                         zero},
                                  yAt = {zero, rows.first, cols.first, zero};
        SmallVector<OpFoldResult> xSizes = {b.getIndexAttr(batch), rows.count,
                                            cols.count, b.getIndexAttr(ch)},
                                  ySizes = {b.getIndexAttr(batch), rows.count,
                                            cols.count, b.getIndexAttr(f)};
        int64_t dyn = ShapedType::kDynamic;
        Value xView = window(b, loc, x, tensorOf(element, {batch, dyn, dyn, ch}),
                             xAt, xSizes, {1, w.stride[0], w.stride[1], 1});
        Value yView = window(b, loc, y, tensorOf(element, {batch, dyn, dyn, f}),
                             yAt, ySizes, {1, 1, 1, 1});
        SmallVector<OpFoldResult> tapAt = {i, j, zero, zero},
                                  tapSizes = indexAttrs(b, {1, 1, ch, f});
        Value tap = window(b, loc, acc, tensorOf(element, {ch, f}), tapAt,
                           tapSizes, {1, 1, 1, 1});
        Value sum = contract(b, loc, xView, yView, tap, maps, iterators, tile);
        return insertWindow(b, loc, sum, acc, tapAt, tapSizes, {1, 1, 1, 1});
      });
}

} // namespace aec::lowering
