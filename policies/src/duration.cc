#include <limits>

#include "custos/policies/policy.h"

namespace custos::policies {

std::optional<int64_t> ParseDuration(std::string_view text) {
  size_t i = 0;
  int64_t n = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (n > (kMax - 9) / 10) return std::nullopt;
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  int64_t scale = 0;
  if (unit == "s") {
    scale = 1;
  } else if (unit == "min") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit == "d") {
    scale = 86400;
  } else if (unit == "w") {
    scale = 7 * 86400;
  } else if (unit == "mo") {
    scale = 30 * 86400;
  } else if (unit == "y") {
    scale = 365 * 86400;
  } else {
    return std::nullopt;
  }
  if (n > kMax / scale) return std::nullopt;
  return n * scale;
}

}  // namespace custos::policies
