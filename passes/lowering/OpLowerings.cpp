/// Per-op MLIR emitters: one short function per graph op, registered by op
/// name. Every emitter produces tensors (linalg on tensors, tensor reshapes,
/// arith constants), so the pipeline alone decides buffers and loops.
#include "passes/lowering/ConvLowerings.h"
#include "passes/lowering/GatherLowerings.h"
#include "passes/lowering/Lowering.h"
#include "passes/lowering/MLIRLowering.h"
#include "passes/lowering/MatmulPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <limits>
#include <map>

namespace aec::lowering {

namespace {
using namespace mlir;

/// Scalar body of an elementwise op: operand scalars in, result scalar out.
using ScalarFn =
    std::function<Value(OpBuilder &b, Location loc, ValueRange args)>;

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
}

/// A fresh tensor of `type`; linalg ops write into it.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

/// A zero-filled tensor of `type`: the accumulator of contractions and
/// reductions.
Value zeroTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  Value zero = floatConst(b, loc, type.getElementType(), 0.0);
  return b
      .create<linalg::FillOp>(loc, ValueRange{zero},
                              ValueRange{emptyTensor(b, loc, type)})
      .getResult(0);
}

SmallVector<utils::IteratorType> parallelIterators(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

/// linalg.generic with identity maps over equal-shaped operands: the form that
/// linalg elementwise fusion understands.
Value emitElementwise(EmitContext &c, const ScalarFn &body) {
  int64_t rank = c.resultType.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, c.b.getContext());
  SmallVector<AffineMap> maps(c.operands.size() + 1, id);
  auto generic = c.b.create<linalg::GenericOp>(
      c.loc, TypeRange{c.resultType}, ValueRange(c.operands),
      ValueRange{emptyTensor(c.b, c.loc, c.resultType)}, maps,
      parallelIterators(rank),
      [&](OpBuilder &b, Location loc, ValueRange args) {
        // The last block argument is the (unused) output element.
        Value r = body(b, loc, args.drop_back());
        b.create<linalg::YieldOp>(loc, r);
      });
  return generic.getResult(0);
}

template <typename OpT> ScalarFn unaryOp() {
  return [](OpBuilder &b, Location loc, ValueRange a) -> Value {
    return b.create<OpT>(loc, a[0]);
  };
}

template <typename OpT> ScalarFn binaryOp() {
  return [](OpBuilder &b, Location loc, ValueRange a) -> Value {
    return b.create<OpT>(loc, a[0], a[1]);
  };
}

/// select(x > 0, ifPos, ifNotPos); ordered compare, so NaN takes the second
/// branch.
Value selectPositive(OpBuilder &b, Location loc, Value x, Value ifPos,
                     Value ifNotPos) {
  Value zero = floatConst(b, loc, x.getType(), 0.0);
  Value gt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
  return b.create<arith::SelectOp>(loc, gt, ifPos, ifNotPos);
}

Value sigmoidScalar(OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value one = floatConst(b, loc, t, 1.0);
  Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, a[0]));
  return b.create<arith::DivFOp>(loc, one,
                                 b.create<arith::AddFOp>(loc, one, e));
}

/// -1 / 0 / 1 like xt::sign.
Value signScalar(OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  Value zero = floatConst(b, loc, t, 0.0);
  Value lt =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, a[0], zero);
  Value negOrZero =
      b.create<arith::SelectOp>(loc, lt, floatConst(b, loc, t, -1.0), zero);
  return selectPositive(b, loc, a[0], floatConst(b, loc, t, 1.0), negOrZero);
}

Value stepScalar(OpBuilder &b, Location loc, ValueRange a) {
  Type t = a[0].getType();
  return selectPositive(b, loc, a[0], floatConst(b, loc, t, 1.0),
                        floatConst(b, loc, t, 0.0));
}

Value reluScalar(OpBuilder &b, Location loc, ValueRange a) {
  return selectPositive(b, loc, a[0], a[0],
                        floatConst(b, loc, a[0].getType(), 0.0));
}

Value emitConstant(EmitContext &c) {
  double value = c.node.attrs.getFloat("value", c.node.loc);
  auto attr = DenseElementsAttr::get(
      c.resultType, c.b.getFloatAttr(c.resultType.getElementType(), value));
  return c.b.create<arith::ConstantOp>(c.loc, attr);
}

