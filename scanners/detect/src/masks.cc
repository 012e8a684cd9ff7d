// Masks: what a detection shows of a value, from which the value cannot be recovered.
#include <algorithm>
#include <cctype>
#include <string>

#include "validators.h"

namespace custos::detect::internal {

std::string MaskKeepLast(std::string_view v, size_t keep) {
  size_t alnum = 0;
  for (const char c : v) alnum += std::isalnum(static_cast<unsigned char>(c)) ? 1 : 0;
  // Never reveal more than a third of the characters.
  keep = std::min(keep, alnum / 3);
  std::string out;
  size_t seen = 0;
  for (const char c : v) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      ++seen;
      out += seen > alnum - keep ? c : '*';
    } else if (static_cast<unsigned char>(c) < 0x80) {
      out += c;
    } else {
      out += '*';
    }
  }
  return out;
}

std::string MaskLast2(std::string_view v) { return MaskKeepLast(v, 2); }
std::string MaskLast4(std::string_view v) { return MaskKeepLast(v, 4); }

std::string MaskEmail(std::string_view v) {
  const size_t at = v.find('@');
  return "****" + std::string(v.substr(at));
}

std::string MaskIban(std::string_view v) {
  return std::string(v.substr(0, 2)) + MaskKeepLast(v.substr(2), 4);
}

std::string MaskAll(std::string_view v) { return MaskKeepLast(v, 0); }

std::string MaskMrz(std::string_view v) {
  // Document type and issuing state only: "P<UTO" + the rest hidden.
  return std::string(v.substr(0, std::min<size_t>(5, v.size()))) + "<*** (MRZ)";
}

std::string MaskPrivateKey(std::string_view v) { return std::string(v) + " [key material hidden]"; }

std::string MaskIpv4(std::string_view v) {
  const size_t dot = v.find('.');
  return std::string(v.substr(0, dot)) + ".*.*.*";
}

std::string MaskAwsKey(std::string_view v) {
  return std::string(v.substr(0, 4)) + std::string(12, '*') + std::string(v.substr(16));
}

}  // namespace custos::detect::internal
