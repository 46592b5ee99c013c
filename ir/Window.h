#pragma once
/// Keras/TF window arithmetic along one spatial dim of conv2d, conv2d_transpose and
/// pooling: the output size and the padding (or cropping) that 'same' and 'valid' imply.
/// Kept in one place because the frontend's shape checks and the image composites
/// (ir/ImageOps.cpp) must agree to the element: the checked shape is the built shape.
#include <cstdint>

namespace aec {

enum class Padding { Same, Valid };

/// Keras output length of a window op (conv, pooling): valid ceil((in - k + 1) / s), 0
/// when the window does not fit the input; same ceil(in / s).
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, Padding padding);

/// Elements added before and after one dim.
struct WindowPads {
  int64_t low = 0, high = 0;
};

/// Padding of a window op: none for valid; for same, enough for windowOutputSize windows,
/// the odd element at the end (TF).
WindowPads windowPads(int64_t in, int64_t kernel, int64_t stride, Padding padding);

/// Output length of a transposed conv (Keras deconv_output_length without
/// output_padding): same in * s, valid in * s + max(k - s, 0).
int64_t transposedOutputSize(int64_t in, int64_t kernel, int64_t stride, Padding padding);

/// Where a transposed conv's output starts in its full output of length (in - 1) s + k:
/// floor(max(k - s, 0) / 2) for same (TF drops the odd element at the end), 0 for valid.
int64_t transposedCrop(int64_t kernel, int64_t stride, Padding padding);

/// Output length of a convolution over `in` elements padded by `low` and `high`:
/// floor((in + low + high - kernel) / stride) + 1, or 0 when the window does not fit.
int64_t convOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t low, int64_t high);

/// The outputs o of a convolution (length `out`) whose window tap `tap` reads a real
/// input element, o * stride + tap - low in [0, in): `count` consecutive outputs from
/// `first`. Padding is never read, so direct convolutions loop over these ranges only.
struct TapRange {
  int64_t first = 0, count = 0;
};
TapRange convTapRange(int64_t in, int64_t out, int64_t tap, int64_t stride, int64_t low);

} // namespace aec
