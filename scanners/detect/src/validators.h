// Validators and masks of the built-in detectors (internal): checksums.cc (check
// digits and shared helpers), validate_ids.cc, validate_text.cc, masks.cc.
#pragma once

#include <string>
#include <string_view>

#include "custos/detect/detect.h"

namespace custos::detect::internal {

// Helpers (checksums.cc).
// True when `d` is one character repeated (0000, 1111).
inline bool AllSame(std::string_view d) {
  for (const char c : d) {
    if (c != d[0]) return false;
  }
  return !d.empty();
}
// The value of an ASCII digit.
inline int Digit(char c) { return c - '0'; }
// The separators between digit groups are the same everywhere (or absent).
bool ConsistentSeparators(std::string_view v);
// This year (UTC), for dates that cannot lie in the future.
int CurrentYear();
// False when the candidate is glued to more digit groups (part of a longer number).
bool StandsAlone(const Candidate& c);
// Keeps only ASCII digits.
std::string DigitsOf(std::string_view s);
// Keeps only ASCII letters and digits, upper-cased.
std::string AlnumUpper(std::string_view s);

bool ValidateEmail(const Candidate& c, std::string* norm);
bool ValidatePhoneIntl(const Candidate& c, std::string* norm);
bool ValidatePhoneNational(const Candidate& c, std::string* norm);
bool ValidatePaymentCard(const Candidate& c, std::string* norm);
bool ValidateIban(const Candidate& c, std::string* norm);
bool ValidateUsSsn(const Candidate& c, std::string* norm);
bool ValidateUkNino(const Candidate& c, std::string* norm);
bool ValidateUkNhs(const Candidate& c, std::string* norm);
bool ValidateMrz(const Candidate& c, std::string* norm);
bool ValidateIpv4(const Candidate& c, std::string* norm);
bool ValidateIpv6(const Candidate& c, std::string* norm);
bool ValidateGps(const Candidate& c, std::string* norm);
bool ValidateDateOfBirth(const Candidate& c, std::string* norm);
bool ValidateZaId(const Candidate& c, std::string* norm);
bool ValidateNlBsn(const Candidate& c, std::string* norm);
bool ValidateEsDni(const Candidate& c, std::string* norm);
bool ValidateItFiscalCode(const Candidate& c, std::string* norm);
bool ValidateChAhv(const Candidate& c, std::string* norm);
bool ValidateInAadhaar(const Candidate& c, std::string* norm);
bool ValidateBrCpf(const Candidate& c, std::string* norm);
bool ValidatePrivateKey(const Candidate& c, std::string* norm);
bool ValidateAwsKey(const Candidate& c, std::string* norm);
bool ValidateLuhnGeneric(const Candidate& c, std::string* norm);
bool ValidateMod97Generic(const Candidate& c, std::string* norm);
bool ValidateNone(const Candidate& c, std::string* norm);

// Masks: the value cannot be recovered from what they return.
std::string MaskKeepLast(std::string_view v, size_t keep);
std::string MaskLast2(std::string_view v);
std::string MaskLast4(std::string_view v);
std::string MaskEmail(std::string_view v);
std::string MaskIban(std::string_view v);
std::string MaskAll(std::string_view v);
std::string MaskMrz(std::string_view v);
std::string MaskPrivateKey(std::string_view v);
std::string MaskIpv4(std::string_view v);
std::string MaskAwsKey(std::string_view v);

}  // namespace custos::detect::internal
