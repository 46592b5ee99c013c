#pragma once
/// Internal to libaecrt: colour maps for images, scatter colouring and curves.
#include "plot/Canvas.h"

#include <functional>

namespace aec::rt::plot {

/// A map from [0, 1] to a colour (values outside are clamped).
using Colormap = std::function<Rgb(double)>;

/// Matplotlib's viridis (perceptually uniform, readable in grey print).
Rgb viridis(double t);
/// Black to white.
Rgb grayscale(double t);
/// Blue - white - red, white at 0.5 (for signed residuals).
Rgb diverging(double t);
/// The i-th colour of matplotlib's tab10 cycle (curves, categorical labels).
Rgb categorical(int i);

} // namespace aec::rt::plot
