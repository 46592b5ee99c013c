#pragma once
/// CSV tables with a header line (and headerless numeric CSV).
#include <aec/Array.h>

#include <string>
#include <vector>

namespace aec::rt {

/// A numeric table read from CSV: `values` is [rows, columns.size()].
struct CsvTable {
  std::vector<std::string> columns;
  Array values;
  std::vector<int64_t> lines; ///< 1-based file line of each row (for error messages)
};

/// How to read a CSV data file (the model's data.columns / data.header / data.skip_rows).
struct CsvOptions {
  /// Columns by name, or by 0-based position ("3", or a range "0:30", end excluded) where
  /// no column has that name; in this order. Empty: all.
  std::vector<std::string> columns;
  int64_t skipRows = 0; ///< lines to skip before the header or the data
  int header = -1;      ///< 1: the first line names the columns, 0: it is data, -1: guess
  /// ',' (CSV), ' ' (cells separated by runs of blanks and tabs, np.savetxt's default), or
  /// 0: ' ' unless the first line that is not a comment has a comma.
  char delimiter = ',';
  int64_t maxRows = -1; ///< stop reading after this many data rows (-1: all)
};

/// Reads `path`. The first line (after `skipRows`) is the header unless `header` is 0 or,
/// when guessing, all of its cells are numbers (then the columns are named "0", "1", ...).
/// Lines starting with '#' are comments (np.savetxt writes its header as one): when the
/// first line is data, the comment just above it names the columns if it has as many
/// cells and they are not all numbers (np.genfromtxt's names=True reads it so).
/// Errors: "f.csv:1: no column 'q' (it has: a, b)", "f.csv:7:3: cannot read 'abc' as a number",
/// "f.csv:9: 4 cells, expected 5". Blank lines are skipped; line numbers are 1-based.
CsvTable readCsv(const std::string &path, const CsvOptions &options = {});

/// Writes a header line and one row per leading index of `values` (rows flattened) atomically.
/// Numbers are written with enough digits to round-trip a float32.
void writeCsv(const std::string &path, const std::vector<std::string> &columns, const Array &values);

/// Splits "a, b,c" at commas and trims blanks (the `data.columns` setting).
std::vector<std::string> splitList(const std::string &text, char sep = ',');

} // namespace aec::rt
