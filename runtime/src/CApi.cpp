/// The C API of a model library (aec/CApi.h) over the runtime the trainer uses: its weights
/// files, normalization, inference (aec/Inference.h) and its Trainer for the training step.
#include <aec/CApi.h>
#include <aec/CApiSymbols.h>
#include <aec/CheckedSize.h>
#include <aec/CliChecks.h>
#include <aec/CliValues.h>
#include <aec/ErrorText.h>
#include <aec/Inference.h>
#include <aec/Trainer.h>
#include <aec/TrainerCli.h>

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <memory>

using namespace aec::rt;

/// A Trainer over one batch of `rows` samples: its one-batch epoch in file order is the step
/// the trainer takes on those rows. Kept per batch size (the full batch and a last partial
/// one), so a step allocates no buffers and starts no threads.
struct TrainSlot {
  Dataset batch; ///< the Trainer reads it by reference; each step refills it
  std::unique_ptr<Trainer> trainer;
};

struct AecModel {
  Model model;
  RunConfig config;
  ModelState state;
  Normalizer norm;
  bool statsReady = false; ///< the normalization can be applied (fitted, restored or fixed)
  int threads = 1;
  int64_t steps = 0; ///< optimizer steps taken (the `t` of the last step)
  double lr = 0;
  std::map<int64_t, TrainSlot> slots; ///< by batch rows
};

namespace {

thread_local std::string lastError;

/// Runs `body`, turning any exception into -1 and the message aec_last_error returns.
template <class Body> int guarded(Body &&body) {
  try {
    body();
    return 0;
  } catch (const std::exception &e) {
    lastError = aec::userErrorText(e);
  } catch (...) {
    lastError = "unknown error";
  }
  return -1;
}

/// `rank` dims from the caller, checked: a leading sample dimension, no negative sizes.
Dims callerDims(const char *name, const float *data, const int64_t *dims, int rank) {
  if (!dims || rank < 1 || rank > 16)
    throw std::runtime_error(fmt::format("'{}': needs an array of samples (rank 1 to 16), got rank {}", name, rank));
  Dims d(dims, dims + rank);
  const auto count = aec::checkedProduct(d);
  if (!count)
    throw std::runtime_error(fmt::format("'{}': invalid shape [{}]", name, formatDims(d)));
  if (*count > 0 && !data)
    throw std::runtime_error(fmt::format("'{}': no data (a null pointer)", name));
  return d;
}

/// A caller's array as a data set of per-sample `shape` (the trainer's layout rule and its
/// finiteness check, with `name` in the messages).
Dataset callerData(const char *name, const float *data, const int64_t *dims, int rank, const Dims &shape,
                   const std::string &what) {
  Dims d = callerDims(name, data, dims, rank);
  Dataset ds;
  ds.source = name;
  const int64_t count = numElements(d);
  ds.x = Array(d, std::vector<float>(data, data + count));
  fitShape(ds, shape, what);
  checkFinite(ds);
  return ds;
}

/// `model` as a reference; a null handle (a closed model) is an error, not a crash.
template <class M> M &live(M *model) {
  if (!model)
    throw std::runtime_error("no model (a null handle: closed, or never opened)");
  return *model;
}

void requireStats(const AecModel &m) {
  if (!m.statsReady)
    throw std::runtime_error(fmt::format(
        "model '{}' normalizes its data ({}) with statistics of the training data, and none are loaded: "
        "open it with a weights file that has them, or fit them first (fit_normalization)",
        m.model.desc.name, m.config.normalize));
}

/// Copies `r` into caller memory sized for `rows` samples of `shape`.
void copyOut(const Array &r, int64_t rows, const Dims &shape, float *out) {
  if (static_cast<int64_t>(r.data.size()) != rows * numElements(shape))
    throw std::logic_error(fmt::format("result [{}] for {} samples of [{}]", formatDims(r.dims), rows, formatDims(shape)));
  if (!r.data.empty())
    std::memcpy(out, r.data.data(), r.data.size() * sizeof(float));
}

int infer(AecModel *model, Inference what, const float *in, const int64_t *dims, int rank, float *out) {
  return guarded([&] {
    AecModel *m = &live(model);
    const auto &desc = m->model.desc;
    const bool latent = what == Inference::Decode;
    Dataset d = callerData(latent ? "z" : "x", in, dims, rank, latent ? desc.codeShape : desc.inputShape,
                           latent ? "code" : "input");
    if (!latent)
      requireStats(*m);
    const int64_t n = d.rows();
    if (n == 0)
      return;
    const Dims &shape = what == Inference::Encode ? desc.codeShape : what == Inference::Score ? Dims{} : desc.outputShape;
    copyOut(runInference(m->model, what, std::move(d.x), m->state, m->norm), n, shape, out);
  });
}

} // namespace

