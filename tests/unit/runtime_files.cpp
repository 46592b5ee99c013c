#include "runtime_test_util.h"

#include <aec/AtomicFile.h>
#include <aec/Csv.h>
#include <aec/Idx.h>
#include <aec/Npy.h>

#include <zlib.h>

#include <cmath>
#include <cstring>

using namespace aec::rt;
using aec::rt::test::errorOf;
using aec::rt::test::rawNpy;
using aec::rt::test::ScratchDir;

namespace {
Array iota(Dims dims) {
  Array a(dims);
  for (size_t i = 0; i < a.data.size(); ++i)
    a.data[i] = 0.5f * static_cast<float>(i) - 1.25f;
  return a;
}

} // namespace

TEST_CASE("runtime: npy round trip and header layout", "[runtime][files]") {
  ScratchDir dir("npy");
  for (Dims dims : {Dims{}, Dims{5}, Dims{3, 2}, Dims{2, 3, 4, 1}}) {
    Array a = iota(dims);
    writeNpy(dir.path("a.npy"), a);
    Array b = readNpy(dir.path("a.npy"));
    CHECK(b.dims == dims);
    CHECK(b.data == a.data);
  }
  std::string bytes = encodeNpy(iota({3, 2}));
  CHECK((bytes.size() - 24) % 64 == 0); // header padded to 64, payload 24 bytes
  CHECK(bytes.find("'descr': '<f4'") != std::string::npos);
  CHECK(bytes.find("'shape': (3,2)") != std::string::npos);
  CHECK(encodeNpy(iota({5})).find("'shape': (5,)") != std::string::npos);
  CHECK(aec::rt::test::noTempFiles(dir));
}

TEST_CASE("runtime: npy reads float64 and rejects what it cannot read", "[runtime][files]") {
  double vals[3] = {1.5, -2.25, 1e10};
  std::string f8 = rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                          std::string(reinterpret_cast<char *>(vals), sizeof vals));
  Array a = decodeNpy(f8, "d.npy");
  CHECK(a.dims == Dims{3});
  CHECK(a.data[1] == -2.25f);
  CHECK(a.data[2] == 1e10f);
  uint8_t u8[2] = {0, 255};
  CHECK(decodeNpy(rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", std::string((char *)u8, 2)), "u")
            .data[1] == 255.0f);

  // Column-major 2x3 [[0,1,2],[3,4,5]] is stored as 0,3,1,4,2,5.
  const float colMajor[6] = {0, 3, 1, 4, 2, 5};
  std::string fortran = rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                               std::string(reinterpret_cast<const char *>(colMajor), sizeof colMajor));
  Array fa = decodeNpy(fortran, "f.npy");
  CHECK(fa.dims == Dims{2, 3});
  CHECK(fa.data == std::vector<float>{0, 1, 2, 3, 4, 5});
  std::string c16 = rawNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", std::string(16, '\0'));
  CHECK_THROWS_WITH(decodeNpy(c16, "c.npy"), Catch::Contains("'c.npy'") && Catch::Contains("'<c16'"));
  std::string big = rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0'));
  CHECK_THROWS_WITH(decodeNpy(big, "b.npy"), Catch::Contains("big-endian dtype '>f4' is not supported"));
  std::string shortData = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", std::string(8, '\0'));
  CHECK_THROWS_WITH(decodeNpy(shortData, "s.npy"), Catch::Contains("declares shape (4,)") && Catch::Contains("holds 8 bytes"));
  CHECK_THROWS_WITH(decodeNpy("hello world", "h.npy"), Catch::Contains("not a .npy"));
  CHECK_THROWS_WITH(readNpy("/nonexistent/x.npy"), Catch::Contains("cannot open '/nonexistent/x.npy'"));
}

TEST_CASE("runtime: npz round trip, stored and deflated", "[runtime][files]") {
  ScratchDir dir("npz");
  NpzEntries e = {{"encoder.0/kernel", iota({2, 3})}, {"encoder.0/bias", iota({3})}, {"s", iota({})}};
  for (bool compress : {false, true}) {
    const std::string p = dir.path(compress ? "c.npz" : "s.npz");
    writeNpz(p, e, compress);
    auto m = readNpz(p);
    REQUIRE(m.size() == 3);
    CHECK(m.at("encoder.0/kernel").dims == Dims{2, 3});
    CHECK(m.at("encoder.0/kernel").data == e[0].second.data);
    CHECK(m.at("s").dims.empty());
    CHECK(listNpz(p) == std::vector<std::string>{"encoder.0/kernel", "encoder.0/bias", "s"});
    CHECK(readNpzKey(p, "encoder.0/bias").data == e[1].second.data);
    CHECK_THROWS_WITH(readNpzKey(p, "nope"), Catch::Contains("has no array 'nope'") && Catch::Contains("encoder.0/bias"));
  }
  writeNpz(dir.path("empty.npz"), {});
  CHECK(readNpz(dir.path("empty.npz")).empty());
  CHECK(aec::rt::test::noTempFiles(dir));
}

