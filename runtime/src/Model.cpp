/// Binding descriptor buffers to host arrays and calling entry points batch by batch.
#include "OverDataset.h"

#include <aec/CudaModel.h>
#include <aec/Model.h>
#include <aec/Random.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace aec::rt {

AecEntryFn Model::entry(const std::string &name) const {
  auto it = entries.find(name);
  return it == entries.end() ? nullptr : it->second;
}

bool Model::hasFunction(const std::string &name) const { return desc.function(name) && entry(name); }

const FunctionInfo &Model::requireFunction(const std::string &name) const {
  const FunctionInfo *f = desc.function(name);
  if (!f || !entry(name))
    throw std::runtime_error(fmt::format("model '{}' has no function '{}'", desc.name, name));
  return *f;
}

namespace {

std::string dimsText(const Dims &d) { return fmt::format("[{}]", fmt::join(d, ", ")); }

bool isBatchRole(const std::string &role) {
  return role == "data" || role == "target" || role == "weight" || role == "latent";
}

bool isNoiseRole(const std::string &role) { return role == "noise_normal" || role == "noise_uniform"; }

int64_t findByName(const std::vector<BufferInfo> &v, const std::string &name) {
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

int64_t findParam(const ModelDescriptor &d, const std::string &name) {
  for (size_t i = 0; i < d.params.size(); ++i)
    if (d.params[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

} // namespace

Workspace::Workspace(int64_t bytes) {
  constexpr int64_t Alignment = 64;
  // aligned_alloc wants a multiple of the alignment, and at least one block.
  const int64_t rounded = std::max<int64_t>(1, (bytes + Alignment - 1) / Alignment) * Alignment;
  memory_.reset(std::aligned_alloc(Alignment, static_cast<size_t>(rounded)));
  if (!memory_)
    throw std::runtime_error(fmt::format("cannot allocate a workspace of {} bytes", bytes));
}

namespace {
/// The batch of `function`: the leading dimension of its batch inputs, which is the model's
/// batch except for a shard function (grad_step runs on a part of the batch).
int64_t functionBatch(const Model &model, const FunctionInfo &f) {
  for (const auto &a : f.args)
    if (isBatchRole(a.role) && !a.dims.empty())
      return a.dims[0];
  return model.desc.batch;
}
} // namespace

CallArgs::Kind CallArgs::kindOf(const std::string &role) {
  static const std::pair<const char *, Kind> kinds[] = {
      {"weight", Kind::Weight},     {"data", Kind::Data},
      {"target", Kind::Target},     {"latent", Kind::Latent},
      {"noise_normal", Kind::NoiseNormal}, {"noise_uniform", Kind::NoiseUniform},
      {"hyper", Kind::Hyper},       {"param", Kind::Param},
      {"state", Kind::State},       {"grad", Kind::Grad}};
  for (const auto &[name, kind] : kinds)
    if (role == name)
      return kind;
  throw std::logic_error("unknown argument role '" + role + "'"); // the constructor checked roles
}

CallArgs::CallArgs(const Model &model, const std::string &function)
    : info_(&model.requireFunction(function)), batch_(functionBatch(model, *info_)) {
  if (batch_ <= 0)
    throw std::runtime_error(fmt::format("model '{}': descriptor has no positive batch size", model.desc.name));
  auto bad = [&](const std::string &why) {
    return std::runtime_error(fmt::format("model '{}' function '{}': {}", model.desc.name, function, why));
  };
  for (const auto &a : info_->args) {
    if (isBatchRole(a.role)) {
      if (a.dims.empty() || a.dims[0] != batch_)
        throw bad(fmt::format("arg '{}' has shape {}, expected a leading batch dimension {}", a.name, dimsText(a.dims), batch_));
    } else if (a.role == "param") {
      int64_t i = findParam(model.desc, a.name);
      if (i < 0 || model.desc.params[i].dims != a.dims)
        throw bad(fmt::format("arg '{}' is not a param of the model with shape {}", a.name, dimsText(a.dims)));
    } else if (a.role == "state") {
      int64_t i = findByName(model.desc.states, a.name);
      if (i < 0 || model.desc.states[i].dims != a.dims)
        throw bad(fmt::format("arg '{}' is not an optimizer state with shape {}", a.name, dimsText(a.dims)));
    } else if (a.role == "grad") {
      int64_t i = findParam(model.desc, a.name.substr(a.name.find('/') + 1));
      if (a.name.rfind("grad/", 0) != 0 || i < 0 || model.desc.params[i].dims != a.dims)
        throw bad(fmt::format("arg '{}' is not the gradient of a param of the model with shape {}", a.name,
                              dimsText(a.dims)));
    } else if (a.role == "hyper") {
      if (numElements(a.dims) != 1)
        throw bad(fmt::format("hyper '{}' must be a scalar", a.name));
    } else if (isNoiseRole(a.role)) {
      // Any shape: the generated code decides how many draws a layer needs per call.
    } else {
      throw bad(fmt::format("arg '{}' has unknown role '{}'", a.name, a.role));
    }
    kinds_.push_back(kindOf(a.role));
    // Params and states are bound straight to ModelState's arrays at run time.
    args_.emplace_back(a.role == "param" || a.role == "state" ? Dims{0} : a.dims);
    argIndex_.push_back(a.role == "param"   ? findParam(model.desc, a.name)
                        : a.role == "state" ? findByName(model.desc.states, a.name)
                                            : -1);
  }
  for (const auto &r : info_->results) {
    // Results named like a param/state arg of this function are its updated value.
    int64_t target = -1;
    for (size_t i = 0; i < info_->args.size(); ++i) {
      const BufferInfo &a = info_->args[i];
      if (a.name == r.name && a.dims == r.dims && (a.role == "param" || a.role == "state"))
        target = a.role == "param" ? argIndex_[i] : -2 - argIndex_[i];
    }
    resultTarget_.push_back(target);
  }
}

void CallArgs::fill(const BatchSource &src, const std::vector<int64_t> &rows, const Hypers &hypers) {
  if (static_cast<int64_t>(rows.size()) > batch_)
    throw std::logic_error("CallArgs::fill: at most B rows expected");
  const int64_t real = static_cast<int64_t>(rows.size());
  // One stream per call, consumed in argument order: the draws depend only on the seed.
  Rng noise(src.noiseSeed);
  for (size_t i = 0; i < info_->args.size(); ++i) {
    const BufferInfo &a = info_->args[i];
    Array &buf = args_[i];
    switch (kinds_[i]) {
    case Kind::Weight: {
      std::fill(buf.data.begin(), buf.data.end(), 0.0f);
      const int64_t per = buf.rowSize();
      std::fill_n(buf.data.begin(), real * per, 1.0f); // padded rows keep weight 0
      break;
    }
    case Kind::Data:
    case Kind::Target:
    case Kind::Latent: {
      const Array *from = kinds_[i] == Kind::Data     ? src.data
                          : kinds_[i] == Kind::Target ? (src.target ? src.target : src.data)
                                                      : src.latent;
      if (!from)
        throw std::runtime_error(fmt::format("function '{}' needs {} input '{}', none given", info_->name, a.role, a.name));
      const int64_t w = buf.rowSize();
      if (from->rowSize() != w)
        throw std::runtime_error(fmt::format("function '{}': {} '{}' needs {} values per sample, the data has {}",
                                             info_->name, a.role, a.name, w, from->rowSize()));
      for (int64_t r = 0; r < batch_; ++r) // pad by repeating the first row: finite, and masked by weight 0
        std::memcpy(buf.row(r), from->row(r < real ? rows[r] : real > 0 ? rows[0] : 0), w * sizeof(float));
      if (kinds_[i] == Kind::Data && src.corruptData)
        src.corruptData(buf, real);
      break;
    }
    case Kind::NoiseNormal:
      for (float &v : buf.data)
        v = static_cast<float>(noise.normal());
      break;
    case Kind::NoiseUniform:
      for (float &v : buf.data)
        v = static_cast<float>(noise.uniform());
      break;
    case Kind::Hyper: {
      auto it = hypers.find(a.name);
      if (it == hypers.end())
        throw std::runtime_error(fmt::format("function '{}' takes hyper-parameter '{}', which this runtime does not "
                                             "provide (known: lr, t, seed, weight_sum)", info_->name, a.name));
      buf.data[0] = it->second;
      break;
    }
    case Kind::Param:
    case Kind::State:
    case Kind::Grad:
      break;
    }
  }
}

FunctionCall::FunctionCall(const Model &model, const std::string &function)
    : args_(model, function), fn_(model.entry(function)), workspace_(args_.info().workspaceBytes) {
  for (const auto &r : args_.info().results)
    results_.emplace_back(r.dims);
  pointers_.resize(args_.size() + results_.size() + 1);
  pointers_.back() = workspace_.data();
}

void FunctionCall::run(const BatchSource &src, const std::vector<int64_t> &rows, ModelState &state,
                       const Hypers &hypers, bool updateState) {
  args_.fill(src, rows, hypers);
  for (size_t i = 0; i < args_.size(); ++i) {
    if (args_.kind(i) == CallArgs::Kind::Param)
      pointers_[i] = state.params.at(args_.stateIndex(i)).data.data();
    else if (args_.kind(i) == CallArgs::Kind::State)
      pointers_[i] = state.states.at(args_.stateIndex(i)).data.data();
    else
      pointers_[i] = args_.buffer(i).data.data();
  }
  for (size_t j = 0; j < results_.size(); ++j)
    pointers_[args_.size() + j] = results_[j].data.data();
  fn_(pointers_.data());
  if (!updateState)
    return;
  // Double-buffering: the new values become the state, the old buffers the next out-buffers.
  swapUpdated(state);
}

void FunctionCall::swapUpdated(ModelState &state) {
  for (size_t j = 0; j < results_.size(); ++j) {
    const int64_t t = args_.resultTarget(j);
    if (t >= 0)
      std::swap(results_[j].data, state.params[t].data);
    else if (t <= -2)
      std::swap(results_[j].data, state.states[-2 - t].data);
  }
}

void FunctionCall::undoUpdate(ModelState &state) { swapUpdated(state); }

const Array &resultByName(const FunctionInfo &info, const std::vector<Array> &results, const std::string &name) {
  for (size_t j = 0; j < results.size(); ++j)
    if (info.results[j].name == name)
      return results[j];
  throw std::runtime_error(fmt::format("function '{}' has no result '{}'", info.name, name));
}

const Array &FunctionCall::result(const std::string &name) const { return resultByName(info(), results_, name); }

std::map<std::string, Array> runOverDataset(const Model &model, const std::string &function, const BatchSource &src,
                                            ModelState &state, const Hypers &hypers) {
  if (model.desc.target == "cuda")
    return runOverDatasetOnDevice(model, function, src, state, hypers);
  FunctionCall call(model, function);
  return runBatches(call, src, state, hypers);
}

} // namespace aec::rt
