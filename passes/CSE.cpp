/// Common-subexpression elimination: one node per (op, operands, attrs, type). Inputs are
/// never merged (each is a distinct argument).
#include "passes/Passes.h"
#include "passes/Rewrite.h"

#include <map>
#include <tuple>

namespace aec {

Pass createCSEPass() {
  return {"cse", [](Graph &g) {
            using Key = std::tuple<std::string, std::vector<ValueId>, std::string, std::string>;
            std::map<Key, ValueId> seen;
            g = rebuildGraph(g, [&](Graph &out, Node n) {
              if (n.op == "input")
                return out.addUnchecked(std::move(n));
              // The printed attrs are a canonical key (the map is sorted).
              Node keyNode{n.op, {}, n.attrs, n.type, {}, n.body}; // a body prints in the key
              Graph scratch;
              scratch.addUnchecked(keyNode);
              Key key{n.op, n.operands, printGraph(scratch), n.type.str()};
              auto it = seen.find(key);
              if (it != seen.end())
                return it->second;
              ValueId id = out.addUnchecked(std::move(n));
              seen.emplace(std::move(key), id);
              return id;
            });
          }};
}

} // namespace aec
