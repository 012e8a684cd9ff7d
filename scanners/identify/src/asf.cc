// ASF / WMV: the File Properties object's creation date (FILETIME).
#include <cstring>

#include "bytes.h"
#include "content_date.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr char kHeaderGuid[] = "\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C";
constexpr char kFilePropertiesGuid[] =
    "\xA1\xDC\xAB\x8C\x47\xA9\xCF\x11\x8E\xE4\x00\xC0\x0C\x20\x53\x65";
constexpr int kMaxObjects = 256;
// Seconds from 1601-01-01 (FILETIME epoch) to 1970-01-01.
constexpr int64_t kFiletimeEpoch = 11644473600;

}  // namespace

std::optional<int64_t> AsfDate(Reader& r) {
  const std::string_view h = r.Read(0, 30);
  if (h.size() < 30 || h.substr(0, 16) != std::string_view(kHeaderGuid, 16)) return std::nullopt;
  uint64_t end = Le64(h, 16);
  if (end > r.size()) end = r.size();
  uint64_t off = 30;
  for (int n = 0; n < kMaxObjects && off + 24 <= end; ++n) {
    const std::string_view o = r.Read(off, 24);
    if (o.size() < 24) return std::nullopt;
    const uint64_t size = Le64(o, 16);
    if (size < 24 || size > end - off) return std::nullopt;
    if (o.substr(0, 16) == std::string_view(kFilePropertiesGuid, 16)) {
      // GUID, size, file id (16), file size (8), creation date (8).
      if (size < 56) return std::nullopt;
      const std::string_view d = r.Read(off + 48, 8);
      if (d.size() < 8) return std::nullopt;
      const uint64_t ft = Le64(d, 0);
      if (ft == 0) return std::nullopt;
      return Plausible(static_cast<int64_t>(ft / 10000000) - kFiletimeEpoch);
    }
    off += size;
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
