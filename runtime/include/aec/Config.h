#pragma once
/// Run settings: the flat `setting` records of the descriptor, typed and defaulted, and the
/// loading of the training data they describe.
#include <aec/Corruption.h>
#include <aec/Csv.h>
#include <aec/Descriptor.h>
#include <aec/Generators.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aec::rt {

/// Keras-style callbacks; fields unset (patience < 0) mean "off".
struct EarlyStoppingConfig {
  std::string monitor = "val_loss";
  int patience = -1;
  double minDelta = 0.0;
  bool restoreBest = false;
};
struct PlateauConfig {
  std::string monitor = "val_loss";
  int patience = -1;
  double factor = 0.1, minLr = 0.0, minDelta = 1e-4;
};

/// A part of a data file's samples: rows [begin, end) (data.rows: N is [0, N), [a, b] is
/// [a, b)); end < 0: all of them.
struct RowRange {
  int64_t begin = 0, end = -1;
  bool all() const { return begin == 0 && end < 0; }
};

/// A separate validation set (data.validation_data), read as the data is: its key and CSV
/// options default to data's. Empty path: none.
struct ValidationDataConfig {
  std::string path, key;
  CsvOptions csv;
  bool columnsInherited = false; ///< csv.columns are data's (dropped for a binary file)
  std::string targetPath, targetKey;
  RowRange rows;
};

/// Everything a trainer run needs from the settings (and later the command line).
struct RunConfig {
  // train.*
  int64_t epochs = 10;
  uint64_t seed = 0;
  bool shuffle = true;
  double validationSplit = 0.0;
  int64_t batch = 0; ///< from the descriptor (static); train.batch only cross-checked
  EarlyStoppingConfig earlyStopping;
  PlateauConfig plateau;
  CorruptConfig corrupt; ///< train.corrupt.{gaussian,masking,salt_pepper}
  // optimizer.*
  std::string optimizerKind = "adam";
  double lr = 1e-3;
  // data.*
  std::string synthetic;                        ///< generator name, or empty
  int64_t n = 1000;                             ///< samples of a generator
  uint64_t dataSeed = 0;                        ///< generator seed (data.seed, else train.seed)
  std::string path, key;                        ///< data file and npz key
  CsvOptions csv;                               ///< CSV columns, header, skipped rows
  std::string normalize, transform;             ///< see Normalizer
  std::string targetPath, targetKey;            ///< paired targets (denoising)
  RowRange rows;                                ///< data.rows (a file's samples, and its target's)
  ValidationDataConfig validation;              ///< data.validation_data
  std::map<std::string, std::string> generatorParams; ///< other data.* keys
  // loss.*
  std::string reconstructionLoss = "mse";
  // shapes from the descriptor
  Dims inputShape, outputShape, codeShape;
};

/// Types the settings; unknown keys are ignored (they may be for the generated code), bad
/// values are errors naming the key ("setting 'train.epochs': expected an integer, got 'x'").
RunConfig parseRunConfig(const std::map<std::string, std::string> &settings);
/// Same, with shapes and batch taken from the descriptor.
RunConfig runConfigFor(const ModelDescriptor &desc);

/// Loads (or generates) the data set: `pathOverride` replaces data.path (and drops a synthetic
/// generator). Dispatches on .csv / .npy / .npz / .idx(.gz) / synthetic. Checks each sample's
/// width against the model input (reshaping when only the layout differs, e.g. [28,28] vs
/// [28,28,1]) and rejects NaN/Inf naming file and row. No normalization is applied here.
Dataset loadTrainingData(const RunConfig &config, const std::optional<std::string> &pathOverride = {});

/// Loads one data file as the `what` of the model ("input", "latent") with per-sample shape
/// `shape`; `columns`/`key` as in data.columns / data.key; only the samples `rows` (an error
/// when the file has fewer). Used for --data and --latent.
Dataset loadDataFile(const std::string &path, const std::string &key,
                     const CsvOptions &csv, const Dims &shape, const RowRange &rows = {});

/// Appends the separate validation set (config.validation, whose path must be set) to the
/// training data `d`, normalized as `d` will be: its samples become d's last rows and
/// d.validationRows says how many. Its width must fit the input, and it needs a target
/// exactly when `d` has one.
void appendValidationData(Dataset &d, const RunConfig &config);

/// Makes `d.x` [n, ...shape], accepting any layout with the same number of values per sample
/// (a 1-D array is n samples of one value); else throws "'f.npy' has 3 values per sample, but
/// the model's `what` [2] needs 2".
void fitShape(Dataset &d, const Dims &shape, const std::string &what);

/// Throws "f.csv: row 12 (line 13) has NaN" style errors for non-finite values.
void checkFinite(const Dataset &data);

} // namespace aec::rt
