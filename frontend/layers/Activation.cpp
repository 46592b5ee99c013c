/// activation: Keras' Activation layer, an activation on its own (e.g. after an add
/// shortcut). Its input is its logits, so a final `- activation: sigmoid` still gives bce
/// the logits.
#include "frontend/LayerKind.h"

namespace aec {

void registerActivationLayers(std::vector<LayerKind> &kinds) {
  kinds.push_back(
      {.name = "activation",
       .keys = {"activation", "alpha"},
       .shorthand = "activation",
       .required = {{"activation", "an activation name"}},
       .perPosition = true,
       .parse = parseActivation,
       .infer = [](const LayerSpec &, const std::vector<Shape> &in) { return in.at(0); },
       .expand =
           [](Expander &ex, const LayerSpec &l, const std::vector<ValueId> &in,
              ValueId *logitsOut) {
             if (logitsOut)
               *logitsOut = in.at(0);
             return activation(ex.B, in.at(0), l.activation, l.alpha);
           },
       .count = [](const LayerSpec &l, const Shape &,
                   LayerSummary &row) { row.flops = activationFlops(l, numElements(l.outputShape)); },
       .print = [](const LayerSpec &l) { return std::vector<std::string>{activationText(l)}; }});
}

} // namespace aec
