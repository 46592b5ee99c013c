/// The data-parallel training step (aec/ParallelStep.h).
#include <aec/ParallelStep.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
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

std::vector<int64_t> rankShards(int64_t shards, int rank, int ranks) {
  std::vector<int64_t> mine;
  for (int64_t s = rank; s < shards; s += ranks)
    mine.push_back(s);
  return mine;
}

ParallelStep::ParallelStep(const Model &model, int threads, MpiWorld *world)
    : update_(model, "update_step"), world_(world), pool_(threads) {
  const int64_t shards = compiledShards(model);
  mine_ = rankShards(shards, world ? world->rank() : 0, world ? world->size() : 1);
  if (threads < 1 || threads > std::max<int64_t>(1, static_cast<int64_t>(mine_.size())) || (shards < 2 && !world))
    throw std::logic_error(fmt::format("ParallelStep: {} threads for {} shards", threads, mine_.size()));
  // A shard's call (buffers and workspace) only where it is computed: a rank holds its own.
  shards_ = shards;
  batch_ = model.desc.batch;
  for (size_t k = 0; k < mine_.size(); ++k)
    grads_.emplace_back(model, "grad_step");
  shardRows_.resize(mine_.size());
  computed_.reserve(mine_.size());
  const FunctionInfo &grad = model.requireFunction("grad_step"), &update = update_.info();
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
  // The other results named after a param: a shard's new moving statistics (batchnorm).
  for (size_t j = 0; j < grad.results.size(); ++j) {
    const auto &params = model.desc.params;
    auto p = std::find_if(params.begin(), params.end(), [&](const auto &q) { return q.name == grad.results[j].name; });
    if (p != params.end()) {
      stats_.push_back({j, static_cast<size_t>(p - params.begin())});
      statValues_.emplace_back(grad.results[j].dims);
    }
  }
  if (world) {
    size_t floats = 2; // the loss and the stop vote
    for (auto [arg, result] : gradArgs_)
      floats += update_.arg(arg).data.size();
    for (const Array &a : statValues_)
      floats += a.data.size();
    flat_.resize(floats);
  }
}

void ParallelStep::averageStats(int64_t realRows) {
  for (size_t i = 0; i < stats_.size(); ++i) {
    std::vector<float> &sum = statValues_[i].data;
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (size_t k = 0; k < mine_.size(); ++k) {
      const float rows = static_cast<float>(shardRows_[k].size());
      if (rows == 0)
        continue; // no statistics: a shard of padding only was not computed
      const float *v = grads_[k].result(stats_[i].first).data.data();
      for (size_t e = 0; e < sum.size(); ++e)
        sum[e] += rows * v[e];
    }
  }
  if (world_)
    return; // divided after the allreduce, which sums the ranks' row-weighted sums
  for (Array &a : statValues_)
    for (float &x : a.data)
      x /= static_cast<float>(realRows);
}

void ParallelStep::swapStats(ModelState &state) {
  for (size_t i = 0; i < stats_.size(); ++i)
    std::swap(statValues_[i].data, state.params[stats_[i].second].data);
}

double ParallelStep::reduce(float stopVote, int64_t realRows) {
  // The shards this process computed: a shard of padding rows only is skipped (zero
  // weight: it adds nothing, and its batch statistics, over no rows, would be NaN).
  std::vector<size_t> &computed = computed_; // reserved: a step makes no heap call
  computed.clear();
  for (size_t k = 0; k < mine_.size(); ++k)
    if (!shardRows_[k].empty())
      computed.push_back(k);
  for (auto [arg, result] : gradArgs_) {
    std::vector<float> &sum = update_.arg(arg).data;
    if (computed.empty()) {
      std::fill(sum.begin(), sum.end(), 0.0f); // a rank beyond the shard count adds nothing
      continue;
    }
    const std::vector<float> &first = grads_[computed[0]].result(result).data;
    std::copy(first.begin(), first.end(), sum.begin());
    for (size_t c = 1; c < computed.size(); ++c) {
      const float *g = grads_[computed[c]].result(result).data.data();
      for (size_t i = 0; i < sum.size(); ++i)
        sum[i] += g[i];
    }
  }
  averageStats(realRows);
  stopVotes_ = stopVote;
  // The shards' losses: in double alone; under MPI in float, as the gradients, so that the
  // sum over the ranks is the same on every rank.
  double loss = 0;
  float floatLoss = 0;
  for (size_t k : computed) {
    loss += grads_[k].result(size_t{0}).data.at(0);
    floatLoss += grads_[k].result(size_t{0}).data.at(0);
  }
  if (!world_)
    return loss;
  // One contiguous buffer, one MPI_Allreduce per step (the parameters are kilobytes to
  // megabytes: per-tensor calls would pay the latency once per tensor).
  size_t at = 0;
  auto pack = [&](const std::vector<float> &v) {
    std::copy(v.begin(), v.end(), flat_.begin() + static_cast<std::ptrdiff_t>(at));
    at += v.size();
  };
  for (auto [arg, result] : gradArgs_)
    pack(update_.arg(arg).data);
  for (const Array &a : statValues_)
    pack(a.data);
  flat_[at] = floatLoss;
  flat_[at + 1] = stopVote;
  const auto t0 = std::chrono::steady_clock::now(); // tens of ns: measured on every step
  world_->allreduceSum(flat_.data(), static_cast<int64_t>(flat_.size()));
  allreduceSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ++allreduces_;
  at = 0;
  auto unpack = [&](std::vector<float> &v) {
    std::copy(flat_.begin() + static_cast<std::ptrdiff_t>(at), flat_.begin() + static_cast<std::ptrdiff_t>(at + v.size()),
              v.begin());
    at += v.size();
  };
  for (auto [arg, result] : gradArgs_)
    unpack(update_.arg(arg).data);
  for (Array &a : statValues_) {
    unpack(a.data);
    for (float &x : a.data)
      x /= static_cast<float>(realRows);
  }
  stopVotes_ = flat_[at + 1];
  return flat_[at];
}

double ParallelStep::run(const std::vector<BatchSource> &sources, const std::vector<int64_t> &rows,
                         ModelState &state, const Hypers &hypers, float stopVote) {
  const int64_t shardBatch = batch_ / shards_, n = static_cast<int64_t>(rows.size());
  for (size_t k = 0; k < mine_.size(); ++k) {
    const int64_t begin = std::min(n, mine_[k] * shardBatch), end = std::min(n, begin + shardBatch);
    shardRows_[k].assign(rows.begin() + begin, rows.begin() + end);
  }
  const int threads = pool_.size();
  const size_t mine = mine_.size();
  auto job = [&](int t) {
    for (size_t k = static_cast<size_t>(t); k < mine; k += static_cast<size_t>(threads))
      if (!shardRows_[k].empty())
        grads_[k].run(sources[mine_[k]], shardRows_[k], state, hypers, false);
  };
  pool_.run(job);
  const double loss = reduce(stopVote, n);
  update_.run(sources[0], {}, state, hypers, true);
  swapStats(state);
  return loss;
}

} // namespace aec::rt
