/// Colour columns of the latent picture: a labels file (numbers or text classes), a column
/// of the data or its truth, and the class names a reader of the picture wants to see.
#include "plot/ColorBy.h"

#include <aec/AtomicFile.h>
#include <aec/Config.h>
#include <aec/Csv.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

namespace aec::rt::plot {
namespace {

bool parseNumber(const std::string &s, double *v) {
  char *end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

/// Fashion-MNIST's names when `values` are its labels 0..9 and a file involved says fashion.
void nameFashionClasses(ColorColumn &c, const std::vector<std::string> &paths) {
  const std::string key = "fashion";
  const bool fashion = std::any_of(paths.begin(), paths.end(), [&](const std::string &p) {
    return std::search(p.begin(), p.end(), key.begin(), key.end(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != p.end();
  });
  const bool labels = !c.values.empty() && std::all_of(c.values.begin(), c.values.end(), [](double v) {
    return v >= 0 && v <= 9 && v == std::round(v);
  });
  if (fashion && labels && c.classNames.empty())
    c.classNames = fashionMnistClasses();
}

} // namespace

const std::vector<std::string> &fashionMnistClasses() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

std::string labelsBeside(const std::string &imagesPath) {
  const std::filesystem::path p(imagesPath);
  std::string name = p.filename().string();
  const size_t at = name.find("-images-idx3-ubyte");
  if (at == std::string::npos)
    return "";
  name.replace(at, std::string("-images-idx3-ubyte").size(), "-labels-idx1-ubyte");
  const std::filesystem::path labels = p.parent_path() / name;
  std::error_code ec;
  return std::filesystem::is_regular_file(labels, ec) ? labels.string() : "";
}

ColorColumn readLabelColumn(const std::string &path, const std::string &column) {
  std::istringstream in(readFile(path));
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lineOf;
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::vector<std::string> cells = splitList(line);
    if (!cells.empty())
      rows.push_back(std::move(cells)), lineOf.push_back(n);
  }
  if (rows.empty())
    throw std::runtime_error(fmt::format("labels '{}' are empty", path));
  // A header names the columns unless all of its cells are numbers.
  double v;
  const bool header = !std::all_of(rows[0].begin(), rows[0].end(), [&](const std::string &s) { return parseNumber(s, &v); });
  std::vector<std::string> names = rows[0];
  if (!header)
    for (size_t i = 0; i < names.size(); ++i)
      names[i] = std::to_string(i);
  size_t col = 0;
  if (!column.empty()) {
    auto it = std::find(names.begin(), names.end(), column);
    if (it == names.end())
      throw std::runtime_error(fmt::format("{}:1: no column '{}' (it has: {})", path, column, fmt::join(names, ", ")));
    col = static_cast<size_t>(it - names.begin());
  }
  ColorColumn c;
  c.name = header ? names[col] : "label";
  std::vector<std::string> cells;
  for (size_t r = header ? 1 : 0; r < rows.size(); ++r) {
    if (rows[r].size() != names.size())
      throw std::runtime_error(
          fmt::format("{}:{}: {} cells, expected {}", path, lineOf[r], rows[r].size(), names.size()));
    cells.push_back(rows[r][col]);
  }
  const bool numbers = std::all_of(cells.begin(), cells.end(), [&](const std::string &s) { return parseNumber(s, &v); });
  if (numbers) {
    for (const auto &s : cells)
      c.values.push_back(std::strtod(s.c_str(), nullptr));
    return c;
  }
  // Text classes: indices in sorted order, so that the legend reads alphabetically.
  const std::set<std::string> distinct(cells.begin(), cells.end());
  if (distinct.size() > 10)
    throw std::runtime_error(fmt::format("labels '{}': column '{}' has {} different texts; colours tell at most 10 "
                                         "classes apart",
                                         path, c.name, distinct.size()));
  c.classNames.assign(distinct.begin(), distinct.end());
  for (const auto &s : cells)
    c.values.push_back(static_cast<double>(std::find(c.classNames.begin(), c.classNames.end(), s) - c.classNames.begin()));
  return c;
}

ColorColumn colorColumn(const Dataset &data, const Array &rawX, const std::vector<int64_t> &rows, const PlotOptions &o) {
  std::string labelsPath = o.labelsPath;
  if (labelsPath.empty() && o.colorBy.empty() && data.extraColumns.empty())
    labelsPath = labelsBeside(data.source);
  ColorColumn c;
  if (!labelsPath.empty()) {
    ColorColumn all;
    if (std::filesystem::path(labelsPath).extension() == ".csv") {
      all = readLabelColumn(labelsPath, o.colorBy);
    } else {
      const Array labels = loadDataFile(labelsPath, "", {}, {}).x;
      all.name = "label";
      for (int64_t r = 0; r < labels.rows(); ++r)
        all.values.push_back(labels.row(r)[0]);
    }
    if (static_cast<int64_t>(all.values.size()) != data.rows()) {
      if (o.labelsPath.empty())
        return c; // labels found beside the data that do not belong to it: no colours
      throw std::runtime_error(fmt::format("labels '{}' have {} rows, the data '{}' has {}", labelsPath,
                                           all.values.size(), data.source, data.rows()));
    }
    c.name = all.name, c.classNames = all.classNames;
    for (int64_t r : rows)
      c.values.push_back(all.values[static_cast<size_t>(r)]);
    nameFashionClasses(c, {labelsPath, data.source});
    return c;
  }
  auto find = [](const std::vector<std::string> &cols, const std::string &name) {
    auto it = std::find(cols.begin(), cols.end(), name);
    return it == cols.end() ? -1 : static_cast<int64_t>(it - cols.begin());
  };
  std::string column = o.colorBy;
  if (column.empty()) {
    if (data.extraColumns.empty() || data.extra.rows() != data.rows())
      return c;
    column = data.extraColumns[0];
  }
  c.name = column;
  if (int64_t j = find(data.extraColumns, column); j >= 0 && data.extra.rows() == data.rows()) {
    for (int64_t r : rows)
      c.values.push_back(data.extra.row(r)[j]);
  } else if (int64_t k = find(data.columns, column); k >= 0) {
    for (size_t i = 0; i < rows.size(); ++i)
      c.values.push_back(rawX.row(static_cast<int64_t>(i))[k]);
  } else {
    std::vector<std::string> known = data.columns;
    known.insert(known.end(), data.extraColumns.begin(), data.extraColumns.end());
    const std::string have = known.empty() ? "it has no named columns" : fmt::format("it has: {}", fmt::join(known, ", "));
    throw std::runtime_error(fmt::format("--color-by '{}': the data '{}' has no such column ({}); pass --labels FILE",
                                         column, data.source, have));
  }
  return c;
}

} // namespace aec::rt::plot
