// Content-date parsers: the recording/capture date embedded in a file, read through a
// bounded Reader. Each returns Unix seconds (UTC) or nullopt; none allocates more than
// a bounded amount or loops without a bound, whatever the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "reader.h"

namespace custos::identify::detail {

// Picks the parser from the leading bytes (and `mime` for text formats) and returns a
// plausible date (see Plausible) or nullopt.
std::optional<int64_t> ContentDate(Reader& r, std::string_view mime);

// MP4/MOV/3GP: moov/mvhd creation_time.
std::optional<int64_t> IsoBmffDate(Reader& r);
// Matroska/WebM: Segment/Info/DateUTC.
std::optional<int64_t> MatroskaDate(Reader& r);
// JPEG: EXIF DateTimeOriginal, else DateTimeDigitized, else DateTime (libexif).
std::optional<int64_t> JpegExifDate(Reader& r);
// TIFF (and TIFF-based raw formats): the same tags.
std::optional<int64_t> TiffExifDate(Reader& r);
// Loads an EXIF block ("Exif\0\0" + TIFF header) with libexif and returns its date.
std::optional<int64_t> ExifBlockDate(std::string_view exif);
// AVI: IDIT chunk, else INFO/ICRD.
std::optional<int64_t> AviDate(Reader& r);
// ASF/WMV: File Properties creation date.
std::optional<int64_t> AsfDate(Reader& r);
// Dahua DAV: packed date of the first DHAV frame.
std::optional<int64_t> DavDate(Reader& r);
// ISO/IEC 19794-x:2011 records: capture date of the first representation.
std::optional<int64_t> Iso19794Date(Reader& r);
// ANSI/NIST-ITL: field 1.014 (GMT) else 1.005 (date).
std::optional<int64_t> An2kDate(Reader& r);
// E-mail: the `Date:` header.
std::optional<int64_t> EmailDate(Reader& r);
// PDF: Info /CreationDate (searched at the start and the end of the file).
std::optional<int64_t> PdfDate(Reader& r);
// OOXML (docProps/core.xml dcterms:created) and ODF (meta.xml meta:creation-date).
std::optional<int64_t> OfficeDate(Reader& r);

}  // namespace custos::identify::detail
