#pragma once
/// A cuda model's functions run on the device (`target cuda` in the descriptor): every buffer
/// an entry point takes is a device pointer, and the entry point only enqueues kernels. The
/// weights, the optimizer state and each function's workspace stay on the device; a call
/// uploads its per-call inputs (batch rows, weights, noise, hypers) in one copy and downloads
/// only its metrics and per-sample outputs. The host ModelState is brought up to date when
/// something reads it (DeviceTraining::syncHost).
#include <aec/CudaDevice.h>
#include <aec/CudaGraph.h>
#include <aec/Model.h>

#include <memory>
#include <optional>

namespace aec::rt {

/// Device copies of a ModelState's params and optimizer states, in descriptor order.
struct DeviceState {
  DeviceState(CudaDevice &device, const ModelState &host);
  /// Host to device (a restored or resumed state).
  void upload(const ModelState &host);
  /// Device to host; returns after the copies are done.
  void download(ModelState &host);
  CudaDevice &device;
  std::vector<DeviceBuffer> params, states;
};

/// FunctionCall's counterpart on the device: the same argument binding (CallArgs), device
/// buffers for the inputs (one block, one upload per call), results and workspace; results
/// that update a param or state are swapped into the DeviceState (double-buffering, so a
/// step is undone by swapping back). Calls go through a CudaGraphCache.
class DeviceFunctionCall {
public:
  DeviceFunctionCall(const Model &model, const std::string &function, CudaDevice &device);
  /// As FunctionCall::run. With `checkUpdated`, the step also counts the non-finite values
  /// of the updated params and states on the device (updatedFinite() after the call).
  void run(const BatchSource &src, const std::vector<int64_t> &rows, DeviceState &state, const Hypers &hypers,
           bool updateState, bool checkUpdated = false);
  void undoUpdate(DeviceState &state) { swapUpdated(state); }
  /// Host copy of a result that updates no param or state (a metric, a per-sample output).
  const Array &result(const std::string &name) const { return resultByName(info(), hostResults_, name); }
  const Array &result(size_t i) const { return hostResults_[i]; }
  bool updatedFinite() const { return nonFinite_ == 0; }
  const FunctionInfo &info() const { return args_.info(); }
  int64_t batch() const { return args_.batch(); }
  const CudaGraphCache &graphs() const { return graphs_; }

private:
  void swapUpdated(DeviceState &state);
  CudaDevice &device_;
  CallArgs args_;
  AecEntryFn fn_;
  std::vector<size_t> inputOffset_;  ///< per arg: byte offset in inputs_ (inputs only)
  std::vector<char> staging_;        ///< the packed per-call inputs on the host
  size_t tableOffset_ = 0, flagOffset_ = 0, maxUpdated_ = 0; ///< the NaN check's, in inputs_
  DeviceBuffer inputs_, workspace_;
  std::vector<DeviceBuffer> results_;
  std::vector<Array> hostResults_;   ///< downloaded results (empty for updates)
  std::vector<void *> pointers_;
  CudaGraphCache graphs_;
  uint32_t nonFinite_ = 0;
};

/// runOverDataset for a cuda model: uploads `state`, runs on the device, returns host arrays.
std::map<std::string, Array> runOverDatasetOnDevice(const Model &model, const std::string &function,
                                                    const BatchSource &src, const ModelState &state,
                                                    const Hypers &hypers);

/// The Trainer's device side: the resident state, train_step and eval_step.
class DeviceTraining {
public:
  /// Opens the device (CudaDevice::open) and uploads `host`, which it keeps in step.
  DeviceTraining(const Model &model, ModelState &host);
  /// One train_step on the device; returns its loss. With `checkState` the updated params
  /// and states are checked for NaN/Inf on the device (stateFinite()).
  double step(const BatchSource &src, const std::vector<int64_t> &rows, const Hypers &hypers, bool checkState);
  bool stateFinite() const { return step_.updatedFinite(); }
  /// Undoes the last step (swaps the previous device buffers back).
  void undoStep();
  /// Brings the host ModelState up to date (one download when steps ran since the last).
  void syncHost();
  /// The host ModelState was replaced (restore_best): uploads it.
  void hostChanged();
  /// runOverDataset on the resident state (validation).
  std::map<std::string, Array> runOverDataset(const std::string &function, const BatchSource &src);
  CudaDevice &device() { return device_; }
  const DeviceFunctionCall &stepCall() const { return step_; }

private:
  const Model &model_;
  ModelState &host_;
  CudaDevice &device_;
  DeviceState state_;
  DeviceFunctionCall step_;
  std::optional<DeviceFunctionCall> eval_;
  bool hostStale_ = false;
};

} // namespace aec::rt
