/// The direct convolution ops (ir/ops/Conv.cpp) against an independent
/// reference: the im2col / col2im formulations built from primitive ops (pad,
/// strided slices, concat, matmul, interior pads), which aec used before and
/// which live here only. Float64 interpreter over corner cases (odd sizes,
/// strides 1/2/3, same/valid, 1x1 to 9x9 kernels, one input channel, one
/// filter, batch 1 and 3, transposed kernels shorter and longer than the
/// stride); then the same cases compiled (float32) against the interpreter on
/// the unoptimised graph.
#include "lowering_helpers.h"
#include "passes/Passes.h"

#include <sstream>

using namespace aec;
using namespace aec::testing;

namespace {
using Ints = std::vector<int64_t>;
using Pair = std::array<int64_t, 2>;

/// Reference conv2d: pad, the kh * kw strided window slices concatenated along
/// channels (patch features ordered (i, j, c), Keras' kernel order), one
/// matmul.
ValueId im2colConv(Builder &b, ValueId x, ValueId kernel, Pair strides,
                   Padding padding) {
  const Shape xs = b.shape(x), k = b.shape(kernel);
  Ints low(4, 0), high(4, 0);
  Pair out;
  for (int d = 0; d < 2; ++d) {
    out[d] = windowOutputSize(xs[1 + d], k[d], strides[d], padding);
    WindowPads p = windowPads(xs[1 + d], k[d], strides[d], padding);
    low[1 + d] = p.low;
    high[1 + d] = p.high;
  }
  ValueId padded = b.pad(x, low, high, Ints(4, 0), 0.0);
  const Shape ps = b.shape(padded);
  std::vector<ValueId> slices;
  for (int64_t i = 0; i < k[0]; ++i)
    for (int64_t j = 0; j < k[1]; ++j)
      slices.push_back(b.slice(padded, {0, i, j, 0},
                               {ps[0], i + (out[0] - 1) * strides[0] + 1,
                                j + (out[1] - 1) * strides[1] + 1, ps[3]},
                               {1, strides[0], strides[1], 1}));
  ValueId patches = b.concat(slices, 3);
  int64_t rows = xs[0] * out[0] * out[1], depth = k[0] * k[1] * k[2];
  ValueId product = b.matmul(b.reshape(patches, {rows, depth}),
                             b.reshape(kernel, {depth, k[3]}));
  return b.reshape(product, {xs[0], out[0], out[1], k[3]});
}

/// Reference conv2d_transpose (Keras kernel [kh, kw, F, C]): every tap's
/// contribution by one matmul, each placed at (i, j) + s * (h, w) by an
/// interior pad, summed, cropped.
ValueId col2imConvTranspose(Builder &b, ValueId x, ValueId kernel, Pair strides,
                            Padding padding) {
  const Shape xs = b.shape(x), k = b.shape(kernel);
  const int64_t rows = xs[0] * xs[1] * xs[2], f = k[2], c = k[3],
                taps = k[0] * k[1];
  Ints length(4, 0), crop(4, 0), outSize(4, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t in = xs[1 + d], kk = k[d], s = strides[d];
    crop[1 + d] = transposedCrop(kk, s, padding);
    outSize[1 + d] = transposedOutputSize(in, kk, s, padding);
    length[1 + d] = std::max((in - 1) * s + kk, crop[1 + d] + outSize[1 + d]);
  }
  ValueId cols = b.matmul(b.reshape(x, {rows, c}),
                          b.reshape(kernel, {taps * f, c}), false, true);
  cols = b.reshape(cols, {xs[0], xs[1], xs[2], taps * f});
  ValueId sum = NoValue;
  for (int64_t i = 0; i < k[0]; ++i)
    for (int64_t j = 0; j < k[1]; ++j) {
      int64_t first = (i * k[1] + j) * f;
      ValueId part = b.slice(cols, {0, 0, 0, first},
                             {xs[0], xs[1], xs[2], first + f}, {1, 1, 1, 1});
      Ints low = {0, i, j, 0}, high(4, 0);
      for (int d = 0; d < 2; ++d)
        high[1 + d] =
            length[1 + d] - (low[1 + d] + (xs[1 + d] - 1) * strides[d] + 1);
      ValueId placed =
          b.pad(part, low, high, {0, strides[0] - 1, strides[1] - 1, 0}, 0.0);
      sum = sum == NoValue ? placed : b.add(sum, placed);
    }
  return b.slice(sum, crop,
                 {xs[0], crop[1] + outSize[1], crop[2] + outSize[2], f},
                 {1, 1, 1, 1});
}

/// One case: a conv2d x [batch, h, w, c] with kernel [k0, k1, c, f] and a
/// conv2d_transpose of an [batch, h, w, c] input with kernel [k0, k1, f, c].
struct Case {
  int64_t batch, h, w, c, f;
  Pair kernel, strides;
  Padding padding;

