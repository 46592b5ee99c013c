#include <aec/Normalization.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace aec::rt {

Normalizer::Normalizer(const std::string &kind, const std::string &transform) : transform_(transform), kindText_(kind) {
  if (kind.empty() || kind == "none")
    kind_ = Kind::None;
  else if (kind == "standard")
    kind_ = Kind::Standard;
  else if (kind == "minmax")
    kind_ = Kind::MinMax;
  else if (kind == "max")
    kind_ = Kind::Max;
  else if (kind.rfind("scale:", 0) == 0) {
    kind_ = Kind::Scale;
    char *end = nullptr;
    fixedScale_ = std::strtod(kind.c_str() + 6, &end);
    if (*end != '\0' || !(fixedScale_ > 0) || !std::isfinite(fixedScale_))
      throw std::runtime_error(fmt::format("normalize: scale must be a positive number, got '{}'", kind.substr(6)));
    shift_ = {0.0f};
    divisor_ = {static_cast<float>(fixedScale_)};
  } else
    throw std::runtime_error(fmt::format("unknown normalize '{}' (known: standard, minmax, max, {{scale: S}})", kind));
  if (!transform_.empty() && transform_ != "none" && transform_ != "log10p1")
    throw std::runtime_error(fmt::format("unknown transform '{}' (known: log10p1)", transform_));
  if (transform_ == "none")
    transform_.clear();
}

void Normalizer::forwardTransform(Array &x) const {
  if (transform_ == "log10p1")
    for (float &v : x.data)
      v = static_cast<float>(std::log10(1.0 + v));
}

void Normalizer::inverseTransform(Array &x) const {
  if (transform_ == "log10p1")
    for (float &v : x.data)
      v = static_cast<float>(std::pow(10.0, v) - 1.0);
}

void Normalizer::fit(const Array &raw, int64_t rows) {
  if (kind_ == Kind::None || kind_ == Kind::Scale)
    return;
  if (rows <= 0)
    throw std::runtime_error("cannot compute normalization statistics: no training rows");
  Array x = sliceRows(raw, 0, rows);
  forwardTransform(x);
  const int64_t w = x.rowSize();
  // Accumulate in double: float sums over 10^5 rows lose digits the stats are compared on.
  if (kind_ == Kind::Max) {
    double m = 0;
    for (float v : x.data)
      m = std::max(m, static_cast<double>(std::fabs(v)));
    shift_ = {0.0f};
    divisor_ = {static_cast<float>(m > 0 ? m : 1.0)};
    return;
  }
  shift_.assign(w, 0.0f);
  divisor_.assign(w, 1.0f);
  for (int64_t j = 0; j < w; ++j) {
    double a = 0, b = 0, lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < rows; ++i) {
      double v = x.data[i * w + j];
      a += v;
      b += v * v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (kind_ == Kind::Standard) {
      double mean = a / rows;
      double var = std::max(0.0, b / rows - mean * mean);
      double sd = std::sqrt(var);
      shift_[j] = static_cast<float>(mean);
      divisor_[j] = static_cast<float>(sd > 0 ? sd : 1.0); // constant feature: leave it centred
    } else {
      shift_[j] = static_cast<float>(lo);
      divisor_[j] = static_cast<float>(hi > lo ? hi - lo : 1.0);
    }
  }
}

void Normalizer::apply(Array &x) const {
  forwardTransform(x);
  if (kind_ == Kind::None)
    return;
  if (shift_.empty())
    throw std::logic_error("Normalizer::apply before fit/restore");
  const size_t w = shift_.size();
  if (w > 1 && static_cast<int64_t>(w) != x.rowSize())
    throw std::runtime_error(fmt::format("normalization statistics are for {} features, the data has {}", w, x.rowSize()));
  for (size_t i = 0; i < x.data.size(); ++i) {
    size_t j = w == 1 ? 0 : i % w;
    x.data[i] = (x.data[i] - shift_[j]) / divisor_[j];
  }
}

void Normalizer::invert(Array &x) const {
  if (kind_ != Kind::None) {
    const size_t w = shift_.size();
    if (w > 1 && static_cast<int64_t>(w) != x.rowSize())
      throw std::runtime_error(fmt::format("normalization statistics are for {} features, the output has {}", w,
                                           x.rowSize()));
    for (size_t i = 0; i < x.data.size(); ++i) {
      size_t j = w == 1 ? 0 : i % w;
      x.data[i] = x.data[i] * divisor_[j] + shift_[j];
    }
  }
  inverseTransform(x);
}

