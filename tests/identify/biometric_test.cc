// Biometric records: each format of the interface spec is recognised from a realistic
// header (custom magic database), gets its MIME type and the biometric category, and
// 2011-generation records and AN2K transactions yield their capture date.
#include "identify_helpers.h"

namespace custos::test {
namespace {

// ISO/IEC 19794-1:2011 capture date block: year, month, day, hour, minute, second,
// millisecond.
std::string CaptureDate(int y, int mo, int d, int h, int mi, int s) {
  return Be(static_cast<uint64_t>(y), 2) + Be(static_cast<uint64_t>(mo), 1) +
         Be(static_cast<uint64_t>(d), 1) + Be(static_cast<uint64_t>(h), 1) +
         Be(static_cast<uint64_t>(mi), 1) + Be(static_cast<uint64_t>(s), 1) + Be(0xFFFF, 2);
}

// A 2011-generation record: general header (15 bytes + `extra`), one representation
// whose header starts with its length and the capture date, then `body`.
std::string Record2011(const std::string& magic, const std::string& extra, const std::string& date,
                       const std::string& body) {
  const std::string rep = Be(4 + date.size() + body.size(), 4) + date + body;
  const std::string head_rest = Be(1, 2) + Be(0, 1) + extra;  // 1 representation, no certs
  return magic + Be(12 + head_rest.size() + rep.size(), 4) + head_rest + rep;
}

std::string Fmr2005() {
  // Header: length, capture equipment, image size 500x500, 197 px/cm, 1 finger view.
  std::string minutiae;
  for (int i = 0; i < 3; ++i)
    minutiae += Be(0x4000 | (100 + i), 2) + Be(120 + i, 2) + Be(64, 1) + Be(80, 1);
  const std::string view = Be(1, 1) + Be(0, 1) + Be(80, 1) + Be(3, 1) + minutiae + Be(0, 2);
  const std::string rest =
      Be(0, 2) + Be(500, 2) + Be(500, 2) + Be(197, 2) + Be(197, 2) + Be(1, 1) + Be(0, 1) + view;
  return Bytes("FMR\0 20\0") + Be(12 + rest.size(), 4) + rest;
}

TEST_CASE("ISO 19794-2:2005 finger minutiae record is biometric", "[identify][biometric]") {
  TempDir dir;
  const Item item = IdentifyBytes(dir, "finger.fmr", Fmr2005(), /*describe=*/true);
  CHECK(item.mime == "application/x-iso19794-2");
  CHECK(item.category == Category::kBiometric);
  CHECK(item.description.find("19794-2") != std::string::npos);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("ISO 19794-2:2011 minutiae record yields its capture date", "[identify][biometric]") {
  TempDir dir;
  const std::string body = Be(0, 1) + Be(0, 2) + Be(0, 2) + Be(0, 1) /*no quality*/ + Be(2, 1) +
                           Be(0, 1) + Be(197, 2) + Be(197, 2) + Be(400, 2) + Be(500, 2) + Be(0, 1) +
                           Be(0, 1) + Be(0, 1) + Be(0, 2);
  const Item item = IdentifyBytes(dir, "finger2011.fmr",
                                  Record2011(Bytes("FMR\0"
                                                   "030\0"),
                                             "", CaptureDate(2021, 3, 4, 5, 6, 7), body));
  CHECK(item.mime == "application/x-iso19794-2");
  CHECK(item.category == Category::kBiometric);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2021, 3, 4, 5, 6, 7));
}

TEST_CASE("ISO 19794-4 finger image records (2005 and 2011)", "[identify][biometric]") {
  TempDir dir;
  // 2005 / ANSI 381: 48-bit length, capture device, image acquisition level, ...
  std::string fir2005 = Bytes(
                            "FIR\0"
                            "010\0") +
                        Be(64, 6) + Be(0, 2) + Be(31, 2) + Be(1, 1) + Be(1, 1) + Be(1, 1) +
                        Be(500, 2) + Be(500, 2) + Be(500, 2) + Be(500, 2) + Be(8, 1) + Be(0, 1) +
                        Be(0, 2) + std::string(32, '\x80');
  Item item = IdentifyBytes(dir, "a.fir", fir2005);
  CHECK(item.mime == "application/x-iso19794-4");
  CHECK(item.category == Category::kBiometric);
  CHECK_FALSE(item.content_date.has_value());

  const std::string fir2011 =
      Record2011(Bytes("FIR\0"
                       "020\0"),
                 Be(1, 1), CaptureDate(2020, 1, 2, 3, 4, 5), std::string(40, '\x11'));
  item = IdentifyBytes(dir, "b.fir", fir2011);
  CHECK(item.mime == "application/x-iso19794-4");
  CHECK(item.category == Category::kBiometric);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2020, 1, 2, 3, 4, 5));
}

