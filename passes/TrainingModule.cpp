/// Builds the functions of a trainer from the model spec: train_step (forward + loss +
/// backward + optimizer update as one graph), eval_step, encode, decode, reconstruct.
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

Module buildTrainingModule(const ModelSpec &spec, int64_t batch, DType dtype) {
  Module m;
  m.graphs.push_back(buildTrainStep(spec, batch, dtype));
  m.graphs.push_back(buildEvalStep(spec, batch, dtype));
  m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Encoder, "encode"));
  if (hasStandaloneDecoder(spec))
    m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Decoder, "decode"));
  m.graphs.push_back(buildPart(spec, batch, dtype, ForwardPart::Full, "reconstruct"));
  verifyModule(m, "buildTrainingModule");
  return m;
}

} // namespace aec
