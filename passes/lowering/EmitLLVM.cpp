/// MLIR (LLVM dialect) -> LLVM IR -> host object or assembly: the entry
/// wrappers, the descriptor global, host CPU targeting and O3.
#include "passes/lowering/Lowering.h"
#include "passes/lowering/MLIRLowering.h"

#include "llvm/Support/Format.h"

#include <chrono>
#include <cstdlib>

#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace aec::lowering {

namespace {

/// "+avx2,+fma,-avx512f,..." for this machine.
std::string hostFeatures() {
  std::string features;
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") +
                std::string(f.second ? "+" : "-") + f.first().str();
  return features;
}

/// Host CPU target machine; PIC because trainers are linked as PIE (and loaded
/// as .so).
std::unique_ptr<llvm::TargetMachine> hostTargetMachine() {
  static std::once_flag init;
  std::call_once(init, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
  std::string triple = llvm::sys::getProcessTriple();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    throw std::runtime_error("no LLVM target for " + triple + ": " + error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, llvm::sys::getHostCPUName(), hostFeatures(), options,
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    throw std::runtime_error("cannot create an LLVM target machine for " +
                             triple);
  return tm;
}

/// `void aec_fn_<name>(void **buffers)`: loads one pointer per argument, per
/// result and the workspace (aec-plan-arena's last argument), and calls the
/// bare-pointer function, which becomes internal so that only the ABI symbols
/// export. Also exports `aec_workspace_bytes_<name>` (i64), the workspace size
/// the descriptor states, for objects loaded without one (tests).
void addEntryWrapper(llvm::Module &mod, const Graph &graph, int64_t workspaceBytes) {
  llvm::Function *inner = mod.getFunction(graph.name);
  if (!inner)
    throw std::runtime_error("internal error: no LLVM function for graph " +
                             graph.name);
  size_t buffers = graph.inputs().size() + graph.outputs.size();
  // Without the plan (AEC_MLIR_NO_ARENA=1) there is no workspace argument; the
  // runtime's pointer is then ignored.
  bool workspace = inner->arg_size() == buffers + 1;
  if (inner->arg_size() != buffers && !workspace)
    throw std::runtime_error("internal error: function " + graph.name +
                             " takes " + std::to_string(inner->arg_size()) +
                             " buffers, expected " + std::to_string(buffers) +
                             " and a workspace");
  inner->setLinkage(llvm::GlobalValue::InternalLinkage);

  llvm::LLVMContext &ctx = mod.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *type =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *wrapper = llvm::Function::Create(
      type, llvm::GlobalValue::ExternalLinkage, "aec_fn_" + graph.name, mod);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", wrapper));
  std::vector<llvm::Value *> args;
  for (size_t i = 0; i < inner->arg_size(); ++i) {
    llvm::Value *slot =
        b.CreateConstInBoundsGEP1_64(ptr, wrapper->getArg(0), i);
    args.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(inner, args);
  b.CreateRetVoid();
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  new llvm::GlobalVariable(mod, i64, /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantInt::get(i64, workspaceBytes),
                           "aec_workspace_bytes_" + graph.name);
}

/// The heap calls left in `f` (allocs the plan could not take, or any a later
/// pass made): a step should make none.
size_t heapCalls(const llvm::Function &f) {
  size_t n = 0;
  for (const llvm::BasicBlock &bb : f)
    for (const llvm::Instruction &inst : bb)
      if (const auto *call = llvm::dyn_cast<llvm::CallBase>(&inst))
        if (const llvm::Function *callee = call->getCalledFunction())
          n += callee->getName() == "malloc" || callee->getName() == "aligned_alloc" ||
               callee->getName() == "free";
  return n;
}

void addDescriptor(llvm::Module &mod, const std::string &descriptor) {
  llvm::Constant *init =
      llvm::ConstantDataArray::getString(mod.getContext(), descriptor, true);
  new llvm::GlobalVariable(mod, init->getType(), /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage, init,
                           "aec_model_descriptor");
}

/// Above this many LLVM instructions in one function, optimising costs minutes (see
/// chooseOptLevel); the default models have 7k-28k (an LSTM is a loop, ir/Scan.h).
constexpr size_t HugeFunctionInstructions = 150000;

/// With AEC_TIMING=1, prints the wall time of a phase to stderr when it ends.
class PhaseTimer {
public:
  explicit PhaseTimer(const char *name)
      : Name(name), Start(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() {
    const char *v = std::getenv("AEC_TIMING");
    if (!v || !*v || std::string(v) == "0")
      return;
    std::chrono::duration<double> s = std::chrono::steady_clock::now() - Start;
    llvm::errs() << "aec timing: " << Name << " " << llvm::format("%.3f", s.count()) << " s\n";
  }

private:
  const char *Name;
  std::chrono::steady_clock::time_point Start;
};

/// LLVM's optimisation level for `mod`: O3, except when one function is huge (a safety
/// net: no default model has one since the LSTM became a scan, a loop). LLVM's passes and
/// instruction selection are superlinear there: on fashion_recurrent's unrolled train step
/// (252k instructions) O3 took 212 s + 63 s codegen and O1 173 s + 82 s, while O0 with
/// fast instruction selection took 1.5 s (the trainer ran 2.3x slower).
/// AEC_LLVM_OPT=0..3 overrides the choice.
llvm::OptimizationLevel chooseOptLevel(const llvm::Module &mod) {
  size_t largest = 0;
  for (const llvm::Function &f : mod)
    largest = std::max(largest, static_cast<size_t>(f.getInstructionCount()));
  if (const char *t = std::getenv("AEC_TIMING"); t && *t && std::string(t) != "0")
    llvm::errs() << "aec timing: largest function " << largest << " LLVM instructions\n";
  if (const char *v = std::getenv("AEC_LLVM_OPT"); v && *v) {
    switch (std::atoi(v)) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
    }
  }
  return largest > HugeFunctionInstructions ? llvm::OptimizationLevel::O0
                                            : llvm::OptimizationLevel::O3;
}

/// The library-call table with glibc's vector math (libmvec, which trainers link): the
/// loop vectorizer then calls e.g. _ZGVdN8v_expf on 8 lanes instead of scalarising
/// expf around each element (seen: 10% of a SELU conv step in vzeroupper + expf).
/// LLVM's preset covers exp/log/sin/cos/pow; the functions our activations use that
/// glibc 2.35 added (tanhf, erff, log1pf) and the AVX-512 forms are named here, for
/// the ISA levels the host CPU has (the code is built for the host).
llvm::TargetLibraryInfoImpl vectorMathLibrary(const llvm::TargetMachine &tm) {
  llvm::TargetLibraryInfoImpl tlii(tm.getTargetTriple());
  tlii.addVectorizableFunctionsFromVecLib(llvm::TargetLibraryInfoImpl::LIBMVEC_X86,
                                          tm.getTargetTriple());
  std::string features = tm.getTargetFeatureString().str();
  auto has = [&](const char *f) { return features.find(std::string("+") + f) != std::string::npos; };
  struct Level {
    char isa; // libmvec's vector ABI letter: b SSE, d AVX2, e AVX-512
    unsigned lanes;
    bool available;
  };
  const Level levels[] = {{'b', 4, true}, {'d', 8, has("avx2")}, {'e', 16, has("avx512f")}};
  std::vector<llvm::VecDesc> extra;
  // The table keeps StringRefs: names are interned for the life of the process.
  static std::set<std::string> names;
  static std::mutex namesMutex;
  std::lock_guard<std::mutex> lock(namesMutex);
  auto intern = [](std::string name) -> llvm::StringRef { return *names.insert(std::move(name)).first; };
  auto add = [&](const std::string &scalar, const std::string &base, const Level &l) {
    std::string lanes = std::to_string(l.lanes);
    extra.emplace_back(intern(scalar), intern("_ZGV" + std::string(1, l.isa) + "N" + lanes + "v_" + base),
                       llvm::ElementCount::getFixed(l.lanes), false, intern("_ZGV_LLVM_N" + lanes + "v"));
  };
  for (const Level &l : levels) {
    if (!l.available)
      continue;
    for (const char *f : {"tanhf", "erff", "log1pf"})
      add(f, f, l);
    if (l.isa == 'e') // the preset stops at AVX2
      for (auto [scalar, base] : {std::pair{"expf", "expf"}, {"llvm.exp.f32", "expf"},
                                  {"logf", "logf"}, {"llvm.log.f32", "logf"}})
        add(scalar, base, l);
  }
  tlii.addVectorizableFunctions(extra);
  return tlii;
}

void runO3(llvm::Module &mod, llvm::TargetMachine &tm, llvm::OptimizationLevel level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  // Off by default in PassBuilder (clang turns them on per -O level).
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  // Full unrolling of the many short static loops of a training step multiplied
  // machine code (and codegen time, 1.8x on ring.yaml) for no measured speedup:
  // matmul tiles are already unrolled by the vector lowering.
  tuning.LoopUnrolling = false;
  llvm::PassBuilder pb(&tm, tuning);
  // Registered before the defaults, so this table is the one the passes see.
  llvm::TargetLibraryInfoImpl tlii = vectorMathLibrary(tm);
  fam.registerPass([&] { return llvm::TargetLibraryAnalysis(tlii); });
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  if (level == llvm::OptimizationLevel::O0)
    tm.setOptLevel(llvm::CodeGenOptLevel::None);
  else if (level != llvm::OptimizationLevel::O3)
    tm.setOptLevel(llvm::CodeGenOptLevel::Less);
  pb.buildPerModuleDefaultPipeline(level).run(mod, mam);
}

/// An integer attribute of function `name` of the LLVM-dialect module (kept
/// from aec-plan-arena on the llvm.func), or -1.
int64_t functionAttr(mlir::ModuleOp m, const std::string &name, const char *attr) {
  mlir::Operation *f = m.lookupSymbol(name);
  auto value = f ? f->getAttrOfType<mlir::IntegerAttr>(attr) : nullptr;
  return value ? value.getInt() : -1;
}

/// `descriptor` with each function's workspace size and train_step's memory
/// plan among its stats, for the runtime and `trainer info`. Objects built for
/// tests carry no descriptor, or one without functions, and keep it as it is.
std::string withMemoryPlan(const std::string &descriptor, mlir::ModuleOp m) {
  if (descriptor.find("\nfunction ") == std::string::npos)
    return descriptor;
  rt::ModelDescriptor d = rt::ModelDescriptor::parse(descriptor);
  for (rt::FunctionInfo &f : d.functions)
    if (int64_t bytes = functionAttr(m, f.name, "aec.arena_bytes"); bytes >= 0)
      f.workspaceBytes = bytes; // functions compiled in another group keep theirs
  // The step's plan: train_step's, or one shard's (grad_step) when the step is split.
  const char *step = m.lookupSymbol("train_step") ? "train_step" : "grad_step";
  int64_t arena = functionAttr(m, step, "aec.arena_bytes");
  int64_t bound = functionAttr(m, step, "aec.live_bytes_bound");
  if (arena >= 0 && bound >= 0) {
    d.stats["arena_bytes"] = arena;
    d.stats["arena_live_bound"] = bound;
  }
  return d.serialize();
}

/// The optimised LLVM module of `module`'s functions; with `describe`, it also defines
/// the descriptor global (one object of a trainer does).
std::unique_ptr<llvm::Module> buildForTarget(llvm::LLVMContext &llvmCtx,
                                             const Module &module,
                                             const std::string &descriptor,
                                             llvm::TargetMachine &tm, bool describe = true,
                                             std::string *planned = nullptr,
                                             const std::string &target = "cpu") {
  auto ctx = makeContext();
  // "cuda-on-host": the GPU's kernels as host loops (tests, compileAndLoad).
  mlir::OwningOpRef<mlir::ModuleOp> m =
      lowerModule(*ctx, module, target == "cuda-on-host" ? "cuda" : target);
  if (target == "cuda")
    runCudaPipeline(*m);
  else if (target == "cuda-on-host")
    runCudaHostPipeline(*m);
  else
    runCPUPipeline(*m);
  std::unique_ptr<llvm::Module> mod =
      mlir::translateModuleToLLVMIR(*m, llvmCtx, "aec");
  if (!mod)
    throw std::runtime_error(
        "internal error: MLIR to LLVM IR translation failed");
  for (const Graph &graph : module.graphs) {
    addEntryWrapper(*mod, graph,
                    std::max<int64_t>(0, functionAttr(*m, graph.name, "aec.arena_bytes")));
    if (size_t calls = heapCalls(*mod->getFunction(graph.name)))
      llvm::errs() << "aec: warning: function '" << graph.name << "' makes " << calls
                   << " heap call(s) per call: buffers outside the planned workspace\n";
  }
  if (planned)
    *planned = withMemoryPlan(descriptor, *m);
  if (describe)
    addDescriptor(*mod, withMemoryPlan(descriptor, *m));

  mod->setTargetTriple(tm.getTargetTriple().str());
  mod->setDataLayout(tm.createDataLayout());
  std::string cpu = tm.getTargetCPU().str(),
              features = tm.getTargetFeatureString().str();
  for (llvm::Function &f : *mod) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", cpu);
    f.addFnAttr("target-features", features);
  }
  std::string err;
  llvm::raw_string_ostream errOS(err);
  if (llvm::verifyModule(*mod, &errOS))
    throw std::runtime_error("internal error: invalid LLVM IR: " + err);
  llvm::OptimizationLevel level = chooseOptLevel(*mod);
  {
    PhaseTimer timer("LLVM optimisation");
    runO3(*mod, tm, level);
  }
  return mod;
}

/// Machine code of `mod` for `tm`.
std::string codegen(llvm::Module &mod, llvm::TargetMachine &tm, llvm::CodeGenFileType kind) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, kind))
    throw std::runtime_error("the host target cannot emit this file type");
  {
    PhaseTimer timer("LLVM code generation");
    pm.run(mod);
  }
  return std::string(buffer.begin(), buffer.end());
}

