#include "custos/scan/output.h"

#include <cerrno>
#include <cstdio>

#include "custos/base/escape.h"
#include "custos/base/time.h"

namespace custos::scan {
namespace {

void AppendNullable(std::string& out, const std::string& s) {
  if (s.empty()) {
    out += "null";
  } else {
    AppendJsonString(out, s);
  }
}

std::string DetectionsText(const Item& item) {
  std::string s;
  for (const Detection& d : item.detections) {
    if (!s.empty()) s += "; ";
    s += d.detector + " x" + std::to_string(d.count);
  }
  return s;
}

std::string ViolationsText(const Item& item, const char* sep) {
  std::string s;
  for (const Violation& v : item.violations) {
    if (!s.empty()) s += sep;
    s += v.policy + " (";
    s += ViolationKindName(v.kind);
    s += ", ";
    s += SeverityName(v.severity);
    s += "): " + v.reason;
  }
  return s;
}

class JsonlWriter : public ItemWriter {
 public:
  explicit JsonlWriter(std::FILE* out) : ItemWriter(out) {}
  std::string Render(const Item& item) const override {
    std::string line = ItemToJson(item);
    line += '\n';
    return line;
  }
};

class JsonWriter : public ItemWriter {
 public:
  explicit JsonWriter(std::FILE* out) : ItemWriter(out) {}
  void Begin() override { std::fputs("[", out_); }
  std::string Render(const Item& item) const override { return ItemToJson(item); }
  Status WriteRendered(std::string_view text) override {
    Status s = ItemWriter::WriteRendered(first_ ? "\n" : ",\n");
    first_ = false;
    return s.ok() ? ItemWriter::WriteRendered(text) : s;
  }
  void End() override { std::fputs(first_ ? "]\n" : "\n]\n", out_); }

