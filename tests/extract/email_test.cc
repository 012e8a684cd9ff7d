// E-mail: messages made by Python's email package (quoted-printable and HTML bodies,
// base64 attachments), mailboxes, and hostile MIME trees.
#include "custos/base/time.h"
#include "extract/extract_helpers.h"

namespace custos::extract::testing {
namespace {

const char* const kMakeDocx = R"PY(
import sys, docx
d = docx.Document()
p = d.add_paragraph()
for run in ["CV card ", "4111", "1111", "1111", "1111"]:
    p.add_run(run)
d.save(sys.argv[1])
)PY";

// argv: output, docx to attach.
const char* const kMakeMessage = R"PY(
import sys
from email.message import EmailMessage
msg = EmailMessage()
msg["From"] = "Zoë Müller <zoe@example.com>"
msg["To"] = "Bob <bob@example.org>"
msg["Cc"] = "carol@example.net"
msg["Subject"] = "Réunion – passeport 123456789"
msg["Date"] = "Thu, 04 Mar 2021 05:06:07 +0100"
msg["Message-ID"] = "<1@example.com>"
msg["Received"] = "from relay (10.1.2.3) by mx"
msg.set_content("Bonjour,\nma carte: 4111 1111 1111 1111\nà bientôt\n", cte="quoted-printable")
msg.add_alternative(
    "<html><head><style>p {color: red}</style></head><body><p>IBAN <b>DE89</b> "
    "3704 0044\n   0532 0130 00</p><script>var hidden = 1;</script><p>second&nbsp;para</p>"
    "</body></html>", subtype="html")
msg.add_attachment(b"NINO QQ123456C\n", maintype="text", subtype="plain", filename="note.txt")
with open(sys.argv[2], "rb") as f:
    msg.add_attachment(f.read(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                       filename="cv.docx")
inner = EmailMessage()
inner["From"] = "inner@example.com"
inner["Subject"] = "Forwarded: BSN 111222333"
inner["Date"] = "Mon, 01 Jan 2001 00:00:00 +0000"
inner.set_content("forwarded body\n")
msg.add_attachment(inner)
with open(sys.argv[1], "wb") as f:
    f.write(bytes(msg))
)PY";

}  // namespace

TEST_CASE("E-mail: decoded headers, QP and HTML bodies, attachments, Date", "[extract][email]") {
  test::TempDir dir;
  Python(kMakeDocx, {dir / "cv.docx"});
  Python(kMakeMessage, {dir / "m.eml", dir / "cv.docx"});
  REQUIRE(Contains(test::ReadFile(dir / "m.eml"), "quoted-printable"));
  REQUIRE(Contains(test::ReadFile(dir / "m.eml"), "Content-Transfer-Encoding: base64"));
  const Extracted r = ExtractPath(dir / "m.eml", "message/rfc822", Category::kEmail);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.empty());
  const std::string& t = r.text();
  CHECK(Contains(t, "From: Zoë Müller <zoe@example.com>\n"));
  CHECK(Contains(t, "To: Bob <bob@example.org>\n"));
  CHECK(Contains(t, "Cc: carol@example.net\n"));
  CHECK(Contains(t, "Subject: Réunion – passeport 123456789\n"));
  CHECK_FALSE(Contains(t, "10.1.2.3"));  // relays are not personal data
  CHECK(Contains(t, "Bonjour,\nma carte: 4111 1111 1111 1111\nà bientôt\n"));
  CHECK(Contains(t, "IBAN DE89 3704 0044 0532 0130 00\nsecond\xC2\xA0para\n"));
  CHECK_FALSE(Contains(t, "hidden"));
  CHECK_FALSE(Contains(t, "color"));
  CHECK(Contains(t, "NINO QQ123456C\n"));
  CHECK(Contains(t, "CV card 4111111111111111\n"));
  CHECK(Contains(t, "Subject: Forwarded: BSN 111222333\n"));
  CHECK(Contains(t, "forwarded body\n"));
  CHECK(r.outcome.content_date == UnixFromCivil(2021, 3, 4, 4, 6, 7));
  // Headers, bodies and attachments are separate streams.
  CHECK(std::find(r.sink.streams.begin(), r.sink.streams.end(), "NINO QQ123456C\n") !=
        r.sink.streams.end());
}