std::string emitMachineCode(const Module &module, const std::string &descriptor,
                            llvm::CodeGenFileType kind, bool describe = true,
                            std::string *planned = nullptr, const std::string &target = "cpu") {
  llvm::LLVMContext llvmCtx;
  auto tm = hostTargetMachine();
  auto mod = buildForTarget(llvmCtx, module, descriptor, *tm, describe, planned, target);
  return codegen(*mod, *tm, kind);
}

/// An object that defines only the descriptor global.
std::string descriptorObject(const std::string &descriptor) {
  llvm::LLVMContext llvmCtx;
  auto tm = hostTargetMachine();
  llvm::Module mod("aec_descriptor", llvmCtx);
  mod.setTargetTriple(tm->getTargetTriple().str());
  mod.setDataLayout(tm->createDataLayout());
  addDescriptor(mod, descriptor);
  return codegen(mod, *tm, llvm::CodeGenFileType::ObjectFile);
}

} // namespace

std::unique_ptr<llvm::Module> buildLLVMModule(llvm::LLVMContext &llvmCtx,
                                              const Module &module,
                                              const std::string &descriptor) {
  auto tm = hostTargetMachine();
  return buildForTarget(llvmCtx, module, descriptor, *tm);
}

} // namespace aec::lowering

namespace aec {

std::string emitLLVMText(const Module &module, const std::string &descriptor) {
  llvm::LLVMContext llvmCtx;
  auto mod = lowering::buildLLVMModule(llvmCtx, module, descriptor);
  std::string text;
  llvm::raw_string_ostream os(text);
  mod->print(os, nullptr);
  return text;
}

std::string emitAssemblyText(const Module &module,
                             const std::string &descriptor) {
  return lowering::emitMachineCode(module, descriptor,
                                   llvm::CodeGenFileType::AssemblyFile);
}

namespace {
void writeObject(const std::string &object, const std::string &path) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    throw std::runtime_error("cannot write " + path + ": " + ec.message());
  os << object;
  os.close();
  if (os.has_error())
    throw std::runtime_error("cannot write " + path + ": " +
                             os.error().message());
}

/// The module's functions in groups compiled side by side, one per core (at most
/// two here), balanced by graph size: the biggest function first into the
/// lightest group.
std::vector<Module> functionGroups(const Module &module) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t count = std::min({cores, module.graphs.size(), size_t(2)});
  std::vector<const Graph *> bySize;
  for (const Graph &g : module.graphs)
    bySize.push_back(&g);
  std::stable_sort(bySize.begin(), bySize.end(),
                   [](const Graph *a, const Graph *b) { return a->size() > b->size(); });
  std::vector<Module> groups(std::max<size_t>(count, 1));
  std::vector<size_t> load(groups.size(), 0);
  for (const Graph *g : bySize) {
    size_t lightest = std::min_element(load.begin(), load.end()) - load.begin();
    groups[lightest].graphs.push_back(*g);
    load[lightest] += g->size();
  }
  return groups;
}
} // namespace

