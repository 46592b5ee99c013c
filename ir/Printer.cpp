/// Text form of the graph IR (see parseModule for the grammar it round-trips through).
#include "ir/Graph.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace aec {

namespace {
std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

/// Shortest text that reads back as the same double, always with '.', 'e', "inf" or "nan".
std::string formatDouble(double v) {
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v || std::isnan(v))
      break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEni") == std::string::npos)
    s += ".0";
  return s;
}

struct AttrPrinter {
  std::string operator()(int64_t v) const { return std::to_string(v); }
  std::string operator()(double v) const { return formatDouble(v); }
  std::string operator()(const std::string &v) const { return quote(v); }
  std::string operator()(const std::vector<int64_t> &v) const { return shapeStr(v); }
};

void printNode(std::ostream &os, const Node &n, ValueId id, bool withLocs) {
  os << "  %" << id << " = " << n.op;
  if (!n.operands.empty()) {
    os << "(";
    for (size_t i = 0; i < n.operands.size(); ++i)
      os << (i ? ", " : "") << "%" << n.operands[i];
    os << ")";
  }
  if (!n.attrs.map().empty()) {
    os << " {";
    bool first = true;
    for (const auto &[key, value] : n.attrs.map()) {
      os << (first ? "" : ", ") << key << " = " << std::visit(AttrPrinter{}, value);
      first = false;
    }
    os << "}";
  }
  os << " : " << n.type.str();
  if (withLocs && (n.loc.valid() || !n.loc.layer.empty()))
    os << " loc(" << quote(n.loc.file) << ":" << n.loc.line << ":" << n.loc.col << ", "
       << quote(n.loc.layer) << ")";
  if (n.body) {
    // The body is a graph of its own (its own value numbers), indented one level.
    std::string body = printGraph(*n.body, withLocs);
    os << " ";
    for (size_t i = 0; i < body.size(); ++i) {
      os << body[i];
      if (body[i] == '\n' && i + 1 < body.size())
        os << "  ";
    }
    return;
  }
  os << "\n";
}
} // namespace

std::string printGraph(const Graph &graph, bool withLocs) {
  std::ostringstream os;
  os << "graph @" << graph.name << " {\n";
  for (size_t i = 0; i < graph.size(); ++i)
    printNode(os, graph.node(static_cast<ValueId>(i)), static_cast<ValueId>(i), withLocs);
  os << "  return";
  for (size_t i = 0; i < graph.outputs.size(); ++i)
    os << (i ? ", " : " ") << quote(graph.outputs[i].name) << " = %" << graph.outputs[i].value;
  os << "\n}\n";
  return os.str();
}

std::string printModule(const Module &module, bool withLocs) {
  std::string out;
  for (size_t i = 0; i < module.graphs.size(); ++i)
    out += (i ? "\n" : "") + printGraph(module.graphs[i], withLocs);
  return out;
}

} // namespace aec
