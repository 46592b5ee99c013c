#pragma once
/// Internal to libaecrt: what colours the points of a latent-space picture, and the names of
/// its classes.
#include "plot/Figures.h"

#include <aec/Generators.h>
#include <aec/Plot.h>

namespace aec::rt::plot {

/// Fashion-MNIST's ten class names, by label (Xiao, Rasul and Vollgraf, 2017).
const std::vector<std::string> &fashionMnistClasses();

/// The labels file of an MNIST-style IDX images file next to it ("train-images-idx3-ubyte.gz"
/// -> "train-labels-idx1-ubyte.gz"), or "" when there is none.
std::string labelsBeside(const std::string &imagesPath);

/// One column of a labels CSV: numbers, or text classes ("star", "galaxy") given indices in
/// sorted order and named. `column` empty: the first. Errors name the file and line.
ColorColumn readLabelColumn(const std::string &path, const std::string &column);

/// Per-row colour values for the rows `rows` of `data` (`rawX`: those rows in data units):
/// from o.labelsPath, from a data or truth column o.colorBy, by default from the first truth
/// column or the labels beside an IDX images file. Integer labels of Fashion-MNIST files get
/// its class names. No values when there is nothing to colour by.
ColorColumn colorColumn(const Dataset &data, const Array &rawX, const std::vector<int64_t> &rows,
                        const PlotOptions &o);

} // namespace aec::rt::plot
