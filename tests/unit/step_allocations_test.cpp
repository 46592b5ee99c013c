/// No heap allocation inside a training step: the generated code keeps its intermediates in
/// the workspace the runtime allocated once, and the runtime's step (FunctionCall,
/// ParallelStep and its threads) reuses its buffers. malloc and free are interposed in this
/// test binary (glibc's own allocator underneath) and counted around steady-state steps.
// Not in sanitizer builds (make test-asan): ASan replaces malloc itself, and interposing
// malloc over it crashes at startup. The normal build runs this test.
#ifndef __SANITIZE_ADDRESS__
#include "frontend/Expand.h"
#include "frontend/ModelSpec.h"
#include "passes/Describe.h"
#include "passes/Passes.h"
#include "passes/lowering/Lowering.h"

#include <aec/ParallelStep.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdlib>

extern "C" void *__libc_malloc(size_t size);
extern "C" void __libc_free(void *p);

namespace {
std::atomic<bool> Counting{false};
std::atomic<long> HeapCalls{0};
} // namespace


extern "C" void *malloc(size_t size) __THROW {
  if (Counting.load(std::memory_order_relaxed))
    ++HeapCalls;
  return __libc_malloc(size);
}

extern "C" void free(void *p) __THROW {
  if (p && Counting.load(std::memory_order_relaxed))
    ++HeapCalls;
  __libc_free(p);
}

using namespace aec;

namespace {
/// `models/<name>` compiled with `shards` shards into this process, as a runtime Model.
struct Compiled {
  std::unique_ptr<LoadedModule> lib;
  rt::Model model;
};

Compiled compileModel(const std::string &name, int64_t shards) {
  ModelSpec spec = loadModelSpec(std::string(AEC_SOURCE_DIR) + "/models/" + name);
  Module m = buildTrainingModule(spec, spec.batch, DType::F32, shards);
  defaultPipeline().run(m);
  ForwardInfo forward;
  (void)buildForward(spec, spec.batch, ForwardPart::Full, &forward);
  Compiled c{compileAndLoad(m), {}};
  c.model.desc = describeModel(spec, m, forward);
  for (rt::FunctionInfo &f : c.model.desc.functions) {
    f.workspaceBytes = c.lib->workspaceBytes(f.name);
    c.model.entries[f.name] = c.lib->entry(f.name);
  }
  return c;
}
} // namespace

TEST_CASE("a steady-state training step makes no heap call", "[runtime][lowering][threads]") {
  Compiled c = compileModel("ring.yaml", 1);
  const rt::Model &model = c.model;
  CHECK(model.desc.function("train_step")->workspaceBytes > 0);
  rt::ModelState state = rt::initModelState(model.desc, 1);
  rt::Array x({100, 2});
  for (size_t i = 0; i < x.data.size(); ++i)
    x.data[i] = static_cast<float>(i % 17) / 17.0f - 0.5f;
  rt::BatchSource src{&x, nullptr, nullptr};
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < 32; ++i)
    rows.push_back(i);
  // A partial batch too: a shard of weight 0 and padded rows.
  std::vector<int64_t> partial(rows.begin(), rows.begin() + 9);
  rt::Hypers hypers = {{"lr", 1e-3f}, {"t", 1.0f}, {"seed", 0.0f}, {"weight_sum", 32.0f}};

  rt::FunctionCall step(model, "train_step");
  step.run(src, rows, state, hypers, true); // warm-up: nothing left to allocate lazily
  HeapCalls = 0;
  Counting = true;
  for (int t = 2; t <= 10; ++t) {
    hypers["t"] = static_cast<float>(t);
    step.run(src, t % 3 ? rows : partial, state, hypers, true);
  }
  Counting = false;
  CHECK(HeapCalls == 0);

  for (const rt::Array &p : state.params)
    for (float v : p.data)
      REQUIRE(std::isfinite(v));

  // The split step (no train_step) on two threads and on one, which runs the shards in turn.
  Compiled split = compileModel("ring.yaml", 2);
  REQUIRE_FALSE(split.model.hasFunction("train_step"));
  rt::ModelState splitState = rt::initModelState(split.model.desc, 1);
  for (int threads : {2, 1}) {
    INFO(threads << " thread(s)");
    rt::ParallelStep parallel(split.model, threads);
    std::vector<rt::BatchSource> sources(2, src);
    (void)parallel.run(sources, rows, splitState, hypers);
    HeapCalls = 0;
    Counting = true;
    for (int t = 11; t <= 20; ++t) {
      hypers["t"] = static_cast<float>(t);
      hypers["weight_sum"] = t % 3 ? 32.0f : 9.0f;
      (void)parallel.run(sources, t % 3 ? rows : partial, splitState, hypers);
    }
    Counting = false;
    CHECK(HeapCalls == 0);
  }
  for (const rt::Array &p : splitState.params)
    for (float v : p.data)
      REQUIRE(std::isfinite(v));
}

#endif // __SANITIZE_ADDRESS__
