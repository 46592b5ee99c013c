/// Direct convolutions (conv2d, conv2d_transpose, conv2d_kernel_grad;
/// ir/ops/Conv.cpp) without patch matrices or padded copies. Each is a sum over
/// the kernel's taps (i, j) of one small contraction on strided views: the
/// tap's output pixels whose input pixel is real (convTapRange; padding is
/// never visited), e.g. for conv2d
///
///   y[b, ho, wo, :] += x[b, ho s + i - low, wo s + j - low, :] x k[i, j] ([C,
///   F])
///
/// accumulated in place into an extract_slice window of the zero-filled result
/// (one-shot bufferization turns the window into a subview, so no tap copies
/// anything). The three ops share one contraction shape, [B, h, w, P] x [P, Q]
/// -> [B, h, w, Q] for conv2d and conv2d_transpose (whose kernel is transposed
/// once, a few KB) and [B, h, w, C]^T x [B, h, w, F] -> [C, F] for the kernel
/// gradient; the innermost loop always runs along a contiguous channels-last
/// dim of the result and of a kernel row, so LLVM vectorizes it.
#include "passes/lowering/ConvLowerings.h"
#include "ir/Window.h"
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <array>

namespace aec::lowering {

using namespace mlir;

namespace {
using Pair = std::array<int64_t, 2>;

/// The window attributes of a convolution node.
struct Window {
  Pair stride, low;
  explicit Window(const Node &n) {
    const std::vector<int64_t> &s = n.attrs.getInts("strides", n.loc);
    const std::vector<int64_t> &l = n.attrs.getInts("pad_low", n.loc);
    stride = {s[0], s[1]};
    low = {l[0], l[1]};
  }
};

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

/// A static window of `source`: offsets, sizes and strides per dim; `type` may
/// drop unit dims (a kernel tap [1, 1, C, F] read as [C, F]).
Value window(OpBuilder &b, Location loc, Value source, RankedTensorType type,
             ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
             ArrayRef<int64_t> strides) {
  return b.create<tensor::ExtractSliceOp>(
      loc, type, source, indexAttrs(b, offsets), indexAttrs(b, sizes),
      indexAttrs(b, strides));
}

Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  Value zero = b.create<arith::ConstantOp>(
      loc, b.getFloatAttr(type.getElementType(), 0.0));
  Value empty =
      b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b.create<linalg::FillOp>(loc, ValueRange{zero}, ValueRange{empty})
      .getResult(0);
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

/// The largest divisor of `size` not above `max`, preferring multiples of
/// `quantum` (whole SIMD vectors): static tiles need no masks.
int64_t pickTile(int64_t size, int64_t max, int64_t quantum) {
  int64_t best = 1;
  for (int64_t d = std::min(size, max); d >= 1; --d) {
    if (size % d != 0)
      continue;
    if (d % quantum == 0)
      return d;
    best = std::max(best, d);
  }
  return best;
}

/// Tile of the output channels dim, the vector lanes of the outer products: up
/// to 32 lanes; a dim narrower than 4 (a conv to 1 filter) whole, as a unit dim
/// that the tile drops, leaving a matrix-vector product.
int64_t channelTile(int64_t size) {
  return size < 4 ? size : pickTile(size, 32, size >= 16 ? 16 : 4);
}

/// Channel counts below which a tap stays a scalar loop nest: no dim to
/// vectorize.
bool tooNarrow(int64_t p, int64_t q) { return p < 4 && q < 4; }

/// The tap's output columns in pieces: a multiple of PixelTile, then the rest,
/// so each piece tiles statically by min(PixelTile, its length).
constexpr int64_t PixelTile = 8;
SmallVector<TapRange> columnPieces(TapRange cols) {
  int64_t main = cols.count - cols.count % PixelTile;
  SmallVector<TapRange> pieces;
  if (main > 0)
    pieces.push_back({cols.first, main});
  if (cols.count > main)
    pieces.push_back({cols.first + main, cols.count - main});
  return pieces;
}

/// Rows and columns of a tap's real pixels (or a piece of them).
struct TapPixels {
  TapRange rows, cols;
  /// Offsets of the first image pixel of the tap (the strided side).
  int64_t imageRow(const Window &w, int64_t i) const {
    return rows.first * w.stride[0] + i - w.low[0];
  }
  int64_t imageCol(const Window &w, int64_t j) const {
    return cols.first * w.stride[1] + j - w.low[1];
  }
};

/// The real pixels of tap (i, j) in pieces along the columns (columnPieces);
/// none when the tap reads padding only.
SmallVector<TapPixels> tapPieces(ArrayRef<int64_t> image, ArrayRef<int64_t> out,
                                 const Window &w, int64_t i, int64_t j) {
  TapRange rows = convTapRange(image[1], out[1], i, w.stride[0], w.low[0]);
  TapRange cols = convTapRange(image[2], out[2], j, w.stride[1], w.low[1]);
  SmallVector<TapPixels> pieces;
  if (rows.count > 0)
    for (TapRange piece : columnPieces(cols))
      pieces.push_back({rows, piece});
  return pieces;
}

/// Sum over taps of image-side view x tap matrix into the out-side view of the
/// accumulator, for conv2d (image = lhs, strided) and conv2d_transpose (image =
/// acc, strided). `taps` is [kh, kw, P, Q] with P the lhs channels.
Value imageTimesTaps(EmitContext &c, Value lhs, Value taps, bool accIsImage) {
  OpBuilder &b = c.b;
  Location loc = c.loc;
  Window w(c.node);
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto tapsType = cast<RankedTensorType>(taps.getType());
  Type element = c.resultType.getElementType();
  ArrayRef<int64_t> image =
      accIsImage ? c.resultType.getShape() : lhsType.getShape();
  ArrayRef<int64_t> out =
      accIsImage ? lhsType.getShape() : c.resultType.getShape();
  int64_t batch = image[0], p = tapsType.getDimSize(2),
          q = tapsType.getDimSize(3);
  SmallVector<AffineMap> maps = imageTimesTapMaps(b.getContext());
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators[4] = utils::IteratorType::reduction;
  int64_t qTile = channelTile(q);
  Value acc = zeros(b, loc, c.resultType);
  for (int64_t i = 0; i < tapsType.getDimSize(0); ++i)
    for (int64_t j = 0; j < tapsType.getDimSize(1); ++j)
      for (const TapPixels &t : tapPieces(image, out, w, i, j)) {
        SmallVector<int64_t> tile;
        if (!tooNarrow(p, q))
          tile = {1, 1, std::min(PixelTile, t.cols.count), qTile,
                  pickTile(p, 16, 1)};
        SmallVector<int64_t> imageAt = {0, t.imageRow(w, i), t.imageCol(w, j),
                                        0},
                             outAt = {0, t.rows.first, t.cols.first, 0},
                             imageSteps = {1, w.stride[0], w.stride[1], 1},
                             unit = {1, 1, 1, 1};
        SmallVector<int64_t> lhsSizes = {batch, t.rows.count, t.cols.count, p},
                             accSizes = {batch, t.rows.count, t.cols.count, q};
        Value lhsView = window(b, loc, lhs, tensorOf(element, lhsSizes),
                               accIsImage ? outAt : imageAt, lhsSizes,
                               accIsImage ? unit : imageSteps);
        Value tap = window(b, loc, taps, tensorOf(element, {p, q}),
                           {i, j, 0, 0}, {1, 1, p, q}, {1, 1, 1, 1});
        ArrayRef<int64_t> accAt = accIsImage ? imageAt : outAt;
        ArrayRef<int64_t> accSteps = accIsImage ? imageSteps : unit;
        auto accType = tensorOf(element, accSizes);
        Value accView = window(b, loc, acc, accType, accAt, accSizes, accSteps);
        Value sum =
            contract(b, loc, lhsView, tap, accView, maps, iterators, tile);
        acc = b.create<tensor::InsertSliceOp>(
            loc, sum, acc, indexAttrs(b, accAt), indexAttrs(b, accSizes),
            indexAttrs(b, accSteps));
      }
  return acc;
}
} // namespace

Value emitConv2d(EmitContext &c) {
  return imageTimesTaps(c, c.operands[0], c.operands[1], /*accIsImage=*/false);
}

/// The kernel [kh, kw, C, F] transposed to [kh, kw, F, C] first, so the
/// innermost loop runs along C, contiguous in both the kernel row and the
/// result.
Value emitConv2dTranspose(EmitContext &c) {
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
/// reducing over (b, h, w) with the innermost loop along F.
Value emitConv2dKernelGrad(EmitContext &c) {
  OpBuilder &b = c.b;
  Location loc = c.loc;
  Window w(c.node);
  Value x = c.operands[0], y = c.operands[1];
  ArrayRef<int64_t> image = cast<RankedTensorType>(x.getType()).getShape();
  ArrayRef<int64_t> out = cast<RankedTensorType>(y.getType()).getShape();
  ArrayRef<int64_t> ks = c.resultType.getShape();
  Type element = c.resultType.getElementType();
  int64_t batch = image[0], ch = ks[2], f = ks[3];
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  // Dims (c, f, b, h, w): the reductions last (see imageTimesTapMaps).
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {d(2), d(3), d(4), d(0)}, ctx),
      AffineMap::get(5, 0, {d(2), d(3), d(4), d(1)}, ctx),
      AffineMap::get(5, 0, {d(0), d(1)}, ctx)};
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::reduction);
  iterators[0] = iterators[1] = utils::IteratorType::parallel;
  int64_t fTile = channelTile(f);
  Value acc = zeros(b, loc, c.resultType);
  for (int64_t i = 0; i < ks[0]; ++i)
    for (int64_t j = 0; j < ks[1]; ++j)
      for (const TapPixels &t : tapPieces(image, out, w, i, j)) {
        // Reducing over pixels: C rows x F lanes of accumulators; with one
        // filter, up to 16 rows of a matrix-vector product.
        SmallVector<int64_t> tile;
        if (!tooNarrow(ch, f))
          tile = {pickTile(ch, f < 4 ? 16 : 8, 1), fTile, 1, 1,
                  std::min(PixelTile, t.cols.count)};
        SmallVector<int64_t> xSizes = {batch, t.rows.count, t.cols.count, ch},
                             ySizes = {batch, t.rows.count, t.cols.count, f};
        Value xView = window(b, loc, x, tensorOf(element, xSizes),
                             {0, t.imageRow(w, i), t.imageCol(w, j), 0}, xSizes,
                             {1, w.stride[0], w.stride[1], 1});
        Value yView =
            window(b, loc, y, tensorOf(element, ySizes),
                   {0, t.rows.first, t.cols.first, 0}, ySizes, {1, 1, 1, 1});
        SmallVector<int64_t> tapAt = {i, j, 0, 0}, tapSizes = {1, 1, ch, f},
                             unit = {1, 1, 1, 1};
        Value tap = window(b, loc, acc, tensorOf(element, {ch, f}), tapAt,
                           tapSizes, unit);
        Value sum = contract(b, loc, xView, yView, tap, maps, iterators, tile);
        acc = b.create<tensor::InsertSliceOp>(
            loc, sum, acc, indexAttrs(b, tapAt), indexAttrs(b, tapSizes),
            indexAttrs(b, unit));
      }
  return acc;
}

} // namespace aec::lowering
