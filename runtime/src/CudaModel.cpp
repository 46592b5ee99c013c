/// A cuda model's functions on the device (aec/CudaModel.h).
#include "OverDataset.h"

#include <aec/CudaFinite.h>
#include <aec/CudaModel.h>

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace aec::rt {
namespace {

size_t bytesOf(const Array &a) { return a.data.size() * sizeof(float); }
size_t bytesOf(const Dims &d) { return static_cast<size_t>(numElements(d)) * sizeof(float); }

/// Inputs are packed at this alignment: what a vectorized kernel load wants.
constexpr size_t InputAlignment = 256;

} // namespace

DeviceState::DeviceState(CudaDevice &device, const ModelState &host) : device(device) {
  for (const Array &a : host.params)
    params.emplace_back(device, bytesOf(a));
  for (const Array &a : host.states)
    states.emplace_back(device, bytesOf(a));
  upload(host);
}

void DeviceState::upload(const ModelState &host) {
  for (size_t i = 0; i < params.size(); ++i)
    device.upload(params[i].ptr(), host.params[i].data.data(), bytesOf(host.params[i]));
  for (size_t i = 0; i < states.size(); ++i)
    device.upload(states[i].ptr(), host.states[i].data.data(), bytesOf(host.states[i]));
  // The host arrays may change as soon as this returns (pageable copies are staged, but the
  // order of the stream is the only promise): wait.
  device.synchronize();
}

void DeviceState::download(ModelState &host) {
  for (size_t i = 0; i < params.size(); ++i)
    device.download(host.params[i].data.data(), params[i].ptr(), bytesOf(host.params[i]));
  for (size_t i = 0; i < states.size(); ++i)
    device.download(host.states[i].data.data(), states[i].ptr(), bytesOf(host.states[i]));
  device.synchronize();
}

DeviceFunctionCall::DeviceFunctionCall(const Model &model, const std::string &function, CudaDevice &device)
    : device_(device), args_(model, function), fn_(model.entry(function)), graphs_(device) {
  size_t at = 0;
  for (size_t i = 0; i < args_.size(); ++i) {
    inputOffset_.push_back(at);
    if (args_.isInput(i))
      at += (bytesOf(args_.buffer(i)) + InputAlignment - 1) / InputAlignment * InputAlignment;
  }
  // After the inputs: the NaN check's table of updated buffers, then its flag word. Both go
  // up with the inputs, which clears the flag without a launch.
  tableOffset_ = at;
  for (size_t j = 0; j < info().results.size(); ++j)
    if (args_.resultTarget(j) != -1) {
      at += sizeof(NonFiniteCheckEntry);
      maxUpdated_ = std::max<size_t>(maxUpdated_, static_cast<size_t>(numElements(info().results[j].dims)));
    }
  flagOffset_ = at;
  at += sizeof(uint32_t);
  staging_.assign(at, 0);
  inputs_ = DeviceBuffer(device, at);
  workspace_ = DeviceBuffer(device, static_cast<size_t>(info().workspaceBytes));
  for (size_t j = 0; j < info().results.size(); ++j) {
    results_.emplace_back(device, bytesOf(info().results[j].dims));
    // Updates stay on the device; metrics and outputs come back to the host.
    hostResults_.emplace_back(args_.resultTarget(j) == -1 ? info().results[j].dims : Dims{0});
  }
  pointers_.resize(args_.size() + results_.size() + 1);
}

void DeviceFunctionCall::run(const BatchSource &src, const std::vector<int64_t> &rows, DeviceState &state,
                             const Hypers &hypers, bool updateState, bool checkUpdated) {
  args_.fill(src, rows, hypers);
  auto at = [](const DeviceBuffer &b, size_t offset = 0) {
    return reinterpret_cast<void *>(static_cast<uintptr_t>(b.ptr() + offset));
  };
  for (size_t i = 0; i < args_.size(); ++i) {
    if (args_.kind(i) == CallArgs::Kind::Param) {
      pointers_[i] = state.params.at(args_.stateIndex(i)).address();
    } else if (args_.kind(i) == CallArgs::Kind::State) {
      pointers_[i] = state.states.at(args_.stateIndex(i)).address();
    } else {
      const Array &b = args_.buffer(i);
      std::memcpy(staging_.data() + inputOffset_[i], b.data.data(), bytesOf(b));
      pointers_[i] = at(inputs_, inputOffset_[i]);
    }
  }
  auto *table = reinterpret_cast<NonFiniteCheckEntry *>(staging_.data() + tableOffset_);
  unsigned updated = 0;
  for (size_t j = 0; j < results_.size(); ++j) {
    pointers_[args_.size() + j] = results_[j].address();
    if (args_.resultTarget(j) != -1)
      table[updated++] = {results_[j].ptr(), results_[j].bytes() / sizeof(float)};
  }
  pointers_.back() = workspace_.address();
  // One copy in per call, outside any graph (a graph may not read pageable host memory): the
  // inputs, the NaN check's table and its cleared flag.
  device_.upload(inputs_.ptr(), staging_.data(), staging_.size());
  auto enqueue = [&] {
    fn_(pointers_.data());
    if (checkUpdated)
      enqueueNonFiniteCheck(device_, inputs_.ptr() + tableOffset_, updated, maxUpdated_, inputs_.ptr() + flagOffset_);
  };
  // The check is part of the key: a step with and without it are different graphs.
  pointers_.push_back(reinterpret_cast<void *>(static_cast<uintptr_t>(checkUpdated)));
  graphs_.run(pointers_, enqueue);
  pointers_.pop_back();
  for (size_t j = 0; j < results_.size(); ++j)
    if (args_.resultTarget(j) == -1)
      device_.download(hostResults_[j].data.data(), results_[j].ptr(), bytesOf(hostResults_[j]));
  nonFinite_ = 0;
  if (checkUpdated)
    device_.download(&nonFinite_, inputs_.ptr() + flagOffset_, sizeof(nonFinite_));
  device_.synchronize();
  if (updateState)
    swapUpdated(state);
}

void DeviceFunctionCall::swapUpdated(DeviceState &state) {
  for (size_t j = 0; j < results_.size(); ++j) {
    const int64_t t = args_.resultTarget(j);
    if (t >= 0)
      std::swap(results_[j], state.params[t]);
    else if (t <= -2)
      std::swap(results_[j], state.states[-2 - t]);
  }
}

std::map<std::string, Array> runOverDatasetOnDevice(const Model &model, const std::string &function,
                                                    const BatchSource &src, const ModelState &state,
                                                    const Hypers &hypers) {
  CudaDevice &device = CudaDevice::open();
  DeviceState onDevice(device, state);
  DeviceFunctionCall call(model, function, device);
  return runBatches(call, src, onDevice, hypers);
}

DeviceTraining::DeviceTraining(const Model &model, ModelState &host)
    : model_(model), host_(host), device_(CudaDevice::open()), state_(device_, host),
      step_(model, "train_step", device_) {
  prepareNonFiniteCheck(device_); // outside any capture: it JIT-compiles a module
  if (model.hasFunction("eval_step"))
    eval_.emplace(model, "eval_step", device_);
}

double DeviceTraining::step(const BatchSource &src, const std::vector<int64_t> &rows, const Hypers &hypers,
                            bool checkState) {
  step_.run(src, rows, state_, hypers, true, checkState);
  hostStale_ = true;
  return step_.result(size_t{0}).data.at(0);
}

void DeviceTraining::undoStep() {
  step_.undoUpdate(state_);
  hostStale_ = true;
}

void DeviceTraining::syncHost() {
  if (!hostStale_)
    return;
  state_.download(host_);
  hostStale_ = false;
}

void DeviceTraining::hostChanged() {
  state_.upload(host_);
  hostStale_ = false;
}

std::map<std::string, Array> DeviceTraining::runOverDataset(const std::string &function, const BatchSource &src) {
  if (function != "eval_step" || !eval_)
    throw std::logic_error("DeviceTraining::runOverDataset: only eval_step runs on the trainer's state");
  return runBatches(*eval_, src, state_, Hypers{});
}

} // namespace aec::rt
