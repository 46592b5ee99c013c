/// Fuzz target: CSV and whitespace text data files (header guess, column selection, numbers,
/// NaN checks).
#include "FuzzUtil.h"

#include <aec/Config.h>
#include <aec/Csv.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string path = aec::fuzz::scratchFile("data.csv", data, size);
  aec::fuzz::expectCleanErrors([&] { aec::rt::checkFinite(aec::rt::loadDataFile(path, "", {}, {2})); });
  aec::fuzz::expectCleanErrors([&] {
    aec::rt::CsvOptions o;
    o.columns = {"1", "0:2", "y"};
    o.header = 1;
    o.skipRows = 1;
    aec::rt::readCsv(path, o);
  });
  aec::fuzz::expectCleanErrors([&] {
    aec::rt::CsvOptions o; // text as np.savetxt writes it: blanks, '#' comments, a commented header
    o.delimiter = 0;
    o.maxRows = 3;
    o.columns = {"1"};
    aec::rt::readCsv(path, o);
  });
  return 0;
}
