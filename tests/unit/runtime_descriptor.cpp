#include "runtime_test_util.h"

#include <aec/Descriptor.h>

using namespace aec::rt;
using aec::rt::test::errorOf;

TEST_CASE("runtime: dims format and parse", "[runtime][descriptor]") {
  CHECK(formatDims({}) == "-");
  CHECK(formatDims({2, 50}) == "2,50");
  CHECK(parseDims("-") == Dims{});
  CHECK(parseDims("7") == Dims{7});
  CHECK(parseDims("32,28,28,1") == Dims{32, 28, 28, 1});
  CHECK(numElements({}) == 1);
  CHECK(numElements({3, 4}) == 12);
  CHECK(numElements({3, 0}) == 0);
  CHECK_THROWS_WITH(parseDims("2,,3"), Catch::Contains("bad dims"));
  CHECK_THROWS(parseDims("2x3"));
  CHECK_THROWS(parseDims(""));
  CHECK_THROWS(parseDims("-1"));
}

namespace {
ModelDescriptor sample() {
  ModelDescriptor d;
  d.name = "ring";
  d.target = "cpu";
  d.batch = 32;
  d.inputShape = {2};
  d.outputShape = {2};
  d.codeShape = {1};
  d.params = {{"encoder.0/kernel", {2, 50}, "glorot_uniform:2:50"}, {"encoder.0/bias", {50}, "zeros"}};
  d.states = {{"adam.m/encoder.0/kernel", "state", {2, 50}}};
  d.settings = {{"train.epochs", "200"}, {"data.columns", "u, g, r"}, {"data.empty", ""}};
  d.stats = {{"flops_per_step", 12345}, {"peak_bytes", 4096}};
  d.functions = {{"train_step",
                  {{"x", "data", {32, 2}}, {"lr", "hyper", {}}},
                  {{"loss", "loss", {}}, {"encoder.0/kernel", "param", {2, 50}}}},
                 {"encode", {{"x", "data", {32, 2}}}, {{"code", "latent", {32, 1}}}}};
  return d;
}
} // namespace

TEST_CASE("runtime: descriptor serialize/parse round trip", "[runtime][descriptor]") {
  ModelDescriptor d = sample();
  std::string text = d.serialize();
  CHECK(text.rfind("aec-model 1\nname ring\n", 0) == 0);
  CHECK(text.find("setting data.columns u, g, r\n") != std::string::npos);
  CHECK(text.find("arg lr hyper -\n") != std::string::npos);
  ModelDescriptor p = ModelDescriptor::parse(text);
  CHECK(p.name == "ring");
  CHECK(p.batch == 32);
  CHECK(p.codeShape == Dims{1});
  REQUIRE(p.params.size() == 2);
  CHECK(p.params[0].name == "encoder.0/kernel");
  CHECK(p.params[0].dims == Dims{2, 50});
  CHECK(p.params[0].init == "glorot_uniform:2:50");
  REQUIRE(p.states.size() == 1);
  CHECK(p.states[0].role == "state");
  CHECK(p.settings.at("data.columns") == "u, g, r"); // value runs to the end of the line
  CHECK(p.settings.at("data.empty") == "");
  CHECK(p.stats.at("flops_per_step") == 12345);
  REQUIRE(p.function("train_step"));
  CHECK(p.function("train_step")->args[1].dims.empty());
  CHECK(p.function("encode")->results[0].role == "latent");
  CHECK(p.function("decode") == nullptr);
  CHECK(p.serialize() == text);
}

TEST_CASE("runtime: descriptor parse errors", "[runtime][descriptor]") {
  CHECK_THROWS_WITH(ModelDescriptor::parse(""), Catch::Contains("empty"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 2\nend\n"), Catch::Contains("line 1"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\nname x\n"), Catch::Contains("truncated"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\nbatch x\nend\n"), Catch::Contains("line 2"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\narg x data 4\nend\n"), Catch::Contains("before any 'function'"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\nparam a 2\nend\n"), Catch::Contains("needs 3 fields"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\nbogus 1\nend\n"), Catch::Contains("unknown record 'bogus'"));
  CHECK_THROWS_WITH(ModelDescriptor::parse("aec-model 1\nshape input 2,a\nend\n"),
                    Catch::Contains("line 2") && Catch::Contains("bad dims"));
  // CRLF line ends (a descriptor edited on Windows) still parse.
  CHECK(ModelDescriptor::parse("aec-model 1\r\nname x\r\nend\r\n").name == "x");
}
