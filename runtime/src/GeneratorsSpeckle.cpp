/// Speckled small-angle scattering patterns (seed 002, exercise 17.1): the clean SAXS pattern
/// of polydisperse spheres and the same pattern under fully developed speckle, preprocessed
/// as the seed does (log10(I + 1), divided by the noisy image's maximum, clipped to [0, 1.1]).
#include "GeneratorParams.h"

#include <algorithm>

namespace aec::rt::gen {
namespace {

/// Sphere form factor P(x) = [3 (sin x - x cos x) / x^3]^2 at x = qR.
double sphereFormFactor(double x) {
  if (x < 1e-3)
    return 1.0 - x * x / 5.0; // the series: the closed form cancels catastrophically near 0
  const double f = 3.0 * (std::sin(x) - x * std::cos(x)) / (x * x * x);
  return f * f;
}

/// I(q) / I(0) of spheres whose radii are Gaussian (mean `r`, relative width `pd`), each
/// weighted by its volume squared, on `points` values of q in [0, qEnd].
std::vector<double> radialProfile(double r, double pd, double qEnd, int points) {
  constexpr int kRadii = 31;
  std::vector<double> radii, weights;
  double norm = 0;
  for (int k = 0; k < kRadii; ++k) {
    const double u = -3.0 + 6.0 * k / (kRadii - 1); // +-3 sigma
    const double rk = r * (1.0 + pd * u);
    if (rk <= 0)
      continue;
    const double w = std::exp(-0.5 * u * u) * std::pow(rk, 6);
    radii.push_back(rk);
    weights.push_back(w);
    norm += w;
  }
  std::vector<double> profile(points);
  for (int i = 0; i < points; ++i) {
    const double q = qEnd * i / (points - 1);
    double sum = 0;
    for (size_t k = 0; k < radii.size(); ++k)
      sum += weights[k] * sphereFormFactor(q * radii[k]);
    profile[i] = sum / norm;
  }
  return profile;
}

/// Multiplicative speckle S with E[S] = 1: |E|^2 of a circular complex Gaussian field, smoothed
/// by a Gaussian of `sigma` pixels (periodic, so the statistics are the same everywhere). Such
/// intensities are exactly Exp(1) distributed per pixel, correlated over about `sigma` pixels.
std::vector<double> speckleField(int64_t size, double sigma, Rng &rng) {
  const int64_t n = size * size;
  std::vector<double> re(n), im(n), tmpRe(n), tmpIm(n);
  for (int64_t i = 0; i < n; ++i) {
    re[i] = rng.normal();
    im[i] = rng.normal();
  }
  const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
  std::vector<double> kernel(2 * radius + 1);
  double sumSq = 0;
  for (int k = -radius; k <= radius; ++k) {
    kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
    sumSq += kernel[k + radius] * kernel[k + radius];
  }
  auto wrap = [&](int64_t i) { return ((i % size) + size) % size; };
  // Separable convolution: along x into tmp, then along y back into re/im.
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<double> &inRe = pass ? tmpRe : re, &inIm = pass ? tmpIm : im;
    std::vector<double> &outRe = pass ? re : tmpRe, &outIm = pass ? im : tmpIm;
    std::vector<double> accRe(n, 0.0), accIm(n, 0.0);
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x)
        for (int k = -radius; k <= radius; ++k) {
          const int64_t j = pass ? wrap(y + k) * size + x : y * size + wrap(x + k);
          accRe[y * size + x] += kernel[k + radius] * inRe[j];
          accIm[y * size + x] += kernel[k + radius] * inIm[j];
        }
    outRe = std::move(accRe);
    outIm = std::move(accIm);
  }
  // Each smoothed component has variance sumSq^2 (two passes): divide |E|^2 by its mean 2 sumSq^2.
  std::vector<double> s(n);
  for (int64_t i = 0; i < n; ++i)
    s[i] = (re[i] * re[i] + im[i] * im[i]) / (2.0 * sumSq * sumSq);
  return s;
}

} // namespace

