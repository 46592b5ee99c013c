/// The step split for data-parallel threads (grad_step on shards + update_step) against the
/// fused train_step, in float64 on the interpreter: the shards' losses and gradients add up
/// to the whole batch's, so one update from their sum gives train_step's new weights; and
/// planShards refuses the steps a shard cannot compute exactly.
#include "frontend/ModelSpec.h"
#include "ir/Interpreter.h"
#include "passes/Passes.h"

#include <catch2/catch.hpp>

#include <random>

using namespace aec;

namespace {
ModelSpec spec(const std::string &layers, const std::string &terms = "[]",
               const std::string &optimizer = "{adam: {lr: 0.01}}") {
  return parseModelSpec(R"(input: [3]
encoder:
)" + layers + R"(
  - dense: {units: 2, activation: tanh, name: code}
decoder:
  - dense: {units: 3, name: out}
loss:
  reconstruction: mse
  terms: )" + terms + R"(
optimizer: )" + optimizer + R"(
train: {batch: 6}
)",
                        "m.yaml");
}

Tensor zeros(const Shape &s) { return xt::zeros<double>(std::vector<size_t>(s.begin(), s.end())); }

/// Rows [begin, begin + n) of a batch tensor.
Tensor rows(const Tensor &t, size_t begin, size_t n) {
  std::vector<size_t> shape(t.shape().begin(), t.shape().end());
  size_t per = t.size() / shape[0];
  shape[0] = n;
  Tensor out = xt::zeros<double>(shape);
  std::copy(t.begin() + begin * per, t.begin() + (begin + n) * per, out.begin());
  return out;
}
} // namespace

TEST_CASE("two grad_step shards and update_step give train_step's weights", "[passes][shards]") {
  // l1_activity is a per-sample term, weight_decay a term of the parameters alone: each
  // shard carries its share of both. The batch has two padded rows, both in shard 1.
  ModelSpec s = spec("  - dense: {units: 4, activation: relu}",
                     "[{l1_activity: {layer: code, weight: 0.01}}, {weight_decay: 0.001}]");
  REQUIRE(planShards(s, 6, 2).shards == 2);
  Module fused = buildTrainingModule(s, 6, DType::F64), split = buildTrainingModule(s, 6, DType::F64, 2);
  const Graph &train = *fused.find("train_step"), &grad = *split.find("grad_step"),
              &update = *split.find("update_step");
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  TensorMap in;
  for (ValueId v : train.inputs()) {
    const Node &n = train.node(v);
    Tensor t = zeros(n.type.shape);
    const std::string &role = n.attrs.getString("role");
    if (role == role::Param || role == role::Data || role == role::Target)
      for (double &x : t)
        x = u(rng);
    in[n.attrs.getString("name")] = t;
  }
  for (size_t i = 0; i < 6; ++i)
    in["weight"].flat(i) = i < 4 ? 1.0 : 0.0;
  in["lr"]() = 0.01;
  in["t"]() = 3;
  for (ValueId v : train.inputsWithRole(role::State))
    for (double &x : in[train.node(v).attrs.getString("name")])
      x = std::abs(u(rng)) * 0.1;
  TensorMap whole = interpret(train, in);

  TensorMap sum;
  double loss = 0;
  for (size_t shard = 0; shard < 2; ++shard) {
    TensorMap part = in;
    for (const char *name : {"x", "target", "weight"})
      part[name] = rows(in.at(name), 3 * shard, 3);
    part["weight_sum"] = zeros({});
    part["weight_sum"]() = 4;
    TensorMap out = interpret(grad, part);
    loss += out.at("loss")();
    for (const GraphOutput &o : grad.outputs)
      if (o.name != "loss")
        sum[o.name] = sum.count(o.name) ? Tensor(sum[o.name] + out.at(o.name)) : out.at(o.name);
  }
  CHECK(loss == Approx(whole.at("loss")()).epsilon(1e-12));

  TensorMap upIn = in;
  for (const auto &[name, g] : sum)
    upIn[name] = g;
  TensorMap updated = interpret(update, upIn);
  REQUIRE(update.outputs.size() + 1 == train.outputs.size());
  for (const GraphOutput &o : update.outputs) {
    INFO(o.name);
    CHECK(xt::allclose(updated.at(o.name), whole.at(o.name), 1e-12, 1e-14));
  }
}

