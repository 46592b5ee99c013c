#pragma once
/// The names a model library (`aec compile --shared`) exports: the functions of aec/CApi.h,
/// listed beside their definitions (runtime/src/CApi.cpp). The linker keeps these global and
/// hides every other symbol, the runtime's and the generated code's alike.
#include <string>
#include <vector>

namespace aec::rt {

const std::vector<std::string> &cApiSymbols();

} // namespace aec::rt
