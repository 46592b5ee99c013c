/// `aec data`: writes a built-in synthetic data set as CSV (with header), NPY (images keep
/// their [n, H, W, C] shape) or NPZ (x and, for paired generators, target).
#include "tools/driver/Driver.h"

#include <aec/Csv.h>
#include <aec/Generators.h>
#include <aec/Npy.h>

#include <iostream>

namespace aec::driver {

namespace {
bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string fmtColumns(const std::vector<std::string> &columns) {
  std::string out;
  for (const std::string &c : columns)
    out += (out.empty() ? "" : ", ") + c;
  return out;
}

/// Writes `a` as .npy or as .csv with a header (unnamed features, e.g. pixels, are numbered).
void writeTable(const std::string &path, std::vector<std::string> columns, const rt::Array &a) {
  if (endsWith(path, ".npy")) {
    rt::writeNpy(path, a);
    return;
  }
  if (!endsWith(path, ".csv"))
    throw std::runtime_error("cannot tell the format of '" + path +
                             "': use a .csv or .npy file name");
  if (columns.size() != static_cast<size_t>(a.rowSize())) {
    columns.clear();
    for (int64_t i = 0; i < a.rowSize(); ++i)
      columns.push_back("x" + std::to_string(i));
  }
  rt::writeCsv(path, columns, a);
}
} // namespace

int runData(const DataOptions &opts) {
  std::map<std::string, std::string> params;
  for (const std::string &kv : opts.params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::runtime_error("--param needs KEY=VALUE, got '" + kv + "'");
    params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (opts.n <= 0)
    throw std::runtime_error("--n must be positive, got " + std::to_string(opts.n));
  rt::Dataset d = rt::generate(opts.generator, params, opts.n, opts.seed);
  if (!opts.target.empty() && d.target.empty())
    throw std::runtime_error("generator '" + opts.generator + "' has no separate targets");
  if (endsWith(opts.output, ".npz")) {
    // One file for a whole paired set: data: {path: f.npz, key: x, target: {path: f.npz, key: target}}.
    rt::NpzEntries entries = {{"x", d.x}};
    if (!d.target.empty())
      entries.emplace_back("target", d.target);
    rt::writeNpz(opts.output, entries, true);
  } else {
    writeTable(opts.output, d.columns, d.x);
  }
  std::cerr << "aec: wrote " << d.rows() << " samples of " << opts.generator << " to "
            << opts.output << "\n";
  if (!opts.target.empty()) {
    writeTable(opts.target, d.columns, d.target);
    std::cerr << "aec: wrote its clean targets to " << opts.target << "\n";
  } else if (!d.target.empty() && !endsWith(opts.output, ".npz")) {
    std::cerr << "aec: note: " << opts.generator
              << " is paired; pass --target FILE (or write an .npz) to keep the clean targets\n";
  }
  if (!opts.truth.empty()) {
    if (d.extra.data.empty())
      throw std::runtime_error("generator '" + opts.generator + "' has no per-sample truth");
    writeTable(opts.truth, d.extraColumns, d.extra);
    std::cerr << "aec: wrote its truth (" << fmtColumns(d.extraColumns) << ") to " << opts.truth
              << "\n";
  }
  return 0;
}

} // namespace aec::driver
