#pragma once
/// The lines Keras prints at the end of an epoch when a callback acts: the learning rate was
/// reduced on a plateau, training stopped early, the best weights were restored. The Trainer
/// decides (Trainer::afterEpoch); this only reads its progress after each epoch and says what
/// happened, so the decisions stay in one place.
#include <aec/Config.h>
#include <aec/Trainer.h>

#include <string>
#include <vector>

namespace aec::rt {

class EpochEvents {
public:
  explicit EpochEvents(const RunConfig &config) : config_(config) {}
  /// Lines for the epoch `rec` just finished, given the progress after Trainer::afterEpoch.
  std::vector<std::string> after(const EpochRecord &rec, const TrainProgress &now);

private:
  const RunConfig &config_;
};

} // namespace aec::rt