TEST_CASE("planShards splits only what shards compute exactly", "[passes][shards]") {
  ModelSpec dense = spec("  - dense: {units: 4, activation: relu}");
  CHECK(planShards(dense, 6, 2).shards == 2);
  CHECK(planShards(dense, 6, 3).shards == 3);
  CHECK(planShards(dense, 6, 1).shards == 1);
  ShardPlan odd = planShards(dense, 7, 2);
  CHECK(odd.shards == 1);
  CHECK(odd.reason == "batch 7 does not split into 2 equal shards");
  // The default: a tiny step stays whole.
  ShardPlan small = planShards(dense, 6, 0);
  CHECK(small.shards == 1);
  CHECK_THAT(small.reason, Catch::Contains("too small to pay for a second thread"));

  // Batch statistics: whole by default (one process's results do not change silently); an
  // explicit shard count splits, each shard with its own statistics, and the note says so.
  ModelSpec bnSpec = spec("  - dense: {units: 4}\n  - batchnorm: {}");
  ShardPlan bn = planShards(bnSpec, 6, 0);
  CHECK(bn.shards == 1);
  CHECK_THAT(bn.reason, Catch::StartsWith("batchnorm's batch statistics couple the samples of a batch; aec "
                                          "compile --shards K splits the step"));
  ShardPlan bn2 = planShards(bnSpec, 6, 2);
  CHECK(bn2.shards == 2);
  CHECK(bn2.reason.empty());
  CHECK_THAT(bn2.note, Catch::StartsWith("batchnorm's batch statistics per shard of 3 samples"));
  CHECK(planShards(dense, 6, 2).note.empty());
  ModelSpec klSpec =
      spec("  - dense: {units: 4, activation: relu}", "[{kl_sparsity: {layer: code, rho: 0.1, weight: 0.1}}]");
  ShardPlan kl = planShards(klSpec, 6, 0);
  CHECK(kl.shards == 1);
  CHECK_THAT(kl.reason, Catch::StartsWith("kl_sparsity's mean activation couples the samples of a batch; "));
  CHECK(planShards(klSpec, 6, 2).shards == 2);
  CHECK_THAT(planShards(klSpec, 6, 2).note, Catch::StartsWith("kl_sparsity's mean activation per shard"));
  // Without shards the module is as before: no grad_step, no update_step.
  Module m = buildTrainingModule(dense, 6, DType::F64);
  CHECK(m.find("grad_step") == nullptr);
  // With shards the split step replaces train_step: it is not compiled twice.
  Module split = buildTrainingModule(dense, 6, DType::F64, 2);
  CHECK(split.find("train_step") == nullptr);
  CHECK(split.find("grad_step") != nullptr);
  CHECK(split.find("update_step") != nullptr);
  CHECK(m.find("update_step") == nullptr);
}

TEST_CASE("with batch statistics each grad_step shard is a batch of its own", "[passes][shards]") {
  // batchnorm and kl_sparsity split by an explicit shard count: a shard's loss, gradients and
  // moving statistics are train_step's on its rows alone (a batch of 3), its loss and
  // gradients scaled by its share n_s / N of the batch's real rows. SGD without momentum:
  // train_step's gradient is (p - p') / lr.
  ModelSpec s = spec("  - dense: {units: 4, activation: sigmoid, name: h}\n  - batchnorm: {momentum: 0.8}",
                     "[{kl_sparsity: {layer: h, rho: 0.2, weight: 0.3}}]", "{sgd: {lr: 0.5}}");
  REQUIRE(planShards(s, 6, 2).shards == 2);
  Module split = buildTrainingModule(s, 6, DType::F64, 2), alone = buildTrainingModule(s, 3, DType::F64);
  const Graph &grad = *split.find("grad_step"), &train = *alone.find("train_step");
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  TensorMap in;
  for (ValueId v : train.inputs()) {
    const Node &n = train.node(v);
    Tensor t = zeros(n.type.shape);
    for (double &x : t)
      x = u(rng);
    in[n.attrs.getString("name")] = t;
  }
  for (ValueId v : train.inputsWithRole(role::Param))
    if (train.node(v).attrs.getString("name").find("moving_variance") != std::string::npos)
      for (double &x : in[train.node(v).attrs.getString("name")])
        x = std::abs(x) + 0.5;
  const double lr = 0.5, realRows = 5; // shard 0: 3 real rows, shard 1: 2 and a padded one
  in["lr"]() = lr;
  for (size_t shard = 0; shard < 2; ++shard) {
    INFO("shard " << shard);
    const double n = shard == 0 ? 3 : 2;
    for (size_t i = 0; i < 3; ++i)
      in["weight"].flat(i) = i < n ? 1.0 : 0.0;
    TensorMap part = in;
    part["weight_sum"] = zeros({});
    part["weight_sum"]() = realRows;
    TensorMap out = interpret(grad, part), whole = interpret(train, in);
    CHECK(out.at("loss")() == Approx(whole.at("loss")() * n / realRows).epsilon(1e-12));
    int grads = 0, stats = 0;
    for (const GraphOutput &o : grad.outputs) {
      INFO(o.name);
      if (o.name.rfind("grad/", 0) == 0) {
        const std::string p = o.name.substr(5);
        Tensor expected = (in.at(p) - whole.at(p)) / lr * (n / realRows);
        CHECK(xt::allclose(out.at(o.name), expected, 1e-9, 1e-12));
        ++grads;
      } else if (o.name != "loss") {
        CHECK(xt::allclose(out.at(o.name), whole.at(o.name), 1e-12, 1e-14));
        ++stats;
      }
    }
    CHECK(grads == 8);
    CHECK(stats == 2);
  }
}
