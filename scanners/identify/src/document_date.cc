// Documents and messages: e-mail `Date:` header, PDF Info /CreationDate.
#include <algorithm>
#include <cctype>
#include <string>

#include "content_date.h"
#include "custos/base/ascii.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr size_t kHeaderScan = 64 * 1024;
constexpr size_t kPdfTail = 64 * 1024;

// The creation date in a piece of a PDF: the Info dictionary's "/CreationDate (D:...)"
// (the last one: incremental updates append the current Info), else the XMP packet's
// xmp:CreateDate (PDF 1.5+ may compress the Info dictionary, rarely the XMP).
std::optional<int64_t> PdfCreationIn(std::string_view s) {
  if (const size_t key = s.rfind("/CreationDate"); key != std::string_view::npos) {
    std::string_view v = s.substr(key + 13, 64);
    const size_t open = v.find('(');
    if (open != std::string_view::npos && open <= 4) {
      v.remove_prefix(open + 1);
      if (v.substr(0, 2) == "D:") v.remove_prefix(2);
      if (auto t = Plausible(ParseCompactDate(v))) return t;
    }
  }
  if (const size_t key = s.find("xmp:CreateDate"); key != std::string_view::npos) {
    std::string_view v = s.substr(key + 14, 64);
    const size_t start = v.find_first_of(">\"");
    if (start != std::string_view::npos && start <= 2) {
      return Plausible(
          ParseLooseDate(v.substr(start + 1, v.find_first_of("<\"", start + 1) - start - 1)));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> EmailDate(Reader& r) {
  std::string_view head = r.Read(0, kHeaderScan);
  // Headers end at the first empty line.
  size_t end = head.find("\n\n");
  end = std::min(end, head.find("\r\n\r\n"));
  if (end != std::string_view::npos) head = head.substr(0, end);
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find('\n', pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    if (StartsWithIgnoringCase(line, "Date:")) {
      std::string value(line.substr(5));
      // Folded continuation lines.
      size_t next = eol + 1;
      while (next < head.size() && (head[next] == ' ' || head[next] == '\t')) {
        size_t e2 = head.find('\n', next);
        if (e2 == std::string_view::npos) e2 = head.size();
        value.append(head.substr(next, e2 - next));
        next = e2 + 1;
      }
      std::replace(value.begin(), value.end(), '\r', ' ');
      // Drop a trailing comment such as "(CET)".
      if (const size_t paren = value.find('('); paren != std::string::npos) value.resize(paren);
      return Plausible(ParseRfc5322Date(value));
    }
    pos = eol + 1;
  }
  return std::nullopt;
}

std::optional<int64_t> PdfDate(Reader& r) {
  if (auto t = PdfCreationIn(r.prefix())) return t;
  if (r.size() <= r.prefix().size()) return std::nullopt;
  const uint64_t start = r.size() > kPdfTail ? r.size() - kPdfTail : 0;
  return PdfCreationIn(r.Read(start, kPdfTail));
}

}  // namespace custos::identify::detail
