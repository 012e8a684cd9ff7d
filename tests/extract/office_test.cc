// Office documents: OOXML (docx, xlsx, pptx) and ODF (odt, ods), made by python-docx,
// openpyxl and odfpy (pptx and odd cases by hand with zipfile), and hostile ones.
#include "custos/base/time.h"
#include "extract/extract_helpers.h"

namespace custos::extract::testing {
namespace {

const char* const kDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const char* const kXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// A docx whose card number python-docx writes as four runs, a table, a header.
const char* const kMakeDocx = R"PY(
import sys, datetime, docx
d = docx.Document()
p = d.add_paragraph()
for run in ["Card: ", "4111", "1111", "1111", "1111"]:
    p.add_run(run)
d.add_paragraph("Second paragraph")
t = d.add_table(rows=1, cols=2)
t.cell(0, 0).text = "A1"
t.cell(0, 1).text = "B1"
d.sections[0].header.paragraphs[0].text = "Header: Zoë Müller"
d.core_properties.created = datetime.datetime(2021, 3, 4, 5, 6, 7)
d.save(sys.argv[1])
)PY";

const char* const kMakeXlsx = R"PY(
import sys, datetime, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "People"
ws.append(["Name", "IBAN", "Card"])
ws.append(["Zoë Müller", "GB82 WEST 1234 5698 7654 32", 4111111111111111])
ws.append(["Bob", "Name", 12.5])
wb.create_sheet("Second")["A1"] = "second sheet"
wb.properties.created = datetime.datetime(2020, 1, 2, 3, 4, 5)
wb.save(sys.argv[1])
)PY";

// Writes a ZIP (argv[1]) from (name, text) pairs given as argv[2], argv[3], ...
const char* const kMakeZip = R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    args = sys.argv[2:]
    for i in range(0, len(args), 2):
        z.writestr(args[i], args[i + 1])
)PY";

const char* const kContentTypes =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";

std::string WordDocument(const std::string& body_xml, const std::string& prolog = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" + prolog +
         "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
         "<w:body>" +
         body_xml + "</w:body></w:document>";
}

}  // namespace

TEST_CASE("docx: runs joined, paragraphs and cells separated, header, created date",
          "[extract][office]") {
  test::TempDir dir;
  Python(kMakeDocx, {dir / "a.docx"});
  const Extracted r = ExtractPath(dir / "a.docx", kDocx, Category::kDocument);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.empty());
  CHECK(Contains(r.text(), "Card: 4111111111111111\nSecond paragraph\nA1\tB1\n"));
  // The body and the header are separate streams.
  CHECK(std::find(r.sink.streams.begin(), r.sink.streams.end(), "Header: Zoë Müller\n") !=
        r.sink.streams.end());
  CHECK(r.outcome.content_date == UnixFromCivil(2021, 3, 4, 5, 6, 7));
  CHECK(r.outcome.members == 18);  // the parts of the package
}

TEST_CASE("docx sniffed without a MIME type, and from memory", "[extract][office]") {
  test::TempDir dir;
  Python(kMakeDocx, {dir / "a.docx"});
  const Extracted r = ExtractPath(dir / "a.docx");
  CHECK(Contains(r.text(), "Card: 4111111111111111\n"));
  const Extracted m = ExtractBytes(test::ReadFile(dir / "a.docx"));
  CHECK(Contains(m.text(), "Card: 4111111111111111\n"));
  CHECK(m.outcome.content_date == UnixFromCivil(2021, 3, 4, 5, 6, 7));
}

TEST_CASE("xlsx: shared strings, numbers, rows and cells, every sheet", "[extract][office]") {
  test::TempDir dir;
  Python(kMakeXlsx, {dir / "a.xlsx"});
  const Extracted r = ExtractPath(dir / "a.xlsx", kXlsx, Category::kDocument);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.empty());
  CHECK(Contains(r.text(),
                 "Name\tIBAN\tCard\n"
                 "Zoë Müller\tGB82 WEST 1234 5698 7654 32\t4111111111111111\n"
                 "Bob\tName\t12.5\n"));
  CHECK(Contains(r.text(), "second sheet\n"));
  CHECK(r.outcome.content_date == UnixFromCivil(2020, 1, 2, 3, 4, 5));
}

