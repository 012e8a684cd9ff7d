// Minimal ZIP central-directory reader (member names only), for telling OOXML
// packages from plain ZIP archives. Bounded: reads the end of central directory record
// from the last 64 KiB and at most 1 MiB of central directory.
#pragma once

#include <string>
#include <vector>

#include "reader.h"

namespace custos::identify::detail {

struct ZipMember {
  std::string name;
  uint16_t flags = 0;   // general purpose bit flags (bit 0: encrypted)
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t compressed_size = 0;
  uint32_t size = 0;
  uint32_t local_header = 0;  // offset of the local file header
};

// Lists up to `max_members` members; false when no (classic, non-ZIP64) central
// directory is found.
bool ListZipMembers(Reader& r, size_t max_members, std::vector<ZipMember>& out);

}  // namespace custos::identify::detail
