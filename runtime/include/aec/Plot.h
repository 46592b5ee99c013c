#pragma once
/// Pictures of a trained model (`train --plot DIR` and the trainer's `plot` command), drawn
/// by libaecrt's own rasteriser and written as PNG with libpng.
#include <aec/Trainer.h>

#include <string>
#include <vector>

namespace aec::rt {

struct PlotOptions {
  std::string dir;        ///< output folder (created when missing)
  std::string colorBy;    ///< a column of the data, of its truth (generators) or of the labels file
  std::string labelsPath; ///< per-sample labels or values to colour the latent space by
  int samples = 8;        ///< samples in the reconstruction picture
  int64_t maxPoints = 4000; ///< most points in a scatter
};

/// Writes into opts.dir:
///  - reconstructions.png: images as rows of input / reconstruction (paired or corrupted
///    training data: noisy input / reconstruction / clean target / residual, as seed 002's
///    figure); 1-D signals as small line plots; 2-D points as input-reconstruction pairs.
///  - latent.png (needs `encode`): 2-D codes as a scatter (codes of more dimensions through
///    their first two principal components; a 1-D code against the colour column or the
///    sample index), coloured by opts.colorBy / opts.labelsPath, else by the data's first
///    truth column.
///  - loss.png (when `history` is not empty): loss and val_loss against the epoch.
/// `data` is normalized as in training; pictures show it in data units again.
/// Returns the files written.
std::vector<std::string> writePlots(const Model &model, const RunConfig &config, ModelState &state,
                                    const Normalizer &norm, const Dataset &data,
                                    const std::vector<EpochRecord> &history, const PlotOptions &opts);

/// Reads the log CSV written by `train --log` (an empty val_loss cell is NaN).
std::vector<EpochRecord> readLog(const std::string &path);

} // namespace aec::rt