Dataset speckle(Params &p, int64_t n, Rng &rng) {
  const int64_t size = p.integer("size", 64, 8);
  const double qMax = p.num("q_max", 0.6);          // 1/nm at the middle of the detector edge
  const double rMin = p.num("r_min", 8), rMax = p.num("r_max", 25); // mean sphere radius, nm
  const double pdMin = p.num("pd_min", 0.05), pdMax = p.num("pd_max", 0.15);
  const double iMin = p.num("i_min", 1e3), iMax = p.num("i_max", 1e5); // counts at q = 0
  const double speckleSize = p.num("speckle_size", 1.5);                // correlation, pixels
  const double shift = p.num("center_shift", 0);                        // beam centre jitter, pixels
  p.checkUnused();
  if (!(qMax > 0 && rMin > 0 && rMax >= rMin))
    p.fail("needs q_max > 0 and 0 < r_min <= r_max");
  if (!(pdMin >= 0 && pdMax >= pdMin && pdMax < 0.33))
    p.fail("needs 0 <= pd_min <= pd_max < 0.33 (relative width of the size distribution)");
  if (!(iMin > 0 && iMax >= iMin))
    p.fail("needs 0 < i_min <= i_max");
  if (!(speckleSize > 0 && shift >= 0))
    p.fail("needs speckle_size > 0 and center_shift >= 0");
  Dataset d;
  d.x = Array({n, size, size, 1});
  d.target = Array({n, size, size, 1});
  d.extra = Array({n, 4});
  d.extraColumns = {"radius", "pd", "log10_i0", "log_max"};
  const double half = 0.5 * static_cast<double>(size), qPerPixel = qMax / half;
  const double qEnd = qPerPixel * (std::sqrt(2.0) * half + 2.0 * shift + 2.0);
  constexpr int kProfile = 1024;
  std::vector<double> clean(size * size);
  for (int64_t s = 0; s < n; ++s) {
    const double r = rng.uniform(rMin, rMax), pd = rng.uniform(pdMin, pdMax);
    const double logI0 = rng.uniform(std::log10(iMin), std::log10(iMax));
    const double cx = half + rng.uniform(-shift, shift), cy = half + rng.uniform(-shift, shift);
    const std::vector<double> profile = radialProfile(r, pd, qEnd, kProfile);
    for (int64_t y = 0; y < size; ++y)
      for (int64_t x = 0; x < size; ++x) {
        const double q = qPerPixel * std::hypot(static_cast<double>(x) + 0.5 - cx, static_cast<double>(y) + 0.5 - cy);
        const double at = std::min(q / qEnd, 1.0) * (kProfile - 1);
        const int i0 = std::min(static_cast<int>(at), kProfile - 2);
        const double frac = at - i0;
        clean[y * size + x] = std::pow(10.0, logI0) * ((1 - frac) * profile[i0] + frac * profile[i0 + 1]);
      }
    const std::vector<double> field = speckleField(size, speckleSize, rng);
    double logMax = 0;
    for (int64_t i = 0; i < size * size; ++i)
      logMax = std::max(logMax, std::log10(clean[i] * field[i] + 1.0));
    if (logMax <= 0)
      logMax = 1.0;
    float *xs = d.x.row(s), *ts = d.target.row(s);
    for (int64_t i = 0; i < size * size; ++i) {
      xs[i] = static_cast<float>(std::clamp(std::log10(clean[i] * field[i] + 1.0) / logMax, 0.0, 1.1));
      ts[i] = static_cast<float>(std::clamp(std::log10(clean[i] + 1.0) / logMax, 0.0, 1.1));
    }
    float *e = d.extra.row(s);
    e[0] = static_cast<float>(r);
    e[1] = static_cast<float>(pd);
    e[2] = static_cast<float>(logI0);
    e[3] = static_cast<float>(logMax);
  }
  return d;
}

} // namespace aec::rt::gen
