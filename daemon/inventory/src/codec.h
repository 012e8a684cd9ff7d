// Compact encodings of small lists stored in BLOB columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace custos::inventory::codec {

// A list of byte strings as varint length + bytes, concatenated.
std::string PackStrings(const std::vector<std::string>& list);
// The inverse; stops at the first malformed entry.
std::vector<std::string> UnpackStrings(std::string_view packed);

// Keyed hashes are hex strings (Detection::hashes); stored as their bytes, one
// length-prefixed entry each (so that any length round-trips).
std::string PackHexList(const std::vector<std::string>& hex);
std::vector<std::string> UnpackHexList(std::string_view packed);

std::string ToHex(std::string_view bytes);

}  // namespace custos::inventory::codec
