// Content sniffing: what a document is, from its first bytes and its libmagic MIME.
#pragma once

#include <optional>
#include <string_view>

#include "custos/base/item.h"
#include "extractors.h"

namespace custos::extract {

// How many leading bytes the sniffers look at (and the text decoder decides on).
inline constexpr size_t kSniffBytes = 64 << 10;

// The kind of a document whose first bytes are `head` (all of it when shorter than
// kSniffBytes).
Kind Sniff(std::string_view head);

// The kind for a libmagic MIME type / category, when they say enough; nullopt for
// generic types (application/octet-stream, empty, ...), which are sniffed.
std::optional<Kind> KindFromMime(std::string_view mime, Category category);

// True when `head` carries the magic of `kind` (containers and PDF); always true for
// the kinds without one. A MIME hint whose magic is missing is not trusted.
bool HeadMatches(Kind kind, std::string_view head);

// UTF-16 without BOM: many NULs at alternate positions. Returns 'L', 'B' or 0.
char SniffUtf16(std::string_view head);
// Text: no NUL and few control characters (or UTF-16).
bool LooksLikeText(std::string_view head);
// RFC 822 header lines at the start ("Name: value", the usual names).
bool LooksLikeEmail(std::string_view head);

}  // namespace custos::extract
