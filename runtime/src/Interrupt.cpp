/// SIGINT / SIGTERM handling of the training loop (aec/Interrupt.h).
#include <aec/Interrupt.h>

#include <csignal>
#include <string>

#include <signal.h>
#include <unistd.h>

namespace aec::rt {
namespace {

volatile std::sig_atomic_t gSignal = 0;
struct sigaction gOldInt, gOldTerm;

/// Async-signal-safe: only write() and _exit().
void onSignal(int sig) {
  if (gSignal != 0) {
    // A second signal: the user does not want to wait for the step and the checkpoint. What
    // is half-written stays a `*.tmp.<pid>` file, which the next run removes.
    static const char msg[] = "\ninterrupted again: stopping now, without a checkpoint\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(128 + sig);
  }
  gSignal = sig;
  static const char msg[] = "\ninterrupted: finishing the current step, then writing a checkpoint "
                            "(interrupt again to stop at once)\n";
  (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
}

} // namespace

InterruptGuard::InterruptGuard() {
  gSignal = 0;
  struct sigaction sa = {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; // file writes and the worker pool's waits simply continue
  ::sigaction(SIGINT, &sa, &gOldInt);
  ::sigaction(SIGTERM, &sa, &gOldTerm);
}

InterruptGuard::~InterruptGuard() {
  ::sigaction(SIGINT, &gOldInt, nullptr);
  ::sigaction(SIGTERM, &gOldTerm, nullptr);
}

int InterruptGuard::signal() const { return gSignal; }

std::string signalName(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal " + std::to_string(signal);
}

} // namespace aec::rt
