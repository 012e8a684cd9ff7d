// MP4 / MOV / 3GP (ISO base media file format): the movie header's creation time.
#include "bytes.h"
#include "content_date.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr int kMaxBoxes = 1000;  // per level
// Seconds from 1904-01-01 (the QuickTime/ISO epoch) to 1970-01-01.
constexpr uint64_t kEpoch1904 = 2082844800;

struct Box {
  uint64_t start = 0;  // offset of the box header
  uint64_t header = 0;
  uint64_t size = 0;  // whole box, header included
  std::string_view type;
  char type_buf[4] = {};
};

// Reads the box header at `off`, the box ending no later than `end`.
bool ReadBox(Reader& r, uint64_t off, uint64_t end, Box& box) {
  if (off >= end || end - off < 8) return false;
  const std::string_view h = r.Read(off, 16);
  if (h.size() < 8) return false;
  box.start = off;
  for (int i = 0; i < 4; ++i) box.type_buf[i] = h[4 + i];
  box.type = std::string_view(box.type_buf, 4);
  const uint32_t size32 = Be32(h, 0);
  if (size32 == 1) {  // 64-bit largesize follows the type
    if (h.size() < 16) return false;
    box.header = 16;
    box.size = Be64(h, 8);
  } else if (size32 == 0) {  // extends to the end of the enclosing space
    box.header = 8;
    box.size = end - off;
  } else {
    box.header = 8;
    box.size = size32;
  }
  if (box.size < box.header) return false;
  if (box.size > end - off) box.size = end - off;  // truncated file: clamp
  return true;
}

// Finds the first box of `type` among the boxes in [begin, end).
bool FindBox(Reader& r, uint64_t begin, uint64_t end, std::string_view type, Box& out) {
  uint64_t off = begin;
  for (int i = 0; i < kMaxBoxes; ++i) {
    Box box;
    if (!ReadBox(r, off, end, box)) return false;
    if (box.type == type) {
      out = box;
      return true;
    }
    off += box.size;
  }
  return false;
}

}  // namespace

std::optional<int64_t> IsoBmffDate(Reader& r) {
  Box moov;
  if (!FindBox(r, 0, r.size(), "moov", moov)) return std::nullopt;
  Box mvhd;
  if (!FindBox(r, moov.start + moov.header, moov.start + moov.size, "mvhd", mvhd)) {
    return std::nullopt;
  }
  // FullBox: version (1), flags (3), creation_time (u32, or u64 in version 1).
  const std::string_view body = r.Read(mvhd.start + mvhd.header, 12);
  if (body.size() < 8) return std::nullopt;
  uint64_t raw = 0;
  if (U8(body, 0) == 1) {
    if (body.size() < 12) return std::nullopt;
    raw = Be64(body, 4);
  } else {
    raw = Be32(body, 4);
  }
  if (raw == 0 || raw > (uint64_t{1} << 62)) return std::nullopt;
  if (raw < kEpoch1904) {
    // Before 1970 when read from 1904: some cameras write Unix time instead.
    return Plausible(static_cast<int64_t>(raw));
  }
  return Plausible(static_cast<int64_t>(raw - kEpoch1904));
}

}  // namespace custos::identify::detail
