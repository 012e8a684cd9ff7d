// The formats table. Adding an extractable format: a row here (name, MIME types, how
// its first bytes are recognised, which extractor), its extractor in a file of its own
// (declared in extractors.h), extract::kVersion bumped (custos/extract/version.h: the
// inventory then reads again what is searched for text), and its tests in
// tests/extract.
#include "formats.h"

#include "extractors.h"
#include "sniff.h"

namespace custos::extract {

const std::vector<Format>& Formats() {
  static const std::vector<Format> kFormats = {
      {"empty", {}, std::nullopt, IsEmpty, nullptr, nullptr},
      // OOXML and ODF are ZIP files: the extractor tells them apart by their members.
      {"zip",
       {"application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
        "application/zip", "application/x-zip-compressed", "application/epub+zip",
        "application/java-archive"},
       std::nullopt,
       IsZip,
       IsZip,
       ExtractZip},
      {"7z",
       {"application/x-7z-compressed"},
       std::nullopt,
       IsSevenZip,
       IsSevenZip,
       ExtractSevenZip},
      // A compressed stream that is not a tar is one member.
      {"tar",
       {"application/x-tar", "application/x-gtar", "application/x-ustar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/zstd"},
       std::nullopt,
       IsCompressedOrTar,
       IsCompressedOrTar,
       ExtractTar},
      {"media", {"image/", "video/", "audio/"}, std::nullopt, IsMedia, nullptr, nullptr},
      {"executable", {}, std::nullopt, IsExecutable, nullptr, nullptr},
      {"pdf", {"application/pdf"}, std::nullopt, IsPdfAtStart, IsPdf, ExtractPdf},
      {"utf-16 text", {}, std::nullopt, IsUtf16, nullptr, ExtractText},
      {"mbox", {"application/mbox"}, std::nullopt, IsMbox, IsMbox, ExtractMbox},
      {"email", {"message/rfc822"}, std::nullopt, IsSingleEmail, IsSingleEmail, ExtractEmail},
      // Readers accept a PDF header after some leading bytes.
      {"pdf after leading bytes", {}, std::nullopt, IsPdf, nullptr, ExtractPdf},
      {"html",
       {"text/html", "application/xhtml+xml"},
       std::nullopt,
       IsHtml,
       IsPlainText,
       ExtractHtml},
      {"text",
       {"text/", "application/csv", "application/json", "application/xml", "application/javascript",
        "application/x-ndjson", "application/x-yaml", "application/sql"},
       std::nullopt,
       LooksLikeText,
       IsPlainText,
       ExtractText},
      // After text: a text may have 'G' where a transport stream has its sync bytes.
      {"mpeg-ts", {}, std::nullopt, IsMpegTs, nullptr, nullptr},
      // Binary data of no known format (databases, legacy Office files): printable strings.
      {"strings", {}, Category::kDatabase, Anything, nullptr, ExtractStrings},
  };
  return kFormats;
}

const Format& Recognise(std::string_view head) {
  const auto& formats = Formats();
  for (const Format& f : formats) {
    if (f.recognise(head)) return f;
  }
  return formats.back();
}

const Format* FormatFromMime(std::string_view mime, Category category) {
  if (const size_t semi = mime.find(';'); semi != std::string_view::npos) {
    mime = mime.substr(0, semi);
  }
  for (const Format& f : Formats()) {
    for (const std::string_view m : f.mimes) {
      const bool prefix = !m.empty() && (m.back() == '/' || m.back() == '.');
      if (prefix ? mime.substr(0, m.size()) == m : mime == m) return &f;
    }
  }
  for (const Format& f : Formats()) {
    if (f.category == category) return &f;
  }
  return nullptr;
}

const Format& PlainTextFormat() {
  static const Format* const kText = FormatFromMime("text/plain", Category::kText);
  return *kText;
}

}  // namespace custos::extract
