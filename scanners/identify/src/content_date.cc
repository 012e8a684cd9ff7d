#include "content_date.h"

#include "bytes.h"

namespace custos::identify::detail {
namespace {

bool IsIsoBmff(std::string_view p) {
  if (p.size() < 8) return false;
  const std::string_view type = p.substr(4, 4);
  return type == "ftyp" || type == "moov" || type == "mdat" || type == "wide" || type == "free" ||
         type == "skip" || type == "pnot";
}

}  // namespace

std::optional<int64_t> ContentDate(Reader& r, std::string_view mime) {
  const std::string_view p = r.prefix();
  if (IsIsoBmff(p)) return IsoBmffDate(r);
  if (StartsWith(p, "\x1A\x45\xDF\xA3")) return MatroskaDate(r);
  if (StartsWith(p, "\xFF\xD8\xFF")) return JpegExifDate(r);
  if (StartsWith(p, std::string_view("II*\0", 4)) || StartsWith(p, std::string_view("MM\0*", 4))) {
    return TiffExifDate(r);
  }
  if (StartsWith(p, "RIFF") && p.size() >= 12 && p.substr(8, 3) == "AVI") return AviDate(r);
  if (StartsWith(p, "\x30\x26\xB2\x75\x8E\x66\xCF\x11")) return AsfDate(r);
  if (StartsWith(p, "DHAV") || StartsWith(p, "DAHUA")) return DavDate(r);
  if (p.size() >= 4 && p[3] == '\0' &&
      (StartsWith(p, "FMR") || StartsWith(p, "FIR") || StartsWith(p, "FAC") ||
       StartsWith(p, "IIR"))) {
    return Iso19794Date(r);
  }
  if (StartsWith(p, "1.001:")) return An2kDate(r);
  if (StartsWith(p, "%PDF-") || mime == "application/pdf") return PdfDate(r);
  if (mime == "message/rfc822" || mime == "message/news") return EmailDate(r);
  if (StartsWith(p, "PK\x03\x04") &&
      (StartsWith(mime, "application/vnd.openxmlformats-officedocument.") ||
       StartsWith(mime, "application/vnd.oasis.opendocument."))) {
    return OfficeDate(r);
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