TEST_CASE("xlsx: inline and rich strings, shared strings stored after the sheet",
          "[extract][office]") {
  test::TempDir dir;
  const std::string sheet =
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<sheetData><row r=\"1\">"
      "<c r=\"A1\" t=\"inlineStr\"><is><t>inline </t><r><t>text</t></r></is></c>"
      "<c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>7</v></c>"
      "<c r=\"D1\"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>";
  const std::string shared =
      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<si><t>zero</t></si>"
      "<si><r><t>DE89 3704 </t></r><r><t>0044 0532 0130 00</t></r>"
      "<rPh><t>phonetic</t></rPh></si></sst>";
  Python(kMakeZip, {dir / "b.xlsx", "[Content_Types].xml", kContentTypes,
                    "xl/worksheets/sheet1.xml", sheet, "xl/sharedStrings.xml", shared});
  const Extracted r = ExtractPath(dir / "b.xlsx", kXlsx, Category::kDocument);
  // Index 7 does not exist: the cell stays empty.
  CHECK(r.text() == "inline text\tDE89 3704 0044 0532 0130 00\t2\n");
  CHECK(r.outcome.partial.empty());
}

TEST_CASE("pptx: slide text joined across runs", "[extract][office]") {
  test::TempDir dir;
  const std::string slide =
      "<p:sld xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
      "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"><p:cSld><p:spTree>"
      "<p:sp><p:txBody><a:p><a:r><a:t>SSN 078-</a:t></a:r><a:r><a:t>05-1120</a:t></a:r></a:p>"
      "<a:p><a:r><a:t>line one</a:t></a:r><a:br/><a:r><a:t>line two</a:t></a:r></a:p>"
      "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>";
  Python(kMakeZip, {dir / "a.pptx", "[Content_Types].xml", kContentTypes, "ppt/slides/slide1.xml",
                    slide, "ppt/slideLayouts/slideLayout1.xml",
                    "<x><a:t xmlns:a=\"a\">layout placeholder</a:t></x>"});
  const Extracted r = ExtractPath(dir / "a.pptx");
  CHECK(r.text() == "SSN 078-05-1120\nline one\nline two\n");
}

TEST_CASE("odt spans joined with creation date, ods rows and cells", "[extract][office]") {
  test::TempDir dir;
  Python(R"PY(
import sys
from odf.opendocument import OpenDocumentText, OpenDocumentSpreadsheet
from odf.text import P, Span, S, Tab, LineBreak
from odf.table import Table, TableRow, TableCell
from odf import meta
doc = OpenDocumentText()
p = P(text="Passport ")
p.addElement(Span(text="123"))
p.addElement(Span(text="456789"))
doc.text.addElement(p)
q = P(text="a")
q.addElement(S(c=3))
q.addElement(Span(text="b"))
q.addElement(Tab())
q.addElement(Span(text="c"))
q.addElement(LineBreak())
q.addElement(Span(text="d"))
doc.text.addElement(q)
doc.meta.addElement(meta.CreationDate(text="2019-05-06T07:08:09.123"))
doc.save(sys.argv[1])

ods = OpenDocumentSpreadsheet()
t = Table(name="S1")
for row in [["Name", "Card"], ["Zoë", "4111111111111111"]]:
    tr = TableRow()
    for v in row:
        tc = TableCell()
        tc.addElement(P(text=v))
        tr.addElement(tc)
    t.addElement(tr)
tr = TableRow()
tc = TableCell(valuetype="float", value="12.5")
tc.addElement(P(text="12.5"))
tr.addElement(tc)
t.addElement(tr)
ods.spreadsheet.addElement(t)
ods.save(sys.argv[2])
)PY",
         {dir / "a.odt", dir / "a.ods"});
  const Extracted odt =
      ExtractPath(dir / "a.odt", "application/vnd.oasis.opendocument.text", Category::kDocument);
  REQUIRE(odt.status.ok());
  CHECK(odt.text() == "Passport 123456789\na   b\tc\nd\n");
  CHECK(odt.outcome.content_date == UnixFromCivil(2019, 5, 6, 7, 8, 9));
  CHECK(odt.outcome.partial.empty());

  const Extracted ods = ExtractPath(dir / "a.ods");
  CHECK(ods.text() == "Name\tCard\nZoë\t4111111111111111\n12.5\n");
}

