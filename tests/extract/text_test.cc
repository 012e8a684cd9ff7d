// Plain text, encodings, streaming, binary strings, top-level limits, IsSearchable.
#include <random>

#include "extract/extract_helpers.h"

namespace custos::extract::testing {
namespace {

// `s` (UTF-16 code units) as bytes, little or big endian, optionally with a BOM.
std::string Utf16(std::u16string_view s, bool little_endian, bool bom) {
  std::string out;
  auto put = [&](char16_t u) {
    const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
    out.push_back(little_endian ? lo : hi);
    out.push_back(little_endian ? hi : lo);
  };
  if (bom) put(0xFEFF);
  for (const char16_t u : s) put(u);
  return out;
}

}  // namespace

TEST_CASE("UTF-8 text and CSV come out unchanged, as one stream", "[extract][text]") {
  test::TempDir dir;
  const std::string csv = "name;iban;born\nJosé Müller;DE89 3704 0044 0532 0130 00;1980-02-01\n";
  test::WriteFile(dir / "people.csv", csv);
  const Extracted r = ExtractPath(dir / "people.csv", "application/csv", Category::kText);
  REQUIRE(r.status.ok());
  CHECK(r.text() == csv);
  CHECK(r.sink.streams == std::vector<std::string>{csv});
  CHECK(r.outcome.partial.empty());
  CHECK_FALSE(r.outcome.content_date.has_value());
  CHECK(r.outcome.bytes_out == csv.size());
}

TEST_CASE("A UTF-8 BOM is dropped", "[extract][text]") {
  const Extracted r = ExtractBytes("\xEF\xBB\xBFPassport 123456789\n");
  CHECK(r.text() == "Passport 123456789\n");
}

TEST_CASE("Latin-1 text is converted to UTF-8", "[extract][text]") {
  test::TempDir dir;
  test::WriteFile(dir / "l1.txt",
                  "Jos\xE9 M\xFCller, n\xE9 le 01.02.1980, Stra\xDF"
                  "e, 10\x80\n");
  const Extracted r = ExtractPath(dir / "l1.txt", "text/plain", Category::kText);
  REQUIRE(r.status.ok());
  // 0x80 is the euro sign of Windows-1252 (Latin-1 proper has a control there).
  CHECK(r.text() == "José Müller, né le 01.02.1980, Straße, 10€\n");
}

TEST_CASE("Invalid bytes in UTF-8 text are read as Latin-1, valid sequences kept",
          "[extract][text]") {
  const Extracted r = ExtractBytes("Grüße from Zoë \xE9t\xE9 \xC3\n");
  CHECK(r.text() == "Grüße from Zoë été Ã\n");
}

TEST_CASE("UTF-16 with and without BOM, both byte orders", "[extract][text]") {
  const std::u16string text = u"Passport: 123456789 \u2013 Zo\u00EB \U0001F600 \u4E2D\u6587\r\n";
  const std::string expected = "Passport: 123456789 – Zoë 😀 中文\r\n";
  for (const bool le : {true, false}) {
    for (const bool bom : {true, false}) {
      DYNAMIC_SECTION((le ? "LE" : "BE") << (bom ? " with BOM" : " without BOM")) {
        test::TempDir dir;
        test::WriteFile(dir / "u16.txt", Utf16(text, le, bom));
        // libmagic's answer for such a file; the content decides either way.
        const Extracted r = ExtractPath(dir / "u16.txt", "text/plain", Category::kText);
        REQUIRE(r.status.ok());
        CHECK(r.text() == expected);
        const Extracted b = ExtractBytes(Utf16(text, le, bom));
        CHECK(b.text() == expected);
      }
    }
  }
}

TEST_CASE("Large text streams in chunks and never splits a character", "[extract][text]") {
  test::TempDir dir;
  std::string unit = "é€😀 card 4111 1111 1111 1111;";  // 2-, 3- and 4-byte sequences
  std::string big;
  while (big.size() < (3u << 20)) big += unit;
  test::WriteFile(dir / "big.log", big);
  const Extracted r = ExtractPath(dir / "big.log", "text/plain", Category::kText);
  REQUIRE(r.status.ok());
  CHECK(r.text().size() == big.size());
  CHECK((r.text() == big));
  CHECK(r.sink.pieces.size() >= 10);  // streamed, not read whole
  for (const std::string& p : r.sink.pieces) CHECK(p.size() <= (1u << 20));
  CHECK(r.outcome.partial.empty());
}

TEST_CASE("Large UTF-16 keeps surrogate pairs across chunks", "[extract][text]") {
  const std::u16string unit = u"abc\U0001F600";  // 10 bytes: pairs straddle 256 KiB
  std::u16string text;
  std::string expected;
  while (text.size() < 400000) {
    text += unit;
    expected += "abc😀";
  }
  test::TempDir dir;
  test::WriteFile(dir / "u16.txt", Utf16(text, true, false));
  const Extracted r = ExtractPath(dir / "u16.txt");
  CHECK(r.text().size() == expected.size());
  CHECK((r.text() == expected));
}

TEST_CASE("The output limit cuts on a character boundary", "[extract][text][limits]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "é";
  Limits limits;
  limits.max_output_bytes = 999;
  const Extracted r = ExtractBytes(text, limits);
  CHECK(r.text().size() == 998);
  CHECK(r.outcome.partial.Text() == "limit: output size");
}

TEST_CASE("The file size limit stops reading", "[extract][text][limits]") {
  test::TempDir dir;
  test::WriteFile(dir / "big.txt", std::string(1 << 20, 'x'));
  Limits limits;
  limits.max_file_bytes = 100000;
  const Extracted r = ExtractPath(dir / "big.txt", "text/plain", Category::kText, limits);
  REQUIRE(r.status.ok());
  CHECK(r.text() == std::string(100000, 'x'));
  CHECK(r.outcome.partial.Text() == "limit: size");
}

TEST_CASE("The time limit stops an item", "[extract][limits]") {
  Limits limits;
  limits.max_seconds = 0;
  const Extracted r = ExtractBytes("some text\n", limits);
  CHECK(r.text().empty());
  CHECK(r.outcome.partial.Text() == "limit: time");
}

TEST_CASE("Binary data gives its printable strings, ASCII/UTF-8 and UTF-16LE",
          "[extract][strings]") {
  std::string bin("\x00\x01\x02\x03hello\x00\x07", 11);  // "hello": too short
  bin += "card 4111111111111111";
  bin += std::string("\x00\xFF\x10", 3);
  bin += "Zoë Müller";  // UTF-8
  bin += std::string("\x00\x00\x01", 3);
  bin += Utf16(u"NINO QQ123456C", true, false);
  bin += std::string("\x00\x00\x02\x03", 4);
  test::TempDir dir;
  test::WriteFile(dir / "x.sqlite", bin);
  const Extracted r = ExtractPath(dir / "x.sqlite", "application/vnd.sqlite3", Category::kDatabase);
  REQUIRE(r.status.ok());
  CHECK(r.text() == "card 4111111111111111\nZoë Müller\nNINO QQ123456C\n");
  CHECK(r.outcome.partial.empty());
}

TEST_CASE("An OLE file with an EncryptedPackage stream (protected OOXML) is encrypted",
          "[extract][strings]") {
  // The directory entry of the stream as Office writes it (UTF-16LE name, NUL, padding).
  std::string cfb("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  cfb += std::string(504, '\0');
  cfb += Utf16(u"EncryptedPackage", true, false) + std::string(64 - 32, '\0');
  cfb += std::string("\x22\0\x02\x01", 4) + std::string(1000, '\x9C');
  const Extracted r = ExtractBytes(cfb);
  CHECK(r.outcome.encrypted);
  CHECK(r.outcome.partial.Text() == "encrypted");
  // Without the magic it is just a string.
  const Extracted plain = ExtractBytes(cfb.substr(8));
  CHECK_FALSE(plain.outcome.encrypted);
  CHECK(plain.text() == "EncryptedPackage\n");
}

TEST_CASE("Random bytes end without a reason, behind a magic number they are corrupt",
          "[extract][hostile]") {
  std::mt19937 rng(42);
  std::string noise(1 << 20, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  const Extracted plain = ExtractBytes(noise);
  CHECK(plain.status.ok());
  CHECK(plain.outcome.partial.empty());

  CHECK(ExtractBytes("\x1F\x8B" + noise).outcome.partial.Text() == "corrupt: archive");
  CHECK(ExtractBytes("7z\xBC\xAF\x27\x1C" + noise).outcome.partial.Text() == "corrupt: archive");
  CHECK(ExtractBytes("%PDF-1.4\n" + noise).outcome.partial.Text() == "corrupt: PDF truncated");
}

TEST_CASE("HTML: text without tags, scripts or styles, entities decoded", "[extract][text]") {
  test::TempDir dir;
  test::WriteFile(dir / "p.html",
                  "<!DOCTYPE html><html><head><title>Staff</title><style>td{x:y}</style></head>"
                  "<body><h1>List</h1><table><tr><td>Zo&euml;</td><td>4111&#32;1111 1111 "
                  "1111</td></tr></table><script>var secret = 1;</script>"
                  "<p>born&nbsp;01.02.1980<br>NI QQ 12 34 56 C</p></body></html>");
  const Extracted r = ExtractPath(dir / "p.html", "text/html", Category::kText);
  CHECK(r.text() ==
        "Staff\nList\nZoë\t4111 1111 1111 1111\nborn\u00a001.02.1980\nNI QQ 12 34 56 C\n");
  CHECK(ExtractPath(dir / "p.html").text() == r.text());  // sniffed
}

TEST_CASE("IsSearchable", "[extract]") {
  Item item;
  item.has_info = true;
  item.info.size = 10;
  for (const Category c : {Category::kVideo, Category::kImage, Category::kAudio,
                           Category::kBiometric, Category::kExecutable, Category::kEncrypted}) {
    item.category = c;
    CHECK_FALSE(IsSearchable(item));
  }
  for (const Category c : {Category::kDocument, Category::kEmail, Category::kArchive,
                           Category::kDatabase, Category::kText, Category::kOther}) {
    item.category = c;
    CHECK(IsSearchable(item));
  }
  // The formats table's rows without an extractor name MIME types too.
  item.category = Category::kOther;
  for (const char* mime : {"application/x-empty", "inode/x-empty", "image/png", "video/mp4"}) {
    item.mime = mime;
    CHECK_FALSE(IsSearchable(item));
  }
  for (const char* mime : {"text/plain; charset=us-ascii", "application/zip", ""}) {
    item.mime = mime;
    CHECK(IsSearchable(item));
  }
  item.info.size = 0;
  CHECK_FALSE(IsSearchable(item));
}

TEST_CASE("An item that is not searchable gives no text", "[extract]") {
  test::TempDir dir;
  test::WriteFile(dir / "photo.txt", "looks like text 4111111111111111\n");
  const Extracted r = ExtractPath(dir / "photo.txt", "image/jpeg", Category::kImage);
  REQUIRE(r.status.ok());
  CHECK(r.text().empty());
  CHECK(r.outcome.partial.empty());
}

TEST_CASE("FormatLimits names every limit", "[extract]") {
  const std::string s = FormatLimits(Limits{});
  CHECK(s ==
        "max_file_bytes=1073741824 max_output_bytes=419430400 max_member_bytes=104857600 "
        "max_depth=10 max_entries=10000 max_ratio=200 ratio_floor=1048576 max_seconds=120");
}

}  // namespace custos::extract::testing
