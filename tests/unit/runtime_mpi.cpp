/// The MPI seam without mpirun: which shards a rank computes, when the trainer thinks it was
/// started by mpirun, and what `trainer info` says about the library (tests/e2e/test_mpi.sh
/// runs 2 ranks).
#include <aec/Mpi.h>
#include <aec/ParallelStep.h>

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace aec::rt;

TEST_CASE("runtime: rank r of P computes shards r, r+P, ...", "[runtime][mpi]") {
  using V = std::vector<int64_t>;
  CHECK(rankShards(2, 0, 2) == V{0});
  CHECK(rankShards(2, 1, 2) == V{1});
  CHECK(rankShards(8, 1, 3) == V{1, 4, 7});
  CHECK(rankShards(4, 0, 1) == V{0, 1, 2, 3});
  CHECK(rankShards(2, 3, 4).empty()); // more ranks than shards: this one adds nothing
  // Every shard is computed exactly once over the ranks.
  std::vector<int> seen(12, 0);
  for (int r = 0; r < 5; ++r)
    for (int64_t s : rankShards(12, r, 5))
      ++seen[s];
  CHECK(seen == std::vector<int>(12, 1));
}

TEST_CASE("runtime: mpirun is recognised by its environment; a missing libmpi is named", "[runtime][mpi]") {
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("PMIX_RANK");
  CHECK_FALSE(launchedByMpirun());
  ::setenv("PMIX_RANK", "0", 1);
  CHECK(launchedByMpirun());
  ::unsetenv("PMIX_RANK");
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  CHECK(launchedByMpirun());
  ::unsetenv("OMPI_COMM_WORLD_SIZE");

  ::setenv("AEC_MPI_LIBRARY", "libaec-no-such-mpi.so", 1);
  const std::string missing = mpiAvailability();
  ::unsetenv("AEC_MPI_LIBRARY");
  CHECK(missing.rfind("not available (libaec-no-such-mpi.so: cannot open", 0) == 0);
  CHECK(mpiLibrary() == "libmpi.so.40");
  CHECK(MpiWorld::get() == nullptr); // nothing above initialised MPI
}
