/// The image layers against PyTorch from identical inputs and weights: forward outputs and
/// the gradients of sum(y * w) w.r.t. the input and the kernel, at odd sizes, both paddings,
/// strides 1 to 3. The interpreter runs in float64 on the float32-rounded values the .npy
/// files carry; tests/unit/image_torch_ref.py computes the Keras semantics in torch (float64).
/// PyTorch is a declared test dependency (scripts/install-deps.sh): without it this fails.
#include "core/TestGraphs.h"
#include "passes/Passes.h"

#include <aec/Npy.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace aec;

namespace {
enum class Kind { Conv, ConvT, MaxPool, AvgPool, Upsample };

struct Case {
  std::string name;
  Kind kind;
  Shape x, k;               ///< input; kernel for convs
  std::array<int64_t, 2> s; ///< strides (upsample: unused)
  Padding padding;
  std::array<int64_t, 2> p{}; ///< pool or upsample size
};

const char *kindName(Kind k) {
  switch (k) {
  case Kind::Conv:
    return "conv2d";
  case Kind::ConvT:
    return "conv2d_transpose";
  case Kind::MaxPool:
    return "max_pool";
  case Kind::AvgPool:
    return "avg_pool";
  case Kind::Upsample:
    return "upsample";
  }
  return "";
}

std::vector<Case> cases() {
  const Padding S = Padding::Same, V = Padding::Valid;
  using K = Kind;
  return {
      {"conv_same_s1", K::Conv, {2, 7, 7, 3}, {3, 3, 3, 4}, {1, 1}, S},
      {"conv_same_s2", K::Conv, {2, 7, 7, 3}, {3, 3, 3, 4}, {2, 2}, S},
      {"conv_valid_s1", K::Conv, {2, 6, 5, 2}, {3, 3, 2, 3}, {1, 1}, V},
      {"conv_valid_s2_rect", K::Conv, {2, 7, 6, 3}, {3, 2, 3, 2}, {2, 2}, V},
      {"conv_same_s2_k4", K::Conv, {1, 7, 5, 2}, {4, 4, 2, 2}, {2, 2}, S},
      {"conv_same_s3_1x1", K::Conv, {2, 5, 5, 3}, {1, 1, 3, 2}, {3, 3}, S},
      {"convt_same_s2", K::ConvT, {2, 4, 3, 3}, {3, 3, 2, 3}, {2, 2}, S},
      {"convt_valid_s2", K::ConvT, {2, 4, 3, 3}, {3, 3, 2, 3}, {2, 2}, V},
      {"convt_same_s1", K::ConvT, {1, 5, 5, 2}, {3, 3, 3, 2}, {1, 1}, S},
      {"convt_same_s2_k4", K::ConvT, {1, 3, 4, 2}, {4, 4, 2, 2}, {2, 2}, S},
      {"convt_valid_s3_k2", K::ConvT, {1, 3, 2, 2}, {2, 2, 2, 2}, {3, 3}, V},
      {"convt_same_s3_k2", K::ConvT, {1, 3, 2, 2}, {2, 2, 2, 2}, {3, 3}, S},
      {"max_valid_2", K::MaxPool, {2, 7, 7, 3}, {}, {2, 2}, V, {2, 2}},
      {"max_same_2", K::MaxPool, {2, 7, 7, 3}, {}, {2, 2}, S, {2, 2}},
      {"max_same_3s2", K::MaxPool, {2, 7, 6, 2}, {}, {2, 2}, S, {3, 3}},
      {"max_valid_3s2", K::MaxPool, {2, 7, 6, 2}, {}, {2, 2}, V, {3, 3}},
      {"avg_valid_2", K::AvgPool, {2, 7, 7, 3}, {}, {2, 2}, V, {2, 2}},
      {"avg_same_2", K::AvgPool, {2, 7, 7, 3}, {}, {2, 2}, S, {2, 2}},
      {"avg_same_3s1", K::AvgPool, {2, 7, 6, 2}, {}, {1, 1}, S, {3, 3}},
      {"avg_same_3s2", K::AvgPool, {2, 7, 6, 2}, {}, {2, 2}, S, {3, 3}},
      {"avg_valid_3s2", K::AvgPool, {2, 7, 6, 2}, {}, {2, 2}, V, {3, 3}},
      {"upsample_2x3", K::Upsample, {2, 3, 4, 2}, {}, {1, 1}, V, {2, 3}},
  };
}

/// The layer of `c` on inputs "x" and (convs) "k"; loss = sum(y * w), outputs y and grads.
Graph buildCase(const Case &c) {
  Graph g;
  g.name = c.name;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {DType::F64, c.x});
  ValueId k = c.k.empty() ? NoValue : b.input("k", role::Param, {DType::F64, c.k});
  ValueId y = NoValue;
  switch (c.kind) {
  case Kind::Conv:
    y = conv2d(b, x, k, c.s, c.padding);
    break;
  case Kind::ConvT:
    y = conv2dTranspose(b, x, k, c.s, c.padding);
    break;
  case Kind::MaxPool:
    y = maxPool(b, x, c.p, c.s, c.padding);
    break;
  case Kind::AvgPool:
    y = avgPool(b, x, c.p, c.s, c.padding);
    break;
  case Kind::Upsample:
    y = upsample(b, x, c.p);
    break;
  }
  ValueId w = b.input("w", role::Param, g.type(y));
  ValueId loss = b.sumAll(b.mul(y, w));
  std::vector<ValueId> wrt = {x};
  if (k != NoValue)
    wrt.push_back(k);
  std::vector<ValueId> grads = buildGradients(g, loss, wrt);
  g.addOutput("y", y);
  g.addOutput("gx", grads[0]);
  if (k != NoValue)
    g.addOutput("gk", grads[1]);
  return g;
}

