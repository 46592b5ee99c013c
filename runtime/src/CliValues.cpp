/// Strict parsing of the trainer's numeric flag values (aec/CliValues.h).
#include <aec/CliValues.h>

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace aec::rt {
namespace {

std::runtime_error bad(const std::string &flag, const std::string &expected, const std::string &text) {
  return std::runtime_error(fmt::format("{}: expected {}, got '{}'", flag, expected, text));
}

/// Digits only, optionally after a '-' (so "+5", " 5", "5 " and "0x5" are refused).
bool isDecimal(const std::string &text) {
  const size_t from = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == from)
    return false;
  for (size_t i = from; i < text.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
  return true;
}

/// A plain decimal number ("0.01", "1e-3", "5"); nan, inf, hex floats and trailing text fail.
bool parseNumber(const std::string &text, double *value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  for (char c : text)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
      return false;
  errno = 0;
  char *end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(*value);
}

} // namespace

int64_t parseIntegerFlag(const std::string &flag, const std::string &text, int64_t min, int64_t max) {
  const std::string expected = max == std::numeric_limits<int64_t>::max()
                                   ? fmt::format("an integer >= {}", min)
                                   : fmt::format("an integer from {} to {}", min, max);
  if (!isDecimal(text))
    throw bad(flag, expected, text);
  errno = 0;
  char *end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno == ERANGE || v < min || v > max)
    throw bad(flag, expected, text);
  return v;
}

uint64_t parseSeedFlag(const std::string &flag, const std::string &text) {
  const std::string expected = "an integer from 0 to 18446744073709551615";
  if (!isDecimal(text) || text[0] == '-')
    throw bad(flag, expected, text);
  errno = 0;
  char *end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno == ERANGE)
    throw bad(flag, expected, text);
  return v;
}

bool isPositiveFloat32(double v) {
  return v > 0 && v <= std::numeric_limits<float>::max() && static_cast<float>(v) != 0.0f;
}

double parsePositiveFlag(const std::string &flag, const std::string &text) {
  double v = 0;
  if (!parseNumber(text, &v) || !isPositiveFloat32(v))
    throw bad(flag, PositiveFloat32Text, text);
  return v;
}

std::string CheckpointInterval::text() const {
  if (epochs > 0)
    return fmt::format("{}e", epochs);
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0)
    return fmt::format("{}h", seconds / 3600);
  if (seconds >= 60 && std::fmod(seconds, 60) == 0)
    return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

CheckpointInterval parseCheckpointInterval(const std::string &flag, const std::string &text) {
  const std::string expected = "a positive number and a unit: s, m or h (time, e.g. 30s, 5m, 1h) or e (epochs, e.g. 1e)";
  if (text.size() < 2)
    throw bad(flag, expected, text);
  const char unit = text.back();
  const std::string number = text.substr(0, text.size() - 1);
  CheckpointInterval out;
  if (unit == 'e') {
    out.seconds = 0;
    try {
      out.epochs = parseIntegerFlag(flag, number, 1, std::numeric_limits<int32_t>::max());
    } catch (const std::runtime_error &) {
      throw bad(flag, expected, text); // the message quotes the whole value, unit included
    }
    return out;
  }
  const double scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  double v = 0;
  if (scale == 0 || !parseNumber(number, &v) || !(v > 0) || v * scale > 1e9)
    throw bad(flag, expected, text);
  out.seconds = v * scale;
  return out;
}

} // namespace aec::rt
