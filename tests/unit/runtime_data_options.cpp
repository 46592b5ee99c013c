// The data options a Keras user reaches for: whitespace-separated text as np.savetxt writes
// it, `rows` (part of a file) and `validation_data` (a separate validation set).
#include "runtime_test_util.h"

#include <aec/Config.h>
#include <aec/Csv.h>
#include <aec/Npy.h>
#include <aec/Trainer.h>

using namespace aec::rt;
using aec::rt::test::ScratchDir;

using aec::rt::test::withInput;

TEST_CASE("runtime: whitespace-separated text, comments and np.savetxt's header", "[runtime][data]") {
  ScratchDir dir("text");
  // np.savetxt(f, x, header='u g r') writes "# u g r" above '%.18e' numbers and blanks.
  dir.write("s.txt", "# u g r\n1.000000000000000000e+00 2.000000000000000000e+00 -3.5e-01\n"
                     "\t4   5\t6  \n\n# a comment between rows\n7 8 9\n");
  CsvOptions text;
  text.delimiter = 0;
  CsvTable t = readCsv(dir.path("s.txt"), text);
  CHECK(t.columns == std::vector<std::string>{"u", "g", "r"});
  CHECK(t.values.dims == Dims{3, 3});
  CHECK(t.values.data == std::vector<float>{1, 2, -0.35f, 4, 5, 6, 7, 8, 9});
  CHECK(t.lines == std::vector<int64_t>{2, 3, 6});
  text.columns = {"r", "u"};
  CHECK(readCsv(dir.path("s.txt"), text).values.data == std::vector<float>{-0.35f, 1, 6, 4, 9, 7});
  // A plain header line (np.savetxt(..., comments='')) and no header at all.
  dir.write("h.dat", "a b\n1 2\n3 4\n");
  dir.write("n.dat", "# written by hand\n1 2\n3 4\n");
  text.columns = {};
  CHECK(readCsv(dir.path("h.dat"), text).columns == std::vector<std::string>{"a", "b"});
  CHECK(readCsv(dir.path("n.dat"), text).columns == std::vector<std::string>{"0", "1"}); // 3 words, 2 columns
  CHECK(readCsv(dir.path("n.dat"), text).values.dims == Dims{2, 2});
  // header: false keeps a comment a comment.
  text.header = 0;
  CHECK(readCsv(dir.path("s.txt"), text).columns == std::vector<std::string>{"0", "1", "2"});
  text.header = -1;
  // A comma in the first line makes it CSV, whatever the name.
  dir.write("c.txt", "a,b\n1,2\n");
  CHECK(readCsv(dir.path("c.txt"), text).values.data == std::vector<float>{1, 2});
  // Errors at file:line(:column) as for CSV.
  dir.write("bad.txt", "# x y\n1 2\n3 oops\n4 5 6\n");
  CHECK_THROWS_WITH(readCsv(dir.path("bad.txt"), text), Catch::Contains("bad.txt:3:2: cannot read 'oops'"));
  dir.write("ragged.txt", "1 2\n3\n");
  CHECK_THROWS_WITH(readCsv(dir.path("ragged.txt"), text), Catch::Contains("ragged.txt:2: 1 cells, expected 2"));
  dir.write("comments.txt", "# only\n# comments\n");
  CHECK_THROWS_WITH(readCsv(dir.path("comments.txt"), text), Catch::Contains("is empty"));
  // maxRows stops reading: a bad line after them is never read.
  text.maxRows = 1;
  CHECK(readCsv(dir.path("bad.txt"), text).values.data == std::vector<float>{1, 2});
}

TEST_CASE("runtime: text data files load by extension or by content", "[runtime][data]") {
  ScratchDir dir("textload");
  RunConfig c = withInput({2});
  for (const char *name : {"a.txt", "a.dat", "a.tsv", "noext"}) {
    INFO(name);
    dir.write(name, "# x y\n1\t2\n3 4\n");
    c.path = dir.path(name);
    const Dataset d = loadTrainingData(c);
    CHECK(d.x.data == std::vector<float>{1, 2, 3, 4});
    CHECK(d.columns == std::vector<std::string>{"x", "y"});
  }
  // A .csv is always split at commas: blanks inside are no separator.
  dir.write("a.csv", "1 2\n");
  c.path = dir.path("a.csv");
  c.csv.header = 0;
  CHECK_THROWS_WITH(loadTrainingData(c), Catch::Contains("cannot read '1 2'"));
}

