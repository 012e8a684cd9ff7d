// Documents, e-mail, archives, databases, executables, text: real files made with
// python3, tar, gzip, sqlite, copies of system binaries.
#include <sys/stat.h>

#include "identify_helpers.h"

namespace custos::test {
namespace {

void Python(const std::string& script) { MustRun({"python3", "-c", script}, "python3"); }

// A minimal OOXML package; `content_types_first` puts [Content_Types].xml first as
// Office does (libmagic then knows it), else last (libmagic says application/zip).
void WriteOoxml(const std::string& path, const std::string& folder, bool content_types_first) {
  const std::string main_part = folder + (folder == "word/" ? "document.xml" : "workbook.xml");
  Python(
      "import zipfile, sys\n"
      "ct = '<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/"
      "2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>'\n"
      "rels = '<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/"
      "package/2006/relationships\"/>'\n"
      "parts = [('_rels/.rels', rels), ('" +
      main_part +
      "', '<x/>'), "
      "('docProps/core.xml', '<?xml version=\"1.0\"?><cp:coreProperties xmlns:cp=\"http://"
      "schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dcterms=\""
      "http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
      "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2022-02-03T04:05:06Z</dcterms:created>"
      "</cp:coreProperties>')]\n"
      "parts = [('[Content_Types].xml', ct)] + parts if " +
      (content_types_first ? "True" : "False") +
      " else parts + [('[Content_Types].xml', ct)]\n"
      "with zipfile.ZipFile('" +
      path +
      "', 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "    for n, d in parts: z.writestr(n, d)\n");
}

TEST_CASE("PDF is a document with its CreationDate", "[identify][document]") {
  TempDir dir;
  const std::string pdf =
      "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"
      "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
      "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
      "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
      "4 0 obj\n<< /Producer (custos test) /CreationDate (D:20210708091011+02'00') >>\nendobj\n"
      "trailer\n<< /Root 1 0 R /Info 4 0 R /Size 5 >>\n%%EOF\n";
  const Item item = IdentifyBytes(dir, "report.pdf", pdf);
  CHECK(item.mime == "application/pdf");
  CHECK(item.category == Category::kDocument);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2021, 7, 8, 7, 10, 11));
}

TEST_CASE("OOXML documents are documents, whatever their member order", "[identify][document]") {
  TempDir dir;
  const std::string docx_mime =
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  const std::string xlsx_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  for (const bool first : {true, false}) {
    WriteOoxml(dir / "letter.docx", "word/", first);
    Item item = IdentifyPath(dir / "letter.docx");
    CHECK(item.mime == docx_mime);
    CHECK(item.category == Category::kDocument);
    REQUIRE(item.content_date.has_value());
    CHECK(*item.content_date == Utc(2022, 2, 3, 4, 5, 6));
    WriteOoxml(dir / "budget.xlsx", "xl/", first);
    item = IdentifyPath(dir / "budget.xlsx");
    CHECK(item.mime == xlsx_mime);
    CHECK(item.category == Category::kDocument);
  }
}

TEST_CASE("ODF text is a document with its meta:creation-date", "[identify][document]") {
  TempDir dir;
  Python(
      "import zipfile\n"
      "with zipfile.ZipFile('" +
      dir / "notes.odt" +
      "', 'w') as z:\n"
      "    z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.text')\n"
      "    z.writestr('content.xml', '<office:document-content/>', zipfile.ZIP_DEFLATED)\n"
      "    z.writestr('meta.xml', '<office:document-meta><office:meta><meta:creation-date>"
      "2015-06-07T08:09:10</meta:creation-date></office:meta></office:document-meta>', "
      "zipfile.ZIP_DEFLATED)\n");
  const Item item = IdentifyPath(dir / "notes.odt");
  CHECK(item.mime == "application/vnd.oasis.opendocument.text");
  CHECK(item.category == Category::kDocument);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2015, 6, 7, 8, 9, 10));
}

TEST_CASE("RTF is a document", "[identify][document]") {
  TempDir dir;
  const Item item =
      IdentifyBytes(dir, "memo.rtf", "{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}\n");
  CHECK(item.category == Category::kDocument);
}

