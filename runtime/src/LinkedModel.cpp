/// The model linked into a trainer executable, found through its C symbols.
#include <aec/TrainerCli.h>

#include <iostream>
#include <stdexcept>

// Weak, so libaecrt links (tests, tools) without a model and a missing entry point reads as
// nullptr instead of a link error: a model without a stand-alone decoder has no aec_fn_decode.
extern "C" {
extern const char aec_model_descriptor[] __attribute__((weak));
void aec_fn_train_step(void **) __attribute__((weak));
void aec_fn_eval_step(void **) __attribute__((weak));
void aec_fn_encode(void **) __attribute__((weak));
void aec_fn_decode(void **) __attribute__((weak));
void aec_fn_reconstruct(void **) __attribute__((weak));
void aec_fn_grad_step(void **) __attribute__((weak));
void aec_fn_update_step(void **) __attribute__((weak));
}

namespace aec::rt {

Model linkedModel() {
  if (aec_model_descriptor == nullptr)
    throw std::runtime_error("no model is linked into this executable (aec_model_descriptor is missing)");
  Model m;
  m.desc = ModelDescriptor::parse(aec_model_descriptor);
  const std::pair<const char *, AecEntryFn> entries[] = {{"train_step", aec_fn_train_step},
                                                         {"eval_step", aec_fn_eval_step},
                                                         {"encode", aec_fn_encode},
                                                         {"decode", aec_fn_decode},
                                                         {"reconstruct", aec_fn_reconstruct},
                                                         {"grad_step", aec_fn_grad_step},
                                                         {"update_step", aec_fn_update_step}};
  for (const auto &[name, fn] : entries)
    if (fn)
      m.entries[name] = fn;
  return m;
}

int trainerMain(int argc, char **argv) {
  Model model;
  try {
    model = linkedModel();
  } catch (const std::exception &e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return runTrainerCli(argc, argv, model);
}

} // namespace aec::rt