TEST_CASE("runtime: data.rows takes the first N samples or a range", "[runtime][data]") {
  ScratchDir dir("rows");
  dir.write("s.csv", "a,b\n0,0\n1,10\n2,20\n3,30\n4,40\nx,oops\n");
  writeNpy(dir.path("s.npy"), Array({5, 2}, std::vector<float>{0, 0, 1, 10, 2, 20, 3, 30, 4, 40}));
  writeNpy(dir.path("t.npy"), Array({5, 2}, std::vector<float>{0, 0, -1, -10, -2, -20, -3, -30, -4, -40}));
  RunConfig c = withInput({2});
  c.path = dir.path("s.csv");
  c.rows = {0, 2}; // the CSV's bad last line is never read
  Dataset d = loadTrainingData(c);
  CHECK(d.x.data == std::vector<float>{0, 0, 1, 10});
  CHECK(d.lines == std::vector<int64_t>{2, 3});
  c.rows = {1, 4};
  CHECK(loadTrainingData(c).x.data == std::vector<float>{1, 10, 2, 20, 3, 30});
  CHECK(loadTrainingData(c).lines == std::vector<int64_t>{3, 4, 5});
  c.path = dir.path("s.npy");
  c.targetPath = dir.path("t.npy"); // the target's same rows
  d = loadTrainingData(c);
  CHECK(d.x.data == std::vector<float>{1, 10, 2, 20, 3, 30});
  CHECK(d.target.data == std::vector<float>{-1, -10, -2, -20, -3, -30});
  c.rows = {0, 6};
  CHECK_THROWS_WITH(loadTrainingData(c), Catch::Contains("s.npy' has 5 samples, but data.rows asks for the first 6"));
  c.rows = {3, 9};
  CHECK_THROWS_WITH(loadTrainingData(c), Catch::Contains("has 5 samples, but data.rows asks for samples 3 to 8"));
  c.targetPath.clear();
  c.path = dir.path("s.csv");
  c.rows = {0, 7};
  CHECK_THROWS_WITH(loadTrainingData(c), Catch::Contains("s.csv:7:1: cannot read 'x'"));
}

TEST_CASE("runtime: data.rows and validation_data settings", "[runtime][data][config]") {
  RunConfig c = parseRunConfig({{"data.path", "a.csv"},
                                {"data.columns", "u,g"},
                                {"data.skip_rows", "2"},
                                {"data.rows", "100"},
                                {"data.validation_data.path", "v.npy"},
                                {"data.validation_data.rows", "5:10"}});
  CHECK(c.rows.begin == 0);
  CHECK(c.rows.end == 100);
  CHECK(c.validation.path == "v.npy");
  CHECK(c.validation.rows.begin == 5);
  CHECK(c.validation.rows.end == 10);
  // Read as the data is unless it says otherwise.
  CHECK(c.validation.csv.columns == std::vector<std::string>{"u", "g"});
  CHECK(c.validation.columnsInherited);
  CHECK(c.validation.csv.skipRows == 2);
  CHECK(c.generatorParams.empty());
  RunConfig own = parseRunConfig({{"data.columns", "u,g"}, {"data.validation_data.columns", "g"},
                                  {"data.validation_data.skip_rows", "0"}});
  CHECK(own.validation.csv.columns == std::vector<std::string>{"g"});
  CHECK_FALSE(own.validation.columnsInherited);
  CHECK(own.validation.csv.skipRows == 0);
  CHECK_THROWS_WITH(parseRunConfig({{"data.rows", "0"}}), Catch::Contains("setting 'data.rows'"));
  CHECK_THROWS_WITH(parseRunConfig({{"data.rows", "4:2"}}), Catch::Contains("a range a:b with 0 <= a < b"));
  CHECK_THROWS_WITH(parseRunConfig({{"data.validation_data.path", "v.csv"}, {"train.validation_split", "0.2"}}),
                    Catch::Contains("keep one"));
}

TEST_CASE("runtime: validation_data is appended after the training rows", "[runtime][data]") {
  ScratchDir dir("valdata");
  dir.write("train.csv", "u,g,r\n1,2,3\n4,5,6\n7,8,9\n");
  dir.write("val.txt", "# g u\n20 10\n50 40\n"); // its own format and column order
  RunConfig c = withInput({2});
  c.path = dir.path("train.csv");
  c.csv.columns = {"u", "g"};
  c.validation.path = dir.path("val.txt");
  c.validation.csv = c.csv;
  c.validation.columnsInherited = true;
  Dataset d = loadTrainingData(c);
  appendValidationData(d, c);
  CHECK(d.x.dims == Dims{5, 2});
  CHECK(d.x.data == std::vector<float>{1, 2, 4, 5, 7, 8, 10, 20, 40, 50});
  CHECK(d.validationRows == 2);
  CHECK(trainRowCount(d, 0.0) == 3);
  CHECK(trainRowCount(d, 0.5) == 3); // a separate set, not a split

  // An npy validation file ignores data's CSV columns.
  writeNpy(dir.path("v.npy"), Array({3, 2}, std::vector<float>{1, 1, 2, 2, 3, 3}));
  c.validation.path = dir.path("v.npy");
  c.validation.rows = {1, 3};
  d = loadTrainingData(c);
  appendValidationData(d, c);
  CHECK(d.validationRows == 2);
  CHECK(std::vector<float>(d.x.data.end() - 4, d.x.data.end()) == std::vector<float>{2, 2, 3, 3});

  // Its width must fit the input; a target exactly when the data has one.
  writeNpy(dir.path("wide.npy"), Array({3, 3}));
  c.validation.path = dir.path("wide.npy");
  c.validation.rows = {};
  d = loadTrainingData(c);
  CHECK_THROWS_WITH(appendValidationData(d, c),
                    Catch::StartsWith("validation data: '") && Catch::Contains("wide.npy' has 3 values per sample") &&
                        Catch::Contains("needs 2"));
  c.validation.path = dir.path("v.npy");
  c.validation.targetPath = dir.path("v.npy");
  CHECK_THROWS_WITH(appendValidationData(d, c), Catch::Contains("give validation_data a 'target' exactly when data has one"));
  c.validation.path = dir.path("missing.npy");
  CHECK_THROWS_WITH(appendValidationData(d, c), Catch::Contains("validation data: cannot open") &&
                                                    Catch::Contains("missing.npy"));
}
