/// The CPU pass pipeline: ONE textual pipeline of registered passes, aec's own
/// (aec-fuse-elementwise, aec-tile-matmuls, aec-lower-vector) among upstream
/// ones. cpuPipeline() below is its only definition: the compiler parses it,
/// and so does the `aec-cpu-pipeline` pipeline registered for aec-mlir-opt,
/// so a dumped module replays pass by pass:
///
///   aec dump model.yaml --stage mlir > m.mlir
///   aec-mlir-opt m.mlir --aec-cpu-pipeline --mlir-print-ir-after-all
///
/// gives the LLVM-dialect module of `aec dump model.yaml --stage mlir-llvm`
/// (tests/lit/mlir/aec-cpu-pipeline.test checks they are the same). `aec dump --stage
/// mlir-pipeline` prints the pipeline as --pass-pipeline text, to edit.
#include "passes/lowering/AecPasses.h"
#include "passes/lowering/Lowering.h"
#include "passes/lowering/MLIRLowering.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace aec::lowering {

namespace {
/// The pipeline's passes, anchored on builtin.module. In order:
///
/// Fusion and fast matmuls on tensors: chains of elementwise generics become
/// one loop nest; large matmuls become vectorized register tiles.
///
/// Tensors -> buffers. Identity layouts at function boundaries make every
/// argument a plain dense buffer; results become out-params written in place
/// (hoist-static-allocs), so the caller's buffers receive results without a
/// copy; the intermediates get offsets in one planned arena (aec-plan-arena),
/// the workspace argument the runtime allocates once. What remains of linalg
/// becomes loops; each top-level loop nest becomes a function of its own, shared
/// by identical nests; the matmul tiles' contracts become FMA chains.
///
/// Loops, vectors and memrefs -> LLVM dialect. log1p stays exact (no log(1+x));
/// math ops with no LLVM intrinsic (tanh, erf) become libm calls, which the
/// trainer links; bare-pointer memrefs make each static buffer one pointer, as
/// the entry ABI wants.
/// Loops, vectors and memrefs -> LLVM dialect for the host CPU (see below).
std::string hostLLVMTail() {
  return "expand-strided-metadata,"
         "lower-affine,"
         "convert-scf-to-cf,"
         "convert-vector-to-llvm,"
         "finalize-memref-to-llvm,"
         "convert-arith-to-llvm,"
         "convert-math-to-llvm{approximate-log1p=false},"
         "convert-math-to-libm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
         "reconcile-unrealized-casts";
}

std::string cpuPipeline(bool vectorize, bool arena, bool outline) {
  return std::string("aec-fuse-elementwise,") +
         (vectorize ? "aec-tile-matmuls,aec-tile-convs," : "") +
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-results-to-out-params{hoist-static-allocs}," +
         std::string(arena ? "func.func(aec-plan-arena)," : "") +
         "buffer-deallocation-pipeline,"
         "func.func(convert-linalg-to-loops),"
         "convert-bufferization-to-memref," +
         std::string(outline ? "aec-outline-loops," : "") +
         "canonicalize,"
         "aec-lower-vector,"
         "func.func(convert-vector-to-scf{full-unroll}),"
         + hostLLVMTail();
}

/// The cuda pipeline (`aec compile --target cuda`), from the same module (lowered
/// with TargetAttrName "cuda": convolutions in gather form). Fusion and the
/// memory plan as on the CPU; no register tiles. Then:
///
/// Every linalg op becomes a parallel loop nest (reductions a serial loop in
/// each thread), the serial code between nests a one-thread nest, each nest one
/// 1-D grid of 256-thread blocks (GpuKernelPasses.cpp), a gpu.launch and an
/// outlined kernel; aec-gpu-check-host proves the host code touches no buffer.
///
/// Kernels -> NVVM -> PTX for sm_90 with LLVM's NVPTX backend (no CUDA
/// toolkit): transcendental math as polynomials, the rest of libdevice's
/// functions as intrinsics (aec-gpu-math, aec-gpu-libdevice). The host side
/// calls the mgpu* launch functions of gpu-to-llvm, which libaecrt implements
/// over the driver API (runtime/src/Cuda*.cpp); entry points take bare device
/// pointers, as the CPU's take host ones.
/// The GPU's kernels as loop nests: everything the cuda pipeline does before a
/// nest becomes a gpu.launch (kernel shapes, the guards of partial blocks,
/// serial code as one-thread nests, polynomial math). Shared by the cuda
/// pipeline and its host twin below.
std::string gpuKernelNests() {
  return "aec-fuse-elementwise,"
         "func.func(aec-splats-to-fills),"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map},"
         "buffer-results-to-out-params{hoist-static-allocs},"
         "func.func(aec-plan-arena),"
         "buffer-deallocation-pipeline,"
         "convert-bufferization-to-memref,"
         "func.func(aec-copies-to-linalg),"
         "func.func(convert-linalg-to-parallel-loops),"
         "canonicalize,"
         "func.func(aec-gpu-serial-kernels),"
         "func.func(aec-gpu-map-loops),";
}

