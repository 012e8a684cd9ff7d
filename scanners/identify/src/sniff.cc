#include "sniff.h"

#include <cctype>

#include <algorithm>
#include <vector>

#include "bytes.h"
#include "custos/base/bytes.h"
#include "zip.h"

namespace custos::identify::detail {
namespace {

constexpr size_t kMinTsPackets = 3;
constexpr size_t kMaxTsPackets = 64;
constexpr size_t kMaxZipMembers = 4096;

bool SyncEvery(std::string_view p, size_t first, size_t stride) {
  if (p.size() < first + 4) return false;
  const size_t packets = std::min((p.size() - first - 4) / stride + 1, kMaxTsPackets);
  if (packets < kMinTsPackets) return false;
  for (size_t i = 0; i < packets; ++i) {
    const size_t at = first + i * stride;
    if (U8(p, at) != 0x47) return false;
    if (U8(p, at + 1) & 0x80) return false;  // transport_error_indicator
  }
  return true;
}

struct OfficeType {
  std::string_view folder;
  std::string_view mime;
  std::string_view description;
};
constexpr OfficeType kOoxml[] = {
    {"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Microsoft Word 2007+"},
    {"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "Microsoft Excel 2007+"},
    {"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
     "Microsoft PowerPoint 2007+"},
};

// The content of a small stored member (ODF/EPUB "mimetype"), or empty.
std::string StoredMember(Reader& r, const ZipMember& m) {
  if (m.method != 0 || m.size == 0 || m.size > 128 || m.compressed_size != m.size) return {};
  const std::string_view h = r.Read(m.local_header, 30);
  if (h.size() < 30 || h.substr(0, 4) != "PK\x03\x04") return {};
  const uint64_t data = uint64_t{m.local_header} + 30 + Le16(h, 26) + Le16(h, 28);
  return std::string(r.Read(data, m.size));
}

void RefineZip(Reader& r, std::string& mime, std::string& description) {
  std::vector<ZipMember> members;
  if (!ListZipMembers(r, kMaxZipMembers, members)) return;
  bool content_types = false;
  for (const ZipMember& m : members) content_types |= m.name == "[Content_Types].xml";
  if (content_types) {
    for (const OfficeType& t : kOoxml) {
      for (const ZipMember& m : members) {
        if (m.name.starts_with(t.folder)) {
          mime = t.mime;
          description = t.description;
          return;
        }
      }
    }
  }
  for (const ZipMember& m : members) {
    if (m.name != "mimetype") continue;
    const std::string type = StoredMember(r, m);
    if (type.starts_with("application/vnd.oasis.opendocument.") || type == "application/epub+zip") {
      mime = type;
      description = "OpenDocument / EPUB package (" + type + ")";
    }
    return;
  }
}

}  // namespace

bool LooksLikeMpegTs(std::string_view prefix) {
  return SyncEvery(prefix, 0, 188) || SyncEvery(prefix, 4, 192) || SyncEvery(prefix, 0, 204);
}

bool LooksLikePlainText(std::string_view p) {
  size_t i = 0;
  while (i < p.size() && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) ++i;
  if (i == p.size() || !std::isalnum(static_cast<unsigned char>(p[i]))) return false;
  const std::string_view start = p.substr(i, 256);
  if (start.starts_with("From ") || start.starts_with("1.001:")) return false;
  // A first line "Word-Word: ..." is how mail, HTTP and many records begin.
  size_t k = 0;
  while (k < start.size() && (std::isalnum(static_cast<unsigned char>(start[k])) ||
                              start[k] == '-' || start[k] == '_')) {
    ++k;
  }
  if (k < start.size() && start[k] == ':') return false;
  // Tables (CSV, TSV): the first two lines have the same number of separators;
  // libmagic names them (text/csv).
  const std::string_view body = p.substr(i, 4096);
  const size_t nl = body.find('\n');
  if (nl != std::string_view::npos) {
    const std::string_view l1 = body.substr(0, nl);
    std::string_view l2 = body.substr(nl + 1);
    l2 = l2.substr(0, l2.find('\n'));
    for (const char sep : {',', ';', '\t', '|'}) {
      const auto n1 = std::count(l1.begin(), l1.end(), sep);
      if (n1 > 0 && n1 == std::count(l2.begin(), l2.end(), sep)) return false;
    }
  }
  return bytes::ForEachOddControl(p, [](unsigned char c) { return c == '\f' || c == 0x1b; });
}

void RefineMagic(Reader& r, std::string& mime, std::string& description) {
  const bool unknown = mime.empty() || mime == "application/octet-stream";
  if (unknown && LooksLikeMpegTs(r.prefix())) {
    mime = "video/MP2T";
    description = "MPEG transport stream data";
    return;
  }
  if ((unknown || mime == "application/zip") && r.prefix().starts_with("PK\x03\x04")) {
    RefineZip(r, mime, description);
  }
}

}  // namespace custos::identify::detail
