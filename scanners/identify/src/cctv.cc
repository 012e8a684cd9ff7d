// CCTV exports: Dahua DAV frame dates.
#include "bytes.h"
#include "content_date.h"
#include "custos/base/time.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

// Where to look for the first DHAV frame after a DAHUA file header.
constexpr size_t kDavSearch = 64 * 1024;

// The packed frame date: sec 6 bits, min 6, hour 5, day 5, month 4, year-2000 6 (LSB
// first). Device local time, taken as UTC.
std::optional<int64_t> PackedDate(uint32_t v) {
  const int sec = static_cast<int>(v & 0x3F);
  const int min = static_cast<int>(v >> 6 & 0x3F);
  const int hour = static_cast<int>(v >> 12 & 0x1F);
  const int day = static_cast<int>(v >> 17 & 0x1F);
  const int month = static_cast<int>(v >> 22 & 0xF);
  const int year = 2000 + static_cast<int>(v >> 26);
  return Plausible(UnixFromCivil(year, month, day, hour, min, sec));
}

}  // namespace

std::optional<int64_t> DavDate(Reader& r) {
  const std::string_view head = r.Read(0, kDavSearch);
  size_t pos = head.find("DHAV");
  // Each frame starts "DHAV" + type; try the first few in case of a damaged one.
  for (int n = 0; n < 8 && pos != std::string_view::npos; ++n) {
    if (pos + 20 <= head.size()) {
      const uint8_t type = U8(head, pos + 4);
      if (type == 0xFD || type == 0xFC || type == 0xF0 || type == 0xF1) {
        if (auto t = PackedDate(Le32(head, pos + 16))) return t;
      }
    }
    pos = head.find("DHAV", pos + 4);
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
