// Capture dates of biometric records: ISO/IEC 19794-x:2011 representation headers and
// ANSI/NIST-ITL Type-1 fields.
#include "bytes.h"
#include "content_date.h"
#include "custos/base/time.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

// ISO/IEC 19794-1:2011 framing: format id (4), version (4), record length (4), number
// of representations (2), certification flag (1), then `extra` part-specific bytes;
// each representation starts with its length (4) and the 9-byte capture date: year
// (u16), month, day, hour, minute, second (u8), millisecond (u16); 0xFF(FF) = unset.
struct Layout {
  std::string_view magic;  // format id + version, 8 bytes
  size_t extra;
};
constexpr Layout kLayouts[] = {
    {std::string_view("FMR\0"
                      "030\0",
                      8),
     0},  // 19794-2:2011
    {std::string_view("FMR\0"
                      "035\0",
                      8),
     0},  // 19794-2:2011/Amd 2
    {std::string_view("FIR\0"
                      "020\0",
                      8),
     1},  // 19794-4:2011: distinct positions
    {std::string_view("FAC\0"
                      "030\0",
                      8),
     2},  // 19794-5:2011: temporal semantics
    {std::string_view("IIR\0"
                      "020\0",
                      8),
     1},  // 19794-6:2011: eyes represented
};

// The value of Type-1 field `tag` ("1.005:"), or empty.
std::string_view An2kField(std::string_view record, std::string_view tag) {
  size_t pos = 0;
  while ((pos = record.find(tag, pos)) != std::string_view::npos) {
    if (pos == 0 || record[pos - 1] == '\x1d') {
      const size_t start = pos + tag.size();
      const size_t end = record.find('\x1d', start);
      return record.substr(start,
                           end == std::string_view::npos ? record.size() - start : end - start);
    }
    pos += tag.size();
  }
  return {};
}

}  // namespace

std::optional<int64_t> Iso19794Date(Reader& r) {
  const std::string_view head = r.Read(0, 64);
  for (const Layout& l : kLayouts) {
    if (!head.starts_with(l.magic)) continue;
    const size_t at = 15 + l.extra + 4;
    if (head.size() < at + 9) return std::nullopt;
    const int year = Be16(head, at);
    const int month = U8(head, at + 2);
    const int day = U8(head, at + 3);
    int hour = U8(head, at + 4);
    int minute = U8(head, at + 5);
    int second = U8(head, at + 6);
    if (year == 0xFFFF || month == 0xFF || day == 0xFF) return std::nullopt;
    if (hour == 0xFF) hour = minute = second = 0;
    if (minute == 0xFF) minute = second = 0;
    if (second == 0xFF) second = 0;
    return Plausible(UnixFromCivil(year, month, day, hour, minute, second));
  }
  return std::nullopt;
}

std::optional<int64_t> An2kDate(Reader& r) {
  std::string_view record = r.Read(0, 64 * 1024);
  record = record.substr(0, record.find('\x1c'));  // the Type-1 record only
  // 1.014 Greenwich mean time "YYYYMMDDhhmmssZ", else 1.005 date "YYYYMMDD".
  for (std::string_view tag : {"1.014:", "1.14:", "1.005:", "1.05:"}) {
    const std::string_view v = An2kField(record, tag);
    if (v.size() >= 8) {
      if (auto t = Plausible(ParseCompactDate(v))) return t;
    }
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
