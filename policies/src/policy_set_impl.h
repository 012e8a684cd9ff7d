#pragma once

#include <memory>

#include "compiled.h"

namespace custos::policies::internal {

// The PolicySet over compiled policies (evaluate.cc).
std::unique_ptr<PolicySet> MakePolicySet(Compiled compiled);

}  // namespace custos::policies::internal
