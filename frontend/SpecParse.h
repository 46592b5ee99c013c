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

/// The training memory limit in bytes: AEC_MAX_MEMORY (e.g. "64G", "512M", bytes) or 16 GiB.
int64_t modelMemoryLimit();
/// Rejects a per-sample shape (the input, a layer's output) that at the spec's batch has
/// more than 2^63 bytes, at `loc`, so every later element count fits in int64.
void checkShapeSize(const ModelSpec &spec, const Shape &shape, const SourceLoc &loc);
/// Rejects a model whose estimated training memory (parameters, gradients, optimizer state,
/// layer outputs at the batch and their gradients) exceeds modelMemoryLimit().
void checkModelSize(const ModelSpec &spec);

/// Per-sample output shape of `layer` given its input shapes; CompileError at the layer on
/// a mismatch. Used by checkLayers and for the inner layer of time_distributed.
Shape inferLayerShape(const LayerSpec &layer, const std::vector<Shape> &inputs);

} // namespace aec
