#pragma once
/// Convenience API to append nodes to a graph. Composite ops (silu, softplus, layernorm,
/// losses, ...) are builder functions that expand into primitive ops right away, so they
/// get gradients, interpretation and lowering from their parts.
#include "ir/Graph.h"
#include "ir/Window.h" // Padding

#include <array>
#include <string>
#include <vector>

namespace aec {

class Builder {
public:
  explicit Builder(Graph &graph) : G(graph) {}

  Graph &graph() { return G; }
  const TensorType &type(ValueId v) const { return G.type(v); }
  const Shape &shape(ValueId v) const { return G.type(v).shape; }

  /// Location given to every node created from now on.
  SourceLoc loc;

  ValueId input(const std::string &name, const std::string &role, TensorType type);
  /// Generic node creation; the registry infers the type.
  ValueId op(const std::string &name, std::vector<ValueId> operands, Attrs attrs = {});

  // Sources.
  /// A tensor of `type` filled with `value`.
  ValueId constant(double value, const TensorType &type);
  /// A tensor shaped like `like` filled with `value`.
  ValueId constantLike(double value, ValueId like);

  // Elementwise primitives (operands of equal type).
  ValueId add(ValueId a, ValueId b) { return op("add", {a, b}); }
  ValueId sub(ValueId a, ValueId b) { return op("sub", {a, b}); }
  ValueId mul(ValueId a, ValueId b) { return op("mul", {a, b}); }
  ValueId div(ValueId a, ValueId b) { return op("div", {a, b}); }
  ValueId neg(ValueId a) { return op("neg", {a}); }
  ValueId exp(ValueId a) { return op("exp", {a}); }
  ValueId log(ValueId a) { return op("log", {a}); }
  ValueId log1p(ValueId a) { return op("log1p", {a}); }
  ValueId tanh(ValueId a) { return op("tanh", {a}); }
  ValueId sigmoid(ValueId a) { return op("sigmoid", {a}); }
  ValueId sqrt(ValueId a) { return op("sqrt", {a}); }
  ValueId erf(ValueId a) { return op("erf", {a}); }
  ValueId abs(ValueId a) { return op("abs", {a}); }
  ValueId sign(ValueId a) { return op("sign", {a}); }
  ValueId relu(ValueId a) { return op("relu", {a}); }
  /// 1 where a > 0, else 0 (zero gradient).
  ValueId step(ValueId a) { return op("step", {a}); }

  // Elementwise with a compile-time scalar.
  ValueId addScalar(ValueId a, double s) { return add(a, constantLike(s, a)); }
  ValueId mulScalar(ValueId a, double s) { return mul(a, constantLike(s, a)); }
  ValueId square(ValueId a) { return mul(a, a); }

  // Contraction, reduction, shape.
  /// op(a) x op(b) for 2-D tensors, op = transpose when the flag is set.
  ValueId matmul(ValueId a, ValueId b, bool transA = false, bool transB = false);
  /// Sums over `axes` (sorted, unique); the reduced dims are dropped.
  ValueId reduceSum(ValueId a, std::vector<int64_t> axes);
  /// Sums every element to a scalar.
  ValueId sumAll(ValueId a);
  /// Broadcasts `a` to `shape`; operand dim i becomes result dim dims[i] (sizes equal).
  ValueId broadcast(ValueId a, Shape shape, std::vector<int64_t> dims);
  /// Broadcasts a scalar (rank 0) to the shape of `like`.
  ValueId broadcastScalarLike(ValueId scalar, ValueId like);
  ValueId reshape(ValueId a, Shape shape);

