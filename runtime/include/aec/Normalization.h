#pragma once
/// Input normalization (`data.normalize`) and the optional `data.transform`.
///
/// Statistics are fitted on the training rows only and stored in the weights file under
/// `normalization/<stat>`, so `encode`/`reconstruct` on new data apply the same mapping.
#include <aec/Array.h>
#include <aec/Npy.h>

#include <map>
#include <string>
#include <vector>

namespace aec::rt {

/// Feature normalization: x' = (transform(x) - shift) / scale, per feature (element of a
/// sample) for `standard` and `minmax`, global for `max` and `scale:S`.
class Normalizer {
public:
  /// `kind`: "" / "none", "standard", "minmax", "max", "scale:S" (S > 0). `transform`: "" or
  /// "log10p1" (x -> log10(1 + x), applied before normalizing). Throws on anything else.
  Normalizer(const std::string &kind = "", const std::string &transform = "");

  bool active() const { return kind_ != Kind::None || !transform_.empty(); }
  /// Fits the statistics on rows [0, rows) of `x` (the training part).
  void fit(const Array &x, int64_t rows);
  /// In-place forward mapping (transform, then normalize).
  void apply(Array &x) const;
  /// In-place inverse mapping for reconstruct/decode outputs.
  void invert(Array &x) const;

  /// Stats as npz entries `normalization/<stat>` (nothing for kinds without stats).
  NpzEntries entries() const;
  /// Restores the stats from a weights file's arrays; throws naming `file` and the missing key
  /// when the model normalizes but the file has no stats (e.g. an --init from elsewhere).
  void restore(const std::map<std::string, Array> &arrays, const std::string &file);
  /// What the mapping does, for the training banner: "standard (mean and std per feature of
  /// the 900 training samples)", "/255 (fixed, data.normalize {scale: 255})", "none (the data
  /// as it is)". `fitRows` is the training part the statistics come from (0: restored).
  std::string describe(int64_t fitRows) const;
  /// A warning when a fixed scale S > 1 would shrink data that is already in [0, 1] (a file
  /// saved after dividing by 255 once), else "". `raw` is the data before apply().
  std::string rescaleWarning(const Array &raw, const std::string &source) const;
  /// True when every key the kind needs is present in `arrays`.
  bool canRestore(const std::map<std::string, Array> &arrays) const;

private:
  enum class Kind { None, Standard, MinMax, Max, Scale };
  Kind kind_ = Kind::None;
  std::string transform_;
  std::string kindText_;
  /// Per-feature shift and divisor (one element for global kinds).
  std::vector<float> shift_, divisor_;
  double fixedScale_ = 1.0;
  void forwardTransform(Array &x) const;
  void inverseTransform(Array &x) const;
};

} // namespace aec::rt
