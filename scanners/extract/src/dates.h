// Dates found inside documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace custos::extract {

// W3C/ISO 8601 date-times as used by OOXML (dcterms:created) and ODF
// (meta:creation-date): "YYYY-MM-DD", optionally "THH:MM[:SS[.fraction]]" and a zone
// "Z" or "+HH:MM"/"-HH:MM" (none: taken as UTC). Unix seconds, or nullopt.
std::optional<int64_t> ParseW3cDateTime(std::string_view s);

}  // namespace custos::extract