  std::string str() const {
    std::ostringstream os;
    os << "x " << batch << "x" << h << "x" << w << "x" << c << " k "
       << kernel[0] << "x" << kernel[1] << " f " << f << " s " << strides[0]
       << "x" << strides[1] << (padding == Padding::Same ? " same" : " valid");
    return os.str();
  }
};

const std::vector<Case> &cases() {
  const Padding S = Padding::Same, V = Padding::Valid;
  static const std::vector<Case> all = {
      {1, 7, 5, 3, 4, {3, 3}, {1, 1}, S},
      {3, 7, 5, 3, 4, {3, 3}, {1, 1}, V},
      {3, 9, 8, 2, 3, {3, 3}, {2, 2}, S},
      {1, 9, 8, 2, 3, {3, 3}, {2, 2}, V},
      {3, 10, 11, 2, 5, {3, 2}, {3, 3}, S},
      {1, 11, 10, 2, 5, {2, 3}, {3, 2}, V},
      {3, 6, 7, 3, 2, {1, 1}, {1, 1}, S},
      {1, 7, 6, 3, 2, {1, 1}, {2, 2}, V},
      {1, 9, 9, 2, 3, {5, 5}, {1, 1}, S},
      {3, 9, 11, 2, 3, {5, 5}, {2, 2}, V},
      {1, 11, 9, 2, 2, {7, 7}, {1, 1}, S},
      {1, 13, 12, 1, 2, {7, 7}, {3, 3}, S},
      {1, 12, 13, 2, 2, {9, 9}, {1, 1}, V},
      {1, 10, 10, 2, 2, {9, 9}, {2, 2}, S},
      {3, 8, 8, 1, 8, {3, 3}, {1, 1}, S},
      {3, 8, 8, 8, 1, {3, 3}, {1, 1}, S},
      {3, 19, 18, 8, 16, {3, 3}, {1, 1}, S},
      {1, 17, 18, 16, 8, {3, 3}, {2, 2}, S},
      {1, 6, 5, 1, 1, {3, 3}, {2, 2}, S},
      {3, 5, 6, 4, 1, {2, 2}, {3, 3}, V},
  };
  return all;
}

/// Per case, graphs whose outputs are conv2d, conv2d_transpose and the input
/// and kernel gradients of sum(conv2d * r): `direct` through the ops, or the
/// reference formulation.
Graph caseGraph(const Case &t, bool direct, DType dtype,
                const std::string &name) {
  Graph g;
  g.name = name;
  Builder b(g);
  ValueId x = b.input("x", role::Data, {dtype, {t.batch, t.h, t.w, t.c}});
  ValueId k =
      b.input("k", role::Param, {dtype, {t.kernel[0], t.kernel[1], t.c, t.f}});
  ValueId kt =
      b.input("kt", role::Param, {dtype, {t.kernel[0], t.kernel[1], t.f, t.c}});
  ValueId y = direct ? conv2d(b, x, k, t.strides, t.padding)
                     : im2colConv(b, x, k, t.strides, t.padding);
  ValueId yt = direct ? conv2dTranspose(b, x, kt, t.strides, t.padding)
                      : col2imConvTranspose(b, x, kt, t.strides, t.padding);
  ValueId r = b.input("r", role::Target, b.type(y));
  ValueId rt = b.input("rt", role::Target, b.type(yt));
  ValueId loss = b.add(b.sumAll(b.mul(y, r)), b.sumAll(b.mul(yt, rt)));
  std::vector<ValueId> grads = buildGradients(g, loss, {x, k, kt});
  g.addOutput("y", y);
  g.addOutput("yt", yt);
  g.addOutput("dx", grads[0]);
  g.addOutput("dk", grads[1]);
  g.addOutput("dkt", grads[2]);
  return g;
}

/// max |a - b| over max |b| (0 for equal all-zero tensors).
double relativeDifference(const Tensor &a, const Tensor &b) {
  double diff = 0, scale = 1e-300;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::fabs(a.flat(i) - b.flat(i)));
    scale = std::max(scale, std::fabs(b.flat(i)));
  }
  return diff / scale;
}
} // namespace

