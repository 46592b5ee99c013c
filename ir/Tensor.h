#pragma once
/// Host tensors of the reference interpreter. Values are held in double; nodes of type f32
/// are rounded to float after every op, so the interpreter follows float32 storage.
#include <xtensor/xarray.hpp>

namespace aec {
using Tensor = xt::xarray<double>;
} // namespace aec
