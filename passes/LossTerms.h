#pragma once
/// The extra terms of the training loss (MODEL_FORMAT.md `loss.terms`, and the VAE's KL).
#include "frontend/Expand.h"
#include "ir/Builder.h"

namespace aec {

/// What the terms add to the loss of a batch: loss = sum(w * (reconstruction + perSample))
/// / sum(w) + batch.
struct ExtraLoss {
  ValueId perSample = NoValue; ///< [B], terms that are a mean over samples; NoValue if none
  ValueId batch = NoValue;     ///< scalar, terms of the whole batch; NoValue if none
};

/// Builds `spec.loss.terms` and beta * KL (when the forward graph has a vae_latent) on the
/// forward graph described by `info`, whose data input is `x` and per-sample weight input
/// `weight` (0 = padded row: it counts in no term).
///
/// - l1_activity {layer, weight}: weight * sum |a| per sample (Keras' activity regularizer,
///   which Keras divides by the batch size: a mean over samples).
/// - kl_sparsity {layer, rho, weight}: rho_hat_j = weighted mean of unit j's activation over
///   the real samples (every element of a sample is a unit), clipped to [1e-7, 1 - 1e-7];
///   weight * sum_j KL(rho || rho_hat_j). A batch term.
/// - contractive {layer, weight}: weight * ||d h / d x||_F^2 per sample, the Jacobian built
///   by the symbolic AD itself (contractivePenalty), so the training gradient is a gradient
///   of a gradient.
/// - weight_decay: lambda * sum ||kernel||^2 over every trainable `.../kernel` and
///   `.../recurrent_kernel` (dense, conv, lstm, the VAE heads; not biases nor norms), as
///   Keras' l2(lambda) kernel regularizer. A batch term.
ExtraLoss buildLossTerms(Builder &b, const ModelSpec &spec, const ForwardInfo &info, ValueId x,
                         ValueId weight);

/// ||d h / d x||_F^2 per sample [B] for h [B, ...] computed from x [B, ...] with samples
/// independent. For a dense layer on x (h = g(x W + bias), g elementwise) in closed form,
/// sum_j g'(z_j)^2 ||W[:, j]||^2; otherwise for each unit j the gradient of sum_b h[b, j]
/// w.r.t. x, whose row b is d h[b, j] / d x[b].
ValueId contractivePenalty(Builder &b, ValueId h, ValueId x);

} // namespace aec