TEST_CASE("direct convolutions equal the im2col formulation in float64",
          "[conv]") {
  std::mt19937 rng(5);
  for (const Case &t : cases()) {
    INFO(t.str());
    Graph direct = caseGraph(t, true, DType::F64, "direct");
    Graph reference = caseGraph(t, false, DType::F64, "reference");
    TensorMap inputs = randomInputs(direct, -1, 1, rng);
    TensorMap got = interpret(direct, inputs),
              want = interpret(reference, inputs);
    for (const GraphOutput &out : direct.outputs) {
      INFO("output " << out.name);
      REQUIRE(got.at(out.name).shape() == want.at(out.name).shape());
      CHECK(relativeDifference(got.at(out.name), want.at(out.name)) < 1e-12);
    }
  }
}

namespace {
/// Every case compiled for `target` from the optimised graph against the interpreter on
/// the unoptimised one.
void checkCompiledCases(const std::string &target) {
  Module unoptimised;
  for (size_t i = 0; i < cases().size(); ++i)
    unoptimised.graphs.push_back(
        caseGraph(cases()[i], true, DType::F32, "case" + std::to_string(i)));
  Module m = unoptimised;
  defaultPipeline().run(m);
  std::unique_ptr<LoadedModule> lib = compileAndLoad(m, target);
  std::mt19937 rng(11);
  for (size_t i = 0; i < m.graphs.size(); ++i) {
    INFO(cases()[i].str() << " target " << target);
    const Graph &g = m.graphs[i];
    TensorMap inputs = randomInputs(unoptimised.graphs[i], -1, 1, rng);
    TensorMap expected = interpret(unoptimised.graphs[i], inputs);
    std::vector<HostBuffer> got = runCompiled(*lib, g, inputs);
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      const Tensor &ref = expected.at(g.outputs[o].name);
      Tensor compiled = xt::zeros<double>(ref.shape());
      for (size_t e = 0; e < ref.size(); ++e)
        compiled.flat(e) = got[o].get(e);
      INFO("output " << g.outputs[o].name);
      CHECK(relativeDifference(compiled, ref) < 1e-5);
    }
  }
}
} // namespace

TEST_CASE("direct convolutions compile and match the interpreter",
          "[conv][lowering]") {
  checkCompiledCases("cpu");
}

TEST_CASE("the cuda target's gather-form convolutions (run on the host) match the interpreter",
          "[conv][lowering][gpu-kernels]") {
  // One generic per convolution over padded / dilated copies (ConvGatherLowerings.cpp):
  // the same strides, `same` padding and odd sizes as the CPU's direct form.
  checkCompiledCases("cuda-on-host");
}