TEST_CASE("E-mail sniffed without a MIME type, inside a ZIP", "[extract][email]") {
  test::TempDir dir;
  Python(kMakeDocx, {dir / "cv.docx"});
  Python(kMakeMessage, {dir / "m.eml", dir / "cv.docx"});
  Shell(dir.path(), "zip -q mail.zip m.eml");
  const Extracted r = ExtractPath(dir / "mail.zip");
  CHECK(Contains(r.text(), "ma carte: 4111 1111 1111 1111\n"));
  CHECK(Contains(r.text(), "CV card 4111111111111111\n"));
  CHECK(r.outcome.partial.empty());
  CHECK_FALSE(r.outcome.content_date.has_value());  // a member's date is not the ZIP's
}

TEST_CASE("Mailbox: every message, newest Date", "[extract][email]") {
  test::TempDir dir;
  Python(R"PY(
import sys, mailbox
from email.message import EmailMessage
box = mailbox.mbox(sys.argv[1])
for date, body in [("Wed, 01 Jan 2020 10:00:00 +0000", "From here on: first card 4111111111111111\n"),
                   ("Sat, 01 Jan 2022 10:00:00 +0000", "second IBAN GB82WEST12345698765432\n")]:
    m = EmailMessage()
    m["From"] = "a@example.com"
    m["Subject"] = "s"
    m["Date"] = date
    m.set_content(body)
    box.add(m)
box.flush()
)PY",
         {dir / "box.mbox"});
  const Extracted r = ExtractPath(dir / "box.mbox", "application/mbox", Category::kEmail);
  CHECK(Contains(r.text(), "first card 4111111111111111\n"));
  CHECK(Contains(r.text(), "second IBAN GB82WEST12345698765432\n"));
  CHECK(r.outcome.members == 2);
  CHECK(r.outcome.content_date == UnixFromCivil(2022, 1, 1, 10, 0, 0));
  CHECK(r.outcome.partial.empty());
  // Sniffed too.
  CHECK(ExtractPath(dir / "box.mbox").outcome.members == 2);
}

TEST_CASE("A 1,000-deep MIME tree ends with the depth limit", "[extract][email][hostile]") {
  std::string m =
      "From: a@example.com\nTo: b@example.com\nSubject: deep\nMIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"b0\"\n\n"
      "--b0\nContent-Type: text/plain\n\nshallow text\n";
  const int kDepth = 1000;
  for (int i = 0; i < kDepth; ++i) {
    m += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=\"b" +
         std::to_string(i + 1) + "\"\n\n";
  }
  m += "--b" + std::to_string(kDepth) + "\nContent-Type: text/plain\n\ndeep secret\n";
  for (int i = kDepth; i >= 0; --i) m += "--b" + std::to_string(i) + "--\n";
  const Extracted r = ExtractBytes(m);
  CHECK(r.status.ok());
  CHECK(r.outcome.partial.Text() == "limit: depth");
  CHECK(Contains(r.text(), "Subject: deep\n"));
  CHECK(Contains(r.text(), "shallow text\n"));
  CHECK_FALSE(Contains(r.text(), "deep secret"));
}

TEST_CASE("MIME nesting within the depth limit is read", "[extract][email]") {
  // Nine nested multiparts: the text is at depth 9.
  std::string m =
      "From: a@example.com\nSubject: nine\nContent-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 0; i < 8; ++i) {
    m += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" +
         std::to_string(i + 1) + "\n\n";
  }
  m += "--b8\nContent-Type: text/plain\n\nnine deep\n";
  for (int i = 8; i >= 0; --i) m += "--b" + std::to_string(i) + "--\n";
  const Extracted r = ExtractBytes(m);
  CHECK(r.outcome.partial.empty());
  CHECK(Contains(r.text(), "nine deep\n"));
}

TEST_CASE("A PGP-encrypted message is encrypted, headers still read", "[extract][email]") {
  const std::string m =
      "From: a@example.com\nTo: b@example.com\nSubject: secret plans\nMIME-Version: 1.0\n"
      "Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
      "boundary=\"x\"\n\n"
      "--x\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
      "--x\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n"
      "hQEMA5KQ\n-----END PGP MESSAGE-----\n--x--\n";
  const Extracted r = ExtractBytes(m);
  CHECK(r.outcome.encrypted);
  CHECK(r.outcome.partial.Text() == "encrypted");
  CHECK(Contains(r.text(), "Subject: secret plans\n"));
}

}  // namespace custos::extract::testing
