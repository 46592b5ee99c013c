/// The data-parallel training step (aec/ParallelStep.h).
#include <aec/ParallelStep.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace aec::rt {

int64_t compiledShards(const Model &model) {
  if (!model.hasFunction("grad_step") || !model.hasFunction("update_step"))
    return 1;
  for (const auto &a : model.desc.function("grad_step")->args)
    if (a.role == "weight" && !a.dims.empty() && a.dims[0] > 0)
      return model.desc.batch / a.dims[0];
  return 1;
}

int chooseThreads(const Model &model, int requested, std::string *note) {
  const int64_t shards = compiledShards(model);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int wanted = requested > 0 ? requested : cores;
  note->clear();
  if (wanted <= 1)
    return 1;
  if (shards <= 1) {
    auto reason = model.desc.settings.find("threads.single_reason");
    *note = reason != model.desc.settings.end() ? reason->second : "the model has no grad_step";
    return 1;
  }
  if (wanted > shards && requested > 0)
    *note = fmt::format("the step was compiled in {} shards (aec compile --shards)", shards);
  return static_cast<int>(std::min<int64_t>(wanted, shards));
}

ParallelStep::ParallelStep(const Model &model, int threads)
    : update_(model, "update_step"), pool_(threads) {
  const int64_t shards = compiledShards(model);
  if (threads < 1 || threads > shards || shards < 2)
    throw std::logic_error(fmt::format("ParallelStep: {} threads for {} shards", threads, shards));
  for (int64_t s = 0; s < shards; ++s)
    grads_.emplace_back(model, "grad_step");
  shardRows_.resize(shards);
  const FunctionInfo &grad = grads_[0].info(), &update = update_.info();
  for (size_t i = 0; i < update.args.size(); ++i) {
    if (update.args[i].role != "grad")
      continue;
    auto it = std::find_if(grad.results.begin(), grad.results.end(),
                           [&](const BufferInfo &r) { return r.name == update.args[i].name; });
    if (it == grad.results.end())
      throw std::runtime_error(fmt::format("model '{}': grad_step has no result '{}' for update_step",
                                           model.desc.name, update.args[i].name));
    gradArgs_.push_back({i, static_cast<size_t>(it - grad.results.begin())});
  }
}

void ParallelStep::reduce() {
  for (auto [arg, result] : gradArgs_) {
    std::vector<float> &sum = update_.arg(arg).data;
    const std::vector<float> &first = grads_[0].result(result).data;
    std::copy(first.begin(), first.end(), sum.begin());
    for (size_t s = 1; s < grads_.size(); ++s) {
      const float *g = grads_[s].result(result).data.data();
      for (size_t i = 0; i < sum.size(); ++i)
        sum[i] += g[i];
    }
  }
}

double ParallelStep::run(const std::vector<BatchSource> &sources, const std::vector<int64_t> &rows,
                         ModelState &state, const Hypers &hypers) {
  const int64_t shardBatch = grads_[0].batch(), n = static_cast<int64_t>(rows.size());
  for (int64_t s = 0; s < shards(); ++s) {
    const int64_t begin = std::min(n, s * shardBatch), end = std::min(n, begin + shardBatch);
    shardRows_[s].assign(rows.begin() + begin, rows.begin() + end);
  }
  const int threads = pool_.size();
  auto job = [&](int t) {
    for (int64_t s = t; s < shards(); s += threads)
      grads_[s].run(sources[s], shardRows_[s], state, hypers, false);
  };
  pool_.run(job);
  reduce();
  double loss = 0;
  for (const FunctionCall &g : grads_)
    loss += g.result(size_t{0}).data.at(0);
  update_.run(sources[0], {}, state, hypers, true);
  return loss;
}

} // namespace aec::rt
