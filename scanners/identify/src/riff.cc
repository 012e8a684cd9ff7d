// AVI (RIFF): the IDIT chunk (digitization date, usually ctime text) in the header
// list, else the INFO list's ICRD (creation date).
#include "bytes.h"
#include "content_date.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr int kMaxChunks = 256;  // per list
constexpr size_t kMaxDateText = 64;

struct Found {
  std::optional<int64_t> idit;
  std::optional<int64_t> icrd;
};

std::optional<int64_t> ChunkDate(Reader& r, uint64_t data, uint32_t size) {
  const std::string_view text = r.Read(data, size < kMaxDateText ? size : kMaxDateText);
  return Plausible(ParseLooseDate(text));
}

// Walks the chunks in [begin, end); descends into LIST hdrl and LIST INFO (`depth`
// bounds the nesting).
void WalkList(Reader& r, uint64_t begin, uint64_t end, int depth, Found& found) {
  uint64_t off = begin;
  for (int n = 0; n < kMaxChunks && off + 8 <= end; ++n) {
    const std::string_view h = r.Read(off, 12);
    if (h.size() < 8) return;
    const std::string_view id = h.substr(0, 4);
    const uint32_t size = Le32(h, 4);
    const uint64_t data = off + 8;
    if (size > end - data) return;  // truncated or corrupt
    if (id == "IDIT" && !found.idit) {
      found.idit = ChunkDate(r, data, size);
    } else if (id == "ICRD" && !found.icrd) {
      found.icrd = ChunkDate(r, data, size);
    } else if (id == "LIST" && size >= 4 && depth < 2 && h.size() >= 12) {
      const std::string_view type = h.substr(8, 4);
      if (type == "hdrl" || type == "INFO") WalkList(r, data + 4, data + size, depth + 1, found);
    }
    if (found.idit) return;
    off = data + size + (size & 1);
  }
}

}  // namespace

std::optional<int64_t> AviDate(Reader& r) {
  const std::string_view h = r.Read(0, 12);
  if (h.size() < 12 || h.substr(0, 4) != "RIFF") return std::nullopt;
  uint64_t end = 8 + static_cast<uint64_t>(Le32(h, 4));
  if (end > r.size()) end = r.size();
  Found found;
  WalkList(r, 12, end, 0, found);
  return found.idit ? found.idit : found.icrd;
}

}  // namespace custos::identify::detail
