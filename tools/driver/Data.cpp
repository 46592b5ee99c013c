/// `aec data`: writes a built-in synthetic data set as CSV (with header) or NPY.
#include "tools/driver/Driver.h"

#include <aec/Csv.h>
#include <aec/Generators.h>
#include <aec/Npy.h>

#include <iostream>

namespace aec::driver {

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
  const std::string &out = opts.output;
  auto endsWith = [&](const char *suffix) {
    std::string s(suffix);
    return out.size() >= s.size() && out.compare(out.size() - s.size(), s.size(), s) == 0;
  };
  if (endsWith(".npy")) {
    rt::writeNpy(out, d.x);
  } else if (endsWith(".csv")) {
    std::vector<std::string> columns = d.columns;
    if (columns.size() != static_cast<size_t>(d.x.rowSize())) {
      columns.clear(); // unnamed features (images): number them
      for (int64_t i = 0; i < d.x.rowSize(); ++i)
        columns.push_back("x" + std::to_string(i));
    }
    rt::writeCsv(out, columns, d.x);
  } else {
    throw std::runtime_error("cannot tell the format of '" + out +
                             "': use a .csv or .npy file name");
  }
  std::cerr << "aec: wrote " << d.rows() << " samples of " << opts.generator << " to " << out
            << "\n";
  return 0;
}

} // namespace aec::driver