std::string cudaPipeline() {
  return gpuKernelNests() +
         "func.func(convert-parallel-loops-to-gpu),"
         "aec-gpu-check-host,"
         "canonicalize,"
         "gpu-kernel-outlining,"
         "aec-gpu-merge-kernels,"
         "gpu.module(aec-gpu-math),"
         "nvvm-attach-target{chip=sm_90 O=3},"
         "expand-strided-metadata,"
         "lower-affine,"
         "convert-scf-to-cf,"
         "gpu.module(convert-gpu-to-nvvm),"
         "gpu.module(aec-gpu-libdevice),"
         "gpu-to-llvm{use-bare-pointers-for-host},"
         "finalize-memref-to-llvm,"
         "convert-arith-to-llvm,"
         "convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
         "reconcile-unrealized-casts,"
         "gpu-module-to-binary{format=isa}";
}

/// The cuda pipeline's kernels run on the host, each mapped nest a sequential
/// loop (its blocks and threads in order): what CPU tests compare with the
/// interpreter, since no GPU is needed to check the kernels' arithmetic. The
/// launch, NVVM and PTX steps after the nests are upstream's and checked by lit
/// and ptxas.
std::string cudaHostPipeline() {
  return gpuKernelNests() + "aec-gpu-math," + hostLLVMTail();
}

struct CPUPipelineOptions
    : mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> Vectorize{
      *this, "vectorize",
      llvm::cl::desc("tile and vectorize large matmuls (aec-tile-matmuls)"),
      llvm::cl::init(true)};
  Option<bool> Arena{
      *this, "arena",
      llvm::cl::desc("place intermediates in one planned arena (aec-plan-arena)"),
      llvm::cl::init(true)};
  Option<bool> Outline{
      *this, "outline",
      llvm::cl::desc("move each top-level loop nest into a shared function (aec-outline-loops)"),
      llvm::cl::init(true)};
};

/// Debugging knobs: AEC_MLIR_PRINT_STAGES=1 prints the IR after every pass to
/// stderr (as --mlir-print-ir-after-all does in aec-mlir-opt);
/// AEC_MLIR_NO_VECTORIZE=1 leaves matmuls as plain loops (to bisect numerical
/// issues); AEC_MLIR_NO_ARENA=1 leaves every intermediate its own allocation
/// (to measure the memory plan); AEC_NO_OUTLINE=1 keeps every function whole
/// (to measure what aec-outline-loops buys); AEC_TIMING=1 reports the time of every MLIR
/// pass (and LLVM's O3 and code generation, EmitLLVM.cpp).
bool envFlag(const char *name) {
  const char *v = std::getenv(name);
  return v && *v && std::string(v) != "0";
}

/// The pipeline the compiler runs, with the knobs above applied.
std::string compilerPipeline() {
  return cpuPipeline(!envFlag("AEC_MLIR_NO_VECTORIZE"),
                     !envFlag("AEC_MLIR_NO_ARENA"), !envFlag("AEC_NO_OUTLINE"));
}

/// The top-level entries of `pipeline` up to and including the first that runs
/// the pass `last` (a nested one, as func.func(aec-plan-arena), counts): the
/// compiler's own pipeline stopped early, e.g. to read the memory plan.
std::string pipelineThrough(const std::string &pipeline, const std::string &last) {
  std::string out, entry;
  int depth = 0;
  auto finish = [&] {
    out += (out.empty() ? "" : ",") + entry;
    size_t at = entry.find(last);
    bool found = at != std::string::npos &&
                 (at + last.size() == entry.size() ||
                  !(std::isalnum(static_cast<unsigned char>(entry[at + last.size()])) ||
                    entry[at + last.size()] == '-'));
    entry.clear();
    return found;
  };
  for (char c : pipeline) {
    depth += (c == '(' || c == '{') ? 1 : (c == ')' || c == '}') ? -1 : 0;
    if (c == ',' && depth == 0) {
      if (finish())
        return out;
      continue;
    }
    entry += c;
  }
  if (!entry.empty() && finish())
    return out;
  throw std::runtime_error("internal error: no pass '" + last + "' in the CPU pipeline");
}

