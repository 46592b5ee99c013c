/// The passes that turn a bufferized step into GPU kernels (the cuda pipeline,
/// CudaPipeline.cpp). After convert-linalg-to-parallel-loops, a function is a
/// sequence of scf.parallel nests (one per linalg op) with some serial code in
/// between: full reductions (an scf.for with no parallel dimension) and the
/// scalar arithmetic of rank-0 ops. On the GPU every memory access must happen
/// in a kernel, since the host holds device pointers only:
///
///   aec-splats-to-fills     splat tensor constants -> linalg.fill, before
///                           bufferization (a constant becomes a global in host
///                           memory, which no kernel can read)
///   aec-copies-to-linalg    memref.copy -> linalg.copy (then a parallel loop)
///   aec-gpu-serial-kernels  serial code between the nests -> a one-thread nest
///   aec-gpu-map-loops       each nest -> one 1-D grid of 256-thread blocks
///   aec-gpu-check-host      no host op left that reads or writes a buffer
///   aec-gpu-merge-kernels   every kernel in one gpu.module, identical kernels
///                           once (one PTX module to load and JIT per trainer)
///   aec-gpu-math            exp/log/tanh/log1p/erf as polynomials, in-kernel
///   aec-gpu-libdevice       the few __nv_* functions left (floorf, sqrtf, ...)
///                           defined by LLVM intrinsics that NVPTX selects itself
///
/// Lit test: tests/lit/mlir/aec-gpu-kernels.mlir.
#include "passes/lowering/AecPasses.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

#include <numeric>

namespace aec::lowering {

using namespace mlir;

namespace {

/// Threads per block of a mapped nest: a multiple of the warp, enough to hide
/// latency, small enough that a layer of a few thousand outputs fills many SMs.
constexpr int64_t BlockThreads = 256;

/// Whether `op` holds a parallel nest or a kernel launch made of one.
bool containsParallelLoop(Operation *op) {
  bool found = false;
  op->walk([&](Operation *inner) {
    found = isa<scf::ParallelOp, gpu::LaunchOp>(inner);
    return found ? WalkResult::interrupt() : WalkResult::advance();
  });
  return found;
}

/// Host code that only computes addresses and loop bounds: no buffer is read or
/// written (views, constants, index arithmetic).
bool isHostSafe(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op))
    return true; // reported by aec-gpu-check-host, not wrapped
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

/// Control flow the host runs with kernels inside (the recurrent scan's loop
/// over time steps): its body is host code of its own.
bool isHostLoop(Operation *op) {
  return isa<scf::ForOp>(op) && containsParallelLoop(op);
}

struct SplatsToFillsPass
    : public PassWrapper<SplatsToFillsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SplatsToFillsPass)
  StringRef getArgument() const final { return "aec-splats-to-fills"; }
  StringRef getDescription() const final {
    return "splat tensor constants -> tensor.empty + linalg.fill, so that "
           "bufferization makes no global (host memory) of them";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    getOperation().walk([](arith::ConstantOp constant) {
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      auto splat = dyn_cast<SplatElementsAttr>(constant.getValue());
      if (!type || !splat)
        return;
      OpBuilder b(constant);
      Location loc = constant.getLoc();
      Value scalar = b.create<arith::ConstantOp>(loc, splat.getSplatValue<TypedAttr>());
      Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
      Value fill = b.create<linalg::FillOp>(loc, ValueRange{scalar}, ValueRange{empty}).getResult(0);
      constant.replaceAllUsesWith(fill);
      constant.erase();
    });
  }
};

struct CopiesToLinalgPass
    : public PassWrapper<CopiesToLinalgPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopiesToLinalgPass)
  StringRef getArgument() const final { return "aec-copies-to-linalg"; }
  StringRef getDescription() const final {
    return "memref.copy -> linalg.copy, so that a copy becomes a parallel loop "
           "(a kernel on the GPU) rather than a host memcpy";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<linalg::LinalgDialect>();
  }
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder b(copy);
      b.create<linalg::CopyOp>(copy.getLoc(), copy.getSource(), copy.getTarget());
      copy.erase();
    });
  }
};

