#pragma once
/// Optimizer updates as graph ops (the formulas of torch.optim, see MODEL_FORMAT.md).
#include "frontend/ModelSpec.h"
#include "ir/Builder.h"

#include <vector>

namespace aec {

/// A parameter, its gradient, and where the updated values go.
struct ParamUpdate {
  ValueId param = NoValue;
  ValueId grad = NoValue;
  std::string name;
};

/// Appends the optimizer's state inputs (role state, named "<kind>.<slot>/<param>"), the
/// hyper inputs "lr" and "t" (1-based step count) and the update; adds outputs named like the
/// param and state inputs holding their new values.
void buildOptimizerUpdate(Builder &b, const OptimizerSpec &opt,
                          const std::vector<ParamUpdate> &params);

} // namespace aec