/// Collects MLIR diagnostics so that failures carry them in the exception.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *ctx)
      : OS(Text), Handler(ctx, [this](mlir::Diagnostic &d) {
          OS << d.getLocation() << ": " << d << "\n";
          return mlir::success();
        }) {}
  std::string text() { return Text; }

private:
  std::string Text;
  llvm::raw_string_ostream OS;
  mlir::ScopedDiagnosticHandler Handler;
};

/// Upstream's passes and aec's, registered once per process: pipeline text
/// names them.
void registerEverything() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    mlir::registerAllPasses();
    registerAecPasses();
  });
}

/// The pipeline the compiler runs, in a pass manager on builtin.module.
void buildCPUPipeline(mlir::OpPassManager &pm) {
  registerEverything();
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (mlir::failed(mlir::parsePassPipeline(compilerPipeline(), pm, os)))
    throw std::runtime_error("internal error: bad MLIR pipeline: " + errors);
}

/// The module of `module` after the CPU pipeline, printing after `printAfter`
/// into `os`.
mlir::OwningOpRef<mlir::ModuleOp>
lowerToLLVMDialect(mlir::MLIRContext &ctx, const Module &module,
                   const std::string &printAfter, llvm::raw_ostream *os) {
  mlir::OwningOpRef<mlir::ModuleOp> m = lowerModule(ctx, module);
  runCPUPipeline(*m, printAfter, os);
  return m;
}
} // namespace

void registerAecPasses() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    mlir::registerPass(createFuseElementwisePass);
    mlir::registerPass(createTileMatmulsPass);
    mlir::registerPass(createTileConvsPass);
    mlir::registerPass(createLowerVectorPass);
    mlir::registerPass(createPlanArenaPass);
    mlir::registerPass(createOutlineLoopsPass);
    mlir::registerPass(createSplatsToFillsPass);
    mlir::registerPass(createCopiesToLinalgPass);
    mlir::registerPass(createGpuSerialKernelsPass);
    mlir::registerPass(createGpuMapLoopsPass);
    mlir::registerPass(createGpuCheckHostPass);
    mlir::registerPass(createGpuMathPass);
    mlir::registerPass(createGpuLibdevicePass);
    mlir::registerPass(createGpuMergeKernelsPass);
    mlir::PassPipelineRegistration<CPUPipelineOptions>(
        "aec-cpu-pipeline",
        "aec's CPU pipeline: linalg on tensors -> LLVM dialect, as the "
        "compiler runs it",
        [](mlir::OpPassManager &pm, const CPUPipelineOptions &options) {
          // The text is internal and tested: a parse error is aec's bug.
          if (mlir::failed(
                  mlir::parsePassPipeline(cpuPipeline(options.Vectorize, options.Arena, options.Outline), pm)))
            llvm::report_fatal_error("aec-cpu-pipeline: bad pipeline text");
        });
    mlir::PassPipelineRegistration<>(
        "aec-cuda-pipeline",
        "aec's cuda pipeline: linalg on tensors -> host LLVM dialect launching "
        "PTX kernels, as `aec compile --target cuda` runs it",
        [](mlir::OpPassManager &pm) {
          if (mlir::failed(mlir::parsePassPipeline(cudaPipeline(), pm)))
            llvm::report_fatal_error("aec-cuda-pipeline: bad pipeline text");
        });
  });
}

namespace {
/// Runs `pipeline` (text) on `module`, printing after `printAfter` as runCPUPipeline.
void runPipeline(mlir::ModuleOp module, const std::string &pipeline, const char *what,
                 const std::string &printAfter, llvm::raw_ostream *os) {
  registerEverything();
  mlir::MLIRContext *ctx = module.getContext();
  DiagnosticCollector diags(ctx);
  mlir::PassManager pm(ctx);
  std::string errors;
  llvm::raw_string_ostream parseErrors(errors);
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, parseErrors)))
    throw std::runtime_error("internal error: bad MLIR pipeline: " + errors);
  auto never = [](mlir::Pass *, mlir::Operation *) { return false; };
  // Op scope and every run, as aec-mlir-opt --mlir-print-ir-after-all prints.
  if (!printAfter.empty())
    pm.enableIRPrinting(
        never,
        [printAfter](mlir::Pass *pass, mlir::Operation *) {
          return pass->getArgument() == printAfter;
        },
        /*printModuleScope=*/false, /*printAfterOnlyOnChange=*/false,
        /*printAfterOnlyOnFailure=*/false, os ? *os : llvm::errs());
  else if (envFlag("AEC_MLIR_PRINT_STAGES"))
    pm.enableIRPrinting(
        never, [](mlir::Pass *, mlir::Operation *) { return true; },
        /*printModuleScope=*/false, /*printAfterOnlyOnChange=*/false);
  if (envFlag("AEC_TIMING"))
    pm.enableTiming();
  // Verifying after each of the ~40 passes cost 6-9% of `aec compile` (sdss_colors):
  // the module is verified once at the end, after every pass with AEC_MLIR_VERIFY=1
  // (aec-mlir-opt and the lit tests verify after every pass).
  pm.enableVerifier(envFlag("AEC_MLIR_VERIFY"));
  if (mlir::failed(pm.run(module)) || mlir::failed(mlir::verify(module)))
    throw std::runtime_error(std::string("MLIR ") + what + " pipeline failed:\n" + diags.text());
}
} // namespace