void emitObjectFile(const Module &module, const std::string &descriptor,
                    const std::string &path, const std::string &target) {
  writeObject(lowering::emitMachineCode(module, descriptor,
                                        llvm::CodeGenFileType::ObjectFile,
                                        /*describe=*/true, nullptr, target),
              path);
}

std::vector<std::string> emitObjectFiles(const Module &module,
                                         const std::string &descriptor,
                                         const std::string &stem,
                                         std::string *plannedDescriptor) {
  std::vector<Module> groups = functionGroups(module);
  std::vector<std::string> objects(groups.size()), planned(groups.size()), paths;
  std::vector<std::exception_ptr> errors(groups.size());
  std::vector<std::thread> threads;
  // Separate MLIR and LLVM contexts per group: nothing is shared but read-only
  // registries, and each group's code does not depend on the others (determinism).
  for (size_t i = 0; i < groups.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        objects[i] = lowering::emitMachineCode(groups[i], descriptor,
                                               llvm::CodeGenFileType::ObjectFile,
                                               /*describe=*/false, &planned[i]);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (const std::exception_ptr &e : errors)
    if (e)
      std::rethrow_exception(e);
  // The descriptor, with every group's workspaces, in an object of its own.
  std::string full = descriptor;
  for (size_t i = 0; i < groups.size(); ++i) {
    rt::ModelDescriptor merged = rt::ModelDescriptor::parse(full), part = rt::ModelDescriptor::parse(planned[i]);
    for (rt::FunctionInfo &f : merged.functions)
      for (const Graph &g : groups[i].graphs)
        if (g.name == f.name)
          for (const rt::FunctionInfo &p : part.functions)
            if (p.name == f.name)
              f.workspaceBytes = p.workspaceBytes;
    for (const auto &[key, value] : part.stats)
      merged.stats[key] = value;
    full = merged.serialize();
  }
  objects.push_back(lowering::descriptorObject(full));
  if (plannedDescriptor)
    *plannedDescriptor = full;
  for (size_t i = 0; i < objects.size(); ++i) {
    paths.push_back(stem + "." + std::to_string(i) + ".o");
    writeObject(objects[i], paths.back());
  }
  return paths;
}

std::vector<std::string> emitCudaObjectFiles(const Module &module, const std::string &descriptor,
                                             const std::string &stem, std::string *planned) {
  // One object: the PTX of a function's kernels sits in the host module that
  // launches them. LLVM's NVPTX code generation is a small part of the compile.
  std::string object = lowering::emitMachineCode(module, descriptor, llvm::CodeGenFileType::ObjectFile,
                                                 /*describe=*/true, planned, "cuda");
  std::string path = stem + ".0.o";
  writeObject(object, path);
  return {path};
}

} // namespace aec
