// Content sniffing: what the first bytes of a document look like. The formats table
// (formats.cc) recognises formats with these.
#pragma once

#include <string_view>

namespace custos::extract {

// How many leading bytes the sniffers look at (and the text decoder decides on).
inline constexpr size_t kSniffBytes = 64 << 10;

// UTF-16 without BOM: many NULs at alternate positions. Returns 'L', 'B' or 0.
char SniffUtf16(std::string_view head);
// Text: no NUL and few control characters (or UTF-16).
bool LooksLikeText(std::string_view head);
// RFC 822 header lines at the start ("Name: value", the usual names).
bool LooksLikeEmail(std::string_view head);

// `magic` at `offset` of `head`.
bool At(std::string_view head, size_t offset, std::string_view magic);

// The recognisers of the formats table.
bool IsEmpty(std::string_view head);
bool IsZip(std::string_view head);
bool IsSevenZip(std::string_view head);
// tar, or a gzip, bzip2, xz or zstd stream
bool IsCompressedOrTar(std::string_view head);
// JPEG, PNG, GIF, TIFF, MP4/MOV, Matroska, AVI, WAV, WebP, ASF, Ogg, FLAC, MP3, MPEG-PS
bool IsMedia(std::string_view head);
bool IsMpegTs(std::string_view head);
bool IsExecutable(std::string_view head);  // ELF
bool IsPdfAtStart(std::string_view head);  // "%PDF-" at 0
bool IsPdf(std::string_view head);         // "%PDF-" within the first 1024 bytes
bool IsUtf16(std::string_view head);
bool IsMbox(std::string_view head);
bool IsSingleEmail(std::string_view head);  // an e-mail, not a mailbox
bool IsHtml(std::string_view head);
// Text that is not UTF-16 and not mail (what libmagic's text types are trusted with).
bool IsPlainText(std::string_view head);
bool Anything(std::string_view head);  // true

}  // namespace custos::extract
