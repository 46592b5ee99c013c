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
#include <fstream>
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

/// True when the first 4 KiB of `path` are text (printable ASCII, blanks, UTF-8 bytes): a
/// table of numbers with some other name than .csv / .txt / .dat.
bool looksLikeText(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  char buf[4096];
  in.read(buf, sizeof buf);
  const std::streamsize n = in.gcount();
  for (std::streamsize i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(buf[i]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
      return false;
  }
  return n > 0;
}

/// IDX files by name (Fashion-MNIST's are "...-idx3-ubyte.gz").
bool isIdxName(const std::string &name) {
  return endsWith(name, ".idx") || endsWith(name, ".idx.gz") || name.find("idx") != std::string::npos ||
         endsWith(name, "ubyte") || endsWith(name, "ubyte.gz");
}

/// Whether loadFile reads `path` as a text table: .csv (split at commas), and .txt, .dat or
/// any other file that is not binary by name and whose first bytes are text.
bool isTextTable(const std::string &path) {
  const std::string name = lower(std::filesystem::path(path).filename().string());
  if (endsWith(name, ".csv"))
    return true;
  const bool binary = endsWith(name, ".npy") || endsWith(name, ".npz") || isIdxName(name);
  return !binary && (endsWith(name, ".txt") || endsWith(name, ".dat") || looksLikeText(path));
}

/// "the first N samples" / "samples a to b - 1", as data.rows says them.
std::string rowsText(const RowRange &r) {
  return r.begin == 0 ? fmt::format("the first {} samples", r.end)
                      : fmt::format("samples {} to {} ([{}, {}])", r.begin, r.end - 1, r.begin, r.end);
}

/// Keeps rows [r.begin, r.end) of `a`; `available` is how many the file has (for the error).
void keepRows(Array &a, const RowRange &r, int64_t available, const std::string &path) {
  if (r.all())
    return;
  if (r.end > available)
    throw std::runtime_error(fmt::format("'{}' has {} samples, but data.rows asks for {}", path, available,
                                         rowsText(r)));
  a = sliceRows(a, r.begin, r.end);
}

Dataset loadFile(const std::string &path, const std::string &key, const CsvOptions &csv,
                 const Dims &shape, const char *what, const RowRange &rows = {}) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("cannot open '{}': no such file", path));
  if (std::filesystem::is_directory(path))
    throw std::runtime_error(fmt::format("'{}' is a directory, not a data file", path));
  const std::string name = lower(std::filesystem::path(path).filename().string());
  Dataset d;
  d.source = path;
  // Text tables: .csv at commas; .txt, .dat and any other text file at commas when its
  // first line has one, else at blanks (np.savetxt's default).
  if (isTextTable(path)) {
    CsvOptions text = csv;
    text.delimiter = endsWith(name, ".csv") ? ',' : 0;
    if (!rows.all())
      text.maxRows = rows.end; // reads no further than the rows asked for
    CsvTable t = readCsv(path, text);
    d.x = std::move(t.values);
    d.columns = std::move(t.columns);
    d.lines = std::move(t.lines);
  } else if (!csv.columns.empty()) {
    throw std::runtime_error(fmt::format("'{}': data.columns applies to CSV and text files only", path));
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
  } else if (isIdxName(name)) {
    d.x = readIdx(path, rows.all() ? -1 : rows.end);
  } else {
    throw std::runtime_error(fmt::format(
        "'{}': unknown data format (use .csv, .txt or .dat text, .npy, .npz, .idx or .idx.gz)", path));
  }
  if (d.x.dims.empty())
    throw std::runtime_error(fmt::format("'{}' holds a scalar, not a data set", path));
  if (d.x.dims[0] == 0)
    throw std::runtime_error(fmt::format("'{}' has no samples", path));
  if (!rows.all()) {
    keepRows(d.x, rows, d.x.dims[0], path);
    if (!d.lines.empty())
      d.lines = std::vector<int64_t>(d.lines.begin() + rows.begin, d.lines.begin() + rows.end);
  }
  fitShape(d, shape, what);
  return d;
}

/// The paired targets `path` of `d` (data.target), the same rows.
void loadTarget(Dataset &d, const std::string &path, const std::string &key, const RowRange &rows,
                const Dims &shape) {
  Dataset t = loadFile(path, key, {}, shape, "output", rows);
  if (t.rows() != d.rows())
    throw std::runtime_error(fmt::format("target '{}' has {} samples, the data '{}' has {}", path, t.rows(),
                                         d.source, d.rows()));
  d.target = std::move(t.x);
}

} // namespace

Dataset loadDataFile(const std::string &path, const std::string &key, const CsvOptions &csv,
                     const Dims &shape, const RowRange &rows) {
  return loadFile(path, key, csv, shape, "input", rows);
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
    d = loadDataFile(path, c.key, c.csv, c.inputShape, c.rows);
  }
  if (!c.targetPath.empty())
    loadTarget(d, c.targetPath, c.targetKey, c.rows, c.outputShape.empty() ? c.inputShape : c.outputShape);
  checkFinite(d);
  return d;
}

void appendValidationData(Dataset &d, const RunConfig &c) {
  const ValidationDataConfig &v = c.validation;
  CsvOptions csv = v.csv;
  if (v.columnsInherited && !isTextTable(v.path))
    csv.columns.clear(); // data's columns, for a validation file that is no table
  Dataset val;
  try {
    val = loadFile(v.path, v.key, csv, c.inputShape, "input", v.rows);
    if (!v.targetPath.empty())
      loadTarget(val, v.targetPath, v.targetKey, v.rows, c.outputShape.empty() ? c.inputShape : c.outputShape);
    checkFinite(val);
  } catch (const std::runtime_error &e) {
    throw std::runtime_error(fmt::format("validation data: {}", e.what()));
  }
  if (val.target.empty() != d.target.empty())
    throw std::runtime_error(fmt::format(
        "validation data '{}' {} a target, but the training data '{}' {}: give validation_data a 'target' "
        "exactly when data has one",
        v.path, val.target.empty() ? "has no" : "has", d.source, d.target.empty() ? "has none" : "has one"));
  auto append = [](Array &to, const Array &from) {
    to.data.insert(to.data.end(), from.data.begin(), from.data.end());
    to.dims[0] += from.dims[0];
  };
  append(d.x, val.x);
  if (!d.target.empty())
    append(d.target, val.target);
  d.validationRows = val.rows();
}

} // namespace aec::rt
