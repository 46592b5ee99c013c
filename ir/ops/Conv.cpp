/// Direct 2-D convolutions on channels-last data, a family closed under
/// differentiation:
///
///   conv2d             y [B, Ho, Wo, F] = x [B, H, W, C] (*) k [kh, kw, C, F]
///   conv2d_transpose   x [B, H, W, C]   = y [B, Ho, Wo, F] (*)^T k [kh, kw, C,
///   F] conv2d_kernel_grad k [kh, kw, C, F] = x [B, H, W, C] (*) y [B, Ho, Wo,
///   F]
///
/// all three over the same window: output pixel o reads input pixel o * stride
/// + tap - low for each tap of the kernel (attributes `strides`, `pad_low`,
/// `pad_high`, one entry per spatial dim); pixels outside the input are zeros
/// that no loop visits. conv2d_transpose is conv2d's adjoint w.r.t. x
/// (attribute `size`: its [H, W]) and conv2d_kernel_grad its adjoint w.r.t. k
/// (attribute `window`: [kh, kw]). Each op is bilinear, and each adjoint of
/// each op is another op of the family, so gradients differentiate again.
///
/// Keras' conv2d_transpose layer is conv2d_transpose with its kernel as it is
/// ([kh, kw, filters, in_channels]) and pad_low = the crop (ir/ImageOps.cpp).
#include "ir/Window.h"
#include "ir/ops/OpHelpers.h"

#include <array>

namespace aec {

namespace {
using Ids = std::vector<ValueId>;
using Ints = std::vector<int64_t>;

/// The window of a convolution node, per spatial dim d (0 = rows, 1 = columns).
struct ConvWindow {
  std::array<int64_t, 2> stride, low, high;
};

/// Reads and checks `strides`, `pad_low` and `pad_high`.
ConvWindow readWindow(const Node &n) {
  ConvWindow w;
  const char *keys[] = {"strides", "pad_low", "pad_high"};
  std::array<int64_t, 2> *fields[] = {&w.stride, &w.low, &w.high};
  for (int a = 0; a < 3; ++a) {
    const Ints &v = n.attrs.getInts(keys[a], n.loc);
    if (v.size() != 2)
      ops::typeError(n, std::string("needs two '") + keys[a] + "' entries");
    for (int d = 0; d < 2; ++d) {
      if (v[d] < (a == 0 ? 1 : 0))
        ops::typeError(n, std::string("needs '") + keys[a] +
                              "' entries >= " + (a == 0 ? "1" : "0"));
      (*fields[a])[d] = v[d];
    }
  }
  return w;
}

/// The two spatial entries of attribute `key`, each >= 1.
std::array<int64_t, 2> readSizes(const Node &n, const char *key) {
  const Ints &v = n.attrs.getInts(key, n.loc);
  if (v.size() != 2 || v[0] < 1 || v[1] < 1)
    ops::typeError(n, std::string("needs two positive '") + key + "' entries");
  return {v[0], v[1]};
}

/// Checks the shapes of one convolution: image x [B, H, W, C], kernel [kh, kw,
/// C, F], output y [B, Ho, Wo, F] with Ho, Wo what the window gives (conv2d's
/// result type).
void checkConv(const Node &n, const Shape &x, const Shape &k, const Shape &y,
               const ConvWindow &w) {
  if (x.size() != 4 || k.size() != 4 || y.size() != 4)
    ops::typeError(n, "expects rank-4 operands");
  if (x[3] != k[2] || y[3] != k[3] || x[0] != y[0])
    ops::typeError(n, "has mismatched batch or channel sizes");
  for (int d = 0; d < 2; ++d)
    if (convOutputSize(x[1 + d], k[d], w.stride[d], w.low[d], w.high[d]) !=
            y[1 + d] ||
        y[1 + d] < 1)
      ops::typeError(n, "window does not give the " + std::to_string(y[1]) +
                            "x" + std::to_string(y[2]) + " output");
}

TensorType inferConv2d(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0),
                   &k = ops::operandType(g, n, 1);
  if (x.dtype != k.dtype)
    ops::typeError(n, "expects operands of one element type");
  ConvWindow w = readWindow(n);
  if (x.rank() != 4 || k.rank() != 4)
    ops::typeError(n, "expects rank-4 operands, got " + x.str() + " and " +
                          k.str());
  Shape y = {x.shape[0], 0, 0, k.shape[3]};
  for (int d = 0; d < 2; ++d)
    y[1 + d] = convOutputSize(x.shape[1 + d], k.shape[d], w.stride[d], w.low[d],
                              w.high[d]);
  checkConv(n, x.shape, k.shape, y, w);
  return {x.dtype, y};
}

TensorType inferConv2dTranspose(const Graph &g, const Node &n) {
  const TensorType &y = ops::operandType(g, n, 0),
                   &k = ops::operandType(g, n, 1);
  if (y.dtype != k.dtype)
    ops::typeError(n, "expects operands of one element type");
  ConvWindow w = readWindow(n);
  std::array<int64_t, 2> size = readSizes(n, "size");
  if (y.rank() != 4 || k.rank() != 4)
    ops::typeError(n, "expects rank-4 operands, got " + y.str() + " and " +
                          k.str());
  Shape x = {y.shape[0], size[0], size[1], k.shape[2]};
  checkConv(n, x, k.shape, y.shape, w);
  return {y.dtype, x};
}

TensorType inferConv2dKernelGrad(const Graph &g, const Node &n) {
  const TensorType &x = ops::operandType(g, n, 0),
                   &y = ops::operandType(g, n, 1);
  if (x.dtype != y.dtype)
    ops::typeError(n, "expects operands of one element type");
  ConvWindow w = readWindow(n);
  std::array<int64_t, 2> window = readSizes(n, "window");
  if (x.rank() != 4 || y.rank() != 4)
    ops::typeError(n, "expects rank-4 operands, got " + x.str() + " and " +
                          y.str());
  Shape k = {window[0], window[1], x.shape[3], y.shape[3]};
  checkConv(n, x.shape, k, y.shape, w);
  return {x.dtype, k};
}

/// Calls visit(xOffset, kOffset, yOffset) for every (pixel, tap) pair of the
/// window that reads a real input pixel, with the flat offsets of x[b, h, w,
/// 0], k[i, j, 0, 0] and y[b, ho, wo, 0]. The three interpreter kernels are
/// this walk with a different update.
template <typename Visit>
void forEachTap(const Shape &x, const Shape &k, const Shape &y,
                const ConvWindow &w, Visit visit) {
  const int64_t C = x[3], F = k[3];
  for (int64_t b = 0; b < y[0]; ++b)
    for (int64_t ho = 0; ho < y[1]; ++ho)
      for (int64_t wo = 0; wo < y[2]; ++wo)
        for (int64_t i = 0; i < k[0]; ++i) {
          int64_t h = ho * w.stride[0] + i - w.low[0];
          if (h < 0 || h >= x[1])
            continue;
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t col = wo * w.stride[1] + j - w.low[1];
            if (col < 0 || col >= x[2])
              continue;
            visit(((b * x[1] + h) * x[2] + col) * C, (i * k[1] + j) * C * F,
                  ((b * y[1] + ho) * y[2] + wo) * F);
          }
        }
}

