// The extractors of the formats table (formats.cc), one per format family, and the
// dispatcher that picks one. Each reads its input, sends text through
// ctx.Emit(depth, ...) and records problems with ctx.Note/Cancel; none throws.
#pragma once

#include <string_view>

#include "context.h"
#include "formats.h"
#include "input.h"

namespace custos::extract {

// Extracts `in` (the document or member `name`, at `depth`) with the extractor of
// `hint` (the format its MIME type names; null for members) when its first bytes
// agree, else of the format they are recognised as. Enforces the depth limit. `in` is
// read forward from its start.
void Dispatch(Input& in, std::string_view name, const Format* hint, Context& ctx, unsigned depth);
// Extracts `in` as `format`, without looking at its first bytes.
void DispatchAs(const Format& format, Input& in, std::string_view name, Context& ctx,
                unsigned depth);

// The extractors (see Extractor in formats.h).
void ExtractText(Input& in, std::string_view name, Context& ctx, unsigned depth);
void ExtractStrings(Input& in, std::string_view name, Context& ctx, unsigned depth);
void ExtractHtml(Input& in, std::string_view name, Context& ctx, unsigned depth);
void ExtractPdf(Input& in, std::string_view name, Context& ctx, unsigned depth);
// OOXML, ODF, or a plain ZIP archive.
void ExtractZip(Input& in, std::string_view name, Context& ctx, unsigned depth);
void ExtractSevenZip(Input& in, std::string_view name, Context& ctx, unsigned depth);
// tar, and gzip/bzip2/xz/zstd (a compressed tar or a single stream).
void ExtractTar(Input& in, std::string_view name, Context& ctx, unsigned depth);
// One RFC 822 message.
void ExtractEmail(Input& in, std::string_view name, Context& ctx, unsigned depth);
// A mailbox of messages, each after a "From " line.
void ExtractMbox(Input& in, std::string_view name, Context& ctx, unsigned depth);

// HTML or XHTML bytes in memory (`utf8`: known to be UTF-8, e.g. a decoded e-mail
// part): tags dropped.
void ExtractHtmlBytes(std::string_view bytes, bool utf8, Context& ctx, unsigned depth);

}  // namespace custos::extract
