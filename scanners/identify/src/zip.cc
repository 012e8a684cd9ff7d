#include "zip.h"

#include <algorithm>

#include "bytes.h"

namespace custos::identify::detail {
namespace {

constexpr size_t kEocdSize = 22;
constexpr size_t kMaxComment = 0xFFFF;
constexpr size_t kMaxCentralDirectory = 1 << 20;
constexpr size_t kCentralHeaderSize = 46;

}  // namespace

bool ListZipMembers(Reader& r, size_t max_members, std::vector<ZipMember>& out) {
  out.clear();
  if (r.size() < kEocdSize) return false;
  const uint64_t tail_size = std::min<uint64_t>(r.size(), kEocdSize + kMaxComment);
  const uint64_t tail_start = r.size() - tail_size;
  const std::string_view tail = r.Read(tail_start, static_cast<size_t>(tail_size));
  if (tail.size() < kEocdSize) return false;
  // The end of central directory record: the last "PK\5\6" whose comment length fits.
  size_t eocd = std::string_view::npos;
  for (size_t pos = tail.size() - kEocdSize + 1; pos-- > 0;) {
    if (tail.compare(pos, 4, "PK\x05\x06") == 0 &&
        pos + kEocdSize + Le16(tail, pos + 20) <= tail.size()) {
      eocd = pos;
      break;
    }
  }
  if (eocd == std::string_view::npos) return false;
  const uint32_t cd_size = Le32(tail, eocd + 12);
  const uint32_t cd_offset = Le32(tail, eocd + 16);
  if (cd_offset == 0xFFFFFFFF || cd_size == 0xFFFFFFFF) return false;  // ZIP64
  if (static_cast<uint64_t>(cd_offset) + cd_size > tail_start + eocd) return false;
  const std::string cd(r.Read(cd_offset, std::min<size_t>(cd_size, kMaxCentralDirectory)));
  size_t pos = 0;
  while (out.size() < max_members && pos + kCentralHeaderSize <= cd.size()) {
    if (cd.compare(pos, 4, "PK\x01\x02") != 0) break;
    const std::string_view h(cd.data() + pos, kCentralHeaderSize);
    const size_t name_len = Le16(h, 28);
    const size_t extra_len = Le16(h, 30);
    const size_t comment_len = Le16(h, 32);
    if (pos + kCentralHeaderSize + name_len > cd.size()) break;
    ZipMember m;
    m.flags = Le16(h, 8);
    m.method = Le16(h, 10);
    m.compressed_size = Le32(h, 20);
    m.size = Le32(h, 24);
    m.local_header = Le32(h, 42);
    m.name.assign(cd, pos + kCentralHeaderSize, name_len);
    out.push_back(std::move(m));
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
  }
  return !out.empty();
}

}  // namespace custos::identify::detail
