/// Readers against files that lie: a flipped bit in an .npz member, headers declaring more
/// (or less) data than the file holds, sizes whose product overflows int64. Each must be one
/// clear error naming the file, the declared shape and the real size, raised before any
/// allocation the header asks for (issue 9, items 2 and 3).
#include "runtime_test_util.h"

#include <aec/AtomicFile.h>
#include <aec/CheckedSize.h>
#include <aec/Csv.h>
#include <aec/Idx.h>
#include <aec/Npy.h>
#include <aec/Weights.h>

#include <zlib.h>

using namespace aec::rt;
using aec::rt::test::rawNpy;
using aec::rt::test::ScratchDir;

namespace {

std::string idxHeader(std::vector<uint32_t> dims) {
  std::string out("\x00\x00\x08", 3);
  out += static_cast<char>(dims.size());
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      out += static_cast<char>((d >> shift) & 0xff);
  return out;
}

/// Flips bit 4 of the byte `offset` bytes after the member name in the local header (the
/// member's data follows the name: no extra field in what writeNpz makes).
std::string flipInPayload(std::string zip, const std::string &member, size_t offset) {
  const size_t at = zip.find(member);
  REQUIRE(at != std::string::npos);
  zip[at + member.size() + offset] ^= 0x10;
  return zip;
}
} // namespace

TEST_CASE("checked size arithmetic", "[runtime][files][hostile]") {
  CHECK(aec::checkedMul(1 << 20, 1 << 20) == int64_t(1) << 40);
  CHECK(!aec::checkedMul(int64_t(1) << 62, 4));
  CHECK(aec::checkedProduct({}) == 1);
  CHECK(aec::checkedProduct({2, 3, 4}) == 24);
  CHECK(!aec::checkedProduct({int64_t(1) << 62, 28, 28}));
  CHECK(!aec::checkedProduct({3, -1}));
  CHECK(aec::saturatingMul(int64_t(1) << 40, int64_t(1) << 40) == INT64_MAX);
  CHECK(aec::saturatingAdd(INT64_MAX, 1) == INT64_MAX);
}

TEST_CASE("runtime: a flipped bit in an npz member fails its CRC", "[runtime][files][hostile]") {
  ScratchDir dir("crc");
  Array a({64, 4});
  for (size_t i = 0; i < a.data.size(); ++i)
    a.data[i] = static_cast<float>(i) * 0.25f;
  for (bool compress : {false, true}) {
    const std::string good = dir.path("good.npz");
    writeNpz(good, {{"encoder.0/kernel", a}}, compress);
    REQUIRE(readNpz(good).at("encoder.0/kernel").data == a.data);
    // Stored: a byte of the float payload; deflated: a byte of the compressed stream.
    dir.write("flip.npz", flipInPayload(readFile(good), "encoder.0/kernel.npy", compress ? 40 : 300));
    CHECK_THROWS_WITH(readNpz(dir.path("flip.npz")),
                      Catch::Contains("flip.npz") && Catch::Contains("encoder.0/kernel") &&
                          (Catch::Contains("CRC-32") || Catch::Contains("corrupt")));
    CHECK_THROWS_WITH(readNpzKey(dir.path("flip.npz"), "encoder.0/kernel"),
                      Catch::Contains("flip.npz") && Catch::Contains("encoder.0/kernel"));
  }
  // The stored case must be caught by the checksum itself: the payload still decodes.
  writeNpz(dir.path("s.npz"), {{"x", a}}, false);
  dir.write("s-flip.npz", flipInPayload(readFile(dir.path("s.npz")), "x.npy", 300));
  CHECK_THROWS_WITH(readNpz(dir.path("s-flip.npz")),
                    Catch::Contains("member 'x.npy' is corrupt: its CRC-32 checksum does not match its data"));
}