/// `x` transposed (2-D), into a fresh tensor.
Value transpose(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  auto resultType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
  return b
      .create<linalg::TransposeOp>(loc, x, emptyTensor(b, loc, resultType),
                                   ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// op(A) x op(B) as linalg.matmul, in the layout planMatmul picks: either
/// directly, or as (op(B)^T x op(A)^T)^T when the product is narrow in its columns.
/// A left operand needed transposed is read in place (linalg.matmul_transpose_a:
/// the kernel's outer products take a column of it per step, a contiguous row of
/// what is stored); a right one is copied transposed first (O(n^2) next to the
/// O(n^3) product), so the kernel always reads contiguous rows of the right
/// operand. (Reshaped operands are read in place: aec-fuse-elementwise never
/// folds a reshape into the named matmuls.)
Value emitMatmul(EmitContext &c) {
  bool ta = c.node.attrs.getInt("ta", int64_t(0)) != 0;
  bool tb = c.node.attrs.getInt("tb", int64_t(0)) != 0;
  auto aType = cast<RankedTensorType>(c.operands[0].getType());
  int64_t m = c.resultType.getDimSize(0), n = c.resultType.getDimSize(1);
  int64_t k = aType.getDimSize(ta ? 0 : 1);
  MatmulPlan plan = planMatmul(m, n, k, ta, tb);
  Value left = c.operands[plan.swapped ? 1 : 0];
  Value right = c.operands[plan.swapped ? 0 : 1];
  if (plan.transposeRight)
    right = transpose(c.b, c.loc, right);
  RankedTensorType productType =
      plan.swapped ? RankedTensorType::get({n, m}, c.resultType.getElementType())
                   : c.resultType;
  Value acc = zeroTensor(c.b, c.loc, productType);
  Value product =
      plan.transposeLeft
          ? c.b.create<linalg::MatmulTransposeAOp>(c.loc, ValueRange{left, right},
                                                   ValueRange{acc})
                .getResult(0)
          : c.b.create<linalg::MatmulOp>(c.loc, ValueRange{left, right}, ValueRange{acc})
                .getResult(0);
  return plan.swapped ? transpose(c.b, c.loc, product) : product;
}

/// The sum may be reassociated: LLVM then vectorizes a sum along the innermost
/// (contiguous) axis with several partial sums, which strict left-to-right order
/// keeps a scalar chain of dependent adds (layernorm, losses, bias gradients).
/// A linalg.generic with reduction iterators, not the named linalg.reduce: the
/// elementwise producer of its operand (a square, a product) then fuses into it.
Value emitReduceSum(EmitContext &c) {
  const std::vector<int64_t> &axes = c.node.attrs.getInts("axes", c.node.loc);
  if (axes.empty())
    return c.operands[0];
  MLIRContext *ctx = c.b.getContext();
  int64_t rank = cast<RankedTensorType>(c.operands[0].getType()).getRank();
  SmallVector<utils::IteratorType> iterators = parallelIterators(rank);
  SmallVector<AffineExpr> kept;
  for (int64_t d = 0; d < rank; ++d) {
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      iterators[d] = utils::IteratorType::reduction;
    else
      kept.push_back(getAffineDimExpr(d, ctx));
  }
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, kept, ctx)};
  auto reassoc = arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::reassoc);
  auto sum = c.b.create<linalg::GenericOp>(
      c.loc, TypeRange{c.resultType}, ValueRange{c.operands[0]},
      ValueRange{zeroTensor(c.b, c.loc, c.resultType)}, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange a) {
        b.create<linalg::YieldOp>(
            loc, Value(b.create<arith::AddFOp>(loc, a[1], a[0], reassoc)));
      });
  return sum.getResult(0);
}

/// A linalg.generic that copies operand 0 into a result of c.resultType, reading the
/// operand through `inputMap` (result index -> operand index): broadcast and reverse.
Value copyThroughMap(EmitContext &c, AffineMap inputMap) {
  int64_t rank = c.resultType.getRank();
  SmallVector<AffineMap> maps = {
      inputMap, AffineMap::getMultiDimIdentityMap(rank, c.b.getContext())};
  auto generic = c.b.create<linalg::GenericOp>(
      c.loc, TypeRange{c.resultType}, ValueRange{c.operands[0]},
      ValueRange{emptyTensor(c.b, c.loc, c.resultType)}, maps,
      parallelIterators(rank), [](OpBuilder &b, Location loc, ValueRange a) {
        b.create<linalg::YieldOp>(loc, a[0]);
      });
  return generic.getResult(0);
}

/// A generic with a projected input map, so that any `dims` (and rank 0) is
/// covered.
Value emitBroadcast(EmitContext &c) {
  const std::vector<int64_t> &dims = c.node.attrs.getInts("dims", c.node.loc);
  MLIRContext *ctx = c.b.getContext();
  int64_t rank = c.resultType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return copyThroughMap(c, AffineMap::get(rank, 0, exprs, ctx));
}

/// Reassociation grouping every dim of a rank-`rank` tensor into one (none for
/// rank 0).
SmallVector<ReassociationIndices> allInOne(int64_t rank) {
  if (rank == 0)
    return {};
  ReassociationIndices group;
  for (int64_t i = 0; i < rank; ++i)
    group.push_back(i);
  return {group};
}