TEST_CASE("ISO 19794-5 face image records (2005 and 2011)", "[identify][biometric]") {
  TempDir dir;
  const std::string fac2005 = Bytes(
                                  "FAC\0"
                                  "010\0") +
                              Be(46 + 20, 4) + Be(1, 2) + Be(46 + 20, 4) + Be(0, 2) + Be(1, 1) +
                              Be(0, 1) + Be(0, 3) + Be(0, 3) + std::string(40, '\x20');
  Item item = IdentifyBytes(dir, "face.fac", fac2005);
  CHECK(item.mime == "application/x-iso19794-5");
  CHECK(item.category == Category::kBiometric);

  item = IdentifyBytes(
      dir, "face2011.fac",
      Record2011(Bytes("FAC\0"
                       "030\0"),
                 Be(0, 2), CaptureDate(2019, 12, 31, 23, 59, 58), std::string(40, '\0')));
  CHECK(item.mime == "application/x-iso19794-5");
  CHECK(item.category == Category::kBiometric);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2019, 12, 31, 23, 59, 58));
}

TEST_CASE("ISO 19794-6 iris image records (2005 and 2011)", "[identify][biometric]") {
  TempDir dir;
  const std::string iir2005 = Bytes(
                                  "IIR\0"
                                  "010\0") +
                              Be(45 + 10, 4) + Be(0, 2) + Be(0, 2) + Be(1, 1) +
                              std::string(50, '\0');
  Item item = IdentifyBytes(dir, "eye.iir", iir2005);
  CHECK(item.mime == "application/x-iso19794-6");
  CHECK(item.category == Category::kBiometric);

  item =
      IdentifyBytes(dir, "eye2011.iir",
                    Record2011(Bytes("IIR\0"
                                     "020\0"),
                               Be(1, 1), CaptureDate(2022, 6, 7, 8, 9, 10), std::string(40, '\0')));
  CHECK(item.mime == "application/x-iso19794-6");
  CHECK(item.category == Category::kBiometric);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2022, 6, 7, 8, 9, 10));
}

TEST_CASE("WSQ fingerprint images are biometric, not image", "[identify][biometric]") {
  TempDir dir;
  // SOI, then a transform table (FFA4) or the frame header (FFA2), or a comment (FFA8).
  for (const char* second : {"\xFF\xA4", "\xFF\xA2", "\xFF\xA8", "\xFF\xA6", "\xFF\xA5"}) {
    const std::string wsq = std::string("\xFF\xA0", 2) + std::string(second, 2) + Be(0x3A, 2) +
                            std::string(58, '\x02') + "\xFF\xA1";
    const Item item = IdentifyBytes(dir, "print.wsq", wsq);
    INFO(item.description);
    CHECK(item.mime == "image/x-wsq");
    CHECK(item.category == Category::kBiometric);
  }
}

TEST_CASE("ANSI/NIST-ITL transaction is biometric with its 1.005 date", "[identify][biometric]") {
  TempDir dir;
  std::string type1 =
      "1.002:0502\x1d"
      "1.003:1\x1f"
      "2\x1e"
      "2\x1f"
      "01\x1e"
      "14\x1f"
      "02\x1d"
      "1.004:CAR\x1d"
      "1.005:20210304\x1d"
      "1.006:5\x1d"
      "1.007:DAI000000\x1d"
      "1.008:ORI000000\x1d"
      "1.009:TCN0001\x1d"
      "1.011:19.69\x1d"
      "1.012:19.69\x1c";
  // 1.001 holds the record length, itself included.
  const std::string len_field_prefix = "1.001:";
  std::string record = len_field_prefix + "000\x1d" + type1;
  record = len_field_prefix + std::to_string(record.size()) + "\x1d" + type1;
  const std::string type2 =
      "2.001:22\x1d"
      "2.002:01\x1d"
      "2.003:x\x1c";
  const Item item = IdentifyBytes(dir, "subject.eft", record + type2);
  CHECK(item.mime == "application/x-ansi-nist-itl");
  CHECK(item.category == Category::kBiometric);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2021, 3, 4));

  // 1.014 (GMT) wins when present.
  const std::string gmt =
      "1.001:99\x1d"
      "1.002:0500\x1d"
      "1.005:20210304\x1d"
      "1.014:20210304101112Z\x1c";
  const Item item2 = IdentifyBytes(dir, "gmt.an2", gmt);
  CHECK(item2.category == Category::kBiometric);
  REQUIRE(item2.content_date.has_value());
  CHECK(*item2.content_date == Utc(2021, 3, 4, 10, 11, 12));
}

TEST_CASE("ICAO 9303 DG2 face data group is biometric", "[identify][biometric]") {
  TempDir dir;
  // 75 82 len, 7F61 82 len, 02 01 01 (one instance), 7F60 ...
  const std::string dg2 =
      std::string("\x75\x82\x01\x0A\x7F\x61\x82\x01\x05\x02\x01\x01\x7F\x60", 14) +
      std::string(200, '\0');
  const Item item = IdentifyBytes(dir, "EF_DG2.bin", dg2);
  CHECK(item.mime == "application/x-icao-lds-dg2");
  CHECK(item.category == Category::kBiometric);
}

}  // namespace
}  // namespace custos::test
