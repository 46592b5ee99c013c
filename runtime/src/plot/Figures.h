#pragma once
/// Internal to libaecrt: the trainer's figures, each written as one PNG file.
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
void imageGrid(const std::string &path, const std::string &title, const std::vector<ImageRow> &rows,
               const Dims &imageShape, bool viridis);

/// A small line plot per sample: every curve is a label and its values over the index.
struct SignalPanel {
  std::string title;
  std::vector<std::vector<double>> curves; ///< same order as the figure's curve names
};
void signalPanels(const std::string &path, const std::string &title, const std::vector<std::string> &curveNames,
                  const std::vector<SignalPanel> &panels, const std::string &xlabel);

/// 2-D data: inputs and their reconstructions as points, joined by a faint line.
void pointPairs(const std::string &path, const std::string &title, const std::vector<double> &inX,
                const std::vector<double> &inY, const std::vector<double> &outX, const std::vector<double> &outY,
                const std::string &xlabel, const std::string &ylabel);

/// Points coloured by `values` (viridis and a colour bar; a legend of up to 10 classes when
/// every value is a small integer); `values` empty: one colour.
void coloredScatter(const std::string &path, const std::string &title, const std::vector<double> &x,
                    const std::vector<double> &y, const std::vector<double> &values, const std::string &xlabel,
                    const std::string &ylabel, const std::string &valueLabel);

/// loss and val_loss against the epoch, log y when every value is positive.
void lossCurves(const std::string &path, const std::string &title, const std::vector<EpochRecord> &history);

} // namespace aec::rt::plot
