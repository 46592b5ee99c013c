/// Run safety pieces on their own: the finite check, the strict flag parsers and the removal
/// of stale temporaries (the training loop's use of them is in runtime_trainer.cpp).
#include "runtime_test_util.h"

#include <aec/AtomicFile.h>
#include <aec/CliValues.h>
#include <aec/ErrorText.h>
#include <aec/Finite.h>

#include <cmath>
#include <limits>
#include <vector>
#include <sys/wait.h>
#include <unistd.h>

using namespace aec::rt;
using aec::rt::test::ScratchDir;

TEST_CASE("runtime: allFinite finds a NaN or Inf at every position", "[runtime][finite]") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  // Both instruction sets, every position of blocks of 16 (SSE2) and 32 (AVX2) and the tails.
  for (auto check : {allFinite, allFiniteBaseline})
    for (size_t n = 0; n <= 70; ++n) {
      std::vector<float> v(n + 1, 1.5f);
      v[n] = nan; // one past the checked range: must not be read
      CHECK(check(v.data(), n));
      for (size_t i = 0; i < n; ++i)
        for (float bad : {nan, inf, -inf, -nan}) {
          std::vector<float> w(v.begin(), v.begin() + n);
          w[i] = bad;
          INFO("n " << n << " at " << i);
          CHECK_FALSE(check(w.data(), n));
        }
    }
  // Extremes that are finite: max, lowest, denormals, negative zero.
  std::vector<float> edge = {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                             std::numeric_limits<float>::denorm_min(), -0.0f, 0.0f};
  CHECK(allFinite(edge.data(), edge.size()));
  CHECK(allFiniteBaseline(edge.data(), edge.size()));
}

TEST_CASE("runtime: firstNonFinite names the array and the position", "[runtime][finite]") {
  ModelDescriptor d = ModelDescriptor::parse("aec-model 1\nname f\ntarget cpu\nbatch 1\nparam a/kernel 2,3 zeros\n"
                                             "param a/bias 3 zeros\nstate m/a/kernel 2,3\nend\n");
  ModelState s = initModelState(d, 0);
  CHECK_FALSE(firstNonFinite(d, s));
  CHECK(stateFinite(s));
  s.states[0].data[4] = -std::numeric_limits<float>::infinity();
  auto bad = firstNonFinite(d, s);
  REQUIRE(bad);
  CHECK_FALSE(bad->isParam);
  CHECK(bad->describe() == "'state/m/a/kernel' has -Inf at [1, 1] (element 4 of [2, 3])");
  s.params[1].data[2] = std::nanf(""); // a param goes first
  CHECK(firstNonFinite(d, s)->describe() == "'a/bias' has NaN at [2] (element 2 of [3])");
  CHECK_FALSE(stateFinite(s));
  CHECK_THROWS_WITH(requireFiniteState(d, s, "weights file", "w.npz"),
                    "weights file 'w.npz': 'a/bias' has NaN at [2] (element 2 of [3]); refusing non-finite weights");
}

TEST_CASE("runtime: numeric flag values are parsed strictly", "[runtime][cli]") {
  CHECK(parseIntegerFlag("--epochs", "0", 0, 10) == 0);
  CHECK(parseIntegerFlag("--epochs", "10", 0, 10) == 10);
  for (const char *badInt : {"", "-1", "11", "2.5", "1e1", "+3", " 3", "3 ", "0x3", "abc", "99999999999999999999"})
    CHECK_THROWS_WITH(parseIntegerFlag("--epochs", badInt, 0, 10),
                      "--epochs: expected an integer from 0 to 10, got '" + std::string(badInt) + "'");
  CHECK(parseSeedFlag("--seed", "18446744073709551615") == 18446744073709551615ull);
  for (const char *badSeed : {"-1", "18446744073709551616", "1.0", "seed"})
    CHECK_THROWS_WITH(parseSeedFlag("--seed", badSeed),
                      Catch::StartsWith("--seed: expected an integer from 0 to 18446744073709551615, got '"));
  CHECK(parsePositiveFlag("--lr", "0.001") == 0.001);
  CHECK(parsePositiveFlag("--lr", "1e-3") == 0.001);
  CHECK(parsePositiveFlag("--lr", "5") == 5);
  for (const char *badLr : {"-5", "-0.001", "0", "nan", "NaN", "inf", "-inf", "1e39", "1e-50", "0x1p-3", "1,5",
                            "", "1e", "lr", " 1"})
    CHECK_THROWS_WITH(parsePositiveFlag("--lr", badLr),
                      "--lr: expected a positive number (float32: 1e-38 to 3.4e38), got '" + std::string(badLr) + "'");
}

