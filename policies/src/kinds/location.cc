// location: {allowed_paths: [GLOB, ...]}. An item outside every allowed path breaches
// it.
#include "../messages.h"
#include "custos/base/escape.h"
#include "kinds.h"

namespace custos::policies::internal {
namespace {

class LocationRule final : public Rule {
 public:
  explicit LocationRule(std::vector<Glob> allowed) : allowed_(std::move(allowed)) {
    // The reason names the allowed paths: the same text every time.
    std::string list;
    for (const Glob& g : allowed_) {
      if (!list.empty()) list += ", ";
      list += EscapeBytes(g.pattern(), true);
    }
    reason_ = "outside allowed paths [" + list + "]";
  }

  std::optional<Breach> Judge(const Judged& j) const override {
    for (const Glob& g : allowed_) {
      if (g.Matches(j.item.path)) return std::nullopt;
    }
    return Breach{reason_};
  }

 private:
  const std::vector<Glob> allowed_;
  std::string reason_;
};

}  // namespace

// "outside allowed paths [GLOB, ...]".
std::string PlainLocation(std::string_view reason) {
  constexpr std::string_view kHead = "outside allowed paths [";
  if (reason.substr(0, kHead.size()) != kHead || reason.back() != ']') return std::string(reason);
  return "stored in a place the policy does not allow for it; allowed: " +
         std::string(reason.substr(kHead.size(), reason.size() - kHead.size() - 1));
}

ReadRule ReadLocation(PolicyReader& r, const yaml::Field& field) {
  if (!r.IsMap(field, "location")) return {true, nullptr};
  yaml::Fields f = r.ReadMap(field.value, {"allowed_paths"}, "in location");
  std::vector<Glob> allowed;
  if (auto it = f.find("allowed_paths"); it == f.end()) {
    r.Error(field.value, msg::Missing("allowed_paths", "in location"));
  } else {
    allowed = r.Globs(it->second, "allowed_paths");
  }
  return {true, std::make_unique<LocationRule>(std::move(allowed))};
}

}  // namespace custos::policies::internal
