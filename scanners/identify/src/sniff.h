// Corrections to libmagic's answer that are easier in code than in magic: MPEG
// transport streams as FFmpeg writes them (5.44 misses them), and OOXML/ODF packages
// whose member order hides them from libmagic (it then says application/zip).
#pragma once

#include <string>

#include "reader.h"

namespace custos::identify::detail {

// True when `prefix` holds MPEG-TS packets (sync byte 0x47 every 188 bytes, or every
// 192 bytes after a 4-byte timecode for M2TS, or every 204 bytes).
bool LooksLikeMpegTs(std::string_view prefix);

// Replaces `mime` and `description` when the content is known better than libmagic
// said; leaves them alone otherwise.
void RefineMagic(Reader& r, std::string& mime, std::string& description);

// True when `prefix` is text that starts like prose or a table (a letter or digit
// first, after white space) and holds no byte that makes libmagic call it data: no
// NUL or other control character except tab, newline, carriage return, form feed and
// escape. False for anything with a format signature at its start: markup ('<'),
// JSON ('{', '['), scripts ('#!'), PostScript ('%!'), armour ('-----'), mail and
// mbox headers ("Name: value", "From "), AN2K records ("1.001:"), RTF, BOMs.
bool LooksLikePlainText(std::string_view prefix);

}  // namespace custos::identify::detail
