/// Each top-level loop nest of a generated function becomes a function of its own
/// (LLVM's LoopExtractor), kept out of line. A training step is one straight-line
/// function of hundreds of loop nests, and some of LLVM's passes cost more than
/// linearly in function size: on fashion_conv, IndVarSimplify took 19 s of O3's
/// 32 s on the one big function and 0.5 s of 4.9 s on the outlined kernels. The
/// calls cost a few nanoseconds per kernel and step.
///
/// Many kernels come out identical: the same 40x40 matmul tile in each layer, and the
/// same forward kernels in train_step, eval_step, reconstruct and encode. LLVM's
/// MergeFunctions keeps one of each, so O3 and instruction selection see each once
/// (sdss_colors: 659 functions, 288 distinct, half the instructions).
#include "passes/lowering/OutlineKernels.h"

#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/IPO/LoopExtractor.h"
#include "llvm/Transforms/IPO/MergeFunctions.h"

#include <set>

namespace aec::lowering {

size_t outlineKernels(llvm::Module &mod) {
  std::set<const llvm::Function *> before;
  for (const llvm::Function &f : mod)
    before.insert(&f);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::LoopExtractorPass());
  mpm.run(mod, mam);
  size_t outlined = 0;
  for (llvm::Function &f : mod) {
    if (before.count(&f) || f.isDeclaration())
      continue;
    // Inlined back, the kernels would make the big function again.
    f.addFnAttr(llvm::Attribute::NoInline);
    ++outlined;
  }
  llvm::ModulePassManager merge;
  merge.addPass(llvm::MergeFunctionsPass());
  merge.run(mod, mam);
  return outlined;
}

} // namespace aec::lowering
