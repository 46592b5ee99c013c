/// OpenMPI opened with dlopen (aec/Mpi.h).
///
/// No mpi.h: the build needs no MPI. The declarations below are OpenMPI's ABI (libmpi.so.40,
/// Open MPI 3.x-5.x): a handle (MPI_Comm, MPI_Datatype, MPI_Op) is the address of a global
/// object of the library (`ompi_mpi_comm_world`, ...), found with dlsym as mpi.h's
/// OMPI_PREDEFINED_GLOBAL takes it; MPI_IN_PLACE is (void *)1. MPICH's ABI (integer
/// handles, libmpi.so.12) differs and is not supported.
#include <aec/Mpi.h>

#include <fmt/format.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include <dlfcn.h>

namespace aec::rt {
namespace {

using Handle = void *;
void *const InPlace = reinterpret_cast<void *>(1);

/// The library's entry points and predefined handles.
struct MpiApi {
  int (*init)(int *, char ***) = nullptr;
  int (*finalize)() = nullptr;
  int (*commRank)(Handle, int *) = nullptr;
  int (*commSize)(Handle, int *) = nullptr;
  int (*allreduce)(const void *, void *, int, Handle, Handle, Handle) = nullptr;
  int (*bcast)(void *, int, Handle, int, Handle) = nullptr;
  int (*abort)(Handle, int) = nullptr;
  Handle commWorld = nullptr, floatType = nullptr, byteType = nullptr, opSum = nullptr;
};

/// Opens the library and resolves every symbol; the reason in `why` when it cannot.
void *openLibrary(MpiApi &api, std::string &why) {
  // RTLD_GLOBAL: OpenMPI's own plugins (dlopened by libmpi) resolve libmpi's symbols.
  void *lib = ::dlopen(mpiLibrary().c_str(), RTLD_NOW | RTLD_GLOBAL);
  if (!lib) {
    const char *e = ::dlerror();
    why = e ? e : mpiLibrary() + ": dlopen failed";
    return nullptr;
  }
  bool ok = true;
  auto get = [&](const char *name) {
    void *p = ::dlsym(lib, name);
    if (!p && ok) {
      why = fmt::format("{} has no symbol {}", mpiLibrary(), name);
      ok = false;
    }
    return p;
  };
  auto fn = [&](auto &slot, const char *name) { slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(get(name)); };
  fn(api.init, "MPI_Init");
  fn(api.finalize, "MPI_Finalize");
  fn(api.commRank, "MPI_Comm_rank");
  fn(api.commSize, "MPI_Comm_size");
  fn(api.allreduce, "MPI_Allreduce");
  fn(api.bcast, "MPI_Bcast");
  fn(api.abort, "MPI_Abort");
  api.commWorld = get("ompi_mpi_comm_world");
  api.floatType = get("ompi_mpi_float");
  api.byteType = get("ompi_mpi_byte");
  api.opSum = get("ompi_mpi_op_sum");
  if (!ok) {
    ::dlclose(lib);
    return nullptr;
  }
  return lib;
}

MpiApi gApi;
std::unique_ptr<MpiWorld> gWorld;

/// The default error handler (MPI_ERRORS_ARE_FATAL) ends the job on a failed call, so a
/// nonzero return is unusual; still, never go on with a half-done collective.
void check(int rc, const char *what) {
  if (rc != 0)
    throw std::runtime_error(fmt::format("MPI: {} failed with error {}", what, rc));
}

/// Counts travel as int: a buffer past 2^31 elements goes in pieces.
template <typename Fn> void inChunks(int64_t n, Fn fn) {
  for (int64_t at = 0; at < n; at += INT_MAX)
    fn(at, static_cast<int>(std::min<int64_t>(INT_MAX, n - at)));
}

} // namespace

std::string mpiLibrary() {
  const char *path = std::getenv("AEC_MPI_LIBRARY");
  return path && *path ? path : DefaultMpiLibrary;
}

bool launchedByMpirun() { return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK"); }

std::string mpiAvailability() {
  MpiApi api;
  std::string why;
  void *lib = openLibrary(api, why);
  if (!lib)
    return fmt::format("not available ({})", why);
  ::dlclose(lib);
  return fmt::format("available ({})", mpiLibrary());
}

MpiWorld &MpiWorld::init() {
  if (gWorld)
    return *gWorld;
  std::string why;
  if (!openLibrary(gApi, why))
    throw std::runtime_error(fmt::format("started by mpirun, but MPI cannot be loaded: {} (install OpenMPI: "
                                         "Debian's openmpi-bin)",
                                         why));
  check(gApi.init(nullptr, nullptr), "MPI_Init");
  gWorld.reset(new MpiWorld());
  check(gApi.commRank(gApi.commWorld, &gWorld->rank_), "MPI_Comm_rank");
  check(gApi.commSize(gApi.commWorld, &gWorld->size_), "MPI_Comm_size");
  return *gWorld;
}

MpiWorld *MpiWorld::get() { return gWorld.get(); }

void MpiWorld::allreduceSum(float *data, int64_t n) {
  inChunks(n, [&](int64_t at, int count) {
    check(gApi.allreduce(InPlace, data + at, count, gApi.floatType, gApi.opSum, gApi.commWorld), "MPI_Allreduce");
  });
}

void MpiWorld::broadcast(void *data, int64_t bytes) {
  inChunks(bytes, [&](int64_t at, int count) {
    check(gApi.bcast(static_cast<char *>(data) + at, count, gApi.byteType, 0, gApi.commWorld), "MPI_Bcast");
  });
}

void MpiWorld::abort(int code) {
  gApi.abort(gApi.commWorld, code);
  std::_Exit(code); // MPI_Abort does not return; if it did, still end this rank
}

void MpiWorld::finalize() {
  if (!finalized_)
    gApi.finalize();
  finalized_ = true;
}

} // namespace aec::rt
