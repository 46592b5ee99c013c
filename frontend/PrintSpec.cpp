/// `aec dump --stage spec`: the checked spec, one line per layer with its resolved
/// parameters (each kind's LayerKind::print), inputs, output shape and source location.
#include "frontend/LayerKind.h"

#include <sstream>

namespace aec {

namespace {

std::string where(const SourceLoc &loc) {
  return loc.valid() ? "  loc(" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + ")"
                     : "";
}

void printLayers(std::ostringstream &os, const char *title, const std::vector<LayerSpec> &ls) {
  os << title << ":\n";
  for (const LayerSpec &l : ls) {
    os << "  " << l.name << " = " << l.kind << "(" << printLayerParams(l) << ")";
    os << " <- ";
    if (l.sources.empty())
      os << "input";
    for (size_t i = 0; i < l.sources.size(); ++i)
      os << (i ? ", " : "") << l.sources[i];
    os << " : " << shapeStr(l.outputShape) << where(l.loc) << "\n";
  }
}

} // namespace

std::string printModelSpec(const ModelSpec &spec) {
  std::ostringstream os;
  os << "model " << spec.name << "  // " << spec.file << "\n";
  os << "input: " << shapeStr(spec.inputShape) << where(spec.inputLoc) << "\n";
  printLayers(os, "encoder", spec.encoder);
  printLayers(os, "decoder", spec.decoder);
  os << "code: " << spec.encoder.back().name << " " << shapeStr(spec.encoder.back().outputShape)
     << "\n";
  os << "loss: " << spec.loss.reconstruction;
  if (spec.loss.beta != 1.0)
    os << ", beta=" << numText(spec.loss.beta);
  os << where(spec.loss.loc) << "\n";
  for (const LossTermSpec &t : spec.loss.terms) {
    os << "  term " << t.kind << "(weight=" << numText(t.weight);
    if (!t.layer.empty())
      os << ", layer=" << t.layer;
    if (t.kind == "kl_sparsity")
      os << ", rho=" << numText(t.rho);
    os << ")" << where(t.loc) << "\n";
  }
  const OptimizerSpec &o = spec.optimizer;
  os << "optimizer: " << o.kind << "(lr=" << numText(o.lr);
  if (o.kind == "adam")
    os << ", beta1=" << numText(o.beta1) << ", beta2=" << numText(o.beta2)
       << ", eps=" << numText(o.eps);
  else if (o.kind == "sgd")
    os << ", momentum=" << numText(o.momentum);
  else
    os << ", rho=" << numText(o.rho) << ", eps=" << numText(o.eps)
       << ", momentum=" << numText(o.momentum);
  os << ")" << where(o.loc) << "\n";
  os << "batch: " << spec.batch << "\n";
  os << "settings:\n";
  for (const auto &[key, value] : spec.settings) {
    auto loc = spec.settingLocs.find(key);
    os << "  " << key << " = " << value << (loc != spec.settingLocs.end() ? where(loc->second) : "")
       << "\n";
  }
  return os.str();
}

} // namespace aec
