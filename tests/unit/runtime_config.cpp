#include "runtime_test_util.h"

#include <aec/Config.h>
#include <aec/Npy.h>

#include <cmath>

using namespace aec::rt;
using aec::rt::test::ScratchDir;

TEST_CASE("runtime: run config defaults and parsing", "[runtime][config]") {
  RunConfig d = parseRunConfig({});
  CHECK(d.epochs == 10);
  CHECK(d.seed == 0);
  CHECK(d.shuffle);
  CHECK(d.validationSplit == 0);
  CHECK(d.earlyStopping.patience < 0);

  RunConfig c = parseRunConfig({{"train.epochs", "200"},
                                {"train.seed", "42"},
                                {"train.shuffle", "false"},
                                {"train.validation_split", "0.1"},
                                {"optimizer.kind", "sgd"},
                                {"optimizer.lr", "1e-2"},
                                {"data.synthetic", "ring"},
                                {"data.n", "500"},
                                {"data.r_min", "0.9"},
                                {"data.columns", "u, g,r"},
                                {"data.normalize.scale", "255"},
                                {"data.target.path", "t.npz"},
                                {"loss.reconstruction", "bce"},
                                {"train.early_stopping.patience", "3"},
                                {"train.early_stopping.restore_best", "true"},
                                {"train.reduce_lr_on_plateau.factor", "0.5"}});
  CHECK(c.epochs == 200);
  CHECK(c.seed == 42);
  CHECK(c.dataSeed == 42);
  CHECK_FALSE(c.shuffle);
  CHECK(c.validationSplit == 0.1);
  CHECK(c.optimizerKind == "sgd");
  CHECK(c.lr == 0.01);
  CHECK(c.n == 500);
  CHECK(c.generatorParams == std::map<std::string, std::string>{{"r_min", "0.9"}});
  CHECK(c.csv.columns == std::vector<std::string>{"u", "g", "r"});
  CHECK(c.normalize == "scale:255");
  CHECK(c.targetPath == "t.npz");
  CHECK(c.reconstructionLoss == "bce");
  CHECK(c.earlyStopping.patience == 3);
  CHECK(c.earlyStopping.restoreBest);
  CHECK(c.plateau.factor == 0.5);

  CHECK_THROWS_WITH(parseRunConfig({{"train.epochs", "ten"}}),
                    Catch::Contains("setting 'train.epochs'") && Catch::Contains("'ten'"));
  CHECK_THROWS_WITH(parseRunConfig({{"train.validation_split", "1.5"}}), Catch::Contains("[0, 1)"));
  CHECK_THROWS_WITH(parseRunConfig({{"train.shuffle", "maybe"}}), Catch::Contains("true or false"));
}

using aec::rt::test::withInput;

TEST_CASE("runtime: loadTrainingData dispatches on the format", "[runtime][config]") {
  ScratchDir dir("load");
  dir.write("s.csv", "name_id,u,g\n1,2,3\n4,5,6\n7,8,9\n");
  RunConfig c = withInput({2});
  c.path = dir.path("s.csv");
  c.csv.columns = {"g", "u"};
  Dataset d = loadTrainingData(c);
  CHECK(d.x.dims == Dims{3, 2});
  CHECK(d.x.data[0] == 3.0f);
  CHECK(d.columns == std::vector<std::string>{"g", "u"});

  writeNpy(dir.path("a.npy"), Array({3, 4}, std::vector<float>(12, 1.0f)));
  writeNpz(dir.path("b.npz"), {{"images", Array({3, 2, 2}, std::vector<float>(12, 2.0f))},
                               {"clean", Array({3, 2, 2}, std::vector<float>(12, 3.0f))}});
  RunConfig img = withInput({2, 2, 1});
  d = loadTrainingData(img, dir.path("a.npy")); // --data override; reshaped [3,4] -> [3,2,2,1]
  CHECK(d.x.dims == Dims{3, 2, 2, 1});
  img.path = dir.path("b.npz");
  CHECK_THROWS_WITH(loadTrainingData(img), Catch::Contains("holds 2 arrays") && Catch::Contains("data.key"));
  img.key = "images";
  img.targetPath = dir.path("b.npz");
  img.targetKey = "clean";
  d = loadTrainingData(img);
  CHECK(d.x.data[0] == 2.0f);
  CHECK(d.target.dims == Dims{3, 2, 2, 1});
  CHECK(d.target.data[0] == 3.0f);

  RunConfig syn = withInput({2});
  syn.synthetic = "ring";
  syn.n = 64;
  syn.generatorParams = {{"r_min", "1"}, {"r_max", "1"}};
  d = loadTrainingData(syn);
  CHECK(d.rows() == 64);
  CHECK(std::hypot(d.x.data[0], d.x.data[1]) == Approx(1.0f));
  CHECK_THROWS_WITH(loadTrainingData(withInput({2})), Catch::Contains("no training data"));
}

TEST_CASE("runtime: data checks name file, widths and rows", "[runtime][config]") {
  ScratchDir dir("check");
  dir.write("w.csv", "a,b,c\n1,2,3\n");
  RunConfig c = withInput({5});
  c.path = dir.path("w.csv");
  CHECK_THROWS_WITH(loadTrainingData(c), Catch::Contains("w.csv") && Catch::Contains("3 values per sample") &&
                                             Catch::Contains("needs 5"));
  dir.write("nan.csv", "a,b\n1,2\n\n3,nan\n");
  RunConfig n2 = withInput({2});
  n2.path = dir.path("nan.csv");
  CHECK_THROWS_WITH(loadTrainingData(n2), Catch::Contains("nan.csv:4") && Catch::Contains("NaN"));
  writeNpy(dir.path("inf.npy"), Array({3, 2}, std::vector<float>{0, 0, 0, 0, INFINITY, 0}));
  n2.path = dir.path("inf.npy");
  CHECK_THROWS_WITH(loadTrainingData(n2), Catch::Contains("inf.npy") && Catch::Contains("Inf") &&
                                              Catch::Contains("row 3"));
  n2.path = dir.path("missing.csv");
  CHECK_THROWS_WITH(loadTrainingData(n2), Catch::Contains("cannot open") && Catch::Contains("missing.csv"));
  n2.path = dir.path("data.txt"); // whitespace-separated text (np.savetxt's default)
  dir.write("data.txt", "1 2\n");
  CHECK(loadTrainingData(n2).x.data == std::vector<float>{1, 2});
  n2.path = dir.path("data.bin"); // neither a known extension nor text
  dir.write("data.bin", std::string("\x93NUMPY\x01\x00", 8));
  CHECK_THROWS_WITH(loadTrainingData(n2), Catch::Contains("unknown data format"));
}
