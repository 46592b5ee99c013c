#pragma once
/// Data-parallel training across processes (mpirun): the MPI library is opened at run time
/// with dlopen, so a trainer needs no MPI to build, link or run alone; only a trainer started
/// by mpirun loads OpenMPI's libmpi.so.40. The handful of calls the trainer makes are here.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace aec::rt {

/// The shared library opened under mpirun (OpenMPI's ABI: handles are pointers to global
/// objects of the library, looked up with dlsym).
inline constexpr const char *DefaultMpiLibrary = "libmpi.so.40";
/// DefaultMpiLibrary, or the environment's AEC_MPI_LIBRARY (a path or another name).
std::string mpiLibrary();

/// True when this process was started by mpirun (OMPI_COMM_WORLD_SIZE or PMIX_RANK set).
bool launchedByMpirun();

/// For `trainer info`: "available (libmpi.so.40)" or "not available (<why>)"; opens and
/// closes the library without initialising MPI.
std::string mpiAvailability();

/// MPI_COMM_WORLD of this process, after MPI_Init. Every call is collective: all ranks make
/// the same calls in the same order (the training loop does, step by step).
class MpiWorld {
public:
  /// Opens the library and calls MPI_Init; throws with the reason when either fails.
  static MpiWorld &init();
  /// The world when init() was called, else nullptr (a single process).
  static MpiWorld *get();

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// In-place sum over the ranks of `n` floats: one MPI_Allreduce.
  void allreduceSum(float *data, int64_t n);
  /// Rank 0's `n` bytes to every rank (MPI_Bcast).
  void broadcast(void *data, int64_t bytes);
  /// MPI_Abort on the world: ends every rank (the error path of a rank alone, which the others
  /// would wait for forever inside their next collective call).
  [[noreturn]] void abort(int code);
  /// MPI_Finalize (at the end of a run every rank reaches).
  void finalize();

private:
  MpiWorld() = default;
  int rank_ = 0, size_ = 1;
  bool finalized_ = false;
};

/// An error every rank reaches at the same step, from the same reduced figures (a diverged
/// step): rank 0 reports it and every rank ends normally, with no MPI_Abort.
struct CollectiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace aec::rt