Shape shapeOf(const Tensor &t) {
  return Shape(t.shape().begin(), t.shape().end());
}

Tensor evalConv2d(const Node &n, const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0], &k = *args[1];
  Tensor y = xt::zeros<double>(n.type.shape);
  const int64_t C = k.shape(2), F = k.shape(3);
  const double *X = x.data(), *K = k.data();
  double *Y = y.data();
  forEachTap(shapeOf(x), shapeOf(k), n.type.shape, readWindow(n),
             [&](int64_t xo, int64_t ko, int64_t yo) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   Y[yo + f] += X[xo + c] * K[ko + c * F + f];
             });
  return y;
}

Tensor evalConv2dTranspose(const Node &n,
                           const std::vector<const Tensor *> &args) {
  const Tensor &y = *args[0], &k = *args[1];
  Tensor x = xt::zeros<double>(n.type.shape);
  const int64_t C = k.shape(2), F = k.shape(3);
  const double *Y = y.data(), *K = k.data();
  double *X = x.data();
  forEachTap(n.type.shape, shapeOf(k), shapeOf(y), readWindow(n),
             [&](int64_t xo, int64_t ko, int64_t yo) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   X[xo + c] += Y[yo + f] * K[ko + c * F + f];
             });
  return x;
}

Tensor evalConv2dKernelGrad(const Node &n,
                            const std::vector<const Tensor *> &args) {
  const Tensor &x = *args[0], &y = *args[1];
  Tensor k = xt::zeros<double>(n.type.shape);
  const int64_t C = x.shape(3), F = y.shape(3);
  const double *X = x.data(), *Y = y.data();
  double *K = k.data();
  forEachTap(shapeOf(x), n.type.shape, shapeOf(y), readWindow(n),
             [&](int64_t xo, int64_t ko, int64_t yo) {
               for (int64_t c = 0; c < C; ++c)
                 for (int64_t f = 0; f < F; ++f)
                   K[ko + c * F + f] += X[xo + c] * Y[yo + f];
             });
  return k;
}

/// The window attributes of `n`, plus `extra` (size or window).
Attrs windowAttrs(const Node &n, const std::string &extraKey, Ints extra) {
  Attrs a;
  for (const char *key : {"strides", "pad_low", "pad_high"})
    a.set(key, n.attrs.getInts(key));
  if (!extraKey.empty())
    a.set(extraKey, std::move(extra));
  return a;
}

