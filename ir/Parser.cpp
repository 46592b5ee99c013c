/// Parser of the graph IR text that printGraph writes:
///   module  := graph*
///   graph   := "graph" "@" ident "{" node* "return" [output ("," output)*] "}"
///   node    := "%" int "=" ident ["(" "%" int ("," "%" int)* ")"] [attrs] ":" type [loc]
///              [graph]   (the body of a structured op: scan)
///   attrs   := "{" ident "=" value ("," ident "=" value)* "}"
///   value   := int | float | string | "[" [int ("," int)*] "]"
///   type    := ("f32" | "f64") "[" [int ("," int)*] "]"
///   loc     := "loc" "(" string ":" int ":" int "," string ")"
///   output  := string "=" "%" int
#include "ir/Graph.h"

#include <aec/CheckedSize.h>

#include <cerrno>
#include <cctype>
#include <map>

namespace aec {

namespace {
class IRParser {
public:
  IRParser(const std::string &text, const std::string &file) : Text(text), File(file) {}

  Module parseModule() {
    Module m;
    skipSpace();
    while (Pos < Text.size()) {
      m.graphs.push_back(parseGraph());
      skipSpace();
    }
    verifyModule(m);
    return m;
  }

private:
  const std::string &Text;
  std::string File;
  size_t Pos = 0;
  int Line = 1, Col = 1;

  SourceLoc here() const { return {File, Line, Col, ""}; }
  [[noreturn]] void error(const std::string &msg) const { fail(here(), msg); }

  void advance() {
    if (Text[Pos] == '\n') {
      ++Line;
      Col = 1;
    } else {
      ++Col;
    }
    ++Pos;
  }
  void skipSpace() {
    while (Pos < Text.size()) {
      if (std::isspace(static_cast<unsigned char>(Text[Pos])))
        advance();
      else if (Text.compare(Pos, 2, "//") == 0)
        while (Pos < Text.size() && Text[Pos] != '\n')
          advance();
      else
        break;
    }
  }
  bool peek(char c) {
    skipSpace();
    return Pos < Text.size() && Text[Pos] == c;
  }
  bool accept(char c) {
    if (!peek(c))
      return false;
    advance();
    return true;
  }
  void expect(char c) {
    if (!accept(c))
      error(std::string("expected '") + c + "'");
  }
  std::string ident() {
    skipSpace();
    size_t start = Pos;
    while (Pos < Text.size() && (std::isalnum(static_cast<unsigned char>(Text[Pos])) ||
                                 Text[Pos] == '_' || Text[Pos] == '.'))
      advance();
    if (start == Pos)
      error("expected an identifier");
    return Text.substr(start, Pos - start);
  }
  void keyword(const std::string &word) {
    SourceLoc at = here();
    if (ident() != word)
      fail(at, "expected '" + word + "'");
  }
  std::string string() {
    expect('"');
    std::string out;
    while (Pos < Text.size() && Text[Pos] != '"') {
      if (Text[Pos] == '\\')
        advance();
      out += Text[Pos];
      advance();
    }
    expect('"');
    return out;
  }
  /// A number token; `isFloat` tells whether it had '.', an exponent, inf or nan.
  std::string number(bool &isFloat) {
    skipSpace();
    size_t start = Pos;
    while (Pos < Text.size() && (std::isalnum(static_cast<unsigned char>(Text[Pos])) ||
                                 std::string("+-.").find(Text[Pos]) != std::string::npos))
      advance();
    std::string tok = Text.substr(start, Pos - start);
    if (tok.empty())
      error("expected a number");
    isFloat = tok.find_first_of(".eEni") != std::string::npos;
    return tok;
  }
  int64_t integer() {
    bool isFloat;
    SourceLoc at = here();
    std::string tok = number(isFloat);
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(tok.c_str(), &end, 10);
    if (isFloat || *end || errno == ERANGE)
      fail(at, "expected an integer, got '" + tok + "'");
    return v;
  }
  std::vector<int64_t> intList() {
    expect('[');
    std::vector<int64_t> out;
    if (!accept(']')) {
      do
        out.push_back(integer());
      while (accept(','));
      expect(']');
    }
    return out;
  }
  AttrValue attrValue() {
    if (peek('"'))
      return string();
    if (peek('['))
      return intList();
    bool isFloat;
    SourceLoc at = here();
    std::string tok = number(isFloat);
    char *end = nullptr;
    if (isFloat) {
      double v = std::strtod(tok.c_str(), &end);
      if (*end)
        fail(at, "bad number '" + tok + "'");
      return v;
    }
    errno = 0;
    long long v = std::strtoll(tok.c_str(), &end, 10);
    if (*end || errno == ERANGE)
      fail(at, "bad number '" + tok + "'");
    return static_cast<int64_t>(v);
  }
  TensorType type() {
    SourceLoc at = here();
    std::string dt = ident();
    if (dt != "f32" && dt != "f64")
      fail(at, "expected f32 or f64, got '" + dt + "'");
    TensorType t{dt == "f32" ? DType::F32 : DType::F64, intList()};
    // Every pass and the interpreter take element counts and byte sizes of types: a type
    // whose size does not fit in int64 (or has a negative dimension) is refused here.
    std::optional<int64_t> n = checkedProduct(t.shape);
    if (!n || !checkedMul(*n, dtypeSize(t.dtype)))
      fail(at, "type " + t.str() + " has " +
                   (n ? std::string("more than 2^63 bytes") : "a negative dimension or more than 2^63 elements"));
    return t;
  }
  ValueId valueRef(const std::map<int64_t, ValueId> &names) {
    skipSpace();
    SourceLoc at = here();
    expect('%');
    int64_t n = integer();
    auto it = names.find(n);
    if (it == names.end())
      fail(at, "use of undefined value %" + std::to_string(n));
    return it->second;
  }

  Graph parseGraph() {
    Graph g;
    keyword("graph");
    expect('@');
    g.name = ident();
    expect('{');
    std::map<int64_t, ValueId> names;
    while (true) {
      skipSpace();
      if (!peek('%'))
        break;
      advance();
      SourceLoc at = here();
      int64_t id = integer();
      if (names.count(id))
        fail(at, "value %" + std::to_string(id) + " defined twice");
      expect('=');
      Node n;
      skipSpace();
      n.loc = here();
      n.op = ident();
      if (accept('(')) {
        do
          n.operands.push_back(valueRef(names));
        while (accept(','));
        expect(')');
      }
      if (accept('{')) {
        do {
          std::string key = ident();
          expect('=');
          n.attrs.set(key, attrValue());
        } while (accept(','));
        expect('}');
      }
      expect(':');
      n.type = type();
      skipSpace();
      if (Text.compare(Pos, 4, "loc(") == 0) {
        keyword("loc");
        expect('(');
        n.loc.file = string();
        expect(':');
        n.loc.line = static_cast<int>(integer());
        expect(':');
        n.loc.col = static_cast<int>(integer());
        expect(',');
        n.loc.layer = string();
        expect(')');
      }
      skipSpace();
      if (Text.compare(Pos, 5, "graph") == 0)
        n.body = std::make_shared<const Graph>(parseGraph());
      names[id] = g.addUnchecked(std::move(n));
    }
    keyword("return");
    if (peek('"')) {
      do {
        std::string name = string();
        expect('=');
        g.addOutput(name, valueRef(names));
      } while (accept(','));
    }
    expect('}');
    return g;
  }
};
} // namespace

Module parseModule(const std::string &text, const std::string &fileName) {
  return IRParser(text, fileName).parseModule();
}

} // namespace aec