/// Through a 1-D tensor: collapse (or, from rank 0, expand) to [n], then expand
/// (or, to rank 0, collapse) to the result shape. Both are views, so no copy is
/// made.
///
/// A matmul result goes through a fusion barrier first, for the reason given
/// at emitMatmul (reshape propagation from the consumer side).
Value emitReshape(EmitContext &c) {
  Value x = c.operands[0];
  auto from = cast<RankedTensorType>(x.getType());
  RankedTensorType to = c.resultType;
  if (from.getShape() == to.getShape())
    return x;
  auto flat = RankedTensorType::get({to.getNumElements()}, to.getElementType());
  if (from.getRank() == 0)
    x = c.b.create<tensor::ExpandShapeOp>(c.loc, flat, x, allInOne(0));
  else if (from.getRank() != 1)
    x = c.b.create<tensor::CollapseShapeOp>(c.loc, flat, x,
                                            allInOne(from.getRank()));
  if (to.getRank() == 0)
    return c.b.create<tensor::CollapseShapeOp>(c.loc, to, x, allInOne(0));
  if (to.getRank() != 1)
    return c.b.create<tensor::ExpandShapeOp>(c.loc, to, x,
                                             allInOne(to.getRank()));
  return x;
}

/// A tensor of `type` filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   double value) {
  Value v = floatConst(b, loc, type.getElementType(), value);
  return b
      .create<linalg::FillOp>(loc, ValueRange{v},
                              ValueRange{emptyTensor(b, loc, type)})
      .getResult(0);
}

Value emitTranspose(EmitContext &c) {
  const std::vector<int64_t> &perm = c.node.attrs.getInts("perm", c.node.loc);
  return c.b
      .create<linalg::TransposeOp>(c.loc, c.operands[0],
                                   emptyTensor(c.b, c.loc, c.resultType), perm)
      .getResult()[0];
}

/// A copy whose input map reads index size - 1 - d along the reversed axes.
Value emitReverse(EmitContext &c) {
  const std::vector<int64_t> &axes = c.node.attrs.getInts("axes", c.node.loc);
  MLIRContext *ctx = c.b.getContext();
  int64_t rank = c.resultType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr e = getAffineDimExpr(d, ctx);
    if (std::find(axes.begin(), axes.end(), d) != axes.end())
      e = getAffineConstantExpr(c.resultType.getDimSize(d) - 1, ctx) - e;
    exprs.push_back(e);
  }
  return copyThroughMap(c, AffineMap::get(rank, 0, exprs, ctx));
}

/// The max of `x` over `axes` into a tensor of `slotType` (the kept dims):
/// linalg.reduce from -inf with maximumf (NaN-propagating, like the
/// interpreter's std::max on non-NaN data).
Value reduceMaxOver(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> axes,
                    RankedTensorType slotType) {
  Value acc =
      filledTensor(b, loc, slotType, -std::numeric_limits<double>::infinity());
  return b
      .create<linalg::ReduceOp>(
          loc, ValueRange{x}, ValueRange{acc}, axes,
          [](OpBuilder &b, Location loc, ValueRange a) {
            b.create<linalg::YieldOp>(
                loc, Value(b.create<arith::MaximumFOp>(loc, a[0], a[1])));
          })
      .getResult(0);
}

Value emitReduceMax(EmitContext &c) {
  const std::vector<int64_t> &axes = c.node.attrs.getInts("axes", c.node.loc);
  if (axes.empty())
    return c.operands[0];
  return reduceMaxOver(c.b, c.loc, c.operands[0], axes, c.resultType);
}