  // Windows and layout (stablehlo semantics).
  /// Pads with `value`: `low`/`high` elements before/after each dim and `interior`
  /// elements between neighbours (all >= 0). No padding at all returns `a`.
  ValueId pad(ValueId a, std::vector<int64_t> low, std::vector<int64_t> high,
              std::vector<int64_t> interior, double value);
  /// Elements start + k * stride < limit of each dim; the whole of `a` returns `a`.
  ValueId slice(ValueId a, std::vector<int64_t> start, std::vector<int64_t> limit,
                std::vector<int64_t> strides);
  /// Joins `parts` (equal but for `axis`) along `axis`; one part is returned as is.
  ValueId concat(const std::vector<ValueId> &parts, int64_t axis);
  /// Result dim k is operand dim perm[k]; the identity permutation is returned as is.
  ValueId transpose(ValueId a, std::vector<int64_t> perm);
  /// Reverses the order of elements along `axes` (sorted, unique).
  ValueId reverse(ValueId a, std::vector<int64_t> axes);
  /// Max over `axes` (sorted, unique); the reduced dims are dropped.
  ValueId reduceMax(ValueId a, std::vector<int64_t> axes);
  /// 1 at the first maximum over `axes` of each slot (row-major), 0 elsewhere; the
  /// router of a max's adjoint (zero gradient of its own).
  ValueId argmaxMask(ValueId a, std::vector<int64_t> axes) {
    return op("argmax_mask", {a}, Attrs{{"axes", std::move(axes)}});
  }

private:
  Graph &G;
};

// ---- Composites: activations, normalisation, losses ----------------------------------

/// Applies a named activation of the contract (linear, relu, leaky_relu, sigmoid, tanh,
/// selu, elu, silu, softplus, gelu). `alpha` is leaky_relu's slope or elu's alpha (NaN =
/// the Keras default). Throws CompileError at b.loc for an unknown name.
ValueId activation(Builder &b, ValueId x, const std::string &name, double alpha);
/// The activation names the contract lists.
const std::vector<std::string> &activationNames();

ValueId softplus(Builder &b, ValueId x);
ValueId silu(Builder &b, ValueId x);

/// Layer normalisation over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta,
/// gamma and beta of shape [last].
ValueId layerNorm(Builder &b, ValueId x, ValueId gamma, ValueId beta, double epsilon);

// ---- Image layers (channels-last [B, H, W, C]; Keras/TF shape rules) -----------------
// Convolutions are the ops of ir/ops/Conv.cpp; pooling and upsampling are composites of
// pad / slice / concat / reshape / broadcast / reduce ops.

/// conv2d: x [B, H, W, C], kernel [kh, kw, C, F] -> [B, Ho, Wo, F] (no bias).
ValueId conv2d(Builder &b, ValueId x, ValueId kernel, std::array<int64_t, 2> strides,
               Padding padding);
/// conv2d_transpose: x [B, H, W, C], kernel [kh, kw, F, C] (Keras layout) -> [B, Ho, Wo, F];
/// valid: Ho = H s + max(kh - s, 0) (= (H - 1) s + kh when kh >= s); same: Ho = H s, cropping
/// the full output as TF does (floor((kh - s) / 2) from the start, the rest, so the odd
/// pixel, from the end).
ValueId conv2dTranspose(Builder &b, ValueId x, ValueId kernel, std::array<int64_t, 2> strides,
                        Padding padding);
/// Max over `pool` windows moved by `strides`; `same` pads with -inf, so padding never wins.
ValueId maxPool(Builder &b, ValueId x, std::array<int64_t, 2> pool,
                std::array<int64_t, 2> strides, Padding padding);
/// Mean over `pool` windows moved by `strides`; `same` divides by the number of real
/// (unpadded) elements of each window, as Keras does.
ValueId avgPool(Builder &b, ValueId x, std::array<int64_t, 2> pool,
                std::array<int64_t, 2> strides, Padding padding);
/// Nearest-neighbour upsampling by `size`.
ValueId upsample(Builder &b, ValueId x, std::array<int64_t, 2> size);

/// Mean over every non-batch axis of `perElement` [B, ...] -> [B].
ValueId meanPerSample(Builder &b, ValueId perElement);
/// Per-sample reconstruction losses [B]. For "bce" with `logits` set, `prediction` holds
/// pre-sigmoid logits and the stable form is used.
ValueId perSampleLoss(Builder &b, const std::string &kind, ValueId prediction, ValueId target,
                      bool logits);
/// sum(w * l) / sum(w): the mean over real samples of a (possibly padded) batch.
ValueId weightedMean(Builder &b, ValueId perSample, ValueId weights);

} // namespace aec
