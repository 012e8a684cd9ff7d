// PDF: text layers made by reportlab (standard fonts, an embedded TrueType font with a
// ToUnicode map, compressed streams), CreationDate, encryption, and broken files.
#include <unistd.h>

#include "custos/base/time.h"
#include "extract/extract_helpers.h"

namespace custos::extract::testing {
namespace {

const char* const kDejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// Two pages in Helvetica, compressed, CreationDate 2021-03-04 05:06:07 +02:00.
// argv: output path, then "encrypt" (user password), "owner" (owner password only) or
// "plain".
const char* const kMakePdf = R"PY(
import sys
from reportlab.pdfgen import canvas
from reportlab.lib import pdfencrypt
mode = sys.argv[2]
encrypt = None
if mode == "encrypt":
    encrypt = "secret"
elif mode == "owner":
    encrypt = pdfencrypt.StandardEncryption("", ownerPassword="owner", canCopy=0)
c = canvas.Canvas(sys.argv[1], pageCompression=1, encrypt=encrypt)
c.setDateFormatter(lambda *a: "D:20210304050607+02'00'")
c.setFont("Helvetica", 12)
c.drawString(72, 720, "Passport 123456789")
c.drawString(72, 700, "IBAN DE89 3704 0044 0532 0130 00")
c.showPage()
c.setFont("Helvetica", 12)
c.drawString(72, 720, "Card 4111 1111 1111 1111")
c.showPage()
c.save()
)PY";

// A PDF file from object bodies (object i + 1 is objects[i]) with a correct xref
// table; `trailer_extra` goes into the trailer dictionary (use %XREF% for the offset
// of the xref table itself).
std::string BuildPdf(const std::vector<std::string>& objects,
                     const std::string& trailer_extra = "") {
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (const size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  std::string extra = trailer_extra;
  if (const size_t p = extra.find("%XREF%"); p != std::string::npos) {
    extra.replace(p, 6, std::to_string(xref));
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " + extra +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace

TEST_CASE("PDF: text of every page, compressed streams, CreationDate with zone", "[extract][pdf]") {
  test::TempDir dir;
  Python(kMakePdf, {dir / "a.pdf", "plain"});
  const Extracted r = ExtractPath(dir / "a.pdf", "application/pdf", Category::kDocument);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.empty());
  CHECK_FALSE(r.outcome.encrypted);
  const size_t passport = r.text().find("Passport 123456789");
  const size_t iban = r.text().find("IBAN DE89 3704 0044 0532 0130 00");
  const size_t card = r.text().find("Card 4111 1111 1111 1111");
  REQUIRE(passport != std::string::npos);
  REQUIRE(iban != std::string::npos);
  REQUIRE(card != std::string::npos);
  CHECK(passport < iban);
  CHECK(iban < card);
  // 05:06:07 at +02:00 is 03:06:07 UTC.
  CHECK(r.outcome.content_date == UnixFromCivil(2021, 3, 4, 3, 6, 7));
}

TEST_CASE("PDF with an embedded TrueType font (ToUnicode map)", "[extract][pdf]") {
  if (::access(kDejaVu, R_OK) != 0) {
    CUSTOS_SKIP("no DejaVu font (apt-get install fonts-dejavu-core)");
  }
  test::TempDir dir;
  Python(R"PY(
import sys
from reportlab.pdfgen import canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
pdfmetrics.registerFont(TTFont("DejaVu", sys.argv[2]))
c = canvas.Canvas(sys.argv[1])
c.setFont("DejaVu", 12)
c.drawString(72, 720, "Zoë Müller – Ελένη – NINO QQ123456C")
c.save()
)PY",
         {dir / "ttf.pdf", kDejaVu});
  const std::string pdf = test::ReadFile(dir / "ttf.pdf");
  REQUIRE(Contains(pdf, "ToUnicode"));
  const Extracted r = ExtractPath(dir / "ttf.pdf");
  CHECK(Contains(r.text(), "Zoë Müller – Ελένη – NINO QQ123456C"));
}

TEST_CASE("A PDF that needs a password is encrypted, never clean", "[extract][pdf]") {
  test::TempDir dir;
  Python(kMakePdf, {dir / "enc.pdf", "encrypt"});
  const Extracted r = ExtractPath(dir / "enc.pdf", "application/pdf", Category::kDocument);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.encrypted);
  CHECK(r.outcome.partial.Text() == "encrypted");
  CHECK(r.text().empty());
}

TEST_CASE("A PDF with only an owner password is read", "[extract][pdf]") {
  test::TempDir dir;
  Python(kMakePdf, {dir / "owner.pdf", "owner"});
  const Extracted r = ExtractPath(dir / "owner.pdf");
  CHECK_FALSE(r.outcome.encrypted);
  CHECK(r.outcome.partial.empty());
  CHECK(Contains(r.text(), "Card 4111 1111 1111 1111"));
}

TEST_CASE("A truncated PDF does not crash and says so", "[extract][pdf][hostile]") {
  test::TempDir dir;
  Python(kMakePdf, {dir / "a.pdf", "plain"});
  const std::string pdf = test::ReadFile(dir / "a.pdf");
  for (const size_t keep : {pdf.size() * 3 / 5, pdf.size() / 3, size_t{20}}) {
    DYNAMIC_SECTION("first " << keep << " bytes") {
      const Extracted r = ExtractBytes(pdf.substr(0, keep));
      CHECK(r.status.ok());
      CHECK(r.outcome.partial.Text() == "corrupt: PDF truncated");
    }
  }
}

TEST_CASE("A PDF whose page tree and xref chain loop ends", "[extract][pdf][hostile]") {
  SECTION("Pages node that is its own kid, xref /Prev pointing to itself") {
    const std::string pdf =
        BuildPdf({"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"},
                 "/Prev %XREF%");
    const Extracted r = ExtractBytes(pdf);
    CHECK(r.outcome.partial.Text() == "corrupt: PDF page tree");
    CHECK(r.text().empty());
  }
  SECTION("Two Pages nodes that are each other's kid, with a huge /Count") {
    const std::string pdf = BuildPdf({"<< /Type /Catalog /Pages 2 0 R >>",
                                      "<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>",
                                      "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"});
    const Extracted r = ExtractBytes(pdf);
    CHECK(r.outcome.partial.Text() == "corrupt: PDF page tree");
  }
}

TEST_CASE("Files embedded in a PDF are extracted like members", "[extract][pdf]") {
  const std::string data = "IBAN DE89370400440532013000\n";
  const std::string pdf = BuildPdf({
      "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(note.txt) 4 0 R] >> "
      ">> >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
      "<< /Type /Filespec /F (note.txt) /EF << /F 5 0 R >> >>",
      "<< /Type /EmbeddedFile /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
          "endstream",
  });
  const Extracted r = ExtractBytes(pdf);
  CHECK(r.outcome.partial.empty());
  CHECK(r.text() == "\n" + data);  // an empty page, then the attachment
  CHECK(r.outcome.members == 1);
}

}  // namespace custos::extract::testing
