// OOXML and ODF packages: the creation date in docProps/core.xml (dcterms:created) or
// meta.xml (meta:creation-date), inflated from the ZIP with bounded sizes.
#include <zlib.h>

#include <string>
#include <vector>

#include "bytes.h"
#include "content_date.h"
#include "dates.h"
#include "zip.h"

namespace custos::identify::detail {
namespace {

constexpr size_t kMaxMembers = 4096;
constexpr uint32_t kMaxCompressed = 256 * 1024;
constexpr size_t kMaxInflated = 64 * 1024;  // the date is near the start of the part

// Inflates raw deflate data into at most kMaxInflated bytes (a prefix is enough).
std::string InflatePrefix(std::string_view in) {
  std::string out(kMaxInflated, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return {};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_SYNC_FLUSH);
  const size_t produced = out.size() - zs.avail_out;
  inflateEnd(&zs);
  if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return {};
  out.resize(produced);
  return out;
}

// The text of the first element named `tag` (e.g. "dcterms:created") in `xml`.
std::string_view ElementText(std::string_view xml, std::string_view tag) {
  const size_t open = xml.find("<" + std::string(tag));
  if (open == std::string_view::npos) return {};
  const size_t start = xml.find('>', open);
  if (start == std::string_view::npos) return {};
  const size_t end = xml.find('<', start + 1);
  if (end == std::string_view::npos) return {};
  return xml.substr(start + 1, end - start - 1);
}

}  // namespace

std::optional<int64_t> OfficeDate(Reader& r) {
  std::vector<ZipMember> members;
  if (!ListZipMembers(r, kMaxMembers, members)) return std::nullopt;
  for (const ZipMember& m : members) {
    std::string_view tag;
    if (m.name == "docProps/core.xml") tag = "dcterms:created";
    if (m.name == "meta.xml") tag = "meta:creation-date";
    if (tag.empty() || (m.flags & 1) != 0) continue;  // bit 0: encrypted
    if (m.compressed_size > kMaxCompressed || (m.method != 0 && m.method != 8)) continue;
    const std::string_view h = r.Read(m.local_header, 30);
    if (h.size() < 30 || h.substr(0, 4) != "PK\x03\x04") continue;
    const uint64_t data = uint64_t{m.local_header} + 30 + Le16(h, 26) + Le16(h, 28);
    const std::string compressed(r.Read(data, m.compressed_size));
    const std::string xml =
        m.method == 0 ? compressed.substr(0, kMaxInflated) : InflatePrefix(compressed);
    if (auto t = Plausible(ParseLooseDate(ElementText(xml, tag)))) return t;
  }
  return std::nullopt;
}

}  // namespace custos::identify::detail
