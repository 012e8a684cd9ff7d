// Escaping of file names and other untrusted byte strings for display.
// A path is raw bytes on Linux; custos never drops or alters one silently.
#pragma once

#include <string>
#include <string_view>

namespace custos {

// Returns valid UTF-8: every byte that is not part of a well-formed UTF-8 sequence
// becomes the four characters "\xNN". When `escape_controls` is true, ASCII control
// characters (0x00-0x1f, 0x7f) are escaped the same way, so that a name holding a
// newline cannot forge a line of a log, a table or a CSV file.
std::string EscapeBytes(std::string_view raw, bool escape_controls);

// Appends `s` (valid UTF-8) to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string& out, std::string_view s);

// Returns `s` quoted for CSV (RFC 4180) when it needs quoting, else unchanged. A cell
// starting with = + - @ TAB or CR, which a spreadsheet would take for a formula, is
// quoted with a single quote in front of it ("'=HYPERLINK(...)"), as OWASP advises.
std::string CsvField(std::string_view s);

// Returns `s` with & < > " and ' as HTML character references: safe as element text
// and as a quoted attribute value. The report's HTML page and the review console share it.
std::string EscapeHtml(std::string_view s);

}  // namespace custos