rt::Array toArray(const Tensor &t) {
  return rt::Array(rt::Dims(t.shape().begin(), t.shape().end()),
                   std::vector<float>(t.begin(), t.end()));
}

/// Max |a - b| over max |b|, after checking that the shapes agree.
double relativeError(const Tensor &ours, const rt::Array &torch, const std::string &what) {
  INFO(what);
  REQUIRE(rt::Dims(ours.shape().begin(), ours.shape().end()) == torch.dims);
  double diff = 0, scale = 1e-12;
  for (size_t i = 0; i < ours.size(); ++i) {
    diff = std::max(diff, std::fabs(ours.flat(i) - torch.data[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(torch.data[i])));
  }
  return diff / scale;
}
} // namespace

TEST_CASE("image layers match PyTorch forward and backward", "[image][torch]") {
  namespace fs = std::filesystem;
  int torchMissing = std::system("/usr/bin/python3 -c 'import torch, numpy' > /dev/null 2>&1");
  INFO("/usr/bin/python3 cannot import torch and numpy; they are test dependencies: run "
       "scripts/install-deps.sh (Debian python3-torch, python3-numpy)");
  REQUIRE(torchMissing == 0);

  fs::path dir = fs::temp_directory_path() / ("aec_image_torch_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::mt19937 rng(17);
  std::vector<Case> all = cases();
  std::vector<Graph> graphs;
  std::vector<TensorMap> inputs;
  std::ofstream list(dir / "cases.txt");
  for (const Case &c : all) {
    graphs.push_back(buildCase(c));
    TensorMap in;
    for (ValueId v : graphs.back().inputs()) {
      const Node &n = graphs.back().node(v);
      // f32-rounded, so the .npy files carry exactly the values the interpreter sees.
      Tensor t = test::randomTensor({DType::F32, n.type.shape}, -1.0, 1.0, rng);
      in[n.attrs.getString("name")] = t;
      rt::writeNpy((dir / (c.name + "_" + n.attrs.getString("name") + ".npy")).string(),
                   toArray(t));
    }
    inputs.push_back(in);
    list << c.name << ' ' << kindName(c.kind) << ' ' << c.s[0] << ' ' << c.s[1] << ' '
         << (c.padding == Padding::Same ? "same" : "valid") << ' ' << c.p[0] << ' ' << c.p[1]
         << '\n';
  }
  list.close();
  std::string script = std::string(AEC_SOURCE_DIR) + "/tests/unit/image_torch_ref.py";
  int rc = std::system(("/usr/bin/python3 " + script + " " + dir.string()).c_str());
  REQUIRE(rc == 0);

  // A plain loop, not SECTIONs: Catch would rerun the body (and torch) once per section.
  for (size_t i = 0; i < all.size(); ++i) {
    TensorMap ours = interpret(graphs[i], inputs[i]);
    for (const GraphOutput &o : graphs[i].outputs) {
      rt::Array ref = rt::readNpy((dir / (all[i].name + "_" + o.name + ".npy")).string());
      double err = relativeError(ours.at(o.name), ref, all[i].name + " " + o.name);
      INFO(all[i].name << " " << o.name << " relative error " << err);
      CHECK(err < 1e-5);
    }
  }
  fs::remove_all(dir);
}
