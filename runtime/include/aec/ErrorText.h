#pragma once
/// What the user reads for an exception that reached a command's last catch: its message,
/// except for the C++ library's own exceptions, whose text names an implementation detail
/// (std::bad_alloc, "vector::_M_default_append", "stoi"). Header-only: the trainer's CLI and
/// the compiler's driver (ir/Diagnostics.cpp) both use it.
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

namespace aec {

inline std::string userErrorText(const std::exception &e) {
  if (dynamic_cast<const std::bad_alloc *>(&e))
    return "out of memory: a size in the model or the data is larger than this machine "
           "can hold (check the sizes it declares)";
  // Checks that failed inside the C++ library or aec's own consistency checks: a bug, not a
  // mistake in the input; the library's words go last, for the report.
  if (dynamic_cast<const std::logic_error *>(&e))
    return std::string("internal error (please report it with the input that caused it): ") +
           e.what();
  return e.what();
}

} // namespace aec
