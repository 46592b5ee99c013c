/// Built-in synthetic data sets. Each generator validates its own parameters so a typo in
/// the model file (`data: {synthetic: ring, rmin: 1}`) is an error, not a silent default.
#include "GeneratorParams.h"

#include <aec/Generators.h>
#include <aec/Random.h>

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <stdexcept>

namespace aec::rt {
namespace {

using gen::Params;

Dataset ring(Params &p, int64_t n, Rng &rng) {
  const double rMin = p.num("r_min", 0.95), rMax = p.num("r_max", 1.05);
  p.checkUnused();
  if (!(rMin >= 0 && rMax >= rMin))
    p.fail(fmt::format("needs 0 <= r_min <= r_max, got r_min {} and r_max {}", rMin, rMax));
  Dataset d;
  d.x = Array({n, 2});
  d.extra = Array({n, 2});
  d.columns = {"x", "y"};
  d.extraColumns = {"theta", "r"};
  for (int64_t i = 0; i < n; ++i) {
    double theta = rng.uniform(0.0, 2.0 * M_PI);
    double r = rng.uniform(rMin, rMax);
    d.x.data[2 * i] = static_cast<float>(r * std::cos(theta));
    d.x.data[2 * i + 1] = static_cast<float>(r * std::sin(theta));
    d.extra.data[2 * i] = static_cast<float>(theta);
    d.extra.data[2 * i + 1] = static_cast<float>(r);
  }
  return d;
}

Dataset gaussian2d(Params &p, int64_t n, Rng &rng) {
  const double mx = p.num("mean_x", 0), my = p.num("mean_y", 0);
  double sx = p.num("sigma_x", 1), sy = p.num("sigma_y", 1), rho = p.num("rho", 0.8);
  // `cov: "sxx,sxy,syy"` overrides sigma_x/sigma_y/rho.
  const std::string cov = p.str("cov", "");
  p.checkUnused();
  if (!cov.empty()) {
    double c[3];
    if (std::sscanf(cov.c_str(), "%lf,%lf,%lf", &c[0], &c[1], &c[2]) != 3)
      p.fail(fmt::format("cov must be \"sxx,sxy,syy\", got '{}'", cov));
    if (c[0] <= 0 || c[2] <= 0)
      p.fail("cov must have positive variances");
    sx = std::sqrt(c[0]);
    sy = std::sqrt(c[2]);
    rho = c[1] / (sx * sy);
  }
  if (!(sx > 0 && sy > 0 && rho > -1 && rho < 1))
    p.fail("needs sigma_x > 0, sigma_y > 0 and -1 < rho < 1 (a positive definite covariance)");
  Dataset d;
  d.x = Array({n, 2});
  d.columns = {"x", "y"};
  const double k = std::sqrt(1 - rho * rho); // Cholesky factor of the 2x2 correlation
  for (int64_t i = 0; i < n; ++i) {
    double a = rng.normal(), b = rng.normal();
    d.x.data[2 * i] = static_cast<float>(mx + sx * a);
    d.x.data[2 * i + 1] = static_cast<float>(my + sy * (rho * a + k * b));
  }
  return d;
}

/// log10 of Planck's B_lambda(T) in SI units (W / m^3 / sr).
double log10Planck(double lambdaMeters, double kelvin) {
  constexpr double h = 6.62607015e-34, c = 2.99792458e8, kB = 1.380649e-23;
  const double x = h * c / (lambdaMeters * kelvin * kB);
  return std::log10(2 * h * c * c) - 5 * std::log10(lambdaMeters) - std::log10(std::expm1(x));
}

Dataset blackbodyColors(Params &p, int64_t n, Rng &rng) {
  const double tMin = p.num("t_min", 3000), tMax = p.num("t_max", 30000);
  const std::string dist = p.str("t_dist", "log");
  const double noise = p.num("noise", 0.02), offsetMax = p.num("offset_max", 5);
  // Shifts the SI magnitudes (about -34 for the Sun's colour) into SDSS-like 14..20.
  const double zeroPoint = p.num("zero_point", 48);
  p.checkUnused();
  if (!(tMin > 0 && tMax >= tMin))
    p.fail("needs 0 < t_min <= t_max");
  if (dist != "log" && dist != "uniform")
    p.fail(fmt::format("t_dist must be 'log' or 'uniform', got '{}'", dist));
  if (noise < 0 || offsetMax < 0)
    p.fail("noise and offset_max must be >= 0");
  static const double bands[5] = {354.3e-9, 477.0e-9, 623.1e-9, 762.5e-9, 913.4e-9};
  Dataset d;
  d.x = Array({n, 5});
  d.extra = Array({n, 2});
  d.columns = {"u", "g", "r", "i", "z"};
  d.extraColumns = {"T", "offset"};
  for (int64_t i = 0; i < n; ++i) {
    double t = dist == "log" ? std::exp(rng.uniform(std::log(tMin), std::log(tMax))) : rng.uniform(tMin, tMax);
    double offset = rng.uniform(0, offsetMax);
    for (int b = 0; b < 5; ++b) {
      double m = -2.5 * log10Planck(bands[b], t) + zeroPoint + offset + noise * rng.normal();
      d.x.data[5 * i + b] = static_cast<float>(m);
    }
    d.extra.data[2 * i] = static_cast<float>(t);
    d.extra.data[2 * i + 1] = static_cast<float>(offset);
  }
  return d;
}

using Generator = std::function<Dataset(Params &, int64_t, Rng &)>;

const std::vector<std::pair<std::string, Generator>> &registry() {
  static const std::vector<std::pair<std::string, Generator>> gens = {
      {"ring", ring},         {"gaussian2d", gaussian2d},     {"blackbody_colors", blackbodyColors},
      {"circles", gen::circles}, {"steps", gen::steps}, {"steps_updown", gen::stepsUpDown},
      {"speckle", gen::speckle}};
  return gens;
}

} // namespace

std::vector<std::string> generatorNames() {
  std::vector<std::string> names;
  for (const auto &[name, fn] : registry())
    names.push_back(name);
  return names;
}

Dataset generate(const std::string &name, const std::map<std::string, std::string> &params, int64_t n,
                 uint64_t seed) {
  for (const auto &[gname, fn] : registry()) {
    if (gname != name)
      continue;
    if (n <= 0)
      throw std::runtime_error(fmt::format("generator '{}': n must be positive, got {}", name, n));
    Params p(name, params);
    Rng rng(seed, Stream::Data);
    Dataset d = fn(p, n, rng);
    d.source = "synthetic:" + name;
    return d;
  }
  std::string list;
  for (const auto &g : generatorNames())
    list += (list.empty() ? "" : ", ") + g;
  throw std::runtime_error(fmt::format("unknown synthetic data set '{}' (known: {})", name, list));
}

} // namespace aec::rt
