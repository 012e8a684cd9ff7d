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
  if (p.starts_with("\x1A\x45\xDF\xA3")) return MatroskaDate(r);
  if (p.starts_with("\xFF\xD8\xFF")) return JpegExifDate(r);
  if (p.starts_with(std::string_view("II*\0", 4)) || p.starts_with(std::string_view("MM\0*", 4))) {
    return TiffExifDate(r);
  }
  if (p.starts_with("RIFF") && p.size() >= 12 && p.substr(8, 3) == "AVI") return AviDate(r);
  if (p.starts_with("\x30\x26\xB2\x75\x8E\x66\xCF\x11")) return AsfDate(r);
  if (p.starts_with("DHAV") || p.starts_with("DAHUA")) return DavDate(r);
  if (p.size() >= 4 && p[3] == '\0' &&
      (p.starts_with("FMR") || p.starts_with("FIR") || p.starts_with("FAC") ||
       p.starts_with("IIR"))) {
    return Iso19794Date(r);
  }
  if (p.starts_with("1.001:")) return An2kDate(r);
  if (p.starts_with("%PDF-") || mime == "application/pdf") return PdfDate(r);
  if (mime == "message/rfc822" || mime == "message/news") return EmailDate(r);
  if (p.starts_with("PK\x03\x04") &&
      (mime.starts_with("application/vnd.openxmlformats-officedocument.") ||
       mime.starts_with("application/vnd.oasis.opendocument."))) {
    return OfficeDate(r);
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