TEST_CASE("E-mail is email with its Date header", "[identify][email]") {
  TempDir dir;
  const std::string mail =
      "Return-Path: <alice@example.com>\r\n"
      "From: Alice <alice@example.com>\r\n"
      "To: Bob <bob@example.com>\r\n"
      "Subject: minutes\r\n"
      "Date: Tue, 02 Jan 2024 03:04:05 +0100\r\n"
      "Message-ID: <1234@example.com>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n"
      "See you tomorrow.\r\n";
  const Item item = IdentifyBytes(dir, "minutes.eml", mail);
  CHECK(item.mime == "message/rfc822");
  CHECK(item.category == Category::kEmail);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2024, 1, 2, 2, 4, 5));
}

TEST_CASE("zip, tar, gzip, bzip2 and xz are archives", "[identify][archive]") {
  TempDir dir;
  WriteFile(dir / "in/a.txt", "hello\n");
  Python("import zipfile\nwith zipfile.ZipFile('" + dir / "a.zip" +
         "', 'w') as z: z.writestr('a.txt', 'hello')\n");
  MustRun({"tar", "-C", dir / "in", "-cf", dir / "a.tar", "a.txt"}, "tar");
  MustRun({"gzip", "-k", dir / "a.tar"}, "gzip");
  struct Case {
    const char* name;
    const char* mime;
  };
  for (const Case& c : {Case{"a.zip", "application/zip"}, Case{"a.tar", "application/x-tar"},
                        Case{"a.tar.gz", "application/gzip"}}) {
    const Item item = IdentifyPath(dir / c.name);
    CHECK(item.mime == c.mime);
    CHECK(item.category == Category::kArchive);
  }
  // bzip2 and xz headers.
  Item item = IdentifyBytes(dir, "a.bz2", "BZh91AY&SY" + std::string(40, '\x11'));
  CHECK(item.category == Category::kArchive);
  item = IdentifyBytes(dir, "a.xz",
                       Bytes("\xFD"
                             "7zXZ\0\0\x04\xE6\xD6\xB4\x46") +
                           std::string(40, '\0'));
  CHECK(item.category == Category::kArchive);
}

TEST_CASE("SQLite database is database", "[identify][database]") {
  TempDir dir;
  Python("import sqlite3\nc = sqlite3.connect('" + dir / "app.db" +
         "')\nc.execute('create table people(name, email)')\nc.commit()\n");
  const Item item = IdentifyPath(dir / "app.db");
  CHECK(item.mime == "application/vnd.sqlite3");
  CHECK(item.category == Category::kDatabase);
}

TEST_CASE("ELF binary is executable", "[identify][executable]") {
  TempDir dir;
  const std::string elf = ReadFile("/bin/true");
  REQUIRE(elf.size() > 64);
  const Item item = IdentifyBytes(dir, "true", elf, /*describe=*/true);
  CHECK(item.description.substr(0, 3) == "ELF");
  // The scanner's identifier skips the description here and decides the same.
  CHECK(IdentifyBytes(dir, "true2", elf).category == Category::kExecutable);
  CHECK(item.category == Category::kExecutable);
}

TEST_CASE("text, CSV and scripts", "[identify][text]") {
  TempDir dir;
  Item item = IdentifyBytes(dir, "notes.txt", "Meeting notes\nnothing to report\n");
  CHECK(item.mime == "text/plain");
  CHECK(item.category == Category::kText);

  item = IdentifyBytes(dir, "people.csv",
                       "name,email,phone\nalice,alice@example.com,123\nbob,bob@example.com,456\n");
  CHECK(item.mime == "text/csv");
  CHECK(item.category == Category::kText);

  // A shell script is text unless it can be executed.
  const std::string script = "#!/bin/sh\necho hello\n";
  item = IdentifyBytes(dir, "run.sh", script);
  CHECK(item.mime == "text/x-shellscript");
  CHECK(item.category == Category::kText);
  REQUIRE(::chmod((dir / "run.sh").c_str(), 0755) == 0);
  item = IdentifyPath(dir / "run.sh");
  CHECK(item.category == Category::kExecutable);
}

TEST_CASE("empty file is application/x-empty, category other", "[identify]") {
  TempDir dir;
  const Item item = IdentifyBytes(dir, "empty", "");
  CHECK(item.mime == "application/x-empty");
  CHECK(item.category == Category::kOther);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("unknown binary data is other", "[identify]") {
  TempDir dir;
  std::string data;
  for (int i = 0; i < 4096; ++i) data.push_back(static_cast<char>((i * 7919 + 13) % 251 + 3));
  const Item item = IdentifyBytes(dir, "blob.bin", data);
  CHECK(item.mime == "application/octet-stream");
  CHECK(item.category == Category::kOther);
}

}  // namespace
}  // namespace custos::test