namespace aec::rt {

const std::vector<std::string> &cApiSymbols() {
  static const std::vector<std::string> names = {
      "aec_api_version", "aec_last_error",   "aec_open",        "aec_close",         "aec_name",
      "aec_batch",       "aec_shape",        "aec_encode",      "aec_decode",        "aec_reconstruct",
      "aec_score",       "aec_sample",      "aec_train_step",   "aec_fit_normalization", "aec_save",   "aec_learning_rate",
      "aec_set_learning_rate", "aec_steps"};
  return names;
}

} // namespace aec::rt

extern "C" {

int aec_api_version(void) { return AEC_API_VERSION; }

const char *aec_last_error(void) { return lastError.c_str(); }

int aec_open(const char *weights, const uint64_t *seed, int threads, AecModel **model) {
  return guarded([&] {
    if (!model)
      throw std::runtime_error("aec_open: no place for the handle (model is NULL)");
    *model = nullptr;
    if (threads < 0 || threads > 1024)
      throw std::runtime_error(fmt::format("threads: expected 0 (the trainer's default) to 1024, got {}", threads));
    auto m = std::make_unique<AecModel>();
    m->model = linkedModel();
    m->config = runConfigFor(m->model.desc);
    if (seed)
      m->config.seed = *seed;
    // One batch per step, in the caller's order: no split, no shuffle.
    m->config.validationSplit = 0;
    m->config.shuffle = false;
    m->lr = m->config.lr;
    std::string note;
    m->threads = chooseThreads(m->model, threads, &note);
    if (weights) {
      requireInputFile("weights", weights, "a weights file (.npz)");
      LoadedWeights l = loadForInference(m->model, m->config, weights);
      m->state = std::move(l.state);
      m->norm = std::move(l.norm);
      m->statsReady = true;
    } else {
      m->state = initModelState(m->model.desc, m->config.seed);
      m->norm = Normalizer(m->config.normalize, m->config.transform);
      m->statsReady = !m->norm.active() || m->norm.canRestore({});
    }
    *model = m.release();
  });
}

void aec_close(AecModel *model) { delete model; }

const char *aec_name(const AecModel *model) { return model ? model->model.desc.name.c_str() : ""; }

int64_t aec_batch(const AecModel *model) { return model ? model->model.desc.batch : 0; }

int aec_shape(const AecModel *model, AecShape which, int64_t *dims, int capacity) {
  if (!model)
    return -1;
  const auto &desc = model->model.desc;
  const Dims *shape = which == AEC_SHAPE_INPUT    ? &desc.inputShape
                      : which == AEC_SHAPE_OUTPUT ? &desc.outputShape
                      : which == AEC_SHAPE_CODE   ? &desc.codeShape
                                                  : nullptr;
  if (!shape)
    return -1;
  for (int i = 0; i < capacity && i < static_cast<int>(shape->size()); ++i)
    dims[i] = (*shape)[i];
  return static_cast<int>(shape->size());
}

int aec_encode(AecModel *model, const float *x, const int64_t *dims, int rank, float *code) {
  return infer(model, Inference::Encode, x, dims, rank, code);
}

int aec_decode(AecModel *model, const float *code, const int64_t *dims, int rank, float *out) {
  return infer(model, Inference::Decode, code, dims, rank, out);
}

int aec_reconstruct(AecModel *model, const float *x, const int64_t *dims, int rank, float *out) {
  return infer(model, Inference::Reconstruct, x, dims, rank, out);
}

int aec_score(AecModel *model, const float *x, const int64_t *dims, int rank, float *scores) {
  return infer(model, Inference::Score, x, dims, rank, scores);
}

int aec_sample(AecModel *model, int64_t n, uint64_t seed, float *out) {
  return guarded([&] {
    AecModel &m = live(model);
    requireVae(m.model.desc);
    if (n < 0 || n > 100000000)
      throw std::runtime_error(fmt::format("sample: n must be 0 to 100000000, got {}", n));
    if (n == 0)
      return;
    Array z = priorDraws(m.model.desc, n, seed);
    copyOut(runInference(m.model, Inference::Decode, std::move(z), m.state, m.norm), n, m.model.desc.outputShape, out);
  });
}

int aec_train_step(AecModel *model, const float *x, const int64_t *dims, int rank, const float *target,
                   const int64_t *target_dims, int target_rank, double *loss) {
  return guarded([&] {
    AecModel &m = live(model);
    const auto &desc = m.model.desc;
    Dataset batch = callerData("x", x, dims, rank, desc.inputShape, "input");
    const int64_t n = batch.rows();
    if (n < 1 || n > desc.batch)
      throw std::runtime_error(fmt::format("train_step: {} samples, a batch of model '{}' holds 1 to {}", n,
                                           desc.name, desc.batch));
    if (target) {
      Dataset t = callerData("target", target, target_dims, target_rank, desc.outputShape, "output");
      if (t.rows() != n)
        throw std::runtime_error(fmt::format("train_step: 'target' has {} samples, 'x' has {}", t.rows(), n));
      batch.target = std::move(t.x);
    }
    requireStats(m);
    m.norm.apply(batch.x);
    if (!batch.target.empty())
      m.norm.apply(batch.target);
    TrainSlot &slot = m.slots[n];
    slot.batch.x = std::move(batch.x);
    slot.batch.target = std::move(batch.target);
    // Salt and pepper take the extremes of the Trainer's data when it is made: this batch's.
    if (!slot.trainer || m.config.corrupt.saltPepper > 0)
      slot.trainer = std::make_unique<Trainer>(m.model, m.config, slot.batch, m.state, m.threads);
    Trainer &trainer = *slot.trainer;
    trainer.progress.step = m.steps;
    trainer.progress.lr = m.lr;
    trainer.progress.epochStep = 0;
    trainer.progress.epochLossSum = 0;
    // A step that is not finite throws after undoing itself: m.steps stays.
    const EpochRecord rec = trainer.runEpoch(1);
    m.steps = trainer.progress.step;
    if (loss)
      *loss = rec.loss;
  });
}

int aec_fit_normalization(AecModel *model, const float *x, const int64_t *dims, int rank) {
  return guarded([&] {
    Dataset d = callerData("x", x, dims, rank, live(model).model.desc.inputShape, "input");
    if (d.rows() < 1)
      throw std::runtime_error("fit_normalization: no samples");
    Normalizer norm(model->config.normalize, model->config.transform);
    norm.fit(d.x, d.rows());
    model->norm = std::move(norm);
    model->statsReady = true;
  });
}

int aec_save(const AecModel *model, const char *path) {
  return guarded([&] {
    if (!path)
      throw std::runtime_error("save: no path");
    requireStats(live(model));
    requireWritableFile("save", path);
    saveWeights(path, model->model.desc, model->state, model->norm);
  });
}

double aec_learning_rate(const AecModel *model) { return model ? model->lr : std::nan(""); }

int aec_set_learning_rate(AecModel *model, double lr) {
  return guarded([&] {
    if (!isPositiveFloat32(lr)) // the trainer's --lr rule
      throw std::runtime_error(fmt::format("learning rate: expected {}, got {}", PositiveFloat32Text, lr));
    live(model).lr = lr;
  });
}

int64_t aec_steps(const AecModel *model) { return model ? model->steps : 0; }

} // extern "C"