struct SerialKernelsPass
    : public PassWrapper<SerialKernelsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SerialKernelsPass)
  StringRef getArgument() const final { return "aec-gpu-serial-kernels"; }
  StringRef getDescription() const final {
    return "wraps the serial code between parallel loop nests (full reductions, "
           "rank-0 arithmetic) into one-iteration scf.parallel nests, so that "
           "every buffer access runs in a kernel";
  }

  void runOnOperation() override {
    if (failed(processBlock(getOperation().getBody().front())))
      signalPassFailure();
  }

  LogicalResult processBlock(Block &block) {
    SmallVector<Operation *> run;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      const bool hostLoop = isHostLoop(&op);
      if (isa<scf::ParallelOp>(op) || op.hasTrait<OpTrait::IsTerminator>() || hostLoop) {
        if (failed(wrap(run)))
          return failure();
        run.clear();
        if (hostLoop && failed(processBlock(cast<scf::ForOp>(op).getRegion().front())))
          return failure();
        continue;
      }
      run.push_back(&op);
    }
    return wrap(run);
  }

  /// Moves the ops of `run` that touch buffers, with the pure ops only they use,
  /// into one `scf.parallel (%i) = (0) to (1)`. Pure ops used after the run stay
  /// on the host; a value read from a buffer and used after the run would need
  /// the host to read device memory: an error (aec's lowering never makes one).
  LogicalResult wrap(ArrayRef<Operation *> run) {
    llvm::SetVector<Operation *> inside;
    for (Operation *op : run)
      if (!isHostSafe(op))
        inside.insert(op);
    if (inside.empty())
      return success();
    // Whether `user` is, or is nested in, an op of the kernel.
    auto inKernel = [&](Operation *user) {
      Operation *top = user;
      while (top && !llvm::is_contained(run, top))
        top = top->getParentOp();
      return top && inside.contains(top);
    };
    // A pure op joins the kernel when all its users are in it (walking backwards
    // sees users first).
    for (Operation *op : llvm::reverse(run)) {
      if (inside.contains(op) || !isHostSafe(op) || op->getNumResults() == 0 ||
          isa<memref::AllocOp, memref::AllocaOp>(op))
        continue;
      if (!op->use_empty() && llvm::all_of(op->getUsers(), inKernel))
        inside.insert(op);
    }
    for (Operation *op : inside)
      for (Operation *user : op->getUsers()) {
        if (!inKernel(user))
          return op->emitError("aec-gpu-serial-kernels: a value computed from device "
                               "memory is used by host code");
      }
    Operation *first = nullptr;
    for (Operation *op : run)
      if (inside.contains(op)) {
        first = op;
        break;
      }
    // What stays on the host moves above the kernel, in order, so that both the
    // kernel and the host code after it see it.
    bool afterFirst = false;
    for (Operation *op : run) {
      afterFirst |= op == first;
      if (afterFirst && !inside.contains(op))
        op->moveBefore(first);
    }
    OpBuilder b(first);
    Location loc = first->getLoc();
    Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
    Value one = b.create<arith::ConstantIndexOp>(loc, 1);
    auto loop = b.create<scf::ParallelOp>(loc, ValueRange{zero}, ValueRange{one},
                                          ValueRange{one});
    Operation *terminator = loop.getBody()->getTerminator();
    for (Operation *op : run)
      if (inside.contains(op))
        op->moveBefore(terminator);
    return success();
  }
};