TEST_CASE("runtime: npz errors name the file", "[runtime][files]") {
  ScratchDir dir("npzbad");
  CHECK_THROWS_WITH(readNpz(dir.path("missing.npz")), Catch::Contains("missing.npz") && Catch::Contains("no such file"));
  dir.write("junk.npz", "this is not a zip file at all");
  CHECK_THROWS_WITH(readNpz(dir.path("junk.npz")), Catch::Contains("junk.npz"));
  writeNpz(dir.path("ok.npz"), {{"a", iota({100})}});
  std::string bytes = readFile(dir.path("ok.npz"));
  dir.write("trunc.npz", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH(readNpz(dir.path("trunc.npz")), Catch::Contains("trunc.npz"));
}

TEST_CASE("runtime: numpy opens what we write", "[runtime][files][python]") {
  if (!aec::rt::test::haveNumpy()) {
    WARN("skipped: /usr/bin/python3 with numpy is not available");
    return;
  }
  ScratchDir dir("numpy");
  writeNpz(dir.path("s.npz"), {{"layer/kernel", iota({2, 3})}, {"b", iota({3})}}, false);
  writeNpz(dir.path("c.npz"), {{"layer/kernel", iota({2, 3})}}, true);
  writeNpy(dir.path("a.npy"), iota({4, 1}));
  std::string script = "import numpy as np, sys; d = sys.argv[1]\n"
                       "s = np.load(d + '/s.npz'); c = np.load(d + '/c.npz'); a = np.load(d + '/a.npy')\n"
                       "assert s['layer/kernel'].shape == (2, 3) and s['layer/kernel'].dtype == np.float32\n"
                       "assert float(s['layer/kernel'][1, 2]) == 1.25 and s['b'].shape == (3,)\n"
                       "assert (c['layer/kernel'] == s['layer/kernel']).all() and a.shape == (4, 1)\n"
                       "np.savez(d + '/np.npz', x=np.arange(6, dtype=np.float64).reshape(3, 2))\n"
                       "np.savez_compressed(d + '/npc.npz', y=np.ones((2, 2), np.float32))\n"
                       "np.save(d + '/f.npy', np.arange(6, dtype=np.float32).reshape(2, 3).T)\n";
  dir.write("check.py", script);
  REQUIRE(std::system(("/usr/bin/python3 " + dir.path("check.py") + " " + dir.dir.string()).c_str()) == 0);
  Array x = readNpzKey(dir.path("np.npz"), "x");
  CHECK(x.dims == Dims{3, 2});
  CHECK(x.data[5] == 5.0f);
  CHECK(readNpzKey(dir.path("npc.npz"), "y").data == std::vector<float>(4, 1.0f));
  // a.T is saved in Fortran order; it reads back as the transposed C array.
  Array f = readNpy(dir.path("f.npy"));
  CHECK(f.dims == Dims{3, 2});
  CHECK(f.data == std::vector<float>{0, 3, 1, 4, 2, 5});
}

TEST_CASE("runtime: csv read, select, write", "[runtime][files][csv]") {
  ScratchDir dir("csv");
  dir.write("s.csv", "id,u,g,r\n1,10.5,9.25,8\n\n2, 11 ,-1e-3,7.5\n");
  CsvTable all = readCsv(dir.path("s.csv"));
  CHECK(all.columns == std::vector<std::string>{"id", "u", "g", "r"});
  CHECK(all.values.dims == Dims{2, 4});
  CHECK(all.values.data[5] == 11.0f);
  CHECK(all.lines == std::vector<int64_t>{2, 4});
  CsvTable sel = readCsv(dir.path("s.csv"), CsvOptions{{"r", "u"}});
  CHECK(sel.values.data == std::vector<float>{8.0f, 10.5f, 7.5f, 11.0f});
  CHECK(sel.columns == std::vector<std::string>{"r", "u"});

  CHECK_THROWS_WITH(readCsv(dir.path("s.csv"), CsvOptions{{"u", "z"}}),
                    Catch::Contains("s.csv:1: no column 'z'") && Catch::Contains("id, u, g, r"));
  dir.write("bad.csv", "a,b\n1,2\n3,oops\n");
  CHECK_THROWS_WITH(readCsv(dir.path("bad.csv")), Catch::Contains("bad.csv:3:2: cannot read 'oops'"));
  dir.write("ragged.csv", "a,b\n1,2\n3\n");
  CHECK_THROWS_WITH(readCsv(dir.path("ragged.csv")), Catch::Contains("ragged.csv:3: 1 cells, expected 2"));
  dir.write("nohead.csv", "1,2\n3,4\n");
  CHECK(readCsv(dir.path("nohead.csv")).values.dims == Dims{2, 2});

  // sklearn's layout: a first line that is neither names nor data, skipped; columns by position.
  dir.write("sk.csv", "3,4,yes,no\n1,2,3,4,0\n5,6,7,8,1\n9,10,11,12,0\n");
  CsvOptions sk{{"0:4"}, 1, 0};
  CsvTable first4 = readCsv(dir.path("sk.csv"), sk);
  CHECK(first4.values.dims == Dims{3, 4});
  CHECK(first4.columns == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(first4.values.data[4] == 5.0f);
  CHECK(first4.lines == std::vector<int64_t>{2, 3, 4});
  sk.columns = {"4", "1:3"};
  CHECK(readCsv(dir.path("sk.csv"), sk).values.data ==
        std::vector<float>{0, 2, 3, 1, 6, 7, 0, 10, 11});
  sk.columns = {"2:9"};
  CHECK_THROWS_WITH(readCsv(dir.path("sk.csv"), sk), Catch::Contains("no column '2:9'"));
  // Named columns still win over positions; header = 1 forces a numeric first line to be names.
  dir.write("numhead.csv", "10,20\n1,2\n");
  CHECK(readCsv(dir.path("numhead.csv"), CsvOptions{{"20"}, 0, 1}).values.data ==
        std::vector<float>{2});
  CHECK_THROWS_WITH(readCsv(dir.path("none.csv")), Catch::Contains("cannot open"));

  Array v({2, 2}, std::vector<float>{0.1f, 1e-8f, -3.0f, 123456.79f});
  writeCsv(dir.path("o.csv"), {"a", "b"}, v);
  CsvTable back = readCsv(dir.path("o.csv"));
  CHECK(back.columns == std::vector<std::string>{"a", "b"});
  CHECK(back.values.data == v.data); // exact float round trip
  CHECK_THROWS(writeCsv(dir.path("x.csv"), {"a"}, v));
  CHECK(aec::rt::test::noTempFiles(dir));
  CHECK(splitList(" u, g ,r ") == std::vector<std::string>{"u", "g", "r"});
  CHECK(splitList("").empty());
}

TEST_CASE("runtime: idx plain and gzip", "[runtime][files][idx]") {
  ScratchDir dir("idx");
  std::string bytes("\x00\x00\x08\x03", 4);
  for (int d : {2, 2, 3})
    bytes += std::string("\x00\x00\x00", 3) + static_cast<char>(d);
  for (int i = 0; i < 12; ++i)
    bytes += static_cast<char>(i * 20);
  dir.write("img.idx", bytes);
  gzFile gz = gzopen(dir.path("img-idx3-ubyte.gz").c_str(), "wb");
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  for (const char *name : {"img.idx", "img-idx3-ubyte.gz"}) {
    Array a = readIdx(dir.path(name));
    CHECK(a.dims == Dims{2, 2, 3});
    CHECK(a.data[11] == 220.0f);
  }
  dir.write("short.idx", bytes.substr(0, 20));
  CHECK_THROWS_WITH(readIdx(dir.path("short.idx")), Catch::Contains("short.idx") && Catch::Contains("holds 4 bytes of data"));
  // data.rows: only the first samples are read, so a file cut after them still serves.
  dir.write("cut.idx", bytes.substr(0, 16 + 6 + 2));
  for (const char *name : {"cut.idx", "img-idx3-ubyte.gz"}) {
    Array first = readIdx(dir.path(name), 1);
    CHECK(first.dims == Dims{1, 2, 3});
    CHECK(first.data == std::vector<float>{0, 20, 40, 60, 80, 100});
  }
  CHECK(readIdx(dir.path("img.idx"), 5).dims == Dims{2, 2, 3}); // fewer than asked: all of them
  CHECK_THROWS_WITH(readIdx(dir.path("short.idx"), 1),
                    Catch::Contains("declares shape [2, 2, 3] of 1-byte values (6 bytes in the first 1 of its 2 samples)"));
  dir.write("bad.idx", "PK\x03\x04 not idx");
  CHECK_THROWS_WITH(readIdx(dir.path("bad.idx")), Catch::Contains("not an IDX"));
}

TEST_CASE("runtime: atomic writes leave nothing half-written", "[runtime][files][atomic]") {
  ScratchDir dir("atomic");
  const std::string p = dir.path("w.npz");
  writeFileAtomically(p, "old");
  CHECK_THROWS_WITH(writeAtomically(p,
                                    [&](const std::string &tmp) {
                                      std::ofstream(tmp) << "half";
                                      throw std::runtime_error("disk full");
                                    }),
                    "disk full");
  CHECK(readFile(p) == "old"); // the previous good file survives
  CHECK(dir.entries() == std::vector<std::string>{"w.npz"});
  CHECK(tempPathFor(p).find(".tmp.") != std::string::npos);
  CHECK_THROWS_WITH(writeFileAtomically(dir.path("no/such/dir/f.csv"), "x"), Catch::Contains("cannot write"));
  CHECK(dir.entries() == std::vector<std::string>{"w.npz"});
}
