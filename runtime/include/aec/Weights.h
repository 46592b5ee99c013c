#pragma once
/// Parameters and optimizer state of a model: init, load (--init/--weights), save, checkpoints.
#include <aec/Array.h>
#include <aec/Normalization.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aec::rt {

/// Host copies of every parameter and optimizer state, in descriptor order.
struct ModelState {
  std::vector<Array> params;
  std::vector<Array> states;
  int64_t paramIndex(const ModelDescriptor &desc, const std::string &name) const;
};

/// Fresh state: params from their `init` (the grammar of aec/Initializers.h, Keras'
/// initializers) drawn in descriptor order from one stream of `seed`; states zero.
ModelState initModelState(const ModelDescriptor &desc, uint64_t seed);

/// Fills `init` into `a` (runtime/src/Init.cpp; exposed for tests); throws on an unknown
/// or malformed init.
void initArray(Array &a, const std::string &init, class Rng &rng);

/// Reads a weights file and copies every param into `state`. Each param key must exist with
/// exactly the descriptor's shape; errors name the file, the key and both shapes, or list the
/// keys the file has. Returns all arrays of the file (normalization stats, checkpoint data).
std::map<std::string, Array> loadParams(const ModelDescriptor &desc, ModelState &state,
                                        const std::string &path);

/// Writes params (+ normalization stats) atomically: the user-facing weights file.
void saveWeights(const std::string &path, const ModelDescriptor &desc, const ModelState &state,
                 const Normalizer &norm);

/// Where a run stands, and everything the trainer keeps across epochs (early stopping,
/// restore_best, plateau): saved in checkpoints so --resume continues bit-identically.
struct TrainProgress {
  int64_t epoch = 0; ///< epochs completed
  int64_t step = 0;  ///< optimizer steps taken (the `t` hyper of the last step)
  double lr = 0;
  double best = 0;       ///< best monitored value so far (early stopping)
  int64_t bestEpoch = 0; ///< the epoch that reached `best` (0: none yet)
  int64_t waitStop = 0;  ///< epochs without improvement, early stopping
  int64_t waitLr = 0;    ///< epochs without improvement, plateau
  double bestLr = 0;     ///< best value seen by the plateau rule
  /// Inside epoch `epoch + 1` (a checkpoint written mid-epoch, on a signal or a timed
  /// interval): steps of it already taken and the sum of their loss * rows. 0 at epoch ends.
  int64_t epochStep = 0;
  double epochLossSum = 0;
  /// restore_best: params and optimizer states as they were after epoch `bestEpoch`.
  std::optional<ModelState> bestState;
};

/// Weights + optimizer states (`state/<name>`) + progress (`trainer/<field>`) + the
/// restore_best copy when there is one (`restore_best/<param>`, `restore_best/state/<name>`),
/// atomically.
void saveCheckpoint(const std::string &path, const ModelDescriptor &desc, const ModelState &state,
                    const Normalizer &norm, const TrainProgress &progress);
/// Restores what saveCheckpoint wrote; throws when the file is not a checkpoint of this model.
/// A checkpoint from before `trainer/best_epoch` loads with bestEpoch 0 and no bestState.
TrainProgress loadCheckpoint(const std::string &path, const ModelDescriptor &desc,
                             ModelState &state, Normalizer &norm);

/// Total number of parameter elements.
int64_t paramCount(const ModelDescriptor &desc);

} // namespace aec::rt
