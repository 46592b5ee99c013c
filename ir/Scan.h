#pragma once
/// scan: a loop over a static number of steps whose step function is a sub-graph (the
/// node's body), as JAX's lax.scan and XLA's While. It keeps a recurrence (an LSTM over
/// its time steps) one loop in the IR instead of one copy of the step per time step.
///
///   %r = scan(carries..., sequences..., invariants...)
///            {length = T, num_carry = C, num_seq = S, reverse = 0|1} : f32[N] graph @step {...}
///
/// The body's inputs are, in order, the C carries, one step of each of the S sequences
/// (operand [T, ...] -> body input [...]) and the invariants (passed unchanged to every
/// step). Its outputs are the C new carries, then per-step outputs, which the scan stacks
/// to [T, ...]. Step i (0 <= i < T) works on time index t = i, or T - 1 - i with reverse;
/// sequences are read and outputs stored at t.
///
/// The IR has one result per node, so the scan's result is every output, flattened and
/// packed one after another into a 1-D tensor: the final carries, then the stacked
/// outputs. scanOutput() takes one out (a slice and a reshape), so the passes, the
/// interpreter and autodiff need nothing new for extracting results, and the adjoint of
/// the packed result is assembled by the slices' own gradient rules.
#include "ir/Builder.h"

#include <memory>
#include <vector>

namespace aec {

/// Where each body output lies in a scan's packed result.
struct ScanLayout {
  int64_t length = 0, numCarry = 0, numSeq = 0;
  bool reverse = false;
  /// Per body output: its type in the result (a carry as is, a per-step output [T, ...]).
  std::vector<TensorType> outputs;
  /// Per body output: its first element in the packed result.
  std::vector<int64_t> offsets;
  /// The packed result's type, [sum of every output's elements].
  TensorType packed;
};

/// The layout of a scan node (attrs and body); checks that the body's outputs agree with
/// the attrs (CompileError at the node's location), not the operands (the op's infer does).
ScanLayout scanLayout(const Node &node);

/// Appends a scan of `body` over `length` steps. Operands are as in the header comment.
/// The body gets extra per-step outputs first: the values of each step that its adjoint
/// reads (withResiduals), so that a gradient of the scan finds them stacked.
ValueId buildScan(Builder &b, std::shared_ptr<const Graph> body, int64_t length,
                  const std::vector<ValueId> &carries, const std::vector<ValueId> &sequences,
                  const std::vector<ValueId> &invariants, bool reverse = false);

/// Body output `k` of `scan` (a carry's final value, or a stacked per-step output).
ValueId scanOutput(Builder &b, ValueId scan, size_t k);

/// `body` with a per-step output for each value its adjoint reads (residuals: gate
/// activations, the carries coming in), unless it outputs that value already.
std::shared_ptr<const Graph> withResiduals(const Graph &body, int64_t numCarry, int64_t numSeq);

/// The scan's gradient rule (ScanGrad.cpp): a reverse scan over the adjoint of the body,
/// reading the forward steps' residuals from the scan's per-step outputs.
std::vector<ValueId> scanGradient(Builder &b, const Node &node, ValueId self, ValueId grad);

} // namespace aec
