// The leak test: plant identifiers in files of every kind, scan them every way the
// CLI offers, and search everything it printed for the raw values, in their printed
// and separator-free forms. None may appear.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pdf_text.h"
#include "support/support.h"

using custos::test::Run;
using custos::test::RunCustos;
using custos::test::TempDir;
using custos::test::WriteFile;

namespace {

struct Planted {
  std::string printed;
  std::string detector;
};

const std::vector<Planted> kPlanted = {
    {"4111 1111 1111 1111", "payment_card"},
    {"DE89 3704 0044 0532 0130 00", "iban"},
    {"536-22-1234", "us_ssn"},
    {"john.doe@example.com", "email"},
    {"AB 12 34 56 C", "uk_nino"},
    {"+44 20 7946 0958", "phone"},
    {"AKIAIOSFODNN7EXAMPLE", "aws_access_key"},
    {"756.1234.5678.97", "ch_ahv"},
    {"111.444.777-35", "br_cpf"},
};
const char* kMrz =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
const char* kKeyBody = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgH";

std::string Document() {
  std::string text = "Staff vetting record\n";
  for (const Planted& p : kPlanted) text += "value: " + p.printed + "\n";
  text += "BSN: 111222333\n";
  text += kMrz;
  text += "-----BEGIN RSA PRIVATE KEY-----\n" + std::string(kKeyBody) +
          "\n-----END RSA PRIVATE KEY-----\n";
  return text;
}

std::string Compact(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-' && c != '.') out += c;
  }
  return out;
}

void ExpectNoRawValue(const std::string& what, const std::string& printed) {
  INFO(what);
  std::vector<std::string> forbidden = {"111222333", "ERIKSSON", "L898902C3",
                                        kKeyBody,    "john.doe", "MIIEowIBAAKC"};
  for (const Planted& p : kPlanted) {
    forbidden.push_back(p.printed);
    forbidden.push_back(Compact(p.printed));
  }
  for (const std::string& f : forbidden) {
    INFO("raw value: " << f);
    CHECK(printed.find(f) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("leak: no raw value in any output, format or error") {
  TempDir dir;
  const std::string doc = Document();
  WriteFile(dir / "share/vetting.txt", doc);
  WriteFile(dir / "share/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(dir / "share/mail.eml",
            "From: hr@example.org\nTo: boss@example.org\nSubject: vetting\n"
            "Date: Mon, 02 Jan 2024 03:04:05 +0000\nContent-Type: text/plain\n\n" +
                doc);
  auto zip =
      Run({"sh", "-c", "cd " + dir.path() + "/share && zip -q ../share.zip vetting.txt staff.csv"});
  REQUIRE(zip.exit_code == 0);
  auto docx = Run({"/usr/bin/python3", "-c",
                   "import sys, docx\n"
                   "d = docx.Document()\n"
                   "for line in open(sys.argv[1]).read().splitlines(): d.add_paragraph(line)\n"
                   "d.save(sys.argv[2])\n",
                   dir / "share/vetting.txt", dir / "share/vetting.docx"});
  REQUIRE(docx.exit_code == 0);
  Run({"mv", dir / "share.zip", dir / "share/archive.zip"});
  WriteFile(dir / "policy.yaml",
            "policies:\n  - id: no-cards\n    match: {detectors: [payment_card]}\n"
            "    forbid: true\n");

  std::string everything;
  for (const char* format : {"jsonl", "json", "csv", "table"}) {
    auto r = RunCustos(
        {"scan", "--all", "--format", format, "--policy", dir / "policy.yaml", dir / "share"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    everything += r.out + r.err;
    ExpectNoRawValue(std::string("scan --format ") + format, r.out + r.err);
  }
  auto o = RunCustos({"scan", "-o", dir / "out.jsonl", dir / "share"});
  ExpectNoRawValue("scan -o", custos::test::ReadFile(dir / "out.jsonl") + o.out + o.err);
  auto c = RunCustos({"classify", dir / "share/vetting.txt", dir / "share/vetting.docx",
                      dir / "share/archive.zip", dir / "share/mail.eml"});
  ExpectNoRawValue("classify", c.out + c.err);
  auto cj = RunCustos({"classify", "--format", "jsonl", dir / "share/vetting.txt"});
  ExpectNoRawValue("classify jsonl", cj.out + cj.err);

  // The scan did find them: the test would be empty otherwise.
  for (const Planted& p : kPlanted) {
    INFO(p.detector);
    CHECK(everything.find("\"detector\": \"" + p.detector + "\"") != std::string::npos);
  }
  CHECK(everything.find("\"detector\": \"passport_mrz\"") != std::string::npos);
  CHECK(everything.find("\"detector\": \"private_key\"") != std::string::npos);
  CHECK(everything.find("\"detector\": \"nl_bsn\"") != std::string::npos);
  // Every container was searched: the docx, the zip and the e-mail hold the values too.
  auto jl = RunCustos({"scan", "--format", "jsonl", dir / "share"});
  std::map<std::string, std::set<std::string>> found;
  std::istringstream in(jl.out);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    for (const auto& d : j["detections"]) found[j["path"]].insert(d["detector"].get<std::string>());
  }
  for (const char* f : {"vetting.txt", "vetting.docx", "archive.zip", "mail.eml"}) {
    INFO(f);
    const auto& got = found[dir / (std::string("share/") + f)];
    CHECK(got.count("payment_card") == 1);
    CHECK(got.count("iban") == 1);
    CHECK(got.count("passport_mrz") == 1);
  }
  CHECK(c.out.find("detection:    payment_card x1  **** **** **** 1111") != std::string::npos);
}

TEST_CASE("leak: no raw value in the PDF report") {
  if (!custos::test::HaveTool("chromium")) {
    CUSTOS_SKIP("chromium not installed (apt-get install chromium)");
  }
  TempDir dir;
  WriteFile(dir / "share/vetting.txt", Document());
  WriteFile(dir / "share/staff.csv", "name,card\nA,4111-1111-1111-1111\n");
  WriteFile(dir / "policy.yaml",
            "policies:\n  - id: no-cards\n    match: {detectors: [payment_card]}\n"
            "    forbid: true\n  - id: no-ids\n    match: {detectors: [iban, us_ssn, email]}\n"
            "    forbid: true\n");
  auto s = RunCustos({"scan", "--db", dir / "inv.db", "--policy", dir / "policy.yaml", "-o",
                      dir / "out.jsonl", dir / "share"});
  INFO(s.err);
  REQUIRE(s.exit_code == 1);
  auto r = RunCustos({"report", "--db", dir / "inv.db", "--format", "pdf", "-o", dir / "r.pdf"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string text = custos::test::PdfText(dir / "r.pdf");
  REQUIRE(!text.empty());
  ExpectNoRawValue("report --format pdf", text + r.out + r.err);
  ExpectNoRawValue("report --format pdf (bytes)", custos::test::ReadFile(dir / "r.pdf"));
  // The findings are in it, masked (a sample may wrap at a space or a dash).
  std::string flat;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '-') flat += c;
  }
  CHECK(flat.find("************1111") != std::string::npos);
  CHECK(text.find("no-cards") != std::string::npos);
  CHECK(text.find("no-ids") != std::string::npos);
}
