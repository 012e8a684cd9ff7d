// UTF-8 helpers shared by the extractors: decoding with a Latin-1 fallback, encoding
// code points, and cutting text at a sequence boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace custos::extract {

// Appends the UTF-8 form of `cp` to `out`. Surrogates and values above U+10FFFF
// become U+FFFD.
void AppendCodePoint(uint32_t cp, std::string& out);

// Appends the character of Windows-1252 (a superset of Latin-1 in 0x80-0x9f, where
// Latin-1 has only C1 controls) byte `b` to `out` as UTF-8.
void AppendLatin1(unsigned char b, std::string& out);

// Length of the well-formed UTF-8 sequence at the start of `s`: 1-4 when valid, 0
// when the first byte does not start a valid sequence, and -1 when `s` ends before
// a sequence that is valid so far is complete.
int Utf8SequenceLength(std::string_view s);

// Appends `in` to `out` as valid UTF-8: well-formed sequences are copied, every other
// byte is taken as a Windows-1252/Latin-1 character. When `final` is false, an
// incomplete sequence at the end of `in` is left unread; the return value is the
// number of bytes consumed (always in.size() when `final`).
size_t AppendUtf8Lenient(std::string_view in, std::string& out, bool final = true);

// The longest prefix of `s` (valid UTF-8) of at most `max` bytes that does not end
// inside a multi-byte sequence.
size_t Utf8Prefix(std::string_view s, size_t max);

}  // namespace custos::extract
