// The extractable formats: one table (formats.cc) of what each format is called, how
// it is recognised (the MIME types libmagic gives it, its categories, its first bytes)
// and its extractor. Dispatch (dispatch.cc) picks a row and runs its extractor; the rows
// without one are what is never searched (IsSearchable).
#pragma once

#include <string_view>
#include <vector>

#include "custos/base/item.h"
#include "input.h"

namespace custos::extract {

// Reads `in` (the document or member `name`, at `depth`) forward from its start,
// sends its text through ctx.Emit and records problems with ctx.Note/Cancel.
using Extractor = void (*)(Input& in, std::string_view name, Context& ctx, unsigned depth);

struct Format {
  std::string_view name;
  // The MIME types libmagic gives files of this format (parameters such as
  // "; charset=" are ignored); one ending in '/' or '.' is a prefix ("text/").
  std::vector<std::string_view> mimes;
  // Files of these categories whose MIME type names no format are of this one.
  std::vector<Category> categories;
  // Whether the first bytes (at most kSniffBytes) are of this format. The rows are
  // tried in table order; the first that recognises the bytes wins. Null: known by
  // its MIME types and categories only.
  bool (*recognise)(std::string_view head);
  // When the MIME type names this format: whether the first bytes agree. A MIME type
  // whose magic is missing is not trusted: the bytes are recognised instead.
  bool (*confirm)(std::string_view head);
  // Null: never searched. Files of its categories or MIME types are not read at all
  // (IsSearchable), and bytes it recognises give no text.
  Extractor extract;
};

// Every format, in the order their first bytes are tried.
const std::vector<Format>& Formats();
// The first format in table order that recognises `head` (some row always does).
const Format& Recognise(std::string_view head);
// The format a libmagic MIME type names, else the format of `category`; null when
// neither says anything (application/octet-stream, ...: the bytes are recognised).
const Format* FormatFromMime(std::string_view mime, Category category);
// Plain text, for bytes identification already found to be plain text.
const Format& PlainTextFormat();

}  // namespace custos::extract
