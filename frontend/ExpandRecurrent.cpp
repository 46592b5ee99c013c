/// Recurrent layers: Keras' LSTM, unrolled over the static sequence length.
#include "frontend/Expander.h"

namespace aec {

/// x [B, T, F] -> h_T [B, u] (or every h_t stacked, [B, T, u], with return_sequences).
///
/// Params (Keras layout, gates in Keras order i, f, c, o along the 4u axis):
///   kernel [F, 4u] glorot_uniform, recurrent_kernel [u, 4u] orthogonal (orthonormal
///   rows, as Keras), bias [4u] with the forget gate's slice at 1 (init
///   unit_forget_bias:<u>, Keras' unit_forget_bias=True).
/// Step: z = x_t K + h R + b; i, f, o = sigmoid, g = tanh of z's four slices;
/// c = f c + i g; h = o tanh(c); h_0 = c_0 = 0 (so step 0 skips the h R and f c terms).
ValueId expandLstm(Expander &ex, const LayerSpec &l, ValueId x) {
  Builder &b = ex.B;
  const Shape shape = b.shape(x);
  const int64_t batch = shape[0], steps = shape[1], features = shape[2], u = l.units;
  ValueId kernel = ex.param(l, "kernel", {features, 4 * u}, glorotInit(features, 4 * u));
  ValueId recurrent = ex.param(l, "recurrent_kernel", {u, 4 * u}, "orthogonal:" + std::to_string(u) + ":" + std::to_string(4 * u));
  ValueId bias = ex.param(l, "bias", {4 * u}, "unit_forget_bias:" + std::to_string(u));

  // The input projection x K + b of all steps is one [B*T, F] x [F, 4u] matmul.
  ValueId projected = b.matmul(b.reshape(x, {batch * steps, features}), kernel);
  projected = b.add(projected, b.broadcast(bias, {batch * steps, 4 * u}, {1}));
  projected = b.reshape(projected, {batch, steps, 4 * u});

  auto gate = [&](ValueId z, int64_t k) {
    return b.slice(z, {0, k * u}, {batch, (k + 1) * u}, {1, 1});
  };
  ValueId h = NoValue, c = NoValue;
  std::vector<ValueId> sequence;
  for (int64_t t = 0; t < steps; ++t) {
    ValueId z = b.reshape(b.slice(projected, {0, t, 0}, {batch, t + 1, 4 * u}, {1, 1, 1}),
                          {batch, 4 * u});
    if (h != NoValue)
      z = b.add(z, b.matmul(h, recurrent));
    ValueId i = b.sigmoid(gate(z, 0));
    ValueId g = b.tanh(gate(z, 2));
    ValueId o = b.sigmoid(gate(z, 3));
    ValueId ig = b.mul(i, g);
    c = c == NoValue ? ig : b.add(b.mul(b.sigmoid(gate(z, 1)), c), ig);
    h = b.mul(o, b.tanh(c));
    if (l.returnSequences)
      sequence.push_back(b.reshape(h, {batch, 1, u}));
  }
  return l.returnSequences ? b.concat(sequence, 1) : h;
}

} // namespace aec
