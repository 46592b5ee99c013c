#include "ir/Graph.h"
#include "ir/OpRegistry.h"

namespace aec {

namespace {
template <typename T>
const T &getAttr(const std::map<std::string, AttrValue> &map, const std::string &key,
                 const SourceLoc &loc, const char *expected) {
  auto it = map.find(key);
  if (it == map.end())
    fail(loc, "missing attribute '" + key + "'");
  if (const T *value = std::get_if<T>(&it->second))
    return *value;
  fail(loc, "attribute '" + key + "' must be " + expected);
}
} // namespace

int64_t Attrs::getInt(const std::string &key, const SourceLoc &loc) const {
  return getAttr<int64_t>(Map, key, loc, "an integer");
}

int64_t Attrs::getInt(const std::string &key, int64_t fallback) const {
  auto it = Map.find(key);
  if (it == Map.end())
    return fallback;
  return getAttr<int64_t>(Map, key, {}, "an integer");
}

double Attrs::getFloat(const std::string &key, const SourceLoc &loc) const {
  auto it = Map.find(key);
  if (it != Map.end())
    if (const int64_t *i = std::get_if<int64_t>(&it->second))
      return static_cast<double>(*i);
  return getAttr<double>(Map, key, loc, "a number");
}

const std::string &Attrs::getString(const std::string &key, const SourceLoc &loc) const {
  return getAttr<std::string>(Map, key, loc, "a string");
}

const std::vector<int64_t> &Attrs::getInts(const std::string &key, const SourceLoc &loc) const {
  return getAttr<std::vector<int64_t>>(Map, key, loc, "a list of integers");
}

ValueId Graph::add(Node node) {
  const OpDef *def = lookupOp(node.op);
  if (!def)
    fail(node.loc, "unknown op '" + node.op + "'");
  if (def->arity >= 0 && static_cast<int>(node.operands.size()) != def->arity)
    fail(node.loc, "op '" + node.op + "' takes " + std::to_string(def->arity) + " operand(s), got " +
                       std::to_string(node.operands.size()));
  for (ValueId v : node.operands)
    if (v < 0 || v >= static_cast<ValueId>(Nodes.size()))
      fail(node.loc, "op '" + node.op + "' uses an undefined value %" + std::to_string(v));
  for (const std::string &a : def->attrs)
    if (!node.attrs.has(a))
      fail(node.loc, "op '" + node.op + "' needs attribute '" + a + "'");
  node.type = def->infer(*this, node);
  return addUnchecked(std::move(node));
}

ValueId Graph::addUnchecked(Node node) {
  Nodes.push_back(std::move(node));
  return static_cast<ValueId>(Nodes.size() - 1);
}

std::vector<ValueId> Graph::inputs() const {
  std::vector<ValueId> out;
  for (size_t i = 0; i < Nodes.size(); ++i)
    if (Nodes[i].op == "input")
      out.push_back(static_cast<ValueId>(i));
  return out;
}

ValueId Graph::findInput(const std::string &inputName) const {
  for (ValueId v : inputs())
    if (Nodes[v].attrs.getString("name") == inputName)
      return v;
  return NoValue;
}

std::vector<ValueId> Graph::inputsWithRole(const std::string &inputRole) const {
  std::vector<ValueId> out;
  for (ValueId v : inputs())
    if (Nodes[v].attrs.getString("role") == inputRole)
      out.push_back(v);
  return out;
}

ValueId Graph::findOutput(const std::string &outputName) const {
  for (const GraphOutput &o : outputs)
    if (o.name == outputName)
      return o.value;
  return NoValue;
}

const Graph *Module::find(const std::string &graphName) const {
  for (const Graph &g : graphs)
    if (g.name == graphName)
      return &g;
  return nullptr;
}

Graph *Module::find(const std::string &graphName) {
  for (Graph &g : graphs)
    if (g.name == graphName)
      return &g;
  return nullptr;
}

} // namespace aec
