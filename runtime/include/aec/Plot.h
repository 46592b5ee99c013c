#pragma once
/// Pictures of a trained model (`train --plot DIR` and the trainer's `plot` command), drawn
/// with cairo and written twice: PNG for screens, PDF (vector, fonts embedded) for papers.
#include <aec/Trainer.h>

#include <string>
#include <vector>

namespace aec::rt {

/// A rectangle on a figure, in its pixels (PDF points), y down.
struct PlotBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// A text drawn on a figure and the box it covers, as measured by cairo.
struct PlotLabel {
  std::string text;
  PlotBox box;
};

/// Where everything went on one figure: what tests check (labels inside the canvas, the
/// plot areas inked, legends off the data).
struct FigureLayout {
  std::string png, pdf;           ///< the files written
  int width = 0, height = 0;      ///< canvas size in pixels (the PDF's in points)
  std::vector<PlotLabel> labels;  ///< every text: titles, tick labels, axis labels, legends
  std::vector<PlotBox> plotAreas; ///< data areas of the axes (image cells of an image grid)
  std::vector<PlotBox> legends;   ///< legend boxes
  int pointsUnderLegends = 0;     ///< drawn data points a legend hides (0 when placed well)
};

struct PlotOptions {
  std::string dir;        ///< output folder (created when missing)
  std::string colorBy;    ///< a column of the data, of its truth (generators) or of the labels file
  std::string labelsPath; ///< per-sample labels or values to colour the latent space by
  int samples = 8;        ///< samples in the reconstruction picture
  int64_t maxPoints = 4000; ///< most points in a scatter
  std::vector<FigureLayout> *layouts = nullptr; ///< when set, receives each figure's layout
};

/// Writes into opts.dir, each figure as NAME.png and NAME.pdf:
///  - reconstructions: images as rows of input / reconstruction (paired or corrupted
///    training data: noisy input / reconstruction / clean target / residual, as seed 002's
///    figure); 1-D signals and feature vectors as small line plots (x ticks named after the
///    data's columns when it has them); 2-D points as input-reconstruction pairs.
///  - latent (needs `encode`): 2-D codes as a scatter (codes of more dimensions through
///    their first two principal components; a 1-D code against the colour column or the
///    sample index), coloured by opts.colorBy / opts.labelsPath, else by the data's first
///    truth column, or by the labels of an IDX image file beside it (Fashion-MNIST's classes
///    by name).
///  - loss (when `history` is not empty): loss and val_loss against the epoch.
/// `data` is normalized as in training; pictures show it in data units again.
/// Returns the files written.
std::vector<std::string> writePlots(const Model &model, const RunConfig &config, ModelState &state,
                                    const Normalizer &norm, const Dataset &data,
                                    const std::vector<EpochRecord> &history, const PlotOptions &opts);

/// Reads the log CSV written by `train --log` (an empty val_loss cell is NaN).
std::vector<EpochRecord> readLog(const std::string &path);

} // namespace aec::rt
