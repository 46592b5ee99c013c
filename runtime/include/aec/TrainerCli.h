#pragma once
/// The trainer binary's command line (MODEL_FORMAT.md section 3).
#include <aec/Model.h>

namespace aec::rt {

/// Runs a trainer command (train, encode, decode, reconstruct, score, sample, info) for
/// `model`. Errors print one line "error: ..." on stderr and return 1.
int runTrainerCli(int argc, char **argv, const Model &model);

/// The model linked into this executable: `aec_model_descriptor` and the weak
/// `aec_fn_<name>` entry points. Throws when no descriptor is linked.
Model linkedModel();

/// main() of a generated trainer: runTrainerCli(linkedModel()).
int trainerMain(int argc, char **argv);

} // namespace aec::rt
