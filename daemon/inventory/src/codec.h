// Compact encodings of small lists stored in BLOB columns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "custos/base/item.h"

namespace custos::inventory::codec {

// LEB128: 7 bits a byte, low bits first.
void PutVarint(std::string& out, uint64_t v);
// Reads one varint from the front of `in`; false when it is cut short or too long.
bool GetVarint(std::string_view& in, uint64_t* v);

// A list of byte strings as varint length + bytes, concatenated.
std::string PackStrings(const std::vector<std::string>& list);
// The inverse; stops at the first malformed entry.
std::vector<std::string> UnpackStrings(std::string_view packed);

// Keyed hashes are hex strings (Detection::hashes); stored as their bytes, one
// length-prefixed entry each (so that any length round-trips).
std::string PackHexList(const std::vector<std::string>& hex);
std::vector<std::string> UnpackHexList(std::string_view packed);

std::string ToHex(std::string_view bytes);

// Extended ACL entries, six bytes each (tag, id little-endian, permissions).
std::string PackAcl(const std::vector<AclEntry>& acl);
std::vector<AclEntry> UnpackAcl(std::string_view packed);

}  // namespace custos::inventory::codec
