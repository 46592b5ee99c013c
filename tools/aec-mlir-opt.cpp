/// aec-mlir-opt: mlir-opt with aec's passes. Every upstream dialect, extension
/// and pass is registered, as in the compiler's context (Context.cpp, with the
/// GPU translations), plus aec's passes and the aec-cpu-pipeline and
/// aec-cuda-pipeline pipelines, so a module from `aec dump --stage mlir`
/// replays the compiler's pipeline pass by pass:
///
///   aec-mlir-opt m.mlir --aec-cpu-pipeline --mlir-print-ir-after-all
///   aec-mlir-opt m.mlir --aec-cuda-pipeline   (from aec dump --target cuda)
#include "passes/lowering/AecPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  aec::lowering::registerAecPasses();
  mlir::DialectRegistry registry;
  aec::lowering::registerLoweringDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "aec MLIR optimizer driver\n", registry));
}
