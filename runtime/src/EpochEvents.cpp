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
  auto monitored = [&](const std::string &monitor) { return monitoredMetric(monitor, !std::isnan(rec.valLoss)); };
  const auto &pl = config_.plateau;
  if (pl.patience >= 0 && now.lr < rec.lr)
    lines.push_back(fmt::format("epoch {}: {} did not improve for {}: reducing lr {:.3g} -> {:.3g}", rec.epoch,
                                monitored(pl.monitor), epochs(std::max(pl.patience, 1)), rec.lr, now.lr));
  // Stopping and restoring as the Trainer recorded them: its best epoch is in the checkpoint,
  // so a resumed run names the same one.
  const std::string m = monitored(config_.earlyStopping.monitor);
  if (rec.stopped)
    lines.push_back(fmt::format("early stopping after epoch {}: {} has not improved on {:.5g} (epoch {}) for {}",
                                rec.epoch, m, now.best, now.bestEpoch, epochs(now.waitStop)));
  if (rec.restoredBest)
    lines.push_back(fmt::format("restore_best: restored the weights of epoch {} ({} {:.5g})", now.bestEpoch, m,
                                now.best));
  return lines;
}

} // namespace aec::rt
