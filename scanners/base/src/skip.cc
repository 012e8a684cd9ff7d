#include "custos/base/skip.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace custos {
namespace {

struct Spelling {
  Skip kind;
  std::string_view text;  // the whole text, or the part before ": DETAIL"
  bool detail;
};

// Every kind's text, in the order of Skip.
constexpr std::array<Spelling, 20> kTexts = {{
    {Skip::kNone, "", false},
    {Skip::kPermissionDenied, "permission denied", false},
    {Skip::kVanished, "vanished", false},
    {Skip::kSpecialFile, "special file", false},
    {Skip::kChanged, "changed during scan", false},
    {Skip::kReadError, "read error", true},
    {Skip::kLimitSize, "limit: size", false},
    {Skip::kLimitOutput, "limit: output size", false},
    {Skip::kLimitMemberSize, "limit: member size", false},
    {Skip::kLimitDepth, "limit: depth", false},
    {Skip::kLimitEntries, "limit: entries", false},
    {Skip::kLimitRatio, "limit: archive ratio", false},
    {Skip::kLimitTime, "limit: time", false},
    {Skip::kLimitPathLength, "limit: path length", false},
    {Skip::kInterrupted, "interrupted", false},
    {Skip::kEncrypted, "encrypted", false},
    {Skip::kCorrupt, "corrupt", true},
    {Skip::kNoDetectors, "detectors", true},
    {Skip::kInternalError, "internal error", false},
    {Skip::kOther, "", true},
}};

constexpr bool InOrder() {
  for (size_t i = 0; i < kTexts.size(); ++i) {
    if (static_cast<size_t>(kTexts[i].kind) != i) return false;
  }
  return true;
}
static_assert(InOrder(), "kTexts follows the order of Skip");

const Spelling& Of(Skip kind) { return kTexts[static_cast<size_t>(kind)]; }

}  // namespace

SkipReason SkipReason::FromErrno(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return Skip::kPermissionDenied;
    case ENOENT:
      return Skip::kVanished;
    default:
      return {Skip::kReadError, std::strerror(err)};
  }
}

SkipReason SkipReason::FromText(std::string_view text) {
  if (text.empty()) return {};
  for (const Spelling& k : kTexts) {
    if (k.text.empty()) continue;
    if (!k.detail) {
      if (text == k.text) return k.kind;
      continue;
    }
    if (text.size() >= k.text.size() + 2 && text.substr(0, k.text.size()) == k.text &&
        text.substr(k.text.size(), 2) == ": ") {
      return {k.kind, std::string(text.substr(k.text.size() + 2))};
    }
  }
  return {Skip::kOther, std::string(text)};
}

bool SkipReason::is_limit() const {
  switch (kind_) {
    case Skip::kLimitSize:
    case Skip::kLimitOutput:
    case Skip::kLimitMemberSize:
    case Skip::kLimitDepth:
    case Skip::kLimitEntries:
    case Skip::kLimitRatio:
    case Skip::kLimitTime:
    case Skip::kLimitPathLength:
      return true;
    default:
      return false;
  }
}

std::string SkipReason::Text() const {
  const Spelling& k = Of(kind_);
  if (kind_ == Skip::kOther) return detail_;
  if (!k.detail) return std::string(k.text);
  std::string s(k.text);
  s += ": ";
  s += detail_;
  return s;
}

std::string_view SkipReason::KindText() const {
  if (kind_ == Skip::kOther) return "other";
  return Of(kind_).text;
}

}  // namespace custos
