#pragma once
/// SIGINT / SIGTERM during training: the first one asks the training loop to stop after the
/// current step (it then writes a checkpoint); a second one ends the process at once.
#include <stdexcept>
#include <string>

namespace aec::rt {

/// Catches SIGINT and SIGTERM while alive (the previous handlers come back in the destructor).
/// One guard at a time.
class InterruptGuard {
public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;
  /// The signal received (SIGINT or SIGTERM), 0 when none.
  int signal() const;
};

/// Thrown by trainModel after it saved what an interrupted run needs to continue.
/// runTrainerCli prints `what()` and exits with 128 + signal (130 SIGINT, 143 SIGTERM).
struct TrainingInterrupted : std::runtime_error {
  TrainingInterrupted(const std::string &what, int signal) : std::runtime_error(what), signal(signal) {}
  int signal;
};

/// "SIGINT" / "SIGTERM" / "signal N".
std::string signalName(int signal);

} // namespace aec::rt
