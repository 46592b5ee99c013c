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

/// Reads `path`. The first line is the header unless all of its cells are numbers (then the
/// columns are named "0", "1", ...). `select` picks columns by name, in that order (empty: all).
/// Errors: "f.csv:1: no column 'q' (it has: a, b)", "f.csv:7:3: cannot read 'abc' as a number",
/// "f.csv:9: 4 cells, expected 5". Blank lines are skipped; line numbers are 1-based.
CsvTable readCsv(const std::string &path, const std::vector<std::string> &select = {});

/// Writes a header line and one row per leading index of `values` (rows flattened) atomically.
/// Numbers are written with enough digits to round-trip a float32.
void writeCsv(const std::string &path, const std::vector<std::string> &columns, const Array &values);

/// Splits "a, b,c" at commas and trims blanks (the `data.columns` setting).
std::vector<std::string> splitList(const std::string &text, char sep = ',');

} // namespace aec::rt
