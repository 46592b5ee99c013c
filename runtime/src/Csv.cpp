/// CSV reading (header, column selection, precise error locations) and writing.
#include <aec/AtomicFile.h>
#include <aec/Csv.h>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace aec::rt {
namespace {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r");
  std::string t = s.substr(b, e - b + 1);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"')
    t = t.substr(1, t.size() - 2);
  return t;
}

/// Cells of one line: split at `delimiter` (no quoted commas: numeric tables do not need
/// them), or at runs of blanks and tabs when it is ' '.
std::vector<std::string> cells(const std::string &line, char delimiter) {
  std::vector<std::string> out;
  if (delimiter == ' ') {
    std::istringstream words(line);
    std::string w;
    while (words >> w)
      out.push_back(trim(w));
    return out;
  }
  size_t pos = 0;
  while (true) {
    size_t c = line.find(delimiter, pos);
    out.push_back(trim(line.substr(pos, c == std::string::npos ? std::string::npos : c - pos)));
    if (c == std::string::npos)
      return out;
    pos = c + 1;
  }
}

bool parseNumber(const std::string &s, float &v) {
  if (s.empty())
    return false;
  const char *b = s.data(), *e = s.data() + s.size();
  if (*b == '+')
    ++b;
  double d;
  auto [ptr, ec] = std::from_chars(b, e, d);
  if (ec == std::errc::result_out_of_range) {
    // Denormals and overflow: still numbers; let strtod pick 0 / inf.
    d = std::strtod(std::string(b, e).c_str(), nullptr);
  } else if (ec != std::errc() || ptr != e) {
    return false;
  }
  v = static_cast<float>(d);
  return true;
}

bool isBlank(const std::string &line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

/// A '#' comment line (np.savetxt's header and footer).
bool isComment(const std::string &line) {
  const size_t first = line.find_first_not_of(" \t\r");
  return first != std::string::npos && line[first] == '#';
}

/// The line's cells when they are all numbers.
bool allNumbers(const std::vector<std::string> &row) {
  for (const auto &c : row) {
    float v;
    if (!parseNumber(c, v))
      return false;
  }
  return true;
}

} // namespace

std::vector<std::string> splitList(const std::string &text, char sep) {
  std::vector<std::string> out;
  if (isBlank(text))
    return out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, sep))
    out.push_back(trim(item));
  return out;
}

namespace {
/// Resolves one column selector to positions: a column name, else a position "3" or a range
/// "0:30" (end excluded). Empty when it is none of these.
std::vector<size_t> resolveColumn(const std::string &sel, const std::vector<std::string> &names) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == sel)
      return {i};
  auto number = [](const std::string &t, size_t &v) {
    // from_chars, not stoul: a position too large for size_t is no column, not an exception.
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && ec == std::errc() && end == t.data() + t.size();
  };
  size_t a, b, colon = sel.find(':');
  if (colon == std::string::npos)
    return number(sel, a) && a < names.size() ? std::vector<size_t>{a} : std::vector<size_t>{};
  if (!number(sel.substr(0, colon), a) || !number(sel.substr(colon + 1), b) || a >= b ||
      b > names.size())
    return {};
  std::vector<size_t> out;
  for (size_t i = a; i < b; ++i)
    out.push_back(i);
  return out;
}
} // namespace