void runCPUPipeline(mlir::ModuleOp module, const std::string &printAfter,
                    llvm::raw_ostream *os) {
  runPipeline(module, compilerPipeline(), "CPU", printAfter, os);
}

void runCudaPipeline(mlir::ModuleOp module, const std::string &printAfter,
                     llvm::raw_ostream *os) {
  runPipeline(module, cudaPipeline(), "cuda", printAfter, os);
}

void runCudaHostPipeline(mlir::ModuleOp module) {
  runPipeline(module, cudaHostPipeline(), "cuda-on-host", "", nullptr);
}

void runCPUPipelineThrough(mlir::ModuleOp module, const std::string &last) {
  registerEverything();
  mlir::MLIRContext *ctx = module.getContext();
  DiagnosticCollector diags(ctx);
  mlir::PassManager pm(ctx);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (mlir::failed(mlir::parsePassPipeline(pipelineThrough(compilerPipeline(), last), pm, os)))
    throw std::runtime_error("internal error: bad MLIR pipeline: " + errors);
  if (mlir::failed(pm.run(module)))
    throw std::runtime_error("MLIR CPU pipeline failed:\n" + diags.text());
}

} // namespace aec::lowering

namespace aec {

std::string cpuPipelineText() {
  return "builtin.module(" + lowering::compilerPipeline() + ")";
}

std::string cudaPipelineText() { return "builtin.module(" + lowering::cudaPipeline() + ")"; }

std::vector<std::string> cpuPipelinePassNames() {
  auto ctx = lowering::makeContext();
  mlir::PassManager pm(ctx.get());
  lowering::buildCPUPipeline(pm);
  // The expanded text names every pass once per run, nested pipelines (e.g.
  // buffer-deallocation-pipeline) resolved; an identifier before '(' is an
  // op anchor, text inside {} is options.
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  std::vector<std::string> names;
  std::string word;
  int braces = 0;
  for (char c : text) {
    if (braces > 0) {
      braces += c == '{' ? 1 : c == '}' ? -1 : 0;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
        c == '.') {
      word += c;
      continue;
    }
    if (c == '{')
      braces = 1;
    if (c != '(' && !word.empty() &&
        std::find(names.begin(), names.end(), word) == names.end())
      names.push_back(word);
    word.clear();
  }
  return names;
}

std::string emitLLVMDialectText(const Module &module) {
  auto ctx = lowering::makeContext();
  auto m = lowering::lowerToLLVMDialect(*ctx, module, "", nullptr);
  std::string text;
  llvm::raw_string_ostream os(text);
  m->print(os);
  os << "\n"; // as aec-mlir-opt ends its output, so that the two compare equal
  return text;
}

std::string emitMLIRAfterPass(const Module &module, const std::string &pass) {
  auto ctx = lowering::makeContext();
  std::string text;
  llvm::raw_string_ostream os(text);
  (void)lowering::lowerToLLVMDialect(*ctx, module, pass, &os);
  return text;
}

std::string emitPtxText(const Module &module) {
  auto ctx = lowering::makeContext();
  mlir::OwningOpRef<mlir::ModuleOp> m = lowering::lowerModule(*ctx, module, "cuda");
  lowering::runCudaPipeline(*m);
  std::string ptx;
  m->walk([&](mlir::gpu::BinaryOp binary) {
    for (mlir::Attribute a : binary.getObjects()) {
      llvm::StringRef text = llvm::cast<mlir::gpu::ObjectAttr>(a).getObject().getValue();
      // The driver takes PTX as a C string: the serializer ends it with a NUL.
      ptx += "// gpu.binary @" + binary.getName().str() + "\n" + text.rtrim('\0').str() + "\n";
    }
  });
  return ptx;
}

} // namespace aec
