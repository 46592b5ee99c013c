/// compileAndLoad: a module compiled to a shared object and dlopened into this
/// process, for tests and benchmarks. No MLIR here.
#include "passes/lowering/Internal.h"
#include "passes/lowering/Lowering.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <dlfcn.h>

namespace fs = std::filesystem;

namespace aec {

namespace {
class DlModule : public LoadedModule {
public:
  explicit DlModule(void *handle) : Handle(handle) {}
  ~DlModule() override { ::dlclose(Handle); }
  AecEntryFn entry(const std::string &function) const override {
    return reinterpret_cast<AecEntryFn>(
        ::dlsym(Handle, ("aec_fn_" + function).c_str()));
  }
  int64_t workspaceBytes(const std::string &function) const override {
    auto *bytes = static_cast<const int64_t *>(
        ::dlsym(Handle, ("aec_workspace_bytes_" + function).c_str()));
    if (!bytes)
      throw std::runtime_error("no workspace size for function " + function);
    return *bytes;
  }

private:
  void *Handle;
};

/// A fresh private directory under $TMPDIR (or /tmp).
fs::path makeTempDir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string pattern =
      (fs::path(tmp && *tmp ? tmp : "/tmp") / "aec-load-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temporary directory at " +
                             pattern);
  return pattern;
}
} // namespace

void LoadedModule::call(const std::string &function,
                        std::vector<void *> buffers) const {
  AecEntryFn fn = entry(function);
  if (!fn)
    throw std::runtime_error("no entry point for function " + function);
  // 64-byte aligned: whole cache lines, as the runtime's Workspace.
  std::vector<std::max_align_t> memory(
      (workspaceBytes(function) + 63) / sizeof(std::max_align_t) + 64 / sizeof(std::max_align_t));
  auto address = reinterpret_cast<uintptr_t>(memory.data());
  buffers.push_back(reinterpret_cast<void *>((address + 63) / 64 * 64));
  fn(buffers.data());
}

std::unique_ptr<LoadedModule> compileAndLoad(const Module &module, const std::string &target) {
  fs::path dir = makeTempDir();
  fs::path object = dir / "model.o", library = dir / "model.so";
  void *handle = nullptr;
  std::string error;
  try {
    emitObjectFile(module, "", object.string(), target);
    lowering::runCommand({lowering::findCxxDriver(), "-shared", object.string(),
                          "-lmvec", "-lm", "-o", library.string()});
    handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      error = std::string("dlopen failed: ") + ::dlerror();
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    throw;
  }
  // The mapping stays valid once the files are gone.
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!handle)
    throw std::runtime_error(error);
  return std::make_unique<DlModule>(handle);
}

} // namespace aec