 private:
  bool first_ = true;
};

class CsvWriter : public ItemWriter {
 public:
  explicit CsvWriter(std::FILE* out) : ItemWriter(out) {}
  void Begin() override {
    std::fputs(
        "path,size,mtime,owner,group,mode,mime,category,content_date,detections,violations,"
        "skipped\r\n",
        out_);
  }
  std::string Render(const Item& item) const override {
    std::string row;
    auto field = [&](const std::string& v) {
      if (!row.empty()) row += ',';
      row += CsvField(EscapeBytes(v, /*escape_controls=*/true));
    };
    field(item.path);
    field(item.has_info ? std::to_string(item.info.size) : "");
    field(item.has_info ? FormatIso8601(item.info.mtime) : "");
    field(item.owner);
    field(item.group);
    field(item.has_info ? ModeString(item.info.mode) : "");
    field(item.mime);
    field(std::string(CategoryName(item.category)));
    field(item.content_date ? FormatIso8601(*item.content_date) : "");
    field(DetectionsText(item));
    field(ViolationsText(item, " | "));
    field(item.skipped.Text());
    row += "\r\n";
    return row;
  }
};

// A human-readable listing: one line per item, then one indented line per violation.
class TableWriter : public ItemWriter {
 public:
  explicit TableWriter(std::FILE* out) : ItemWriter(out) {}
  void Begin() override {
    std::fprintf(out_, "%-10s %10s  %-20s  %s\n", "CATEGORY", "SIZE", "DATE", "PATH");
  }
  std::string Render(const Item& item) const override {
    const int64_t date = item.content_date ? *item.content_date : item.info.mtime;
    std::string line;
    char head[96];
    std::snprintf(head, sizeof head, "%-10s %10s  %-20s  ",
                  std::string(CategoryName(item.category)).c_str(),
                  item.has_info ? std::to_string(item.info.size).c_str() : "-",
                  item.has_info || item.content_date ? FormatIso8601(date).c_str() : "-");
    line = head;
    line += EscapeBytes(item.path, /*escape_controls=*/true);
    line += '\n';
    if (!item.skipped.empty()) line += "    skipped: " + item.skipped.Text() + "\n";
    if (!item.legal_hold.empty()) {
      line += "    legal hold: " + EscapeBytes(item.legal_hold, true) + "\n";
    }
    for (const Detection& d : item.detections) {
      line += "    found " + d.detector + " x" + std::to_string(d.count);
      for (const std::string& m : d.masked) line += "  " + m;
      line += '\n';
    }
    for (const Violation& v : item.violations) {
      line += "    VIOLATION " + v.policy + " [";
      line += ViolationKindName(v.kind);
      line += ", ";
      line += SeverityName(v.severity);
      line += "] " + v.reason + '\n';
    }
    return line;
  }
};

}  // namespace

Result<Format> ParseFormat(std::string_view name) {
  if (name == "jsonl") return Format::kJsonl;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  if (name == "table") return Format::kTable;
  return Status::Invalid("unknown format '" + std::string(name) +
                         "' (expected jsonl, json, csv or table)");
}

std::string ModeString(uint32_t mode) {
  std::string s(4, '0');
  for (int i = 3; i >= 0; --i, mode >>= 3) s[i] = static_cast<char>('0' + (mode & 7));
  return s;
}

void AppendDetectionsJson(std::string& o, const std::vector<Detection>& detections) {
  o += '[';
  for (size_t i = 0; i < detections.size(); ++i) {
    const Detection& d = detections[i];
    if (i) o += ", ";
    o += "{\"detector\": ";
    AppendJsonString(o, EscapeBytes(d.detector, false));
    o += ", \"count\": " + std::to_string(d.count) + ", \"masked\": [";
    for (size_t k = 0; k < d.masked.size(); ++k) {
      if (k) o += ", ";
      AppendJsonString(o, EscapeBytes(d.masked[k], false));
    }
    o += "]}";
  }
  o += ']';
}

std::string ItemToJson(const Item& item) {
  std::string o;
  o.reserve(384 + item.path.size() + 160 * item.violations.size());
  o += "{\"path\": ";
  AppendJsonString(o, EscapeBytes(item.path, /*escape_controls=*/false));
  o += ", \"size\": ";
  o += item.has_info ? std::to_string(item.info.size) : "null";
  o += ", \"mtime\": ";
  if (item.has_info) {
    AppendJsonString(o, FormatIso8601(item.info.mtime));
  } else {
    o += "null";
  }
  o += ", \"owner\": ";
  AppendNullable(o, EscapeBytes(item.owner, false));
  o += ", \"group\": ";
  AppendNullable(o, EscapeBytes(item.group, false));
  o += ", \"mode\": ";
  if (item.has_info) {
    AppendJsonString(o, ModeString(item.info.mode));
  } else {
    o += "null";
  }
  o += ", \"mime\": ";
  AppendNullable(o, item.mime);
  o += ", \"category\": ";
  AppendJsonString(o, CategoryName(item.category));
  o += ", \"content_date\": ";
  if (item.content_date) {
    AppendJsonString(o, FormatIso8601(*item.content_date));
  } else {
    o += "null";
  }
  o += ", \"detections\": ";
  AppendDetectionsJson(o, item.detections);
  o += ", \"violations\": [";
  for (size_t i = 0; i < item.violations.size(); ++i) {
    const Violation& v = item.violations[i];
    if (i) o += ", ";
    o += "{\"policy\": ";
    AppendJsonString(o, v.policy);
    o += ", \"kind\": ";
    AppendJsonString(o, ViolationKindName(v.kind));
    o += ", \"severity\": ";
    AppendJsonString(o, SeverityName(v.severity));
    o += ", \"reason\": ";
    AppendJsonString(o, EscapeBytes(v.reason, false));
    o += "}";
  }
  o += "], \"skipped\": ";
  AppendNullable(o, item.skipped.Text());
  if (!item.legal_hold.empty()) {
    o += ", \"legal_hold\": ";
    AppendJsonString(o, EscapeBytes(item.legal_hold, false));
  }
  o += "}";
  return o;
}

Status ItemWriter::WriteRendered(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), out_) == text.size()) return Status::Ok();
  return Status::FromErrno("writing the output", errno);
}

std::string PrintingSink::Prepare(const Item& item) {
  if (all_ || !item.violations.empty() || !item.detections.empty() || !item.skipped.empty() ||
      !item.legal_hold.empty()) {
    return writer_.Render(item);
  }
  return {};
}

std::unique_ptr<ItemWriter> ItemWriter::Create(Format format, std::FILE* out) {
  switch (format) {
    case Format::kJsonl:
      return std::make_unique<JsonlWriter>(out);
    case Format::kJson:
      return std::make_unique<JsonWriter>(out);
    case Format::kCsv:
      return std::make_unique<CsvWriter>(out);
    case Format::kTable:
      return std::make_unique<TableWriter>(out);
  }
  return nullptr;
}

}  // namespace custos::scan