TEST_CASE("runtime: --checkpoint-every takes a time or a number of epochs", "[runtime][cli]") {
  auto every = [](const std::string &t) { return parseCheckpointInterval("--checkpoint-every", t); };
  CHECK(every("30s").seconds == 30);
  CHECK(every("30s").epochs == 0);
  CHECK(every("2.5m").seconds == 150);
  CHECK(every("1h").seconds == 3600);
  CHECK(every("0.2s").seconds == Approx(0.2));
  CHECK(every("3e").epochs == 3);
  CHECK(every("3e").seconds == 0);
  CHECK(every("3e").text() == "3e");
  CHECK(every("5m").text() == "5m");
  CHECK(CheckpointInterval{}.text() == "30s"); // the default
  for (const char *bad : {"", "30", "s", "0s", "-5s", "0e", "1.5e", "-1e", "5x", "5 m", "nans", "infh", "1e10h"})
    CHECK_THROWS_WITH(every(bad), Catch::StartsWith("--checkpoint-every: expected a positive number and a unit") &&
                                      Catch::EndsWith("got '" + std::string(bad) + "'"));
}

TEST_CASE("runtime: stale temporaries of dead writers are removed, nothing else", "[runtime][files]") {
  ScratchDir dir("stale");
  // A pid that no longer runs: a child that has exited and been reaped.
  const pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string dead = std::to_string(child), live = std::to_string(::getppid());
  const std::vector<std::string> stale = {"w.npz.tmp." + dead, "w.npz.tmp." + dead + ".Ab3xYz"};
  const std::vector<std::string> kept = {"w.npz",
                                         "w.npz.tmp." + live,           // its writer may still run
                                         "w.npz.tmp." + dead + ".Ab3",  // not libzip's pattern
                                         "w.npz.tmp.x" + dead,          // not a pid
                                         "w.npz.tmp.",                  // no pid
                                         "v.npz.tmp." + dead,           // another file's
                                         "xw.npz.tmp." + dead,          // another file's
                                         "w.npz.tmp." + dead + ".Ab3xYz.more"};
  for (const auto &n : stale)
    dir.write(n, "x");
  for (const auto &n : kept)
    dir.write(n, "x");
  auto removed = removeStaleTemporaries(dir.path("w.npz"));
  std::sort(removed.begin(), removed.end());
  CHECK(removed == std::vector<std::string>{dir.path(stale[0]), dir.path(stale[1])});
  std::vector<std::string> left = kept;
  std::sort(left.begin(), left.end());
  CHECK(dir.entries() == left);
  CHECK(removeStaleTemporaries(dir.path("w.npz")).empty());
}

TEST_CASE("the C++ library's exceptions reach the user in words", "[runtime][cli]") {
  // std::vector's own messages ("vector::_M_default_append", "cannot create std::vector
  // larger than max_size()") and bad_alloc's "std::bad_alloc" are not for users.
  std::string tooBig;
  try {
    std::vector<float> v;
    v.resize(v.max_size() + 1);
  } catch (const std::exception &e) {
    tooBig = aec::userErrorText(e);
  }
  CHECK_THAT(tooBig, Catch::StartsWith("internal error (please report it"));
  CHECK(aec::userErrorText(std::bad_alloc()).rfind("out of memory:", 0) == 0);
  CHECK(aec::userErrorText(std::bad_alloc()).find("std::") == std::string::npos);
  // aec's own errors pass through as they are.
  CHECK(aec::userErrorText(std::runtime_error("'w.npz': member 'k' is corrupt")) ==
        "'w.npz': member 'k' is corrupt");
}
