// Hostile and truncated input: huge box and element sizes, deep nesting, marker
// floods, random bytes. Identify must return OK, quickly, without a content date.
#include <chrono>
#include <random>

#include "identify_helpers.h"

namespace custos::test {
namespace {

// Identifies `bytes` and checks that it took well under a second.
Item TimedIdentify(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto start = std::chrono::steady_clock::now();
  Item item = IdentifyBytes(dir, name, bytes);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  INFO(name << " took " << ms << " ms");
  CHECK(ms < 2000);
  return item;
}

std::string Ebml(const std::string& id, const std::string& size, const std::string& payload) {
  return id + size + payload;
}

TEST_CASE("MP4 with absurd box sizes", "[identify][hostile]") {
  TempDir dir;
  const std::string ftyp = Be(20, 4) + "ftypisom" + Be(0x200, 4) + "isom";
  // largesize 2^63 for mdat, then a moov that is never reached.
  Item item = TimedIdentify(
      dir, "huge.mp4", ftyp + Be(1, 4) + "mdat" + Be(uint64_t{1} << 63, 8) + std::string(64, '\0'));
  CHECK(item.category == Category::kVideo);
  CHECK_FALSE(item.content_date.has_value());
  // largesize smaller than its header, size 0xFFFFFFFF, truncated mvhd.
  item = TimedIdentify(dir, "small.mp4", ftyp + Be(1, 4) + "moov" + Be(3, 8));
  CHECK_FALSE(item.content_date.has_value());
  item = TimedIdentify(dir, "ffff.mp4", ftyp + Be(0xFFFFFFFF, 4) + "moov" + Be(20, 4) + "mvhd");
  CHECK_FALSE(item.content_date.has_value());
  item = TimedIdentify(dir, "cut.mp4", ftyp + Be(24, 4) + "moov" + Be(16, 4) + "mvhd" + Be(1, 1));
  CHECK_FALSE(item.content_date.has_value());
  // 100000 empty 8-byte boxes: the walk stops at its bound.
  std::string many = ftyp;
  for (int i = 0; i < 100000; ++i) many += Be(8, 4) + "free";
  many += Be(8, 4) + "moov";
  item = TimedIdentify(dir, "many.mp4", many);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("Matroska with huge sizes, unknown sizes and deep nesting", "[identify][hostile]") {
  TempDir dir;
  const std::string header = Ebml("\x1A\x45\xDF\xA3", "\x84", Be(0x4282, 2) + "\x81\x61");
  const std::string huge = "\x01" + Be(0x00FFFFFFFFFFFFFE, 7);
  Item item = TimedIdentify(
      dir, "huge.mkv", header + Ebml("\x18\x53\x80\x67", huge, Ebml("\x15\x49\xA9\x66", huge, "")));
  CHECK_FALSE(item.content_date.has_value());
  // EBML header of unknown size; a DateUTC of 9 bytes; an invalid (all-zero) ID.
  item =
      TimedIdentify(dir, "unknown.mkv", Ebml("\x1A\x45\xDF\xA3", "\xFF", std::string(32, '\x00')));
  CHECK_FALSE(item.content_date.has_value());
  item = TimedIdentify(
      dir, "bad_date.mkv",
      header + Ebml("\x18\x53\x80\x67", "\xFF",
                    Ebml("\x15\x49\xA9\x66", "\x8C", "\x44\x61\x89" + std::string(9, '\x01'))));
  CHECK_FALSE(item.content_date.has_value());
  // 50000 nested unknown-size elements.
  std::string deep = header + Ebml("\x18\x53\x80\x67", "\xFF", "");
  for (int i = 0; i < 50000; ++i) deep += "\x15\x49\xA9\x66\xFF";
  item = TimedIdentify(dir, "deep.mkv", deep);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("JPEG, TIFF, AVI, ASF, ZIP with corrupt structure", "[identify][hostile]") {
  TempDir dir;
  // A flood of fill bytes and empty APP segments.
  std::string jpeg = "\xFF\xD8";
  for (int i = 0; i < 20000; ++i) jpeg += "\xFF\xE0\x00\x02";
  Item item = TimedIdentify(dir, "flood.jpg", jpeg);
  CHECK(item.category == Category::kImage);
  CHECK_FALSE(item.content_date.has_value());
  // APP1 Exif with IFD offsets pointing everywhere.
  const std::string exif = Bytes("Exif\0\0II*\0") + Le(0xFFFFFFF0, 4) + std::string(64, '\xFF');
  item = TimedIdentify(dir, "bad_exif.jpg",
                       "\xFF\xD8\xFF\xE1" + Be(exif.size() + 2, 2) + exif + "\xFF\xD9");
  CHECK_FALSE(item.content_date.has_value());
  item = TimedIdentify(dir, "bad.tiff",
                       Bytes("II*\0") + Le(8, 4) + Le(0xFFFF, 2) + std::string(100, '\x01'));
  CHECK_FALSE(item.content_date.has_value());
  // RIFF/AVI whose chunks claim 4 GiB.
  item = TimedIdentify(dir, "bad.avi",
                       "RIFF" + Le(0xFFFFFFFF, 4) + "AVI LIST" + Le(0xFFFFFFF0, 4) + "hdrlIDIT" +
                           Le(0xFFFFFFFF, 4) + "Mon");
  CHECK_FALSE(item.content_date.has_value());
  // ASF header objects of size 0.
  item = TimedIdentify(
      dir, "bad.wmv",
      std::string("\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C", 16) +
          Le(1000, 8) + Le(0xFFFFFFFF, 4) + Le(0, 2) + std::string(200, '\0'));
  CHECK_FALSE(item.content_date.has_value());
  // A ZIP whose end record points outside the file.
  item = TimedIdentify(dir, "bad.zip",
                       Bytes("PK\x03\x04\x14\0\0\0\0\0") + std::string(20, '\0') +
                           Bytes("PK\x05\x06\0\0\0\0\xFF\xFF\xFF\xFF") + Le(0xFFFFFF00, 4) +
                           Le(0x7FFFFFFF, 4) + Le(0, 2));
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("random bytes behind every recognised signature", "[identify][hostile]") {
  TempDir dir;
  std::mt19937 rng(12345);
  const std::vector<std::string> signatures = {
      Be(24, 4) + "ftypisom",
      "\x1A\x45\xDF\xA3",
      "\xFF\xD8\xFF",
      Bytes("II*\0"),
      "RIFF\x10\x00\x00\x00"
      "AVI ",
      std::string("\x30\x26\xB2\x75\x8E\x66\xCF\x11\xA6\xD9\x00\xAA\x00\x62\xCE\x6C", 16),
      "DHAV\xFD",
      Bytes("FMR\0"
            "030\0"),
      Bytes("FIR\0"
            "020\0"),
      "1.001:",
      "%PDF-1.7\n",
      "PK\x03\x04",
      "From: a@b\r\nDate: ",
      std::string(1, '\x47'),
  };
  for (size_t s = 0; s < signatures.size(); ++s) {
    for (int round = 0; round < 20; ++round) {
      std::string data = signatures[s];
      const size_t len = rng() % (round < 10 ? 512 : 300000);
      for (size_t i = 0; i < len; ++i) data.push_back(static_cast<char>(rng()));
      const Item item = TimedIdentify(dir, "fuzz" + std::to_string(s), data);
      CHECK(!item.mime.empty());
    }
  }
}

}  // namespace
}  // namespace custos::test
