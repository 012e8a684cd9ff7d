// CCTV/VMS exports recognised by the custom magic database: video category, and the
// Dahua frame date.
#include "identify_helpers.h"

namespace custos::test {
namespace {

// A DHAV frame header (type 0xFD, an I-frame) with the packed date at 16.
std::string DhavFrame(int y, int mo, int d, int h, int mi, int s) {
  const uint32_t packed = static_cast<uint32_t>(s) | static_cast<uint32_t>(mi) << 6 |
                          static_cast<uint32_t>(h) << 12 | static_cast<uint32_t>(d) << 17 |
                          static_cast<uint32_t>(mo) << 22 | static_cast<uint32_t>(y - 2000) << 26;
  std::string f = "DHAV";
  f += Bytes("\xFD\x00\x00\x00");            // type, channel, sub-type, reserved
  f += Le(1, 4);                             // frame number
  f += Le(0x60, 4);                          // frame length
  f += Le(packed, 4);                        // date
  f += Le(0x1234, 2) + Le(0, 1) + Le(0, 1);  // timestamp (ms), extension length, checksum
  f += std::string(0x60 - f.size() - 8, '\x00');
  f += "dhav" + Le(0x60, 4);
  return f;
}

TEST_CASE("Dahua DAV export is video with the first frame's date", "[identify][cctv]") {
  TempDir dir;
  const std::string frames = DhavFrame(2023, 5, 6, 9, 8, 7) + DhavFrame(2023, 5, 6, 9, 8, 8);
  Item item = IdentifyBytes(dir, "ch01.dav", frames);
  CHECK(item.mime == "video/x-dahua-dav");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2023, 5, 6, 9, 8, 7));

  // The variant with a 0x400-byte "DAHUA" file header before the first frame.
  std::string header = "DAHUA";
  header.resize(0x400, '\0');
  item = IdentifyBytes(dir, "export.dav", header + frames);
  CHECK(item.mime == "video/x-dahua-dav");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2023, 5, 6, 9, 8, 7));
}

TEST_CASE("DAV frame with an impossible date has no content date", "[identify][cctv]") {
  TempDir dir;
  // Month 0 (an unset clock).
  const Item item = IdentifyBytes(dir, "bad.dav", DhavFrame(2023, 0, 6, 9, 8, 7));
  CHECK(item.mime == "video/x-dahua-dav");
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("Hikvision IMKH export is video", "[identify][cctv]") {
  TempDir dir;
  // 40-byte header (magic, version, system format, audio codec...), then an MPEG
  // program stream pack header.
  std::string hik = "IMKH" + Le(0x0102, 2) + Le(0x0001, 2) + Le(0x1001, 2) + Le(0x7110, 2) +
                    Le(1, 1) + Le(1, 1) + Le(8000, 4) + Le(0, 4);
  hik.resize(40, '\0');
  hik += std::string("\x00\x00\x01\xBA\x44\x00\x04\x00\x04\x01\x01\x89\xC3\xF8", 14);
  hik += std::string(2000, '\xAA');
  const Item item = IdentifyBytes(dir, "hiv00001.mp4", hik);
  CHECK(item.mime == "video/x-hikvision");
  CHECK(item.category == Category::kVideo);
}

TEST_CASE("Genetec G64 export is video", "[identify][cctv]") {
  TempDir dir;
  std::string g64 = "Genetec";
  g64.resize(26, '\0');
  g64 += "3";
  g64.resize(64, '\0');
  g64 += std::string(1000, '\x5A');
  const Item item = IdentifyBytes(dir, "cam.g64", g64);
  CHECK(item.mime == "video/x-genetec-g64");
  CHECK(item.category == Category::kVideo);
}

TEST_CASE("Avigilon AVE export is video", "[identify][cctv]") {
  TempDir dir;
  std::string ave =
      Be(28, 4) + "avfs" + std::string(20, '\0') + Be(20, 4) + "ftypave2" + Be(0, 4) + "ave2";
  ave += std::string(500, '\0');
  const Item item = IdentifyBytes(dir, "clip.ave", ave);
  CHECK(item.mime == "video/x-avigilon");
  CHECK(item.category == Category::kVideo);
}

}  // namespace
}  // namespace custos::test
