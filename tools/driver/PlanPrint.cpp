/// The memory plan and the kernels after fusion, as `aec check` (one line per
/// function) and `aec dump --stage opt` (every kernel and arena slot) print them.
#include "tools/driver/Driver.h"

#include <fmt/format.h>

#include <map>

namespace aec::driver {

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

namespace {
/// 5962269888 -> "5.96 GB", 72064 -> "72.1 kB" (decimal units, three digits).
std::string humanBytes(int64_t bytes) {
  const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
  double v = double(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{} bytes", bytes)
                : fmt::format("{:.{}f} {}", v, v < 10 ? 2 : v < 100 ? 1 : 0, units[u]);
}

/// "1.00x" of arena over bound; "-" when nothing is live.
std::string overBound(const FunctionPlan &p) {
  return p.liveBoundBytes > 0
             ? fmt::format("{:.2f}x", double(p.arenaBytes) / double(p.liveBoundBytes))
             : "-";
}
} // namespace

std::string planSummary(const std::vector<FunctionPlan> &plans) {
  std::string out = "memory plan: intermediates at compile-time offsets of one arena per "
                    "function (aec dump --stage opt lists them)\n";
  size_t nameW = 0;
  for (const FunctionPlan &p : plans)
    nameW = std::max(nameW, p.name.size());
  for (const FunctionPlan &p : plans) {
    out += fmt::format("  {:<{}}  arena {:>10}, live lower bound {:>10} ({}), {} kernels",
                       p.name, nameW, humanBytes(p.arenaBytes), humanBytes(p.liveBoundBytes),
                       overBound(p), p.kernels.size());
    if (p.unplannedAllocs > 0)
      out += fmt::format(", {} buffers allocated on their own", p.unplannedAllocs);
    out += "\n";
  }
  return out;
}

std::string planDetails(const FunctionPlan &p) {
  std::string out = fmt::format(
      "// ----- @{}: kernels after fusion and the memory plan (CPU pipeline through "
      "aec-plan-arena) -----\n",
      p.name);
  std::map<std::string, int> kinds;
  int64_t fusedOps = 0;
  for (const KernelSummary &k : p.kernels) {
    ++kinds[k.kind];
    fusedOps += k.scalarOps;
  }
  std::string census;
  for (const auto &[kind, count] : kinds)
    census += (census.empty() ? "" : ", ") + fmt::format("{} {}", count, kind);
  out += fmt::format("// {} kernels: {}; {} scalar ops in elementwise and reduction bodies\n",
                     p.kernels.size(), census, fusedOps);
  for (size_t i = 0; i < p.kernels.size(); ++i) {
    const KernelSummary &k = p.kernels[i];
    out += fmt::format("//   k{:<4} {:<13} {:>8}  {}\n", i, k.kind,
                       k.scalarOps ? fmt::format("{} ops", k.scalarOps) : "", k.loc);
  }
  out += fmt::format("// arena {} bytes, live lower bound {} bytes ({}); {} buffers in the arena, "
                     "{} allocated on their own\n",
                     grouped(p.arenaBytes), grouped(p.liveBoundBytes), overBound(p), p.slots.size(),
                     p.unplannedAllocs);
  if (!p.slots.empty())
    out += fmt::format("//   {:>14}  {:>12}  {:<13}  {}\n", "offset", "bytes", "live", "first kernel");
  for (const ArenaSlot &s : p.slots)
    out += fmt::format("//   {:>14}  {:>12}  {:<13}  {}\n", grouped(s.offset), grouped(s.bytes),
                       fmt::format("k{}..k{}", s.first, s.last), s.producer);
  return out;
}

} // namespace aec::driver