struct MapLoopsPass : public PassWrapper<MapLoopsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MapLoopsPass)
  StringRef getArgument() const final { return "aec-gpu-map-loops"; }
  StringRef getDescription() const final {
    return "each outermost scf.parallel: all its dimensions collapsed into one, "
           "tiled by 256 and mapped to blocks (the tiles) and threads; parallel "
           "loops nested in it become serial loops of the thread";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect, affine::AffineDialect, arith::ArithDialect>();
  }

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ParallelOp> nested; // post-order: the innermost first
    for (scf::ParallelOp loop : outermost)
      loop.getBody()->walk([&](scf::ParallelOp inner) { nested.push_back(inner); });
    for (scf::ParallelOp inner : nested) {
      if (!inner.getInitVals().empty()) {
        inner.emitError("aec-gpu-map-loops: a nested parallel reduction is not supported");
        return signalPassFailure();
      }
      toSerialLoops(inner);
    }
    for (scf::ParallelOp loop : outermost) {
      if (loop.getNumLoops() > 1) {
        std::vector<unsigned> all(loop.getNumLoops());
        std::iota(all.begin(), all.end(), 0u);
        collapseParallelLoops(rewriter, loop, {all});
      }
    }
    // collapseParallelLoops replaced the loops: collect the results afresh.
    outermost.clear();
    getOperation().walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>())
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost) {
      int64_t tile = BlockThreads;
      if (auto trips = constantTripCount(loop))
        tile = std::min(tile, std::max<int64_t>(*trips, 1));
      auto [blocks, threads] = scf::tileParallelLoop(loop, {tile}, /*noMinMaxBounds=*/true);
      (void)gpu::setMappingAttr(blocks, {gpu::ParallelLoopDimMappingAttr::get(
                                            &getContext(), gpu::Processor::BlockX,
                                            rewriter.getDimIdentityMap(),
                                            rewriter.getDimIdentityMap())});
      (void)gpu::setMappingAttr(threads, {gpu::ParallelLoopDimMappingAttr::get(
                                             &getContext(), gpu::Processor::ThreadX,
                                             rewriter.getDimIdentityMap(),
                                             rewriter.getDimIdentityMap())});
    }
  }

  /// A parallel nest inside a thread (a reduction's inner parallel dims, e.g.
  /// pooling's channels under its window loops) as the serial loops it runs as:
  /// convert-parallel-loops-to-gpu maps no scf.parallel under an scf.for.
  static void toSerialLoops(scf::ParallelOp loop) {
    OpBuilder b(loop);
    SmallVector<Value> ivs;
    Operation *innermostEnd = nullptr;
    for (unsigned d = 0; d < loop.getNumLoops(); ++d) {
      auto serial = b.create<scf::ForOp>(loop.getLoc(), loop.getLowerBound()[d],
                                         loop.getUpperBound()[d], loop.getStep()[d]);
      ivs.push_back(serial.getInductionVar());
      innermostEnd = serial.getBody()->getTerminator();
      b.setInsertionPoint(innermostEnd);
    }
    for (auto [from, to] : llvm::zip(loop.getInductionVars(), ivs))
      from.replaceAllUsesWith(to);
    for (Operation &op : llvm::make_early_inc_range(loop.getBody()->without_terminator()))
      op.moveBefore(innermostEnd);
    loop.erase();
  }

  static std::optional<int64_t> constantTripCount(scf::ParallelOp loop) {
    auto lb = getConstantIntValue(loop.getLowerBound()[0]);
    auto ub = getConstantIntValue(loop.getUpperBound()[0]);
    auto step = getConstantIntValue(loop.getStep()[0]);
    if (!lb || !ub || !step || *step <= 0)
      return std::nullopt;
    return (*ub - *lb + *step - 1) / *step;
  }
};

struct CheckHostPass : public PassWrapper<CheckHostPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckHostPass)
  StringRef getArgument() const final { return "aec-gpu-check-host"; }
  StringRef getDescription() const final {
    return "fails on any host op (outside gpu.launch and gpu.module) that reads, "
           "writes or allocates a buffer: the host holds device pointers only";
  }
  void runOnOperation() override {
    bool failed = false;
    llvm::DenseSet<Operation *> reported;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) -> WalkResult {
      if (isa<gpu::LaunchOp, gpu::GPUModuleOp>(op))
        return WalkResult::skip();
      if (isa<func::FuncOp, ModuleOp>(op) || isHostLoop(op) || isa<scf::YieldOp, func::ReturnOp>(op))
        return WalkResult::advance();
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op) ||
          !isMemoryEffectFree(op) || op->getNumRegions() > 0) {
        // One error per function, naming the op: the rest are usually its kind again.
        auto func = op->getParentOfType<func::FuncOp>();
        if (reported.insert(func).second)
          op->emitError("aec-gpu-check-host: host code would touch device memory: '")
              << op->getName() << "' in "
              << (func ? "function '" + func.getName().str() + "'" : std::string("the module"));
        failed = true;
      }
      return WalkResult::advance();
    });
    if (failed)
      signalPassFailure();
  }
};

