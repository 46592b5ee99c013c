#pragma once
/// Internal state of the forward expansion, shared by the layer kinds (frontend/layers/):
/// each kind's expand appends the primitive ops of one layer through the Builder and
/// returns the layer's output.
#include "frontend/Expand.h"
#include "ir/Builder.h"

namespace aec {

class Expander {
public:
  Expander(Graph &g, int64_t batch, DType dtype, ForwardMode mode, ForwardInfo &info)
      : B(g), Batch(batch), Ty(dtype), Mode(mode), Info(info) {}

  Builder B;
  /// Rows of the tensors being built: the batch, or batch x time inside time_distributed.
  int64_t Batch;
  DType Ty;
  ForwardMode Mode;
  ForwardInfo &Info;

  bool training() const { return Mode == ForwardMode::Train; }

  /// Creates parameter `<layer>/<param>` as a graph input of role param and records it in
  /// ForwardInfo. Non-trainable params get the input attribute trainable = 0.
  ValueId param(const LayerSpec &l, const std::string &name, const Shape &shape,
                const std::string &init, bool trainable = true);
  /// A `noise_normal` / `noise_uniform` input named `noise/<layer>` of `shape` (with batch):
  /// fresh random numbers the runtime draws for every call.
  ValueId noise(const LayerSpec &l, const char *role, const Shape &shape);
  /// The per-sample weight input "weight" [batch] (0 marks a padded row), created on first
  /// use; train_step shares it for the loss. Train mode only.
  ValueId sampleWeights();

  /// Builds `l` on `in` (one value per source). `logitsOut` receives the pre-activation
  /// value of layers with an activation.
  ValueId layer(const LayerSpec &l, const std::vector<ValueId> &in, ValueId *logitsOut);

private:
  ValueId Weights = NoValue;
};

/// x [rows..., in] x kernel [in, units] + bias (NoValue: none): the affine part of a dense
/// layer (frontend/layers/Dense.cpp); inputs of rank > 2 are flattened to rows first.
ValueId affine(Builder &b, ValueId x, ValueId kernel, ValueId bias);

} // namespace aec
