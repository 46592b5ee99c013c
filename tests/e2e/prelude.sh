# Sourced by the e2e scripts (`source "$(dirname "$0")/prelude.sh"`): the aec binary and
# the source tree from the environment ctest sets, a private working directory removed on
# exit, and a failure counter for scripts that report every failure before exiting.
set -uo pipefail
: "${AEC:?set AEC to the aec binary}"
: "${AEC_SOURCE_DIR:?}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
# The MPI tests: without OpenMPI's mpirun they say so and exit 77 (shown as skipped).
require_mpirun() {
  if ! command -v mpirun > /dev/null; then
    echo "SKIPPED: mpirun is not installed (scripts/install-deps.sh installs openmpi-bin libopenmpi-dev)"
    exit 77
  fi
}
