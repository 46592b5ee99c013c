#pragma once
/// Internal to libaecrt: the trainer's figures, each written as `stem`.png and `stem`.pdf.
#include "plot/Axes.h"

#include <aec/Descriptor.h>
#include <aec/Trainer.h>

#include <string>
#include <vector>

namespace aec::rt::plot {

/// One row of an image grid: a label and one pointer per sample to an image [H, W, C].
struct ImageRow {
  std::string label;
  std::vector<const float *> images;
  /// Signed data (residuals): own symmetric range, blue-white-red. Other rows share one range.
  bool residual = false;
};

/// Rows of images side by side, each row with a colour bar (single-channel images; C = 3 is
/// shown as RGB). `viridis` picks viridis over grey for single-channel images.
FigureLayout imageGrid(const std::string &stem, const std::string &title, const std::vector<ImageRow> &rows,
                       const Dims &imageShape, bool viridis);

/// A small line plot per sample: every curve is a label and its values over the index.
struct SignalPanel {
  std::string title;
  std::vector<std::vector<double>> curves; ///< same order as the figure's curve names
};
/// `xNames` (one per value: a table's column names) label the x ticks; empty: the index.
FigureLayout signalPanels(const std::string &stem, const std::string &title, const std::vector<std::string> &curveNames,
                          const std::vector<SignalPanel> &panels, const std::string &xlabel,
                          const std::vector<std::string> &xNames);

/// 2-D data: inputs and their reconstructions as points, joined by a faint line.
FigureLayout pointPairs(const std::string &stem, const std::string &title, const std::vector<double> &inX,
                        const std::vector<double> &inY, const std::vector<double> &outX,
                        const std::vector<double> &outY, const std::string &xlabel, const std::string &ylabel);

/// What colours the points of a scatter: a value per point, and names of classes when the
/// values are class indices (classNames[k] names value k).
struct ColorColumn {
  std::string name;
  std::vector<double> values;
  std::vector<std::string> classNames;
};

/// Points coloured by `color` (viridis and a colour bar; a legend beside the plot for up to
/// 10 classes, named when names are known); no values: one colour.
FigureLayout coloredScatter(const std::string &stem, const std::string &title, const std::vector<double> &x,
                            const std::vector<double> &y, const ColorColumn &color, const std::string &xlabel,
                            const std::string &ylabel);

/// loss and val_loss against the epoch; log y when every value is positive and they span
/// at least a factor of 10.
FigureLayout lossCurves(const std::string &stem, const std::string &title, const std::vector<EpochRecord> &history);

} // namespace aec::rt::plot
