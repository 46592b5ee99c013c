#pragma once
/// "Did you mean": the closest of some names to a misspelt word. Header-only, so the YAML
/// frontend (which links no runtime) and the trainer's command line share one rule.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace aec {

/// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("rleu" ->
/// "relu" is one edit, the most common typo).
inline size_t editDistance(const std::string &a, const std::string &b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

/// The option closest to `word`, or "" when none is near. A third of the word (at least 1,
/// at most 3 edits) separates typos from other words; a prefix relation ("unit" for
/// "units", "lr_rate" for "lr") also counts.
inline std::string closestName(const std::string &word, const std::vector<std::string> &options) {
  std::string best;
  size_t bestDist = std::numeric_limits<size_t>::max();
  for (const std::string &o : options) {
    const size_t d = editDistance(word, o);
    if (d < bestDist) {
      bestDist = d;
      best = o;
    }
  }
  if (bestDist <= std::clamp<size_t>(word.size() / 3, 1, 3))
    return best;
  for (const std::string &o : options)
    if (std::min(word.size(), o.size()) >= 3 && (o.rfind(word, 0) == 0 || word.rfind(o, 0) == 0))
      return o;
  return "";
}

} // namespace aec
