#include "EpochEvents.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aec::rt {
namespace {
std::string epochs(int64_t n) { return fmt::format("{} epoch{}", n, n == 1 ? "" : "s"); }
} // namespace

std::vector<std::string> EpochEvents::after(const EpochRecord &rec, const TrainProgress &now) {
  std::vector<std::string> lines;
  // The Trainer falls back to the training loss when there is no validation part.
  auto monitored = [&](const std::string &monitor) {
    return monitor == "val_loss" && !std::isnan(rec.valLoss) ? std::string("val_loss") : std::string("loss");
  };
  const auto &pl = config_.plateau;
  if (pl.patience >= 0 && now.lr < rec.lr)
    lines.push_back(fmt::format("epoch {}: {} did not improve for {}: reducing lr {:.3g} -> {:.3g}", rec.epoch,
                                monitored(pl.monitor), epochs(std::max(pl.patience, 1)), rec.lr, now.lr));
  const auto &es = config_.earlyStopping;
  if (es.patience < 0)
    return lines;
  if (now.waitStop == 0) // afterEpoch resets the count exactly when the epoch improved
    bestEpoch_ = rec.epoch;
  const std::string m = monitored(es.monitor);
  const bool stopped = now.waitStop >= std::max(es.patience, 1);
  const std::string best = bestEpoch_ > 0 ? fmt::format(" (best {} {:.5g} at epoch {})", m, now.best, bestEpoch_) : "";
  if (stopped)
    lines.push_back(fmt::format("epoch {}: early stopping: {} did not improve for {}{}", rec.epoch, m,
                                epochs(now.waitStop), best));
  // The Trainer restores the best weights when the run ends, early or at the last epoch.
  if (es.restoreBest && (stopped || rec.epoch == config_.epochs) && bestEpoch_ > 0 && bestEpoch_ < rec.epoch)
    lines.push_back(fmt::format("restoring the weights of epoch {}, the best {} ({:.5g})", bestEpoch_, m, now.best));
  return lines;
}

} // namespace aec::rt
