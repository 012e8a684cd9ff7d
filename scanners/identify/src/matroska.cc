// Matroska / WebM: Segment > Info > DateUTC (signed ns since 2001-01-01T00:00:00Z).
#include "bytes.h"
#include "content_date.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr uint32_t kEbmlId = 0x1A45DFA3;
constexpr uint32_t kSegmentId = 0x18538067;
constexpr uint32_t kInfoId = 0x1549A966;
constexpr uint32_t kDateUtcId = 0x4461;
constexpr uint32_t kSeekHeadId = 0x114D9B74;
constexpr uint32_t kSeekId = 0x4DBB;
constexpr uint32_t kSeekIdId = 0x53AB;
constexpr uint32_t kSeekPositionId = 0x53AC;
constexpr uint32_t kClusterId = 0x1F43B675;
constexpr int kMaxElements = 512;  // per level
constexpr int64_t kUnix2001 = 978307200;

struct Element {
  uint32_t id = 0;
  uint64_t data = 0;  // offset of the payload
  uint64_t size = 0;  // payload size, clamped to the parent; unknown: to the parent's end
  bool unknown_size = false;
};

// Decodes a variable-size integer at s[i]; `keep_marker` for element IDs.
bool Vint(std::string_view s, size_t& i, int max_len, bool keep_marker, uint64_t& value,
          bool& all_ones) {
  if (i >= s.size()) return false;
  const uint8_t first = U8(s, i);
  int len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) ++len;
  if (len > max_len || i + static_cast<size_t>(len) > s.size()) return false;
  uint64_t v = keep_marker ? first : (first & (0xFF >> len));
  bool ones = (first & (0xFF >> len)) == (0xFF >> len);
  for (int k = 1; k < len; ++k) {
    const uint8_t b = U8(s, i + static_cast<size_t>(k));
    v = v << 8 | b;
    ones = ones && b == 0xFF;
  }
  i += static_cast<size_t>(len);
  value = v;
  all_ones = ones;
  return true;
}

// Reads the element header at `off` within a parent ending at `end`.
bool ReadElement(Reader& r, uint64_t off, uint64_t end, Element& e) {
  if (off >= end) return false;
  const std::string_view h = r.Read(off, 12);
  size_t i = 0;
  uint64_t id = 0;
  uint64_t size = 0;
  bool ones = false;
  if (!Vint(h, i, 4, true, id, ones)) return false;
  if (!Vint(h, i, 8, false, size, ones)) return false;
  e.id = static_cast<uint32_t>(id);
  e.data = off + i;
  if (e.data > end) return false;
  e.unknown_size = ones;
  e.size = ones || size > end - e.data ? end - e.data : size;
  return true;
}

// DateUTC inside the Info element `info`.
std::optional<int64_t> InfoDate(Reader& r, const Element& info) {
  const uint64_t end = info.data + info.size;
  uint64_t off = info.data;
  for (int n = 0; n < kMaxElements; ++n) {
    Element e;
    if (!ReadElement(r, off, end, e)) return std::nullopt;
    if (e.id == kDateUtcId) {
      if (e.size == 0 || e.size > 8) return std::nullopt;
      const std::string_view d = r.Read(e.data, static_cast<size_t>(e.size));
      if (d.size() != e.size) return std::nullopt;
      uint64_t u = 0;
      for (char c : d) u = u << 8 | static_cast<uint8_t>(c);
      const int shift = static_cast<int>(64 - 8 * e.size);
      const int64_t ns = static_cast<int64_t>(u << shift) >> shift;  // sign-extend
      int64_t secs = ns / 1000000000;
      if (ns % 1000000000 < 0) --secs;
      return Plausible(kUnix2001 + secs);
    }
    if (e.unknown_size) return std::nullopt;
    off = e.data + e.size;
  }
  return std::nullopt;
}

// The Info position (relative to the segment payload) from a SeekHead, or 0.
uint64_t InfoPositionFromSeekHead(Reader& r, const Element& seek_head) {
  const uint64_t end = seek_head.data + seek_head.size;
  uint64_t off = seek_head.data;
  for (int n = 0; n < kMaxElements; ++n) {
    Element seek;
    if (!ReadElement(r, off, end, seek) || seek.unknown_size) return 0;
    if (seek.id == kSeekId) {
      uint64_t target = 0;
      uint64_t position = 0;
      uint64_t child_off = seek.data;
      const uint64_t child_end = seek.data + seek.size;
      for (int k = 0; k < 8; ++k) {
        Element c;
        if (!ReadElement(r, child_off, child_end, c) || c.unknown_size) break;
        if (c.size > 0 && c.size <= 8) {
          const std::string_view d = r.Read(c.data, static_cast<size_t>(c.size));
          uint64_t v = 0;
          for (char ch : d) v = v << 8 | static_cast<uint8_t>(ch);
          if (c.id == kSeekIdId) target = v;
          if (c.id == kSeekPositionId) position = v;
        }
        child_off = c.data + c.size;
      }
      if (target == kInfoId && position > 0) return position;
    }
    off = seek.data + seek.size;
  }
  return 0;
}

}  // namespace

std::optional<int64_t> MatroskaDate(Reader& r) {
  const uint64_t file_end = r.size();
  Element e;
  if (!ReadElement(r, 0, file_end, e) || e.id != kEbmlId || e.unknown_size) return std::nullopt;
  // Top level: EBML header, then the Segment (possibly after Void elements).
  uint64_t off = e.data + e.size;
  Element segment;
  bool found = false;
  for (int n = 0; n < 16 && !found; ++n) {
    if (!ReadElement(r, off, file_end, segment)) return std::nullopt;
    if (segment.id == kSegmentId) {
      found = true;
    } else {
      if (segment.unknown_size) return std::nullopt;
      off = segment.data + segment.size;
    }
  }
  if (!found) return std::nullopt;
  const uint64_t seg_end = segment.data + segment.size;
  uint64_t info_position = 0;
  off = segment.data;
  for (int n = 0; n < kMaxElements; ++n) {
    Element child;
    if (!ReadElement(r, off, seg_end, child)) break;
    if (child.id == kInfoId) return InfoDate(r, child);
    if (child.id == kSeekHeadId && info_position == 0) {
      info_position = InfoPositionFromSeekHead(r, child);
    }
    // Clusters (often of unknown size when live-recorded) hold the media: the Info
    // element comes before them, or the SeekHead says where it is.
    if (child.id == kClusterId || child.unknown_size) break;
    off = child.data + child.size;
  }
  if (info_position == 0 || info_position >= segment.size) return std::nullopt;
  Element info;
  if (!ReadElement(r, segment.data + info_position, seg_end, info) || info.id != kInfoId) {
    return std::nullopt;
  }
  return InfoDate(r, info);
}

}  // namespace custos::identify::detail
