// The compiled detector set (internal): what Engine compiles once and every Scanner
// reads. Immutable once built.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <memory>
#include <string>
#include <vector>

#include "custos/detect/detect.h"

namespace custos::detect {

struct Engine::Compiled {
  struct Var {
    size_t det;
    std::unique_ptr<RE2> re;
    bool needs_context;
    ValidateFn validate;
  };
  struct Det {
    std::string id;
    std::unique_ptr<RE2> context;  // null when the detector has no context words
    MaskFn mask;
    int priority;
  };
  std::vector<Det> dets;
  std::vector<Var> vars;
  std::unique_ptr<RE2> prefilter;  // every variant, or its context words, in one pass
  std::unique_ptr<RE2::Set> set;   // which variants match within a region
};

}  // namespace custos::detect