struct GpuMathPass : public PassWrapper<GpuMathPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(GpuMathPass)
  StringRef getArgument() const final { return "aec-gpu-math"; }
  StringRef getDescription() const final {
    return "exp, log, log1p, tanh, erf ... as polynomial approximations, so that "
           "no kernel calls libdevice (__nv_*: a CUDA toolkit file)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<math::MathDialect, arith::ArithDialect, vector::VectorDialect>();
  }
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// gpu-kernel-outlining makes a gpu.module per kernel: sdss_colors' step would be
/// 599 PTX modules, each serialized by its own LLVM target machine at compile
/// time and loaded and JIT-compiled by the driver at run time. Here they become
/// one module, and kernels with identical bodies (the same layer shapes in
/// train_step, eval_step, encode, ...) one kernel.
struct MergeKernelsPass : public PassWrapper<MergeKernelsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(MergeKernelsPass)
  StringRef getArgument() const final { return "aec-gpu-merge-kernels"; }
  StringRef getDescription() const final {
    return "moves every gpu.func into one gpu.module (identical kernels merged) and "
           "points the launches at it";
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.size() < 2)
      return;
    gpu::GPUModuleOp target = kernelModules.front();
    SymbolTable targetSymbols(target);
    // (old module, old kernel) -> kernel in `target`; printed body -> kernel.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    llvm::StringMap<StringAttr> byBody;
    for (gpu::GPUModuleOp from : kernelModules) {
      for (auto fn : llvm::make_early_inc_range(from.getOps<gpu::GPUFuncOp>())) {
        std::string body = printedWithoutName(fn);
        StringAttr oldName = fn.getNameAttr();
        auto [it, fresh] = byBody.try_emplace(body, StringAttr());
        if (!fresh) {
          renamed[{from.getNameAttr(), oldName}] = it->second;
          continue;
        }
        if (from != target) {
          fn->moveBefore(target.getBody()->getTerminator());
          targetSymbols.insert(fn); // renames on a clash
        }
        it->second = fn.getNameAttr();
        renamed[{from.getNameAttr(), oldName}] = fn.getNameAttr();
      }
    }
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto key = std::make_pair(launch.getKernelModuleName(), launch.getKernelName());
      launch.setKernelAttr(SymbolRefAttr::get(
          target.getNameAttr(), {FlatSymbolRefAttr::get(renamed.lookup(key))}));
    });
    // A kernel kept in `target` whose twin was dropped stays; other modules go.
    for (gpu::GPUModuleOp from : kernelModules)
      if (from != target)
        from.erase();
    for (auto fn : llvm::make_early_inc_range(target.getOps<gpu::GPUFuncOp>()))
      if (!llvm::is_contained(llvm::make_second_range(byBody), fn.getNameAttr()))
        fn.erase();
  }

  /// The kernel's text with its name blanked: equal texts, equal kernels.
  static std::string printedWithoutName(gpu::GPUFuncOp fn) {
    StringAttr name = fn.getNameAttr();
    fn.setName("k");
    std::string text;
    llvm::raw_string_ostream os(text);
    fn->print(os, OpPrintingFlags().useLocalScope());
    fn.setName(name);
    return text;
  }
};

