/// Loading training and inference data: format dispatch, shape checks, NaN checks.
#include <aec/Config.h>
#include <aec/Csv.h>
#include <aec/Idx.h>
#include <aec/Npy.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace aec::rt {
namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string shapeText(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

} // namespace

void fitShape(Dataset &d, const Dims &shape, const std::string &what) {
  if (shape.empty() || d.x.dims.empty())
    return;
  if (d.x.dims.size() == 1) // a 1-D array is n samples of one value
    d.x.dims.push_back(1);
  const int64_t want = numElements(shape), have = d.x.rowSize();
  if (want != have) {
    std::string detail = d.columns.empty() ? "" : fmt::format(" (columns: {})", fmt::join(d.columns, ", "));
    throw std::runtime_error(fmt::format("'{}' has {} values per sample{}, but the model's {} {} needs {}",
                                         d.source, have, detail, what, shapeText(shape), want));
  }
  Dims dims{d.x.dims[0]};
  dims.insert(dims.end(), shape.begin(), shape.end());
  d.x.dims = dims;
}

void checkFinite(const Dataset &d) {
  auto check = [&](const Array &a, const char *what) {
    const int64_t w = a.rowSize();
    for (size_t i = 0; i < a.data.size(); ++i) {
      if (std::isfinite(a.data[i]))
        continue;
      const int64_t row = static_cast<int64_t>(i) / w;
      const std::string value = std::isnan(a.data[i]) ? "NaN" : "Inf";
      if (!d.lines.empty() && &a == &d.x)
        throw std::runtime_error(fmt::format("{}:{}: {} in column {} (data must be finite)", d.source,
                                             d.lines[row], value, i % w + 1));
      throw std::runtime_error(fmt::format("'{}': {} in {} row {} (1-based; data must be finite)", d.source,
                                           value, what, row + 1));
    }
  };
  check(d.x, "sample");
  if (!d.target.empty())
    check(d.target, "target");
}

namespace {
Dataset loadFile(const std::string &path, const std::string &key, const CsvOptions &csv,
                 const Dims &shape, const char *what) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("cannot open '{}': no such file", path));
  if (std::filesystem::is_directory(path))
    throw std::runtime_error(fmt::format("'{}' is a directory, not a data file", path));
  const std::string name = lower(std::filesystem::path(path).filename().string());
  Dataset d;
  d.source = path;
  if (endsWith(name, ".csv")) {
    CsvTable t = readCsv(path, csv);
    d.x = std::move(t.values);
    d.columns = std::move(t.columns);
    d.lines = std::move(t.lines);
  } else if (!csv.columns.empty()) {
    throw std::runtime_error(fmt::format("'{}': data.columns applies to CSV files only", path));
  } else if (endsWith(name, ".npy")) {
    d.x = readNpy(path);
  } else if (endsWith(name, ".npz")) {
    if (key.empty()) {
      std::vector<std::string> keys = listNpz(path);
      if (keys.size() != 1)
        throw std::runtime_error(fmt::format("'{}' holds {} arrays ({}): name one with data.key", path,
                                             keys.size(), fmt::join(keys, ", ")));
      d.x = readNpzKey(path, keys[0]);
    } else {
      d.x = readNpzKey(path, key);
    }
  } else if (endsWith(name, ".idx") || endsWith(name, ".idx.gz") || name.find("idx") != std::string::npos ||
             endsWith(name, "ubyte") || endsWith(name, "ubyte.gz")) {
    d.x = readIdx(path);
  } else {
    throw std::runtime_error(fmt::format("'{}': unknown data format (use .csv, .npy, .npz, .idx or .idx.gz)", path));
  }
  if (d.x.dims.empty())
    throw std::runtime_error(fmt::format("'{}' holds a scalar, not a data set", path));
  if (d.x.dims[0] == 0)
    throw std::runtime_error(fmt::format("'{}' has no samples", path));
  fitShape(d, shape, what);
  return d;
}
} // namespace

Dataset loadDataFile(const std::string &path, const std::string &key, const CsvOptions &csv,
                     const Dims &shape) {
  return loadFile(path, key, csv, shape, "input");
}

Dataset loadTrainingData(const RunConfig &c, const std::optional<std::string> &pathOverride) {
  Dataset d;
  const std::string path = pathOverride ? *pathOverride : c.path;
  if (!pathOverride && !c.synthetic.empty()) {
    d = generate(c.synthetic, c.generatorParams, c.n, c.dataSeed);
    fitShape(d, c.inputShape, "input");
  } else if (path.empty()) {
    throw std::runtime_error("no training data: pass --data FILE or set data.path / data.synthetic in the model");
  } else {
    d = loadDataFile(path, c.key, c.csv, c.inputShape);
  }
  if (!c.targetPath.empty()) {
    Dataset t = loadFile(c.targetPath, c.targetKey, {}, c.outputShape.empty() ? c.inputShape : c.outputShape,
                         "output");
    if (t.rows() != d.rows())
      throw std::runtime_error(fmt::format("target '{}' has {} samples, the data '{}' has {}", c.targetPath,
                                           t.rows(), d.source, d.rows()));
    d.target = std::move(t.x);
  }
  checkFinite(d);
  return d;
}

} // namespace aec::rt
