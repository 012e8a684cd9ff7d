// Printing items: the JSONL record of the interface spec, JSON, CSV and a table.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::scan {

enum class Format { kJsonl, kJson, kCsv, kTable };
Result<Format> ParseFormat(std::string_view name);

// The spec's record as one line of JSON (no trailing newline). Paths are escaped with
// EscapeBytes (invalid UTF-8 as \xNN); JSON escapes control characters.
std::string ItemToJson(const Item& item);
// "0644"
std::string ModeString(uint32_t mode);

// Writes items in one format to a FILE* it does not own.
class ItemWriter {
 public:
  static std::unique_ptr<ItemWriter> Create(Format format, std::FILE* out);
  virtual ~ItemWriter() = default;
  virtual void Begin() {}
  virtual void Write(const Item& item) = 0;
  virtual void End() {}
};

}  // namespace custos::scan
