#include "sniff.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "custos/base/ascii.h"
#include "custos/base/bytes.h"

namespace custos::extract {

bool At(std::string_view s, size_t offset, std::string_view magic) {
  return s.size() >= offset + magic.size() && s.substr(offset, magic.size()) == magic;
}

bool IsPdf(std::string_view h) {
  // The header may follow some garbage; readers look in the first 1024 bytes.
  return h.substr(0, 1024).find("%PDF-") != std::string_view::npos;
}
bool IsZip(std::string_view h) { return At(h, 0, "PK\3\4") || At(h, 0, "PK\5\6"); }
bool IsSevenZip(std::string_view h) { return At(h, 0, "7z\xBC\xAF\x27\x1C"); }
namespace {
bool IsGzip(std::string_view h) { return At(h, 0, "\x1F\x8B"); }
bool IsBzip2(std::string_view h) {
  return At(h, 0, "BZh") && h.size() > 3 && h[3] >= '1' && h[3] <= '9';
}
bool IsXz(std::string_view h) {
  return At(h, 0,
            std::string_view("\xFD"
                             "7zXZ\0",
                             6));
}
bool IsZstd(std::string_view h) { return At(h, 0, "\x28\xB5\x2F\xFD"); }
bool IsTar(std::string_view h) { return At(h, 257, "ustar"); }
}  // namespace

bool IsCompressedOrTar(std::string_view h) {
  return IsGzip(h) || IsBzip2(h) || IsXz(h) || IsZstd(h) || IsTar(h);
}

bool IsMedia(std::string_view h) {
  return At(h, 0, "\xFF\xD8\xFF") ||                  // JPEG
         At(h, 0, "\x89PNG\r\n\x1A\n") ||             // PNG
         At(h, 0, "GIF87a") || At(h, 0, "GIF89a") ||  // GIF
         At(h, 4, "ftyp") ||                          // MP4, MOV, HEIC, 3GP
         At(h, 0, "\x1A\x45\xDF\xA3") ||              // Matroska, WebM
         (At(h, 0, "RIFF") && (At(h, 8, "AVI ") || At(h, 8, "WAVE") || At(h, 8, "WEBP"))) ||
         At(h, 0, "\x30\x26\xB2\x75\x8E\x66\xCF\x11") ||  // ASF, WMV
         At(h, 0, "OggS") || At(h, 0, "fLaC") ||
         (At(h, 0, "ID3") && h.size() > 4 && h[3] >= 2 && h[3] <= 4 && h[4] == 0) ||
         At(h, 0, std::string_view("II*\0", 4)) || At(h, 0, std::string_view("MM\0*", 4)) ||
         At(h, 0, std::string_view("\0\0\1\xBA", 4)) ||  // MPEG-PS
         At(h, 0, std::string_view("\0\0\1\xB3", 4));
}

bool IsMpegTs(std::string_view h) {
  return h.size() > 376 && h[0] == 0x47 && h[188] == 0x47 && h[376] == 0x47;
}

bool IsExecutable(std::string_view h) {
  return At(h, 0,
            "\x7F"
            "ELF");
}

bool IsHtml(std::string_view h) {
  size_t i = 0;
  if (h.starts_with("\xEF\xBB\xBF")) i = 3;
  while (i < h.size() && std::isspace(static_cast<unsigned char>(h[i]))) ++i;
  const std::string_view rest = h.substr(i);
  return StartsWithIgnoringCase(rest, "<!doctype html") || StartsWithIgnoringCase(rest, "<html");
}

bool IsMbox(std::string_view h) {
  // "From sender date" as the first line, then a header block.
  if (!h.starts_with("From ")) return false;
  const size_t nl = h.find('\n');
  return nl != std::string_view::npos && nl < 1000 && LooksLikeEmail(h.substr(nl + 1));
}

char SniffUtf16(std::string_view head) {
  if (head.starts_with("\xFF\xFE")) return 'L';
  if (head.starts_with("\xFE\xFF")) return 'B';
  const size_t pairs = std::min<size_t>(head.size(), 4096) / 2;
  if (pairs < 2) return 0;
  // Without a NUL byte there is no UTF-16 text of mostly Latin script (the common case).
  if (std::memchr(head.data(), 0, 2 * pairs) == nullptr) return 0;
  size_t le = 0, be = 0;  // ASCII in UTF-16LE is "x\0", in UTF-16BE "\0x"
  for (size_t i = 0; i < pairs; ++i) {
    const char a = head[2 * i], b = head[2 * i + 1];
    if (a != 0 && b == 0) ++le;
    if (a == 0 && b != 0) ++be;
  }
  // (Code units like U+4E00 or U+DE00 look like the other order: a minority.)
  if (le * 10 >= pairs * 4 && le > 2 * be) return 'L';
  if (be * 10 >= pairs * 4 && be > 2 * le) return 'B';
  return 0;
}

bool LooksLikeText(std::string_view head) {
  if (SniffUtf16(head) != 0) return true;
  size_t bad = 0;
  const bool no_nul = bytes::ForEachOddControl(head, [&](unsigned char b) {
    if (b == 0) return false;
    if (b != '\f' && b != '\v' && b != 0x1B) ++bad;
    return true;
  });
  return no_nul && bad * 100 <= head.size();
}

bool LooksLikeEmail(std::string_view head) {
  static constexpr std::array<std::string_view, 16> kKnown = {
      "from",         "to",          "cc",           "subject",      "date",     "message-id",
      "received",     "return-path", "mime-version", "content-type", "reply-to", "sender",
      "delivered-to", "x-mailer",    "in-reply-to",  "references"};
  size_t known = 0, lines = 0;
  bool strong = false;  // From/Received/Message-ID/MIME-Version seen
  size_t pos = 0;
  while (pos < head.size() && lines < 200) {
    size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;  // a partial line: stop judging here
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block
    ++lines;
    if (line[0] == ' ' || line[0] == '\t') {
      if (lines == 1) return false;
      continue;  // folded continuation
    }
    const size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    const std::string_view name = line.substr(0, colon);
    for (const char c : name) {
      if (c <= ' ' || c > '~') return false;
    }
    for (const std::string_view k : kKnown) {
      if (EqualsIgnoringCase(name, k)) {
        ++known;
        if (k == "from" || k == "received" || k == "message-id" || k == "mime-version") {
          strong = true;
        }
        break;
      }
    }
  }
  return lines > 0 && known >= 2 && strong;
}

bool IsEmpty(std::string_view h) { return h.empty(); }
bool IsPdfAtStart(std::string_view h) { return At(h, 0, "%PDF-"); }
bool IsUtf16(std::string_view h) { return SniffUtf16(h) != 0; }
bool IsSingleEmail(std::string_view h) { return LooksLikeEmail(h) && !IsMbox(h); }
bool IsPlainText(std::string_view h) {
  return LooksLikeText(h) && SniffUtf16(h) == 0 && !IsMbox(h) && !LooksLikeEmail(h);
}
bool Anything(std::string_view) { return true; }

}  // namespace custos::extract
