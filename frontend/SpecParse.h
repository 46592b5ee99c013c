#pragma once
/// Internal pieces of the model-file parser, one file each: layers, run-time settings and
/// the cross-layer checks (names, inputs, shapes).
#include "frontend/ModelSpec.h"
#include "frontend/SpecReader.h"

namespace aec {

/// Parses one entry of `encoder:` / `decoder:` (a one-key map or a bare kind name).
/// `defaultName` is used when the entry has no `name:`.
LayerSpec parseLayer(const SpecReader &reader, const YAML::Node &entry,
                     const std::string &defaultName, bool inDecoder);

/// Parses `loss:`, `optimizer:`, `train:` and `data:` into the spec's typed fields and its
/// flat settings. `baseDir` resolves relative data paths.
void parseLoss(const SpecReader &reader, const YAML::Node &node, ModelSpec &spec);
void parseOptimizer(const SpecReader &reader, const YAML::Node &node, ModelSpec &spec);
void parseTrain(const SpecReader &reader, const YAML::Node &node, ModelSpec &spec);
void parseData(const SpecReader &reader, const YAML::Node &node, const std::string &baseDir,
               ModelSpec &spec);

/// Resolves each layer's sources, rejects duplicate or unknown layer names, and infers
/// every layer's per-sample output shape (shape errors at the layer).
void checkLayers(ModelSpec &spec);

/// Per-sample output shape of `layer` given its input shapes; CompileError at the layer on
/// a mismatch. Used by checkLayers and for the inner layer of time_distributed.
Shape inferLayerShape(const LayerSpec &layer, const std::vector<Shape> &inputs);

} // namespace aec
