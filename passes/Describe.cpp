#include "passes/Describe.h"
#include "passes/Passes.h"

namespace aec {

namespace {

rt::BufferInfo inputInfo(const Graph &g, ValueId id) {
  const Node &n = g.node(id);
  return {n.attrs.getString("name", n.loc), n.attrs.getString("role", n.loc), n.type.shape};
}

} // namespace

std::string resultRole(const Graph &graph, const std::string &resultName) {
  ValueId in = graph.findInput(resultName);
  if (in != NoValue) {
    const std::string &role = graph.node(in).attrs.getString("role");
    if (role == role::Param || role == role::State)
      return role;
  }
  return "output";
}

rt::ModelDescriptor describeModel(const ModelSpec &spec, const Module &module,
                                  const ForwardInfo &forward) {
  rt::ModelDescriptor d;
  d.name = spec.name;
  d.target = "cpu";
  d.inputShape = spec.inputShape;
  d.outputShape = forward.outputShape;
  d.codeShape = forward.codeShape;
  for (const ParamSpec &p : forward.params)
    d.params.push_back({p.name, p.shape, p.init});
  d.settings = spec.settings;
  // The runtime's `sample` decodes draws from the prior N(0, I) of a VAE's code (a model
  // whose code layer adds a KL term).
  if (forward.klPerSample != NoValue)
    d.settings["model.vae"] = "true";

  const Graph *train = module.find("train_step");
  d.batch = spec.batch;
  if (train) {
    ValueId x = train->findInput("x");
    if (x != NoValue && !train->type(x).shape.empty())
      d.batch = train->type(x).shape[0];
  }
  // The optimizer state lives in the update: train_step's, or update_step's when split.
  const Graph *update = train ? train : module.find("update_step");
  if (update)
    for (ValueId s : update->inputsWithRole(role::State))
      d.states.push_back(inputInfo(*update, s));
  d.settings["train.batch"] = std::to_string(d.batch);
  int64_t forwardFlops = forwardFlopsPerSample(spec);
  d.stats["flops_per_step"] = 3 * forwardFlops * d.batch;
  d.stats["forward_flops_per_sample"] = forwardFlops;

  for (const Graph &g : module.graphs) {
    rt::FunctionInfo f;
    f.name = g.name;
    for (ValueId in : g.inputs())
      f.args.push_back(inputInfo(g, in));
    for (const GraphOutput &out : g.outputs)
      f.results.push_back({out.name, g.name == "train_step" || g.name == "update_step" ? resultRole(g, out.name) : "output",
                           g.type(out.value).shape});
    d.functions.push_back(std::move(f));
  }
  return d;
}

} // namespace aec
