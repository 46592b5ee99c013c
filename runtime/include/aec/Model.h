#pragma once
/// A model as the runtime sees it: the parsed descriptor plus its entry points, and the code
/// that runs one entry point over a whole data set in static-size batches.
#include <aec/Array.h>
#include <aec/Weights.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace aec::rt {

/// Descriptor + entry points (from the linked object, a dlopened module, or a test fake).
struct Model {
  ModelDescriptor desc;
  std::map<std::string, AecEntryFn> entries; ///< function name -> entry (missing: absent)

  /// The entry point of `name` or nullptr.
  AecEntryFn entry(const std::string &name) const;
  /// Descriptor info of `name`; throws "model 'x' has no function 'y'" when absent from either.
  const FunctionInfo &requireFunction(const std::string &name) const;
  bool hasFunction(const std::string &name) const;
};

/// Per-batch inputs of one call; rows are copied into the static-size buffers.
struct BatchSource {
  const Array *data = nullptr;   ///< role data
  const Array *target = nullptr; ///< role target (nullptr: use data)
  const Array *latent = nullptr; ///< role latent
  /// Seed of this call's noise_normal / noise_uniform draws. The trainer derives it from
  /// train.seed and the step number, so equal seeds give equal noise and a resumed run draws
  /// exactly the noise of an unbroken one.
  uint64_t noiseSeed = 0;
  /// Applied to every role-data buffer after its rows are copied (train.corrupt). The target
  /// buffer is filled from the source arrays, so it keeps the clean rows.
  std::function<void(Array &batch, int64_t realRows)> corruptData;
};

/// Scalar hyper-parameter buffers by name: "lr", "t" (1-based step), "seed".
/// Args of role noise_normal / noise_uniform are no hypers: FunctionCall fills them with fresh
/// N(0, 1) / U[0, 1) numbers on every call, from BatchSource::noiseSeed.
using Hypers = std::map<std::string, float>;

/// The scratch memory of one function's calls (the descriptor's `workspace` bytes, 64-byte
/// aligned), allocated once by its owner: the generated code keeps every intermediate of a
/// call there and never touches the heap.
class Workspace {
public:
  explicit Workspace(int64_t bytes);
  void *data() const { return memory_.get(); }

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  std::unique_ptr<void, Free> memory_;
};

/// The arguments of one function, resolved once (a step compares no strings): each one's
/// role, the param/state it binds to, the updated param/state each result replaces, and host
/// buffers for the per-call inputs (batch rows, weights, noise, hypers), filled by fill().
/// FunctionCall binds them to the entry point on the host; DeviceFunctionCall (aec/CudaModel.h)
/// uploads them, so both fill batches by the same rules.
class CallArgs {
public:
  CallArgs(const Model &model, const std::string &function);
  /// An argument's role.
  enum class Kind { Weight, Data, Target, Latent, NoiseNormal, NoiseUniform, Hyper, Param, State, Grad };
  /// Fills the per-call input buffers from `rows` of `src` (size <= B; the rest padded by
  /// repeating the first row, or row 0 of the data when `rows` is empty, with weight 0), the
  /// noise from src.noiseSeed and the hypers by name. Param, state and grad buffers are left.
  void fill(const BatchSource &src, const std::vector<int64_t> &rows, const Hypers &hypers);
  Kind kind(size_t i) const { return kinds_[i]; }
  /// Per-call input of fill() (batch, weight, noise, hyper) or grad input: uploaded / passed.
  bool isInput(size_t i) const { return kinds_[i] != Kind::Param && kinds_[i] != Kind::State; }
  /// The param or state index arg `i` binds to (-1 for other roles).
  int64_t stateIndex(size_t i) const { return argIndex_[i]; }
  /// The param (>= 0) or state (encoded -2 - i) result `j` replaces, or -1 (a metric/output).
  int64_t resultTarget(size_t j) const { return resultTarget_[j]; }
  Array &buffer(size_t i) { return args_[i]; }
  const Array &buffer(size_t i) const { return args_[i]; }
  const FunctionInfo &info() const { return *info_; }
  size_t size() const { return args_.size(); }
  int64_t batch() const { return batch_; }

private:
  static Kind kindOf(const std::string &role);
  const FunctionInfo *info_;
  int64_t batch_;
  std::vector<Kind> kinds_;
  std::vector<Array> args_; ///< per-call input buffers (empty for params and states)
  std::vector<int64_t> argIndex_, resultTarget_;
};

/// Binds and calls one function repeatedly with persistent buffers and its own workspace
/// (no allocation per call).
/// Params and states are read from `state`; results named like a param/state arg are
/// swapped into `state` after the call when `updateState` (double-buffering).
class FunctionCall {
public:
  FunctionCall(const Model &model, const std::string &function);
  /// Fills the batch buffers (CallArgs::fill), calls the entry point and, with
  /// `updateState`, swaps the param/state results into `state`.
  void run(const BatchSource &src, const std::vector<int64_t> &rows, ModelState &state,
           const Hypers &hypers, bool updateState);
  /// Undoes the state update of the last run(..., updateState = true): swaps the previous
  /// param/state buffers back into `state` (they are this call's out-buffers until the next
  /// run). The trainer rolls back a step whose result is not finite this way, without a copy.
  void undoUpdate(ModelState &state);
  /// Result buffer by name (valid until the next run); throws when absent.
  const Array &result(const std::string &name) const;
  /// Result buffer by position.
  const Array &result(size_t i) const { return results_[i]; }
  /// Argument buffer by position, for roles bound to no ModelState array (grad inputs).
  Array &arg(size_t i) { return args_.buffer(i); }
  const FunctionInfo &info() const { return args_.info(); }
  int64_t batch() const { return args_.batch(); }

private:
  /// Swaps the param/state results with `state`'s buffers (an update, or its undo).
  void swapUpdated(ModelState &state);
  CallArgs args_;
  AecEntryFn fn_;
  std::vector<Array> results_; ///< out-buffers
  std::vector<void *> pointers_; ///< args, results, then the workspace
  Workspace workspace_;
};

/// Result `name` of `results` (a call's outputs, by descriptor order); throws when absent.
const Array &resultByName(const FunctionInfo &info, const std::vector<Array> &results, const std::string &name);

/// Runs `function` over every row of `src` in file order (B rows per call, the last batch
/// padded) and returns each result that has a leading batch dimension, cut to the real rows
/// ([n, ...]). The one place encode/decode/reconstruct/score/validation go through. Noise
/// args get a stream per batch derived from src.noiseSeed and the batch's first row.
std::map<std::string, Array> runOverDataset(const Model &model, const std::string &function,
                                            const BatchSource &src, ModelState &state,
                                            const Hypers &hypers = {});

} // namespace aec::rt
