// Extraction: the text inside a file, as UTF-8, for the detectors.
//
// Plain text (UTF-8, Latin-1, UTF-16LE/BE), office documents (OOXML, ODF), PDF text
// layers, e-mail (RFC 822/MIME, attachments extracted like files) and archives (ZIP,
// tar, gzip, bzip2, xz, 7z; nested). Members of containers are folded into the
// top-level item: their text goes to the same sink, each member ending with
// TextSink::EndOfStream() so that no value is glued across two members.
//
// Every limit has a default; hitting one ends the extraction of that item (or member)
// with a named reason ("limit: archive ratio", ...) recorded as the item's partial/skip
// reason. Video, audio, images and biometric records are never searched for text.
//
// Choices: in text read as UTF-8, a byte that is not part of a well-formed sequence is
// taken as a Windows-1252/Latin-1 character (nothing is dropped or replaced); a file
// whose first 64 KiB hold invalid UTF-8 and no valid multi-byte sequence is read as
// Latin-1 throughout. Binary data of no known format (databases, legacy Office files,
// unknown members) gives its printable strings: runs of at least 6 printable ASCII/
// UTF-8 characters and of UTF-16LE Latin-1 text, one per line. Media members (JPEG,
// PNG, GIF, TIFF, MP4/MOV, Matroska, AVI, WAV, ASF, MPEG, Ogg, FLAC, MP3) and ELF
// executables are skipped. XML parts with a DOCTYPE are refused ("corrupt: DTD in XML
// part"); entities are never expanded and nothing is ever loaded from outside.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::extract {

struct Limits {
  uint64_t max_file_bytes = 1ull << 30;      // bytes read from one file on disk (1 GiB)
  uint64_t max_output_bytes = 400ull << 20;  // text + decompressed bytes per top-level item
  uint64_t max_member_bytes = 100ull << 20;  // one decompressed archive member
  unsigned max_depth = 10;                   // nesting of containers
  uint64_t max_entries = 10000;              // members per top-level item
  // The ratio is checked for a container against the distinct bytes of its source read
  // so far (the top-level file, or the member holding it), and for one member against
  // the compressed bytes read while decompressing it.
  double max_ratio = 200.0;           // decompressed:compressed, checked ...
  uint64_t ratio_floor = 1ull << 20;  // ... once this much has been decompressed
  double max_seconds = 120.0;         // wall time per top-level item
  // When set and true, extraction stops where the time limit is checked (between
  // reads, pages, members and XML nodes) with Outcome::interrupted set. Not a limit of
  // the content: not part of FormatLimits.
  const std::atomic<bool>* cancel = nullptr;
};

// Receives text, in order. Not thread-safe (one per item).
class TextSink {
 public:
  virtual ~TextSink() = default;
  // A piece of UTF-8 text (may end mid-line; never mid-UTF-8-sequence).
  virtual void Text(std::string_view utf8) = 0;
  // The current document or member ends: text before and after is unrelated.
  virtual void EndOfStream() = 0;
};

struct Outcome {
  // Empty when everything was read; else the reason it stopped early, e.g.
  // "limit: archive ratio", "limit: depth", "limit: entries", "limit: output size",
  // "limit: member size", "limit: size" (max_file_bytes, or a document too large to
  // hold for random access), "limit: time", "interrupted" (Limits::cancel), "encrypted",
  // "corrupt: <what>" ("corrupt:
  // archive", "corrupt: XML part", "corrupt: DTD in XML part", "corrupt: PDF",
  // "corrupt: PDF truncated", "corrupt: PDF page tree", "corrupt: e-mail"), or
  // "read error: <what>" when the file itself could not be read (Extract's error).
  // The first limit hit wins; a limit or "encrypted" replaces an earlier "corrupt: ...".
  // Output, time, entries and file size stop the whole item; the ratio of a top-level
  // container too; the ratio of a nested container or of one member, the member size
  // and the depth stop only that container or member, and the rest is read.
  SkipReason partial;
  // Limits::cancel stopped the extraction: what was read is incomplete for no reason of
  // the file's own (partial is "interrupted", whatever was noted before).
  bool interrupted = false;
  bool encrypted = false;               // an encrypted PDF/ZIP/OOXML: not readable
  std::optional<int64_t> content_date;  // PDF CreationDate, OOXML/ODF created, e-mail Date:
  uint64_t bytes_out = 0;               // text + decompressed bytes produced
  uint64_t members = 0;                 // container members visited
};

// Extracts the text of the open regular file `fd` whose identification is in `item`
// (mime, category, size). Reads with pread only (never moves the offset, never
// writes). Returns non-OK only for a read error of the file itself (then
// outcome->partial is that error, read error: ...); problems of the content are
// reported through `outcome->partial` only. Thread-safe (no shared state),
// except that libraries are initialised once by InitLibraries().
// `content`: the caller may pass the bytes it already read from the start of the file;
// when they are the whole file (as long as its size), the file is not read again, and
// `plain_text` (identification found them to be plain text: no NUL, no control
// characters, not mail) spares sniffing them once more.
Status Extract(int fd, const Item& item, const Limits& limits, TextSink& sink, Outcome* outcome,
               std::string_view content = {}, bool plain_text = false);

// Same, for bytes in memory (tests, and members of containers).
Status ExtractBuffer(std::string_view bytes, std::string_view name, const Limits& limits,
                     TextSink& sink, Outcome* outcome);

// One-time global initialisation of the libraries used (libxml2, GMime, ...). Call on
// the main thread before starting workers. Idempotent.
void InitLibraries();

// True when files of this category/MIME are searched for text at all: false for empty
// files and for the categories and MIME types of the formats table's rows without an
// extractor (video, image, audio, biometric, executable and encrypted items, empty
// files). Extract() returns without text (and OK) for those.
bool IsSearchable(const Item& item);

// "max_file_bytes=... max_output_bytes=... ...": the effective limits, for the log
// line at start-up.
std::string FormatLimits(const Limits& limits);

}  // namespace custos::extract