CsvTable readCsv(const std::string &path, const CsvOptions &options) {
  const std::vector<std::string> &select = options.columns;
  std::istringstream in(readFile(path));
  std::string line, comment;
  int64_t lineNo = 0;
  for (; lineNo < options.skipRows && std::getline(in, line); ++lineNo) {
  }
  line.clear();
  while (std::getline(in, line)) {
    ++lineNo;
    if (lineNo == 1 && options.skipRows == 0 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
      line = line.substr(3); // UTF-8 BOM written by spreadsheet programs
    if (isComment(line))
      comment = line.substr(line.find('#') + 1);
    else if (!isBlank(line))
      break;
    else
      comment.clear(); // only a comment right above the first line can name the columns
  }
  if (isBlank(line) || isComment(line))
    throw std::runtime_error(fmt::format("'{}' is empty", path));
  const char delimiter = options.delimiter ? options.delimiter : line.find(',') != std::string::npos ? ',' : ' ';

  CsvTable table;
  std::vector<std::string> first = cells(line, delimiter);
  const bool numeric = allNumbers(first);
  // A plain header line, or np.savetxt's "# a b c" right above numeric data.
  const std::vector<std::string> commented = cells(comment, delimiter);
  const bool commentNames = numeric && !comment.empty() && commented.size() == first.size() && !allNumbers(commented);
  const bool commentHeader = options.header != 0 && commentNames;
  const bool plainHeader = !commentHeader && (options.header == 1 || (options.header < 0 && !numeric));
  int64_t firstDataLine = lineNo;
  if (plainHeader) {
    table.columns = first;
    firstDataLine = -1;
  } else if (commentHeader) {
    table.columns = commented;
  } else {
    for (size_t i = 0; i < first.size(); ++i)
      table.columns.push_back(std::to_string(i));
  }
  const size_t width = table.columns.size();

  std::vector<size_t> pick;
  if (select.empty()) {
    for (size_t i = 0; i < width; ++i)
      pick.push_back(i);
  } else {
    std::vector<std::string> picked;
    for (const auto &name : select) {
      std::vector<size_t> at = resolveColumn(name, table.columns);
      if (at.empty()) {
        std::string have;
        for (size_t j = 0; j < width; ++j)
          have += (j ? ", " : "") + table.columns[j];
        throw std::runtime_error(fmt::format(
            "{}:{}: no column '{}' (it has: {}; or give 0-based positions like 3 or 0:{})", path,
            lineNo, name, have, width));
      }
      for (size_t i : at) {
        pick.push_back(i);
        picked.push_back(table.columns[i]);
      }
    }
    table.columns = picked;
  }

  std::vector<float> values;
  int64_t rows = 0;
  auto addRow = [&](const std::string &text, int64_t no) {
    std::vector<std::string> row = cells(text, delimiter);
    if (row.size() != width)
      throw std::runtime_error(fmt::format("{}:{}: {} cells, expected {} (as in the header)", path, no,
                                           row.size(), width));
    for (size_t j = 0; j < pick.size(); ++j) {
      const size_t k = pick[j];
      float v;
      if (!parseNumber(row[k], v))
        throw std::runtime_error(fmt::format("{}:{}:{}: cannot read '{}' as a number (column '{}')", path,
                                             no, k + 1, row[k], table.columns[j]));
      values.push_back(v);
    }
    table.lines.push_back(no);
    ++rows;
  };
  const auto full = [&] { return options.maxRows >= 0 && rows >= options.maxRows; };
  if (firstDataLine > 0 && !full())
    addRow(line, firstDataLine);
  while (!full() && std::getline(in, line)) {
    ++lineNo;
    if (!isBlank(line) && !isComment(line))
      addRow(line, lineNo);
  }
  table.values = Array({rows, static_cast<int64_t>(pick.size())}, std::move(values));
  return table;
}

void writeCsv(const std::string &path, const std::vector<std::string> &columns, const Array &values) {
  const int64_t rows = values.rows(), w = values.rowSize();
  if (static_cast<int64_t>(columns.size()) != w)
    throw std::runtime_error(fmt::format("cannot write '{}': {} column names for {} values per row", path,
                                         columns.size(), w));
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i)
    out += (i ? "," : "") + columns[i];
  out += '\n';
  fmt::memory_buffer buf;
  for (int64_t r = 0; r < rows; ++r) {
    const float *p = values.row(r);
    for (int64_t c = 0; c < w; ++c) {
      if (c)
        buf.push_back(',');
      // fmt's shortest representation round-trips the float exactly.
      fmt::format_to(std::back_inserter(buf), "{}", p[c]);
    }
    buf.push_back('\n');
  }
  out.append(buf.data(), buf.size());
  writeFileAtomically(path, out);
}

} // namespace aec::rt
