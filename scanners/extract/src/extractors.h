// The extractors, one per format family, and the dispatcher that picks one. Each
// reads its input, sends text through ctx.Emit(depth, ...) and records problems with
// ctx.Note/Cancel; none throws.
#pragma once

#include <optional>
#include <string_view>

#include "context.h"
#include "input.h"

namespace custos::extract {

// What a document is, as far as extraction is concerned.
enum class Kind {
  kEmpty,    // nothing to read
  kSkip,     // media and executables: never searched
  kText,     // plain text in UTF-8, Latin-1 or UTF-16
  kHtml,     // HTML/XHTML: tags dropped
  kStrings,  // other binary data: printable strings
  kPdf,
  kZip,  // ZIP, or OOXML/ODF (decided by the members)
  kSevenZip,
  kTar,    // tar, and gzip/bzip2/xz/zstd (a compressed tar or a single stream)
  kEmail,  // one RFC 822 message
  kMbox,   // a mailbox of messages, each after a "From " line
};

// Extracts `in` (the document or member `name`, at `depth`) with the extractor of
// `hint` when its magic agrees, else of what the first bytes look like. Enforces the
// depth limit. `in` is read forward from its start.
void Dispatch(Input& in, std::string_view name, std::optional<Kind> hint, Context& ctx,
              unsigned depth);

void ExtractText(Input& in, Context& ctx, unsigned depth);
void ExtractStrings(Input& in, Context& ctx, unsigned depth);
void ExtractHtml(std::string_view bytes, bool utf8, Context& ctx, unsigned depth);
void ExtractPdf(std::string_view bytes, Context& ctx, unsigned depth);
// ZIP (seekable input): OOXML, ODF, or a plain ZIP archive.
void ExtractZipFamily(Input& in, std::string_view name, Context& ctx, unsigned depth);
// An archive read with libarchive; `kind` is kZip, kSevenZip or kTar. ZIP and 7z need
// a seekable input.
void ExtractArchive(Input& in, Kind kind, std::string_view name, Context& ctx, unsigned depth);
void ExtractEmail(std::string_view bytes, Context& ctx, unsigned depth);
void ExtractMbox(Input& in, Context& ctx, unsigned depth);

}  // namespace custos::extract
