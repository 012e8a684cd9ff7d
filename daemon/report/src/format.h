// Formatting shared by the renderers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "custos/inventory/store.h"

namespace custos::report::fmt {

// A raw byte string (a path, a reason, a note) made displayable: valid UTF-8, control
// characters as \xNN.
std::string Display(std::string_view raw);
// "YYYY-MM-DD", or "" for 0.
std::string Date(int64_t t);
// "YYYY-MM-DDTHH:MM:SSZ", or "" for 0.
std::string Time(int64_t t);
// "payment_card x2: **** **** **** 1111, ...; email x1: ...@example.com"
std::string Detections(const std::vector<Detection>& detections);

}  // namespace custos::report::fmt
