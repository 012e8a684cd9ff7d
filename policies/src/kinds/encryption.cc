// encryption: required | optional. A required encryption is breached by an item that is
// not of category encrypted. Items not (fully) read are not judged: the category of an
// unread file is a guess.
#include "../messages.h"
#include "kinds.h"

namespace custos::policies::internal {
namespace {

class EncryptionRule final : public Rule {
 public:
  std::optional<Breach> Judge(const Judged& j) const override {
    if (j.skipped || j.item.category == Category::kEncrypted) return std::nullopt;
    return Breach{"stored unencrypted (category " + std::string(CategoryName(j.item.category)) +
                  ")"};
  }
};

}  // namespace

// "stored unencrypted (category video)".
std::string PlainEncryption(std::string_view reason) {
  constexpr std::string_view kHead = "stored unencrypted (category ";
  if (reason.substr(0, kHead.size()) != kHead || reason.back() != ')') return std::string(reason);
  const std::string_view category = reason.substr(kHead.size(), reason.size() - kHead.size() - 1);
  return "not encrypted (a " + std::string(category) +
         " file); the policy requires such files to be encrypted";
}

ReadRule ReadEncryption(PolicyReader& r, const yaml::Field& field) {
  auto s = r.Scalar(field, "encryption");
  if (!s) return {true, nullptr};  // reported
  if (*s == "required") return {true, std::make_unique<EncryptionRule>()};
  if (*s == "optional") return {false, nullptr};
  r.Error(field.value, msg::BadValue("encryption", *s, "required, optional"));
  return {true, nullptr};
}

}  // namespace custos::policies::internal
