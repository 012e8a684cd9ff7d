// forbid: true. Every item the policy matches breaches it: a match on detectors names
// what was found, a match without detectors forbids the items themselves.
#include <algorithm>

#include "../compiled.h"
#include "../messages.h"
#include "kinds.h"

namespace custos::policies::internal {
namespace {

uint64_t DetectionCount(const Item& item, const std::string& detector) {
  uint64_t n = 0;
  for (const Detection& d : item.detections) {
    if (d.detector == detector) n += d.count;
  }
  return n;
}

class ForbidRule final : public Rule {
 public:
  std::optional<Breach> Judge(const Judged& j) const override {
    const std::vector<std::string>& detectors = j.policy.match.detectors;
    if (detectors.empty()) return Breach{"forbidden item"};
    std::string found;
    std::vector<std::string> seen;
    for (const std::string& d : detectors) {
      if (std::find(seen.begin(), seen.end(), d) != seen.end()) continue;
      seen.push_back(d);
      const uint64_t n = DetectionCount(j.item, d);
      if (n == 0) continue;
      if (!found.empty()) found += ", ";
      found += d + " x" + std::to_string(n);
    }
    return Breach{"forbidden content present (" + found + ")"};
  }
};

}  // namespace

// "forbidden item", or "forbidden content present (payment_card x2, iban x1)".
std::string PlainForbid(std::string_view reason) {
  if (reason == "forbidden item") return "a file the policy does not allow here at all";
  constexpr std::string_view kHead = "forbidden content present (";
  if (reason.substr(0, kHead.size()) != kHead || reason.back() != ')') return std::string(reason);
  std::string_view rest = reason.substr(kHead.size(), reason.size() - kHead.size() - 1);
  std::string found;
  while (!rest.empty()) {
    const size_t comma = rest.find(", ");
    std::string_view one = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    const size_t x = one.rfind(" x");
    std::string what(one.substr(0, x));
    std::replace(what.begin(), what.end(), '_', ' ');
    if (x != std::string_view::npos) what += " (" + std::string(one.substr(x + 2)) + ")";
    found += (found.empty() ? "" : ", ") + what;
  }
  return "holds data the policy does not allow here: " + found;
}

ReadRule ReadForbid(PolicyReader& r, const yaml::Field& field) {
  const std::optional<bool> b = r.Bool(field, "forbid");
  if (!b) return {true, nullptr};  // reported
  if (!*b) return {false, nullptr};
  return {true, std::make_unique<ForbidRule>()};
}

}  // namespace custos::policies::internal
