// Printing items: the JSONL record of the interface spec, JSON, CSV and a table.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/scan/scan.h"

namespace custos::scan {

enum class Format { kJsonl, kJson, kCsv, kTable };
Result<Format> ParseFormat(std::string_view name);

// The spec's record as one line of JSON (no trailing newline). Paths are escaped with
// EscapeBytes (invalid UTF-8 as \xNN); JSON escapes control characters.
std::string ItemToJson(const Item& item);
// Appends detections as the record's JSON array: [{"detector": ID, "count": N,
// "masked": [...]}, ...]; masked samples escaped like paths. The one writer of this
// array, for scan records and for findings.
void AppendDetectionsJson(std::string& out, const std::vector<Detection>& detections);
// "0644"
std::string ModeString(uint32_t mode);

// Writes items in one format to a FILE* it does not own. Formatting (Render) is
// apart from writing, so that the scan's workers format items in parallel and only
// the writing is serialised.
class ItemWriter {
 public:
  static std::unique_ptr<ItemWriter> Create(Format format, std::FILE* out);
  virtual ~ItemWriter() = default;
  virtual void Begin() {}
  // The text of one item in this format. Thread-safe: it writes nothing.
  virtual std::string Render(const Item& item) const = 0;
  // Writes the text Render returned; calls are serialised, in output order. An error
  // when the output cannot take it (a full disk, a closed pipe).
  virtual Status WriteRendered(std::string_view text);
  Status Write(const Item& item) { return WriteRendered(Render(item)); }
  virtual void End() {}

 protected:
  explicit ItemWriter(std::FILE* out) : out_(out) {}
  std::FILE* out_;
};

// A sink that prints the items worth printing: every item with `all`, otherwise those
// with violations, detections, a skip reason or a legal hold. Items are formatted by
// Prepare, on the scan's workers.
class PrintingSink : public Sink {
 public:
  PrintingSink(ItemWriter& writer, bool all) : writer_(writer), all_(all) {}
  // The item's text, or empty when it is not printed.
  std::string Prepare(const Item& item) override;
  Status EmitPrepared(Item&&, std::string&& text) override { return Write(text); }
  Status Emit(Item&& item) override { return Write(Prepare(item)); }
  // Writes a text Prepare returned (nothing when it is empty).
  Status Write(std::string_view text) {
    return text.empty() ? Status::Ok() : writer_.WriteRendered(text);
  }

 private:
  ItemWriter& writer_;
  bool all_;
};

}  // namespace custos::scan
