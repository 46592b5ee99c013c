/// Builds the functions of a trainer from the model spec: train_step (forward + loss +
/// backward + optimizer update as one graph), eval_step, encode, decode, reconstruct.
#include "ir/Builder.h"
#include "passes/Optimizers.h"
#include "passes/Passes.h"

namespace aec {

namespace {
/// The prediction the loss compares with the target: logits for bce after a sigmoid.
ValueId lossInput(const ModelSpec &spec, const ForwardInfo &info, bool &logits) {
  logits = spec.loss.reconstruction == "bce" && info.logits != NoValue;
  return logits ? info.logits : info.output;
}

void rejectUnsupportedTerms(const ModelSpec &spec) {
  for (const LossTermSpec &t : spec.loss.terms)
    fail(t.loc, "loss term '" + t.kind + "' is not supported yet");
}

/// The forward model plus per-sample reconstruction losses [B] against input "target".
Graph buildPerSampleLoss(const ModelSpec &spec, int64_t batch, DType dtype,
                         const std::string &name, ValueId *perSample) {
  ForwardInfo info;
  Graph g = buildForward(spec, batch, ForwardPart::Full, &info, dtype);
  g.name = name;
  Builder b(g);
  b.loc = spec.loss.loc;
  ValueId target = b.input("target", role::Target, {dtype, withBatch(batch, info.outputShape)});
  bool logits;
  ValueId prediction = lossInput(spec, info, logits);
  *perSample = perSampleLoss(b, spec.loss.reconstruction, prediction, target, logits);
  return g;
}

Graph buildTrainStep(const ModelSpec &spec, int64_t batch, DType dtype) {
  ValueId perSample;
  Graph g = buildPerSampleLoss(spec, batch, dtype, "train_step", &perSample);
  Builder b(g);
  b.loc = spec.loss.loc;
  ValueId weight = b.input("weight", role::Weight, {dtype, {batch}});
  ValueId loss = weightedMean(b, perSample, weight);
  g.addOutput("loss", loss);

  std::vector<ValueId> params = g.inputsWithRole(role::Param);
  std::vector<ValueId> grads = buildGradients(g, loss, params);
  std::vector<ParamUpdate> updates;
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({params[i], grads[i], g.node(params[i]).attrs.getString("name")});
  buildOptimizerUpdate(b, spec.optimizer, updates);
  return g;
}

Graph buildEvalStep(const ModelSpec &spec, int64_t batch, DType dtype) {
  ValueId perSample;
  Graph g = buildPerSampleLoss(spec, batch, dtype, "eval_step", &perSample);
  g.addOutput("loss", perSample);
  return g;
}

Graph buildPart(const ModelSpec &spec, int64_t batch, DType dtype, ForwardPart part,
                const std::string &name) {
  ForwardInfo info;
  Graph g = buildForward(spec, batch, part, &info, dtype);
  g.name = name;
  g.outputs.clear();
  g.addOutput(part == ForwardPart::Encoder ? "code" : "output",
              part == ForwardPart::Encoder ? info.code : info.output);
  return g;
}
} // namespace

Module buildTrainingModule(const ModelSpec &spec, int64_t batch, DType dtype) {
  rejectUnsupportedTerms(spec);
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