TEST_CASE("A package embedded in a docx is extracted one level deeper", "[extract][office]") {
  test::TempDir dir;
  Python(kMakeXlsx, {dir / "inner.xlsx"});
  Python(R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    z.writestr("word/document.xml", "<w:document xmlns:w='w'><w:body><w:p><w:r><w:t>outer</w:t></w:r></w:p></w:body></w:document>")
    z.write(sys.argv[2], "word/embeddings/Microsoft_Excel_Worksheet.xlsx")
)PY",
         {dir / "outer.docx", dir / "inner.xlsx"});
  const Extracted r = ExtractPath(dir / "outer.docx", kDocx, Category::kDocument);
  CHECK(Contains(r.text(), "outer\n"));
  CHECK(Contains(r.text(), "Zoë Müller\tGB82 WEST 1234 5698 7654 32\t4111111111111111\n"));
  // The embedded workbook's date is not the document's.
  CHECK_FALSE(r.outcome.content_date.has_value());
}

TEST_CASE("Billion laughs in a docx part is refused at once", "[extract][office][hostile]") {
  std::string dtd = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  std::string prev = "lol";
  for (int i = 1; i <= 9; ++i) {
    std::string value;
    for (int k = 0; k < 10; ++k) value += "&" + prev + ";";
    dtd += "<!ENTITY lol" + std::to_string(i) + " \"" + value + "\">";
    prev = "lol" + std::to_string(i);
  }
  dtd += "]>";
  test::TempDir dir;
  Python(kMakeZip,
         {dir / "lol.docx", "[Content_Types].xml", kContentTypes, "word/document.xml",
          WordDocument("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", dtd), "word/header1.xml",
          WordDocument("<w:p><w:r><w:t>still read</w:t></w:r></w:p>")});
  const Extracted r = ExtractPath(dir / "lol.docx", kDocx, Category::kDocument);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.Text() == "corrupt: DTD in XML part");
  CHECK(r.text() == "still read\n");  // the other parts are read
  CHECK(r.outcome.bytes_out < 10000);
}

TEST_CASE("External entities are never resolved", "[extract][office][hostile]") {
  test::TempDir dir;
  test::WriteFile(dir / "secret.txt", "TOPSECRET");
  const std::string dtd =
      "<!DOCTYPE d [<!ENTITY xxe SYSTEM \"file://" + (dir / "secret.txt") + "\">]>";
  Python(kMakeZip, {dir / "xxe.docx", "[Content_Types].xml", kContentTypes, "word/document.xml",
                    WordDocument("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", dtd)});
  const Extracted r = ExtractPath(dir / "xxe.docx");
  CHECK(r.outcome.partial.Text() == "corrupt: DTD in XML part");
  CHECK_FALSE(Contains(r.text(), "TOPSECRET"));
}

TEST_CASE("A broken XML part keeps the text before the damage", "[extract][office][hostile]") {
  test::TempDir dir;
  std::string paragraphs;
  for (int i = 0; i < 3000; ++i) paragraphs += "<w:p><w:r><w:t>before</w:t></w:r></w:p>";
  const std::string doc = WordDocument(paragraphs);
  Python(kMakeZip, {dir / "bad.docx", "[Content_Types].xml", kContentTypes, "word/document.xml",
                    doc.substr(0, doc.find("</w:body>")) + "<w:p><w:r><w:t>after</w:x>"});
  const Extracted r = ExtractPath(dir / "bad.docx", kDocx, Category::kDocument);
  CHECK(r.outcome.partial.Text() == "corrupt: XML part");
  CHECK(Contains(r.text(), "before\nbefore\n"));
}

TEST_CASE("An encrypted ODF package is reported, not read", "[extract][office]") {
  test::TempDir dir;
  const std::string manifest =
      "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\">"
      "<manifest:file-entry manifest:full-path=\"content.xml\"><manifest:encryption-data/>"
      "</manifest:file-entry></manifest:manifest>";
  Python(kMakeZip, {dir / "enc.odt", "mimetype", "application/vnd.oasis.opendocument.text",
                    "META-INF/manifest.xml", manifest, "content.xml", "\x01\x02 ciphertext"});
  const Extracted r = ExtractPath(dir / "enc.odt");
  CHECK(r.outcome.encrypted);
  CHECK(r.outcome.partial.Text() == "encrypted");
  CHECK(r.text().empty());
}

}  // namespace custos::extract::testing