NpzEntries Normalizer::entries() const {
  const int64_t w = static_cast<int64_t>(shift_.size());
  switch (kind_) {
  case Kind::Standard:
    return {{"normalization/mean", Array({w}, shift_)}, {"normalization/std", Array({w}, divisor_)}};
  case Kind::MinMax: {
    std::vector<float> hi(w);
    for (int64_t j = 0; j < w; ++j)
      hi[j] = shift_[j] + divisor_[j];
    return {{"normalization/min", Array({w}, shift_)}, {"normalization/max", Array({w}, hi)}};
  }
  case Kind::Max:
    return {{"normalization/max", Array({}, divisor_)}};
  case Kind::Scale:
    return {{"normalization/scale", Array({}, divisor_)}};
  default:
    return {};
  }
}

bool Normalizer::canRestore(const std::map<std::string, Array> &arrays) const {
  switch (kind_) {
  case Kind::Standard: return arrays.count("normalization/mean") && arrays.count("normalization/std");
  case Kind::MinMax: return arrays.count("normalization/min") && arrays.count("normalization/max");
  case Kind::Max: return arrays.count("normalization/max");
  default: return true; // scale:S is fixed by the settings
  }
}

void Normalizer::restore(const std::map<std::string, Array> &arrays, const std::string &file) {
  auto get = [&](const std::string &key) -> const Array & {
    auto it = arrays.find(key);
    if (it == arrays.end())
      throw std::runtime_error(fmt::format("weights file '{}' has no '{}': the model normalizes its input "
                                           "({}) and needs the statistics saved by `train`",
                                           file, key, kindText_));
    return it->second;
  };
  switch (kind_) {
  case Kind::Standard:
    shift_ = get("normalization/mean").data;
    divisor_ = get("normalization/std").data;
    break;
  case Kind::MinMax: {
    shift_ = get("normalization/min").data;
    const auto &hi = get("normalization/max").data;
    if (hi.size() != shift_.size())
      throw std::runtime_error(fmt::format("weights file '{}': normalization/min and /max differ in size", file));
    divisor_.resize(hi.size());
    for (size_t j = 0; j < hi.size(); ++j)
      divisor_[j] = hi[j] - shift_[j];
    break;
  }
  case Kind::Max:
    divisor_ = get("normalization/max").data;
    shift_ = {0.0f};
    break;
  default:
    break; // None needs nothing; Scale comes from the settings
  }
  if (shift_.size() != divisor_.size() || (kind_ != Kind::None && divisor_.empty()))
    throw std::runtime_error(fmt::format("weights file '{}': malformed normalization statistics", file));
}

std::string Normalizer::describe(int64_t fitRows) const {
  const std::string from =
      fitRows > 0 ? fmt::format("of the {} training samples", fitRows) : std::string("restored from the checkpoint");
  std::string what;
  switch (kind_) {
  case Kind::None: what = "none (the data as it is)"; break;
  case Kind::Standard: what = fmt::format("standard (mean and std per feature {})", from); break;
  case Kind::MinMax: what = fmt::format("minmax (min and max per feature {})", from); break;
  case Kind::Max: what = fmt::format("max (largest |value| {})", from); break;
  case Kind::Scale: what = fmt::format("/{:g} (fixed, data.normalize {{scale: {:g}}})", fixedScale_, fixedScale_); break;
  }
  return transform_.empty() ? what : fmt::format("{} after {}", what, transform_);
}

std::string Normalizer::rescaleWarning(const Array &raw, const std::string &source) const {
  // Only a fixed scale can be wrong for the data: fitted kinds adapt to any range.
  if (kind_ != Kind::Scale || fixedScale_ <= 1 || !transform_.empty() || raw.data.empty())
    return "";
  float lo = raw.data[0], hi = raw.data[0];
  for (float v : raw.data) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo < 0 || hi > 1 || hi <= 0)
    return "";
  return fmt::format("'{}' is already in [0, 1] (max {:g}), and data.normalize {{scale: {:g}}} divides it by {:g} "
                     "again: drop normalize from the model, or give the data in its raw units",
                     source, hi, fixedScale_, fixedScale_);
}

} // namespace aec::rt