/// Gives the declarations of libdevice functions that convert-gpu-to-nvvm made
/// (it turns math.sqrt, math.floor, math.fma ... into __nv_* calls, and marks
/// the LLVM intrinsics illegal) bodies of one LLVM intrinsic each, which the
/// NVPTX backend selects to one PTX instruction (sqrt.rn.f32, cvt.rmi.f32.f32,
/// fma.rn.f32): libdevice itself ships with the CUDA toolkit, which users need
/// not have. A call to any other __nv_* function is an error naming it.
struct LibdevicePass : public PassWrapper<LibdevicePass, OperationPass<gpu::GPUModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LibdevicePass)
  StringRef getArgument() const final { return "aec-gpu-libdevice"; }
  StringRef getDescription() const final {
    return "defines the __nv_* functions a kernel calls (sqrtf, floorf, fmaf, ...) "
           "by LLVM intrinsics, so that no libdevice is needed";
  }
  void runOnOperation() override {
    bool failedAny = false;
    for (auto fn : llvm::make_early_inc_range(getOperation().getOps<LLVM::LLVMFuncOp>())) {
      if (!fn.isExternal() || !fn.getName().starts_with("__nv_"))
        continue;
      if (failed(define(fn))) {
        fn.emitError("aec-gpu-libdevice: '" + fn.getName() +
                     "' would need libdevice (a CUDA toolkit file): no definition here");
        failedAny = true;
      }
    }
    if (failedAny)
      signalPassFailure();
  }

  static LogicalResult define(LLVM::LLVMFuncOp fn) {
    StringRef name = fn.getName().drop_front(5);
    auto type = fn.getFunctionType();
    if (type.getNumParams() == 0 || !type.getReturnType().isF32())
      return failure();
    OpBuilder b(fn.getContext());
    Block *entry = fn.addEntryBlock(b); // arguments from the type
    b.setInsertionPointToEnd(entry);
    Location loc = fn.getLoc();
    auto args = entry->getArguments();
    Value result;
    if (name == "sqrtf")
      result = b.create<LLVM::SqrtOp>(loc, args[0]);
    else if (name == "floorf")
      result = b.create<LLVM::FFloorOp>(loc, args[0]);
    else if (name == "ceilf")
      result = b.create<LLVM::FCeilOp>(loc, args[0]);
    else if (name == "fabsf")
      result = b.create<LLVM::FAbsOp>(loc, args[0]);
    else if (name == "fmaf" && args.size() == 3)
      result = b.create<LLVM::FMAOp>(loc, args[0], args[1], args[2]);
    else if (name == "copysignf" && args.size() == 2)
      result = b.create<LLVM::CopySignOp>(loc, args[0], args[1]);
    else if (name == "fmaxf" && args.size() == 2)
      result = b.create<LLVM::MaxNumOp>(loc, args[0], args[1]);
    else if (name == "fminf" && args.size() == 2)
      result = b.create<LLVM::MinNumOp>(loc, args[0], args[1]);
    else if (name == "roundf")
      result = b.create<LLVM::RoundOp>(loc, args[0]);
    else if (name == "truncf")
      result = b.create<LLVM::FTruncOp>(loc, args[0]);
    if (!result) {
      entry->erase();
      return failure();
    }
    b.create<LLVM::ReturnOp>(loc, result);
    fn.setLinkage(LLVM::Linkage::Internal);
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> createGpuMergeKernelsPass() { return std::make_unique<MergeKernelsPass>(); }
std::unique_ptr<Pass> createGpuLibdevicePass() { return std::make_unique<LibdevicePass>(); }
std::unique_ptr<Pass> createSplatsToFillsPass() { return std::make_unique<SplatsToFillsPass>(); }
std::unique_ptr<Pass> createCopiesToLinalgPass() { return std::make_unique<CopiesToLinalgPass>(); }
std::unique_ptr<Pass> createGpuSerialKernelsPass() { return std::make_unique<SerialKernelsPass>(); }
std::unique_ptr<Pass> createGpuMapLoopsPass() { return std::make_unique<MapLoopsPass>(); }
std::unique_ptr<Pass> createGpuCheckHostPass() { return std::make_unique<CheckHostPass>(); }
std::unique_ptr<Pass> createGpuMathPass() { return std::make_unique<GpuMathPass>(); }

} // namespace aec::lowering