/// argmax_mask in three steps: the slot's max; the smallest row-major position
/// (over the reduced dims) holding it, a min and so free of loop order; then 1
/// where an element sits at that position.
Value emitArgmaxMask(EmitContext &c) {
  const std::vector<int64_t> &axes = c.node.attrs.getInts("axes", c.node.loc);
  OpBuilder &b = c.b;
  Location loc = c.loc;
  Value x = c.operands[0];
  int64_t rank = c.resultType.getRank();
  SmallVector<int64_t> slotShape;
  SmallVector<AffineExpr> keptDims;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (!reduced) {
      slotShape.push_back(c.resultType.getDimSize(d));
      keptDims.push_back(b.getAffineDimExpr(d));
    }
  }
  auto slotType = RankedTensorType::get(slotShape, c.resultType.getElementType());
  auto positionType = RankedTensorType::get(slotShape, b.getI64Type());
  Value max = reduceMaxOver(b, loc, x, axes, slotType);
  AffineMap all = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
  AffineMap slot = AffineMap::get(rank, 0, keptDims, b.getContext());

  Value none = b.create<arith::ConstantIntOp>(
      loc, std::numeric_limits<int64_t>::max(), 64);
  Value noPosition = b.create<linalg::FillOp>(loc, ValueRange{none},
                                              ValueRange{emptyTensor(b, loc, positionType)})
                         .getResult(0);
  // Row-major position of an element among its slot's elements.
  auto positionInSlot = [&](OpBuilder &b, Location loc) {
    Value pos = b.create<arith::ConstantIndexOp>(loc, 0);
    for (int64_t d : axes) {
      Value size = b.create<arith::ConstantIndexOp>(loc, c.resultType.getDimSize(d));
      Value index = b.create<linalg::IndexOp>(loc, d);
      pos = b.create<arith::AddIOp>(loc, b.create<arith::MulIOp>(loc, pos, size), index);
    }
    return Value(b.create<arith::IndexCastOp>(loc, b.getI64Type(), pos));
  };
  Value first =
      b.create<linalg::GenericOp>(
           loc, TypeRange{positionType}, ValueRange{x, max}, ValueRange{noPosition},
           ArrayRef<AffineMap>{all, slot, slot}, iterators,
           [&](OpBuilder &b, Location loc, ValueRange a) {
             Value isMax = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, a[0], a[1]);
             Value noneHere = b.create<arith::ConstantIntOp>(
                 loc, std::numeric_limits<int64_t>::max(), 64);
             Value candidate =
                 b.create<arith::SelectOp>(loc, isMax, positionInSlot(b, loc), noneHere);
             b.create<linalg::YieldOp>(
                 loc, Value(b.create<arith::MinSIOp>(loc, a[2], candidate)));
           })
          .getResult(0);
  return b
      .create<linalg::GenericOp>(
          loc, TypeRange{c.resultType}, ValueRange{first},
          ValueRange{emptyTensor(b, loc, c.resultType)}, ArrayRef<AffineMap>{slot, all},
          parallelIterators(rank),
          [&](OpBuilder &b, Location loc, ValueRange a) {
            Value here = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                                 positionInSlot(b, loc), a[0]);
            Type t = c.resultType.getElementType();
            b.create<linalg::YieldOp>(
                loc, Value(b.create<arith::SelectOp>(loc, here, floatConst(b, loc, t, 1.0),
                                                     floatConst(b, loc, t, 0.0))));
          })
      .getResult(0);
}

OpEmitter elementwise(ScalarFn fn) {
  return [fn](EmitContext &c) { return emitElementwise(c, fn); };
}

const std::map<std::string, OpEmitter> &emitters() {
  static const std::map<std::string, OpEmitter> table = {
      {"constant", emitConstant},
      {"add", elementwise(binaryOp<arith::AddFOp>())},
      {"sub", elementwise(binaryOp<arith::SubFOp>())},
      {"mul", elementwise(binaryOp<arith::MulFOp>())},
      {"div", elementwise(binaryOp<arith::DivFOp>())},
      {"neg", elementwise(unaryOp<arith::NegFOp>())},
      {"exp", elementwise(unaryOp<math::ExpOp>())},
      {"log", elementwise(unaryOp<math::LogOp>())},
      {"log1p", elementwise(unaryOp<math::Log1pOp>())},
      {"tanh", elementwise(unaryOp<math::TanhOp>())},
      {"sqrt", elementwise(unaryOp<math::SqrtOp>())},
      {"erf", elementwise(unaryOp<math::ErfOp>())},
      {"abs", elementwise(unaryOp<math::AbsFOp>())},
      {"sigmoid", elementwise(sigmoidScalar)},
      {"sign", elementwise(signScalar)},
      {"step", elementwise(stepScalar)},
      {"relu", elementwise(reluScalar)},
      {"matmul", emitMatmul},
      {"reduce_sum", emitReduceSum},
      {"broadcast", emitBroadcast},
      {"reshape", emitReshape},
      {"pad", emitPad},
      {"slice", emitSlice},
      {"concat", emitConcat},
      {"transpose", emitTranspose},
      {"reverse", emitReverse},
      {"reduce_max", emitReduceMax},
      {"argmax_mask", emitArgmaxMask},
      {"conv2d", emitConv2d},
      {"conv2d_transpose", emitConv2dTranspose},
      {"conv2d_kernel_grad", emitConv2dKernelGrad},
      {"scan", emitScan},
  };
  return table;
}
} // namespace

const OpEmitter *findOpEmitter(const std::string &op) {
  auto it = emitters().find(op);
  return it == emitters().end() ? nullptr : &it->second;
}

} // namespace aec::lowering

namespace aec {
std::vector<std::string> loweredOpNames() {
  // "input" becomes a function argument in LowerGraph.cpp, not through an
  // emitter.
  std::vector<std::string> names = {"input"};
  for (const auto &[name, emitter] : lowering::emitters())
    names.push_back(name);
  return names;
}
} // namespace aec
