/// Builds the functions of a trainer from the model spec: train_step (forward + loss +
/// backward + optimizer update as one graph), eval_step, encode, decode, reconstruct; or,
/// for data-parallel threads, instead of train_step the same step split in two: grad_step
/// on a shard of the batch and update_step from the summed gradients.
///
/// train_step runs the forward model in ForwardMode::Train (dropout, noise, batchnorm's
/// batch statistics, the VAE's sampled code); every other function runs it in Infer mode,
/// as Keras evaluates and predicts.
#include "ir/Builder.h"
#include "passes/LossTerms.h"
#include "passes/Optimizers.h"
#include "passes/Passes.h"

namespace aec {

namespace {
/// The prediction the loss compares with the target: logits for bce after a sigmoid.
ValueId lossInput(const ModelSpec &spec, const ForwardInfo &info, bool &logits) {
  logits = spec.loss.reconstruction == "bce" && info.logits != NoValue;
  return logits ? info.logits : info.output;
}

/// The forward model plus per-sample reconstruction losses [B] against input "target".
Graph buildPerSampleLoss(const ModelSpec &spec, int64_t batch, DType dtype, ForwardMode mode,
                         const std::string &name, ForwardInfo &info, ValueId *perSample) {
  Graph g = buildForward(spec, batch, ForwardPart::Full, &info, dtype, mode);
  g.name = name;
  Builder b(g);
  b.loc = spec.loss.loc;
  ValueId target = b.input("target", role::Target, {dtype, withBatch(batch, info.outputShape)});
  bool logits;
  ValueId prediction = lossInput(spec, info, logits);
  *perSample = perSampleLoss(b, spec.loss.reconstruction, prediction, target, logits);
  return g;
}

bool isTrainable(const Graph &g, ValueId param) {
  return g.node(param).attrs.getInt("trainable", int64_t(1)) != 0;
}

/// Outputs: "loss", then the optimizer's new params and states, then the new values of the
/// non-trainable params (batchnorm's moving statistics) under their own names.
Graph buildTrainStep(const ModelSpec &spec, int64_t batch, DType dtype) {
  ValueId perSample;
  ForwardInfo info;
  Graph g = buildPerSampleLoss(spec, batch, dtype, ForwardMode::Train, "train_step", info,
                               &perSample);
  Builder b(g);
  b.loc = spec.loss.loc;
  // Batchnorm may have made the weight input already: the loss shares it.
  ValueId weight = g.findInput("weight");
  if (weight == NoValue)
    weight = b.input("weight", role::Weight, {dtype, {batch}});
  ExtraLoss extra = buildLossTerms(b, spec, info, g.findInput("x"), weight);
  b.loc = spec.loss.loc;
  if (extra.perSample != NoValue)
    perSample = b.add(perSample, extra.perSample);
  ValueId loss = weightedMean(b, perSample, weight);
  if (extra.batch != NoValue)
    loss = b.add(loss, extra.batch);
  g.addOutput("loss", loss);

  std::vector<ValueId> params;
  for (ValueId p : g.inputsWithRole(role::Param))
    if (isTrainable(g, p))
      params.push_back(p); // the others are constants to the AD and the optimizer
  std::vector<ValueId> grads = buildGradients(g, loss, params);
  std::vector<ParamUpdate> updates;
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({params[i], grads[i], g.node(params[i]).attrs.getString("name")});
  buildOptimizerUpdate(b, spec.optimizer, updates);
  for (const auto &[name, value] : info.paramUpdates)
    g.addOutput(name, value);
  return g;
}

/// One shard of the batch: loss = (sum(w * perSample) + sum(w) * batchTerms) / weight_sum,
/// where weight_sum is the whole batch's sum of weights (an input), so the shards' losses
/// and gradients add up to the whole batch's. The batch terms left (weight_decay) depend
/// on the parameters only: each shard carries its share of the samples' weight.
Graph buildGradStep(const ModelSpec &spec, int64_t shardBatch, DType dtype) {
  ValueId perSample;
  ForwardInfo info;
  Graph g = buildPerSampleLoss(spec, shardBatch, dtype, ForwardMode::Train, "grad_step", info,
                               &perSample);
  Builder b(g);
  b.loc = spec.loss.loc;
  // Batchnorm may have made the weight input already (its statistics over the real rows).
  ValueId weight = g.findInput("weight");
  if (weight == NoValue)
    weight = b.input("weight", role::Weight, {dtype, {shardBatch}});
  ExtraLoss extra = buildLossTerms(b, spec, info, g.findInput("x"), weight);
  b.loc = spec.loss.loc;
  if (extra.perSample != NoValue)
    perSample = b.add(perSample, extra.perSample);
  ValueId total = b.input("weight_sum", role::Hyper, {dtype, {}});
  ValueId sum = b.sumAll(b.mul(perSample, weight));
  if (extra.batch != NoValue)
    sum = b.add(sum, b.mul(extra.batch, b.sumAll(weight)));
  ValueId loss = b.div(sum, total);
  g.addOutput("loss", loss);
  std::vector<ValueId> params;
  for (ValueId p : g.inputsWithRole(role::Param))
    if (isTrainable(g, p))
      params.push_back(p);
  std::vector<ValueId> grads = buildGradients(g, loss, params);
  for (size_t i = 0; i < params.size(); ++i)
    g.addOutput("grad/" + g.node(params[i]).attrs.getString("name"), grads[i]);
  // This shard's moving statistics (batchnorm), from its own batch statistics: the runtime
  // averages them over the shards, weighted by their real rows (aec/ParallelStep.h).
  for (const auto &[name, value] : info.paramUpdates)
    g.addOutput(name, value);
  return g;
}

/// The optimizer update of every trainable param from its summed gradient (role grad).
Graph buildUpdateStep(const ModelSpec &spec, DType dtype) {
  ForwardInfo info;
  (void)buildForward(spec, 1, ForwardPart::Full, &info, dtype, ForwardMode::Train);
  Graph g;
  g.name = "update_step";
  Builder b(g);
  b.loc = spec.optimizer.loc;
  std::vector<ParamUpdate> updates;
  for (const ParamSpec &p : info.params)
    if (p.trainable)
      updates.push_back({b.input(p.name, role::Param, {dtype, p.shape}), NoValue, p.name});
  for (ParamUpdate &u : updates)
    u.grad = b.input("grad/" + u.name, role::Grad, b.type(u.param));
  buildOptimizerUpdate(b, spec.optimizer, updates);
  return g;
}

/// Per-sample losses [B]: the reconstruction, plus beta * KL for a VAE (its negative ELBO,
/// what Keras' VAE reports as val_loss). The regularizer terms are training penalties and
/// stay out, so `score` ranks samples by how well they are reconstructed.
Graph buildEvalStep(const ModelSpec &spec, int64_t batch, DType dtype) {
  ValueId perSample;
  ForwardInfo info;
  Graph g = buildPerSampleLoss(spec, batch, dtype, ForwardMode::Infer, "eval_step", info,
                               &perSample);
  if (info.klPerSample != NoValue) {
    Builder b(g);
    b.loc = spec.loss.loc;
    perSample = b.add(perSample, b.mulScalar(info.klPerSample, spec.loss.beta));
  }
  g.addOutput("loss", perSample);
  return g;
}

Graph buildPart(const ModelSpec &spec, int64_t batch, DType dtype, ForwardPart part,
                const std::string &name) {
  ForwardInfo info;
  Graph g = buildForward(spec, batch, part, &info, dtype, ForwardMode::Infer);
  g.name = name;
  g.outputs.clear();
  g.addOutput(part == ForwardPart::Encoder ? "code" : "output",
              part == ForwardPart::Encoder ? info.code : info.output);
  return g;
}
} // namespace

ShardPlan planShards(const ModelSpec &spec, int64_t batch, int64_t requested) {
  const int64_t flops = 3 * forwardFlopsPerSample(spec) * batch;
  ShardPlan plan;
  if (requested == 1) {
    plan.reason = "compiled with --shards 1";
    return plan;
  }
  // Batch statistics (batchnorm's mean over the real samples, which reads the per-sample
  // weights; kl_sparsity's mean activation) couple the samples of a batch: a shard computes
  // its own, as a rank of PyTorch's DDP does. That changes the results of one process, so
  // only an explicit --shards K splits such a step.
  std::string coupled;
  ForwardInfo info;
  Graph forward = buildForward(spec, batch, ForwardPart::Full, &info, DType::F32, ForwardMode::Train);
  if (forward.findInput("weight") != NoValue)
    coupled = "batchnorm's batch statistics";
  for (const LossTermSpec &t : spec.loss.terms)
    if (t.kind == "kl_sparsity")
      coupled += std::string(coupled.empty() ? "" : " and ") + "kl_sparsity's mean activation";
  if (requested == 0 && !coupled.empty()) {
    const bool one = coupled.find(" and ") == std::string::npos && coupled.find("statistics") == std::string::npos;
    plan.reason = coupled + (one ? " couples" : " couple") +
                  " the samples of a batch; aec compile --shards K splits the step, each shard with its "
                  "own statistics, as PyTorch DDP";
    return plan;
  }
  if (requested == 0 && flops < MinShardedStepFlops) {
    plan.reason = "a step of " + std::to_string(flops / 1000) +
                  " kFLOP is too small to pay for a second thread (aec compile --shards 2 "
                  "splits it anyway)";
    return plan;
  }
  const int64_t shards = requested == 0 ? 2 : requested;
  if (batch % shards != 0) {
    plan.reason = "batch " + std::to_string(batch) + " does not split into " + std::to_string(shards) +
                  " equal shards";
    return plan;
  }
  plan.shards = shards;
  if (!coupled.empty())
    plan.note = coupled + " per shard of " + std::to_string(batch / shards) +
                " samples, as PyTorch DDP per rank; moving statistics averaged over the shards, weighted by real rows";
  return plan;
}

Module buildTrainingModule(const ModelSpec &spec, int64_t batch, DType dtype, int64_t shards) {
  Module m;
  // A split step needs no whole one: one thread runs the shards in turn, with the
  // same result as two (and half the workspace); compiling the step twice would
  // double the compile time of the largest functions.
  if (shards <= 1)
    m.graphs.push_back(buildTrainStep(spec, batch, dtype));
  else {
    m.graphs.push_back(buildGradStep(spec, batch / shards, dtype));
    m.graphs.push_back(buildUpdateStep(spec, dtype));
  }
  m.graphs.push_back(buildEvalStep(spec, batch, dtype));
  m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Encoder, "encode"));
  if (hasStandaloneDecoder(spec))
    m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Decoder, "decode"));
  m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Full, "reconstruct"));
  verifyModule(m, "buildTrainingModule");
  return m;
}

} // namespace aec
