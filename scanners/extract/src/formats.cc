// The formats table. Adding an extractable format: a row here (name, MIME types,
// categories, how its first bytes are recognised, which extractor), its extractor in a
// file of its own (declared in extractors.h), extract::kVersion bumped
// (custos/extract/version.h: the inventory then reads again what is searched for text),
// and its tests in tests/extract. A row without an extractor is never searched.
#include "formats.h"

#include <algorithm>
#include <array>

#include "custos/extract/extract.h"
#include "extractors.h"
#include "sniff.h"

namespace custos::extract {

const std::vector<Format>& Formats() {
  static const std::vector<Format> kFormats = {
      {"empty", {"application/x-empty", "inode/x-empty"}, {}, IsEmpty, nullptr, nullptr},
      // OOXML and ODF are ZIP files: the extractor tells them apart by their members.
      {"zip",
       {"application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
        "application/zip", "application/x-zip-compressed", "application/epub+zip",
        "application/java-archive"},
       {},
       IsZip,
       IsZip,
       ExtractZip},
      {"7z", {"application/x-7z-compressed"}, {}, IsSevenZip, IsSevenZip, ExtractSevenZip},
      // A compressed stream that is not a tar is one member.
      {"tar",
       {"application/x-tar", "application/x-gtar", "application/x-ustar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/zstd"},
       {},
       IsCompressedOrTar,
       IsCompressedOrTar,
       ExtractTar},
      // Pictures, sound, video and biometric records are never searched.
      {"media",
       {"image/", "video/", "audio/"},
       {Category::kVideo, Category::kImage, Category::kAudio, Category::kBiometric},
       IsMedia,
       nullptr,
       nullptr},
      {"executable", {}, {Category::kExecutable}, IsExecutable, nullptr, nullptr},
      // What identification found encrypted cannot be read.
      {"encrypted", {}, {Category::kEncrypted}, nullptr, nullptr, nullptr},
      {"pdf", {"application/pdf"}, {}, IsPdfAtStart, IsPdf, ExtractPdf},
      {"utf-16 text", {}, {}, IsUtf16, nullptr, ExtractText},
      {"mbox", {"application/mbox"}, {}, IsMbox, IsMbox, ExtractMbox},
      {"email", {"message/rfc822"}, {}, IsSingleEmail, IsSingleEmail, ExtractEmail},
      // Readers accept a PDF header after some leading bytes.
      {"pdf after leading bytes", {}, {}, IsPdf, nullptr, ExtractPdf},
      {"html", {"text/html", "application/xhtml+xml"}, {}, IsHtml, IsPlainText, ExtractHtml},
      {"text",
       {"text/", "application/csv", "application/json", "application/xml", "application/javascript",
        "application/x-ndjson", "application/x-yaml", "application/sql"},
       {},
       LooksLikeText,
       IsPlainText,
       ExtractText},
      // After text: a text may have 'G' where a transport stream has its sync bytes.
      {"mpeg-ts", {}, {}, IsMpegTs, nullptr, nullptr},
      // Binary data of no known format (databases, legacy Office files): printable strings.
      {"strings", {}, {Category::kDatabase}, Anything, nullptr, ExtractStrings},
  };
  return kFormats;
}

const Format& Recognise(std::string_view head) {
  const auto& formats = Formats();
  for (const Format& f : formats) {
    if (f.recognise != nullptr && f.recognise(head)) return f;
  }
  return formats.back();
}

namespace {

// "text/plain; charset=utf-8" -> "text/plain".
std::string_view WithoutParameters(std::string_view mime) {
  if (const size_t semi = mime.find(';'); semi != std::string_view::npos) {
    return mime.substr(0, semi);
  }
  return mime;
}

// Whether one of the format's MIME types names `mime` (without parameters).
bool Names(const Format& f, std::string_view mime) {
  return std::any_of(f.mimes.begin(), f.mimes.end(), [mime](std::string_view m) {
    const bool prefix = !m.empty() && (m.back() == '/' || m.back() == '.');
    return prefix ? mime.substr(0, m.size()) == m : mime == m;
  });
}

bool Of(const Format& f, Category category) {
  return std::find(f.categories.begin(), f.categories.end(), category) != f.categories.end();
}

}  // namespace

const Format* FormatFromMime(std::string_view mime, Category category) {
  mime = WithoutParameters(mime);
  for (const Format& f : Formats()) {
    if (Names(f, mime)) return &f;
  }
  for (const Format& f : Formats()) {
    if (Of(f, category)) return &f;
  }
  return nullptr;
}

const Format& PlainTextFormat() {
  static const Format* const kText = FormatFromMime("text/plain", Category::kText);
  return *kText;
}

bool IsSearchable(const Item& item) {
  if (item.has_info && item.info.size == 0) return false;
  // The categories and MIME types of the rows without an extractor, gathered once.
  struct Never {
    std::array<bool, static_cast<size_t>(Category::kOther) + 1> category{};
    std::vector<const Format*> formats;
  };
  static const Never kNever = [] {
    Never never;
    for (const Format& f : Formats()) {
      if (f.extract != nullptr) continue;
      for (const Category c : f.categories) never.category[static_cast<size_t>(c)] = true;
      if (!f.mimes.empty()) never.formats.push_back(&f);
    }
    return never;
  }();
  if (kNever.category[static_cast<size_t>(item.category)]) return false;
  const std::string_view mime = WithoutParameters(item.mime);
  return std::none_of(kNever.formats.begin(), kNever.formats.end(),
                      [mime](const Format* f) { return Names(*f, mime); });
}

}  // namespace custos::extract