TEST_CASE("runtime: npy headers that lie about their size", "[runtime][files][hostile]") {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  // (2^62, 28, 28): the element count overflows int64.
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(4611686018427387904, 28, 28), }", std::string(160, '\0')), "h.npy"),
                    Catch::Contains("'h.npy'") && Catch::Contains("(4611686018427387904, 28, 28)") &&
                        Catch::Contains("more than 2^63 bytes") && Catch::Contains("holds 160 bytes"));
  // (2^62, 2): the count fits, its bytes do not.
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(4611686018427387904, 2), }", std::string(160, '\0')), "h.npy"),
                    Catch::Contains("more than 2^63 bytes"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(100000000000, 2), }", std::string(160, '\0')), "h.npy"),
                    Catch::Contains("(800000000000 bytes)") && Catch::Contains("holds 160 bytes"));
  // More data than the shape: the header is wrong, not the data.
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(2,), }", std::string(12, '\0')), "h.npy"),
                    Catch::Contains("(8 bytes)") && Catch::Contains("holds 12 bytes"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(99999999999999999999,), }", ""), "h.npy"),
                    Catch::Contains("malformed npy shape"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy(dict + "(-3,), }", ""), "h.npy"), Catch::Contains("malformed npy shape"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", "ab"), "h.npy"),
                    Catch::Contains("unsupported dtype '<f2'"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1,), }", "abcd"), "h.npy"),
                    Catch::Contains("malformed fortran_order"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape':", ""), "h.npy"),
                    Catch::Contains("malformed npy header"));
  CHECK_THROWS_WITH(decodeNpy(rawNpy("{'descr': <f4, 'fortran_order': False, 'shape': (1,)}", "abcd"), "h.npy"),
                    Catch::Contains("malformed npy dtype"));
}

TEST_CASE("runtime: idx headers declaring more than the file holds", "[runtime][files][hostile]") {
  ScratchDir dir("idxlie");
  // 10^6 and 1.6e7 images of 28x28 in a 25 KB file; the plain file fails on its size.
  for (uint32_t n : {1000000u, 16000000u}) {
    dir.write("lie-idx3-ubyte", idxHeader({n, 28, 28}) + std::string(25000, '\1'));
    CHECK_THROWS_WITH(readIdx(dir.path("lie-idx3-ubyte")),
                      Catch::Contains("lie-idx3-ubyte") && Catch::Contains(std::to_string(n) + ", 28, 28]") &&
                          Catch::Contains("holds 25000 bytes of data"));
  }
  dir.write("over.idx", idxHeader({0xffffffffu, 0xffffffffu, 0xffffffffu}) + std::string(100, '\1'));
  CHECK_THROWS_WITH(readIdx(dir.path("over.idx")),
                    Catch::Contains("more than 2^63 bytes") && Catch::Contains("116 bytes in all"));
  // gzip: the uncompressed size is unknown up front; reading stops at the real end.
  const std::string bytes = idxHeader({1000000, 28, 28}) + std::string(25000, '\1');
  gzFile gz = gzopen(dir.path("lie-idx3-ubyte.gz").c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  CHECK_THROWS_WITH(readIdx(dir.path("lie-idx3-ubyte.gz")),
                    Catch::Contains("(784000000 bytes)") && Catch::Contains("holds 25000 bytes of data (uncompressed)"));
}

TEST_CASE("runtime: csv column positions too large for size_t", "[runtime][files][hostile]") {
  ScratchDir dir("csvbig");
  dir.write("a.csv", "x,y\n1,2\n");
  CsvOptions o;
  o.columns = {"99999999999999999999999"};
  CHECK_THROWS_WITH(readCsv(dir.path("a.csv"), o), Catch::Contains("no column '99999999999999999999999'"));
  o.columns = {"0:99999999999999999999999"};
  CHECK_THROWS_WITH(readCsv(dir.path("a.csv"), o), Catch::Contains("no column '0:99999999999999999999999'"));
}

TEST_CASE("runtime: checkpoint progress fields that are not 16-bit pieces", "[runtime][files][hostile]") {
  ScratchDir dir("ckptbad");
  ModelDescriptor d;
  d.name = "m";
  d.batch = 4;
  d.params = {{"encoder.0/bias", {3}, "zeros"}};
  ModelState s = initModelState(d, 1);
  Normalizer norm("none");
  saveCheckpoint(dir.path("c.npz"), d, s, norm, TrainProgress{});
  for (float bad : {std::nanf(""), -1.0f, 1e30f, 0.5f}) {
    NpzEntries e;
    for (auto &[key, a] : readNpz(dir.path("c.npz")))
      e.emplace_back(key, a);
    for (auto &[key, a] : e)
      if (key == "trainer/epoch")
        a.data[1] = bad;
    writeNpz(dir.path("bad.npz"), e);
    ModelState t = initModelState(d, 2);
    CHECK_THROWS_WITH(loadCheckpoint(dir.path("bad.npz"), d, t, norm), Catch::Contains("malformed 'trainer/epoch'"));
  }
}
