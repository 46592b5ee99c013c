/// `aec dump --stage spec`: the checked spec, one line per layer with its resolved
/// parameters, inputs, output shape and source location.
#include "frontend/ModelSpec.h"

#include <cmath>
#include <sstream>

namespace aec {

namespace {

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string pair(const std::vector<int64_t> &p) {
  return p.size() == 2 && p[0] == p[1] ? std::to_string(p[0]) : shapeStr(p);
}

std::string activationText(const LayerSpec &l) {
  std::string s = "activation=" + l.activation;
  if (!std::isnan(l.alpha))
    s += ", alpha=" + num(l.alpha);
  return s;
}

/// The parameters that matter for the layer's kind, as "k=v, ...".
std::string params(const LayerSpec &l) {
  const std::string &k = l.kind;
  std::vector<std::string> p;
  if (k == "dense") {
    p = {"units=" + std::to_string(l.units), activationText(l)};
    if (!l.useBias)
      p.push_back("use_bias=false");
  } else if (k == "conv2d" || k == "conv2d_transpose") {
    p = {"filters=" + std::to_string(l.filters), "kernel=" + pair(l.kernel),
         "strides=" + pair(l.strides), "padding=" + l.padding, activationText(l)};
    if (!l.useBias)
      p.push_back("use_bias=false");
  } else if (k == "maxpool" || k == "avgpool") {
    p = {"pool=" + pair(l.pool), "strides=" + pair(l.strides), "padding=" + l.padding};
  } else if (k == "upsample") {
    p = {"size=" + pair(l.size)};
  } else if (k == "reshape") {
    p = {"shape=" + shapeStr(l.targetShape)};
  } else if (k == "layernorm") {
    p = {"epsilon=" + num(l.epsilon)};
  } else if (k == "batchnorm") {
    p = {"epsilon=" + num(l.epsilon), "momentum=" + num(l.momentum)};
  } else if (k == "dropout") {
    p = {"rate=" + num(l.rate)};
  } else if (k == "gaussian_noise") {
    p = {"stddev=" + num(l.stddev)};
  } else if (k == "lstm") {
    p = {"units=" + std::to_string(l.units)};
    if (l.returnSequences)
      p.push_back("return_sequences=true");
  } else if (k == "repeat") {
    p = {"times=" + std::to_string(l.times)};
  } else if (k == "vae_latent") {
    p = {"units=" + std::to_string(l.units)};
  } else if (k == "time_distributed" && !l.inner.empty()) {
    p = {"layer=" + l.inner[0].kind + "(" + params(l.inner[0]) + ")"};
  }
  std::string out;
  for (size_t i = 0; i < p.size(); ++i)
    out += (i ? ", " : "") + p[i];
  return out;
}

std::string where(const SourceLoc &loc) {
  return loc.valid() ? "  loc(" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + ")"
                     : "";
}

void printLayers(std::ostringstream &os, const char *title, const std::vector<LayerSpec> &ls) {
  os << title << ":\n";
  for (const LayerSpec &l : ls) {
    os << "  " << l.name << " = " << l.kind << "(" << params(l) << ")";
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
    os << ", beta=" << num(spec.loss.beta);
  os << where(spec.loss.loc) << "\n";
  for (const LossTermSpec &t : spec.loss.terms) {
    os << "  term " << t.kind << "(weight=" << num(t.weight);
    if (!t.layer.empty())
      os << ", layer=" << t.layer;
    if (t.kind == "kl_sparsity")
      os << ", rho=" << num(t.rho);
    os << ")" << where(t.loc) << "\n";
  }
  const OptimizerSpec &o = spec.optimizer;
  os << "optimizer: " << o.kind << "(lr=" << num(o.lr);
  if (o.kind == "adam")
    os << ", beta1=" << num(o.beta1) << ", beta2=" << num(o.beta2) << ", eps=" << num(o.eps);
  else if (o.kind == "sgd")
    os << ", momentum=" << num(o.momentum);
  else
    os << ", rho=" << num(o.rho) << ", eps=" << num(o.eps) << ", momentum=" << num(o.momentum);
  os << ")" << where(o.loc) << "\n";
  os << "batch: " << spec.batch << "\n";
  os << "settings:\n";
  for (const auto &[key, value] : spec.settings) {
    auto loc = spec.settingLocs.find(key);
    os << "  " << key << " = " << value
       << (loc != spec.settingLocs.end() ? where(loc->second) : "") << "\n";
  }
  return os.str();
}

} // namespace aec