/// The three ops over `n`'s window; `x` [B, H, W, C] fixes the transposed
/// conv's size and `k` [kh, kw, C, F] the kernel gradient's window.
ValueId conv(Builder &b, const Node &n, ValueId x, ValueId k) {
  return b.op("conv2d", {x, k}, windowAttrs(n, "", {}));
}
ValueId convT(Builder &b, const Node &n, ValueId y, ValueId k, const Shape &x) {
  return b.op("conv2d_transpose", {y, k}, windowAttrs(n, "size", {x[1], x[2]}));
}
ValueId convK(Builder &b, const Node &n, ValueId x, ValueId y, const Shape &k) {
  return b.op("conv2d_kernel_grad", {x, y},
              windowAttrs(n, "window", {k[0], k[1]}));
}

/// y = conv2d(x, k): dx = conv2d_transpose(g, k), dk = conv2d_kernel_grad(x,
/// g).
Ids gradConv2d(Builder &b, const Node &n, ValueId, ValueId g) {
  ValueId x = n.operands[0], k = n.operands[1];
  const Shape xs = b.shape(x), ks = b.shape(k);
  return {convT(b, n, g, k, xs), convK(b, n, x, g, ks)};
}

/// x = conv2d_transpose(y, k) is <x, G> = <conv2d(G, k), y> =
/// <conv2d_kernel_grad(G, y), k>.
Ids gradConv2dTranspose(Builder &b, const Node &n, ValueId, ValueId g) {
  ValueId y = n.operands[0], k = n.operands[1];
  const Shape ks = b.shape(k);
  return {conv(b, n, g, k), convK(b, n, g, y, ks)};
}

/// k = conv2d_kernel_grad(x, y) is <k, G> = <conv2d_transpose(y, G), x> =
/// <conv2d(x, G), y>.
Ids gradConv2dKernelGrad(Builder &b, const Node &n, ValueId, ValueId g) {
  ValueId x = n.operands[0], y = n.operands[1];
  const Shape xs = b.shape(x);
  return {convT(b, n, y, g, xs), conv(b, n, x, g)};
}

/// A zero operand makes the result zeros (every term of every sum is a product
/// with it; like the generic tests, this assumes the other operand is finite).
/// Adjoints that are zero (a constant branch) so vanish.
Folded foldZeroOperand(const Graph &, const Node &, const Splats &s) {
  if (ops::isSplat(s[0], 0.0) || ops::isSplat(s[1], 0.0))
    return Folded::constant(0.0);
  return Folded::none();
}

/// One family member with the common fields.
OpDef convOp(const char *name, InferFn infer, EvalFn eval, GradFn grad) {
  OpDef op;
  op.name = name;
  op.arity = 2;
  op.infer = std::move(infer);
  op.eval = std::move(eval);
  op.grad = std::move(grad);
  op.fold = foldZeroOperand;
  return op;
}
} // namespace

void registerConvOps(std::vector<OpDef> &ops) {
  // Examples: odd sizes, stride 2 with padding that reaches past both edges,
  // and a kernel larger than the stride, so every tap range is partial
  // somewhere.
  OpDef c = convOp("conv2d", inferConv2d, evalConv2d, gradConv2d);
  c.attrs = {"strides", "pad_low", "pad_high"};
  c.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{2, 7, 6, 3}, {3, 2, 3, 4}};
    at = {{"strides", Ints{2, 1}},
          {"pad_low", Ints{1, 2}},
          {"pad_high", Ints{1, 0}}};
  };
  ops.push_back(c);

  OpDef t = convOp("conv2d_transpose", inferConv2dTranspose,
                   evalConv2dTranspose, gradConv2dTranspose);
  t.attrs = {"strides", "pad_low", "pad_high", "size"};
  t.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    // x [2, 7, 6, 3] -> y [2, 4, 7, 4] as conv2d's example.
    o = {{2, 4, 7, 4}, {3, 2, 3, 4}};
    at = {{"strides", Ints{2, 1}},
          {"pad_low", Ints{1, 2}},
          {"pad_high", Ints{1, 0}},
          {"size", Ints{7, 6}}};
  };
  ops.push_back(t);

  OpDef k = convOp("conv2d_kernel_grad", inferConv2dKernelGrad,
                   evalConv2dKernelGrad, gradConv2dKernelGrad);
  k.attrs = {"strides", "pad_low", "pad_high", "window"};
  k.example = [](std::vector<Shape> &o, Attrs &at, Shape &) {
    o = {{2, 7, 6, 3}, {2, 4, 7, 4}};
    at = {{"strides", Ints{2, 1}},
          {"pad_low", Ints{1, 2}},
          {"pad_high", Ints{1, 0}},
          {"window", Ints{3, 2}}};
  };
  ops.push_back(k);
}

} // namespace aec
