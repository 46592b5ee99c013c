#include <aec/Descriptor.h>

#include <fmt/format.h>

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace aec::rt {

int64_t numElements(const Dims &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

std::string formatDims(const Dims &dims) {
  if (dims.empty())
    return "-";
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s;
}

Dims parseDims(const std::string &text) {
  if (text == "-")
    return {};
  Dims dims;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || v < 0)
      throw std::runtime_error(fmt::format("bad dims '{}' (expected e.g. \"2,50\" or \"-\")", text));
    dims.push_back(v);
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return dims;
}

const FunctionInfo *ModelDescriptor::function(const std::string &name) const {
  for (const auto &f : functions)
    if (f.name == name)
      return &f;
  return nullptr;
}

std::string ModelDescriptor::serialize() const {
  std::string s = "aec-model 1\n";
  s += "name " + name + "\n";
  s += "target " + target + "\n";
  s += "batch " + std::to_string(batch) + "\n";
  s += "shape input " + formatDims(inputShape) + "\n";
  s += "shape output " + formatDims(outputShape) + "\n";
  s += "shape code " + formatDims(codeShape) + "\n";
  for (const auto &p : params)
    s += fmt::format("param {} {} {}\n", p.name, formatDims(p.dims), p.init);
  for (const auto &st : states)
    s += fmt::format("state {} {}\n", st.name, formatDims(st.dims));
  for (const auto &[k, v] : settings)
    s += fmt::format("setting {} {}\n", k, v);
  for (const auto &[k, v] : stats)
    s += fmt::format("stat {} {}\n", k, v);
  for (const auto &f : functions) {
    s += "function " + f.name + "\n";
    s += fmt::format("workspace {}\n", f.workspaceBytes);
    for (const auto &a : f.args)
      s += fmt::format("arg {} {} {}\n", a.name, a.role, formatDims(a.dims));
    for (const auto &r : f.results)
      s += fmt::format("result {} {} {}\n", r.name, r.role, formatDims(r.dims));
  }
  s += "end\n";
  return s;
}

namespace {

/// Splits at single spaces; `maxFields` > 0 keeps the rest of the line in the last field.
std::vector<std::string> fields(const std::string &line, size_t maxFields) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= line.size()) {
    if (maxFields && out.size() + 1 == maxFields) {
      out.push_back(line.substr(pos));
      break;
    }
    size_t sp = line.find(' ', pos);
    out.push_back(line.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos));
    if (sp == std::string::npos)
      break;
    pos = sp + 1;
  }
  return out;
}

int64_t parseInt(const std::string &text, int lineNo) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw std::runtime_error(fmt::format("model descriptor line {}: expected an integer, got '{}'", lineNo, text));
  return v;
}

} // namespace

ModelDescriptor ModelDescriptor::parse(const std::string &text) {
  ModelDescriptor d;
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  bool sawHeader = false, sawEnd = false;
  FunctionInfo *current = nullptr;
  auto fail = [&](const std::string &why) {
    return std::runtime_error(fmt::format("model descriptor line {}: {}", lineNo, why));
  };
  auto expect = [&](const std::vector<std::string> &f, size_t n) {
    if (f.size() != n)
      throw fail(fmt::format("'{}' needs {} fields, has {}", f[0], n - 1, f.size() - 1));
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.empty())
      continue;
    if (sawEnd)
      throw fail("text after 'end'");
    std::string kw = line.substr(0, line.find(' '));
    if (!sawHeader) {
      if (line != "aec-model 1")
        throw fail("expected 'aec-model 1' (not an aec model descriptor, or another version)");
      sawHeader = true;
      continue;
    }
    try {
      if (kw == "name" || kw == "target") {
        auto f = fields(line, 2);
        expect(f, 2);
        (kw == "name" ? d.name : d.target) = f[1];
      } else if (kw == "batch") {
        auto f = fields(line, 0);
        expect(f, 2);
        d.batch = parseInt(f[1], lineNo);
      } else if (kw == "shape") {
        auto f = fields(line, 0);
        expect(f, 3);
        Dims dims = parseDims(f[2]);
        if (f[1] == "input")
          d.inputShape = dims;
        else if (f[1] == "output")
          d.outputShape = dims;
        else if (f[1] == "code")
          d.codeShape = dims;
        else
          throw fail("unknown shape '" + f[1] + "'");
      } else if (kw == "param") {
        auto f = fields(line, 0);
        expect(f, 4);
        d.params.push_back({f[1], parseDims(f[2]), f[3]});
      } else if (kw == "state") {
        auto f = fields(line, 0);
        expect(f, 3);
        d.states.push_back({f[1], "state", parseDims(f[2])});
      } else if (kw == "setting") {
        auto f = fields(line, 3);
        if (f.size() < 2 || f[1].empty())
          throw fail("'setting' needs a key");
        d.settings[f[1]] = f.size() > 2 ? f[2] : "";
      } else if (kw == "stat") {
        auto f = fields(line, 0);
        expect(f, 3);
        d.stats[f[1]] = parseInt(f[2], lineNo);
      } else if (kw == "function") {
        auto f = fields(line, 0);
        expect(f, 2);
        d.functions.push_back({f[1], {}, {}, 0});
        current = &d.functions.back();
      } else if (kw == "workspace") {
        if (!current)
          throw fail("'workspace' before any 'function'");
        auto f = fields(line, 0);
        expect(f, 2);
        current->workspaceBytes = parseInt(f[1], lineNo);
      } else if (kw == "arg" || kw == "result") {
        if (!current)
          throw fail("'" + kw + "' before any 'function'");
        auto f = fields(line, 0);
        expect(f, 4);
        (kw == "arg" ? current->args : current->results).push_back({f[1], f[2], parseDims(f[3])});
      } else if (kw == "end") {
        sawEnd = true;
      } else {
        throw fail("unknown record '" + kw + "'");
      }
    } catch (const std::runtime_error &e) {
      std::string msg = e.what();
      if (msg.rfind("model descriptor line", 0) == 0)
        throw;
      throw fail(msg);
    }
  }
  if (!sawHeader)
    throw std::runtime_error("model descriptor is empty");
  if (!sawEnd)
    throw std::runtime_error("model descriptor is truncated (no 'end' line)");
  return d;
}

} // namespace aec::rt
