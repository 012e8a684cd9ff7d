#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "custos/detect/detect.h"

using namespace custos;
using namespace custos::detect;

namespace {

std::shared_ptr<const Engine> SharedEngine() {
  static auto engine = [] {
    auto e = Engine::Create();
    REQUIRE(e.ok());
    return e.value();
  }();
  return engine;
}

// detector id -> count, for `text` fed in one piece.
std::map<std::string, uint64_t> Scan(const std::string& text,
                                     std::shared_ptr<const Engine> engine = SharedEngine()) {
  Scanner s(engine);
  s.Feed(text);
  std::map<std::string, uint64_t> out;
  for (const Detection& d : s.Take()) out[d.detector] = d.count;
  return out;
}

std::vector<Detection> ScanFull(const std::string& text) {
  Scanner s(SharedEngine());
  s.Feed(text);
  return s.Take();
}

// Asserts that `text` yields exactly one detection, of `id`, with count 1.
void ExpectOnly(const std::string& id, const std::string& text) {
  INFO("text: " << text);
  auto found = Scan(text);
  CHECK(found == std::map<std::string, uint64_t>{{id, 1}});
}

void ExpectNone(const std::string& text) {
  INFO("text: " << text);
  CHECK(Scan(text).empty());
}

}  // namespace

TEST_CASE("detect: payment cards need Luhn, a known issuer and a valid length") {
  ExpectOnly("payment_card", "card 4111 1111 1111 1111 exp 12/29");
  ExpectOnly("payment_card", "mc: 5555-5555-5555-4444.");
  ExpectOnly("payment_card", "amex 378282246310005");
  ExpectOnly("payment_card", "discover 6011111111111117");
  ExpectOnly("payment_card", "2-series 2223003122003222");
  ExpectNone("card 4111 1111 1111 1112");        // wrong check digit
  ExpectNone("order 9111111111111111 shipped");  // no issuer starts with 9
  ExpectNone("4111-1111 1111-1111");             // mixed separators
  ExpectNone("id 41111111111111111111111");      // too long
}

TEST_CASE("detect: IBAN with country length and mod 97, compact or grouped") {
  ExpectOnly("iban", "IBAN DE89 3704 0044 0532 0130 00 please");
  ExpectOnly("iban", "GB82WEST12345698765432");
  ExpectOnly("iban", "NL91 ABNA 0417 1643 00");
  ExpectOnly("iban", "pay to FR14 2004 1010 0505 0001 3M02 606");
  ExpectNone("DE89 3704 0044 0532 0130 01");  // check digits fail
  ExpectNone("DE89 3704 0044 0532 0130");     // wrong length for DE
  ExpectNone("QQ89 3704 0044 0532 0130 00");  // no such country
}

TEST_CASE("detect: one span is never counted by two detectors") {
  // The IBAN's digits are not also a card, an AHV number or a phone number.
  auto found = Scan("IBAN: CH93 0076 2011 6238 5295 7 and DE89370400440532013000");
  CHECK(found == std::map<std::string, uint64_t>{{"iban", 2}});
}

TEST_CASE("detect: US SSN area, group and serial rules") {
  ExpectOnly("us_ssn", "ssn 536-22-1234");
  ExpectOnly("us_ssn", "SSN: 536221234");  // compact needs the context word
  ExpectNone("ref 536221234");             // ... and without it is nothing
  ExpectNone("000-12-3456");
  ExpectNone("666-12-3456");
  ExpectNone("912-34-5678");
  ExpectNone("536-00-1234");
  ExpectNone("536-22-0000");
}

TEST_CASE("detect: UK National Insurance and NHS numbers") {
  ExpectOnly("uk_nino", "NI number AB 12 34 56 C");
  ExpectOnly("uk_nino", "AB123456C");
  ExpectNone("GB123456A");  // administrative prefix
  ExpectNone("AB123456E");  // suffix must be A-D
  ExpectNone("DA123456A");  // D is not a valid first letter
  ExpectOnly("uk_nhs", "NHS number: 943 476 5919");
  ExpectOnly("uk_nhs", "nhs no 9434765919");
  ExpectNone("NHS number: 943 476 5918");  // mod 11 fails
  ExpectNone("order 943 476 5919");        // no context
}

TEST_CASE("detect: passport and ID card MRZ with check digits, one per zone") {
  const std::string td3 =
      "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
      "L898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
  ExpectOnly("passport_mrz", "scan of passport:\n" + td3 + "end\n");
  const std::string td1 =
      "I<UTOD231458907<<<<<<<<<<<<<<<\n"
      "7408122F1204159UTO<<<<<<<<<<<6\n"
      "ERIKSSON<<ANNA<MARIA<<<<<<<<<<\n";
  ExpectOnly("passport_mrz", td1);
  const std::string td2 =
      "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\n"
      "D231458907UTO7408122F1204159<<<<<<<6\n";
  ExpectOnly("passport_mrz", td2);
  std::string bad = td3;
  bad[45 + 9] = '7';  // document number check digit (line 2 starts at 45)
  ExpectNone(bad);
  std::string bad_composite = td3;
  bad_composite[45 + 43] = '1';
  ExpectNone(bad_composite);
}

TEST_CASE("detect: e-mail, IP addresses, GPS") {
  ExpectOnly("email", "write to John.Doe+cctv@example.co.uk today");
  ExpectNone("user@localhost");
  ExpectOnly("ipv4", "camera at 192.168.1.20 port 554");
  ExpectNone("version 1.2.3.4.5");
  ExpectNone("999.1.1.1");
  ExpectOnly("ipv6", "host 2001:db8:85a3::8a2e:370:7334 up");
  ExpectNone("at 12:34:56 the gate opened");
  ExpectNone("mac 00:1a:2b:3c:4d:5e");
  ExpectOnly("gps_coordinates", "position 51.50070, -0.12460 (gate)");
  ExpectOnly("gps_coordinates",
             "51\xC2\xB0"
             "30'02.5\"N 0\xC2\xB0"
             "07'28.6\"W");
  ExpectNone("ratio 1.5, 2.25");  // fewer than 4 decimals
  ExpectOnly("gps_coordinates", "gate at 51.5007\xC2\xB0 N, 0.1246\xC2\xB0 W today");
  ExpectOnly("gps_coordinates", "51.50070N 0.12460W");
}

TEST_CASE("detect: dates of birth need a birth context word") {
  ExpectOnly("date_of_birth", "DOB: 1980-04-12");
  ExpectOnly("date_of_birth", "Date of birth 12/04/1980");
  ExpectOnly("date_of_birth", "Geburtsdatum: 12.04.1980");
  ExpectOnly("date_of_birth",
             "n\xc3\xa9"
             "e le 3 mars 1975");
  ExpectOnly("date_of_birth", "born 12 March 1980");
  ExpectNone("invoice date 1980-04-12");
  ExpectNone("DOB: 1980-02-30");  // no such day
  ExpectNone("DOB: 2190-01-01");  // in the future
}

TEST_CASE("detect: national identifiers of several countries") {
  ExpectOnly("za_id", "ID 8001015009087");
  ExpectNone("ID 8001015009086");
  ExpectOnly("nl_bsn", "BSN: 111222333");
  ExpectOnly("nl_bsn", "burgerservicenummer 1112.22.333");
  ExpectNone("BSN: 111222334");
  ExpectNone("nummer 111222333");
  ExpectOnly("es_dni", "DNI 12345678Z");
  ExpectOnly("es_dni", "NIE X1234567L");
  ExpectNone("DNI 12345678A");
  ExpectOnly("it_fiscal_code", "CF RSSMRA85T10A562S");
  ExpectNone("CF RSSMRA85T10A562T");
  ExpectOnly("ch_ahv", "AHV 756.1234.5678.97");
  ExpectNone("AHV 756.1234.5678.98");
  ExpectOnly("in_aadhaar", "Aadhaar 2345 6789 0124");
  ExpectNone("Aadhaar 2345 6789 0125");
  ExpectNone("ref 2345 6789 0124");
  ExpectOnly("br_cpf", "CPF 111.444.777-35");
  ExpectOnly("br_cpf", "CPF: 11144477735");
  ExpectNone("111.444.777-36");
  ExpectNone("111.111.111-11");
}

TEST_CASE("detect: phones in international form, or national with context") {
  ExpectOnly("phone", "call +44 20 7946 0958 now");
  ExpectOnly("phone", "+31 (0)20 123 4567");
  ExpectOnly("phone", "Tel: 020 7946 0958");
  ExpectOnly("phone", "mobile 06-12345678");
  ExpectNone("ref 020 7946 0958");
  ExpectNone("+1 23");
}

TEST_CASE("detect: credentials") {
  ExpectOnly("aws_access_key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE");
  ExpectNone("AKIAAAAAAAAAAAAAAAAA");
  ExpectOnly(
      "private_key",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgH\n"
      "-----END RSA PRIVATE KEY-----\n");
  ExpectNone("-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n");
}

TEST_CASE("detect: count is distinct values, masked samples reveal nothing") {
  auto d = ScanFull(
      "4111 1111 1111 1111, again 4111111111111111, 5555 5555 5555 4444, "
      "378282246310005, 6011111111111117");
  REQUIRE(d.size() == 1);
  CHECK(d[0].detector == "payment_card");
  CHECK(d[0].count == 4);
  REQUIRE(d[0].masked.size() == 3);
  CHECK(d[0].masked[0] == "**** **** **** 1111");
  for (const std::string& m : d[0].masked) {
    CHECK(m.find("4111") == std::string::npos);
    CHECK(m.find("5555 5555") == std::string::npos);
  }
  auto e = ScanFull("mail john.doe@example.com");
  REQUIRE(e.size() == 1);
  CHECK(e[0].masked == std::vector<std::string>{"****@example.com"});
  auto i = ScanFull("IBAN DE89 3704 0044 0532 0130 00");
  CHECK(i[0].masked == std::vector<std::string>{"DE** **** **** **** **30 00"});
}

TEST_CASE("detect: values straddling feed boundaries are found exactly once") {
  const std::string value = "4111 1111 1111 1111";
  const std::string filler(2000, 'x');
  const std::string text = filler + "\ncard " + value + " end\n" + filler;
  for (size_t cut = filler.size(); cut < filler.size() + 30; ++cut) {
    Scanner s(SharedEngine());
    s.Feed(text.substr(0, cut));
    s.Feed(text.substr(cut));
    auto d = s.Take();
    INFO("cut at " << cut);
    REQUIRE(d.size() == 1);
    CHECK(d[0].count == 1);
  }
  // Across the 1 MiB internal chunk boundary, fed byte-ranges of odd sizes.
  std::string big;
  while (big.size() < (1u << 20) - 10) big += "no identifiers on this line at all\n";
  big += "SSN 536-22-1234 and BSN: 111222333\n";
  big += std::string(5000, 'y');
  Scanner s(SharedEngine());
  for (size_t p = 0; p < big.size(); p += 4093) s.Feed(big.substr(p, 4093));
  std::map<std::string, uint64_t> got;
  for (const Detection& d : s.Take()) got[d.detector] = d.count;
  CHECK(got == std::map<std::string, uint64_t>{{"nl_bsn", 1}, {"us_ssn", 1}});
}

TEST_CASE("detect: a value is not glued across streams") {
  Scanner s(SharedEngine());
  s.Feed("BSN:");
  s.EndOfStream();
  s.Feed(" 111222333\n");
  CHECK(s.Take().empty());  // the context word belonged to another member
}

TEST_CASE("detect: custom detectors from a policy") {
  auto engine = Engine::Create(
      {{"sia-licence", R"(\b[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}\b)", {"SIA", "licence"}, "none"},
       {"staff-id", R"(\bST-[0-9]{6}\b)", {}, "none"}});
  REQUIRE(engine.ok());
  auto found = Scan("SIA licence 1234 5678 9012 3456; staff ST-004211", engine.value());
  CHECK(found["sia-licence"] == 1);
  CHECK(found["staff-id"] == 1);
  CHECK(Scan("number 1234 5678 9012 3456", engine.value()).count("sia-licence") == 0);
  auto bad = Engine::Create({{"broken", "([a-z", {}, "none"}});
  CHECK_FALSE(bad.ok());
}

TEST_CASE("detect: keyed hashes recognise a value without revealing it") {
  auto hashes = [](const std::string& key, const std::string& text) {
    Scanner s(SharedEngine(), key);
    s.Feed(text);
    auto d = s.Take();
    REQUIRE(d.size() == 1);
    return d[0].hashes;
  };
  const auto a = hashes("key-1", "card 4111 1111 1111 1111");
  const auto b = hashes("key-1", "other file: 4111-1111-1111-1111");
  const auto c = hashes("key-2", "card 4111 1111 1111 1111");
  REQUIRE(a.size() == 1);
  CHECK(a[0].size() == 32);
  CHECK(a == b);  // the same value, however it is written
  CHECK(a != c);  // another key, another hash
  CHECK(a[0].find("4111") == std::string::npos);
  Scanner none(SharedEngine());
  none.Feed("card 4111 1111 1111 1111");
  CHECK(none.Take()[0].hashes.empty());
}

// Cases found by tests/bench/detect-eval (a generated, labelled corpus).

TEST_CASE("detect: context from a table's column header reaches every row") {
  // The header row holds the context words; the data rows below have none of their
  // own, and columns without a context word (start date, employee no) stay silent.
  std::string csv = "Name,DOB,Phone,NHS number,Start date,Employee no\n";
  for (int i = 0; i < 12; ++i) {
    csv += "Anna Smith,1980-04-" + std::to_string(10 + i) + ",020 7946 09" +
           std::to_string(10 + i) + ",943 476 5919,2015-03-" + std::to_string(10 + i) +
           ",0123 456 78" + std::to_string(10 + i) + "\n";
  }
  auto found = Scan(csv);
  CHECK(found ==
        std::map<std::string, uint64_t>{{"date_of_birth", 12}, {"phone", 12}, {"uk_nhs", 1}});
  // Tab-separated (spreadsheets and document tables as extracted) and quoted cells.
  auto tsv = Scan(
      "\"Name\"\t\"Geboortedatum\"\t\"BSN\"\tTelefoon\n"
      "Pieter de Vries\t\"02-06-1971\"\t\"111222333\"\t020-5206257\n"
      "Sanne Jansen\t11-11-1988\t123456782\t020-1234567\n");
  CHECK(tsv == std::map<std::string, uint64_t>{{"date_of_birth", 2}, {"nl_bsn", 2}, {"phone", 2}});
  // A line of another shape ends the table: the last line is no row of it.
  ExpectOnly("nl_bsn",
             "Name;BSN;Start\nA;111222333;2020-01-01\n"
             "The list above was checked by the night supervisor before the handover.\n"
             "x;y;123456782\n");
}

TEST_CASE("detect: a context word does not reach past another labelled value") {
  ExpectOnly("date_of_birth", "DOB: 12/04/1980\nStart date: 01/03/2015\n");
  ExpectOnly("date_of_birth", "Geburtsdatum: 10.01.1992, Eintritt: 26.04.2005");
  ExpectOnly("date_of_birth", "Date of birth / Date de naissance: 12.04.1980");
  ExpectOnly("uk_nhs", "NHS number: 943 476 5919\nEmployee no: 401 023 2137\n");
}

TEST_CASE("detect: more national phone formats and context words") {
  ExpectOnly("phone", "Tel: (415) 555-0132");
  ExpectOnly("phone", "Phone: 415-555-0132");
  ExpectOnly("phone", "m\xc3\xb3vil 612 345 678");
  ExpectOnly("phone", "Mobilnummer 0151 23456789");
  ExpectOnly("phone", "Telefone: 020 7946 0958");
  ExpectOnly("phone", "call me on 020 7946 0958");
  ExpectNone("ticket 415-555-0132");
  ExpectNone("Tel. updated 12.04.2024");
}

TEST_CASE("detect: identifier formats seen in the wild") {
  ExpectOnly("za_id", "SA ID: 800101 5009 087");
  ExpectOnly("za_id", "Mia Silva, 5811014457183");  // also Luhn with a Maestro prefix
  ExpectOnly("za_id", "ID 4001015009081");          // ... or a 13-digit Visa
  ExpectOnly("nl_bsn", "BSN: 111 222 333");
  ExpectOnly("uk_nino", "NI number: ab123456c");
  ExpectOnly("it_fiscal_code", "C.F. rssmra85t10a562s");
  ExpectOnly("date_of_birth", "nacido el 17 de abril de 1957");
  ExpectOnly("date_of_birth", "Data de nascimento: 3 de mar\xc3\xa7o de 1960");
  ExpectOnly("gps_coordinates", "Incident location: lat 48.85661 lon 2.35222");
  ExpectOnly("gps_coordinates", "GPS 23.5131 8.3834");
  ExpectNone("readings 23.5131 8.3834");  // a bare space-separated pair needs context
}

TEST_CASE("detect: look-alikes that are not identifiers") {
  ExpectNone("session 2c6aa066-a8d6-cc29-40e3-508697100438");  // UUID tail, Luhn-valid
  ExpectNone("ref 41 1111 1111 1111 11");                      // not a card's grouping
  ExpectNone("file logo@2x.png and icon@3x.webp updated");
  ExpectNone("sensor 3 reading 0.1234, 0.5678, 0.9012");
  ExpectNone("weights 0.2500, 0.7500");
}

TEST_CASE("detect: table headers found inside a confirmed region, blank lines between rows") {
  // The header comes right after another hit (within the same confirmation region).
  auto found = Scan(
      "mail a.b@example.com\nName\tDOB\tStart\nA\t1980-04-12\t2015-03-01\n"
      "B\t1981-05-13\t2016-04-02\n\nC\t1982-06-14\t2017-05-03\n\n\n"
      "D\t1983-07-15\t2018-06-04\n");
  CHECK(found == std::map<std::string, uint64_t>{{"date_of_birth", 4}, {"email", 1}});
  // PDF text layers put blank lines between table rows.
  auto pdf = Scan("Name | Phone | Start\n\nA | 020 7946 0958 | 2015\n\n" + std::string(100, 'x') +
                  " | y | z\n\nB | 020 7946 0959 | 2016\n");
  CHECK(pdf == std::map<std::string, uint64_t>{{"phone", 2}});
}

TEST_CASE("detect: context words as keys of JSON exports and vCards") {
  ExpectOnly("uk_nhs", "{\"nhs_number\": \"9434765919\", \"id\": 7}");
  ExpectOnly("date_of_birth", "{\"dateOfBirth\": \"1980-04-12\"}");
  ExpectOnly("date_of_birth", "{\"birth_date\": \"1980-04-12\"}");
  ExpectOnly("phone", "{\"phoneNumber\": \"020 7946 0958\"}");
  ExpectOnly("in_aadhaar", "aadhaar_no=2345 6789 0124");
  ExpectOnly("date_of_birth", "BEGIN:VCARD\r\nFN:Anna Smith\r\nBDAY:1980-04-12\r\nEND:VCARD\r\n");
  ExpectNone("{\"nhsx\": \"9434765919\"}");  // still whole words
}

TEST_CASE("detect: dates of birth as HR systems print them") {
  ExpectOnly("date_of_birth", "DOB: 01-Jun-1963");
  ExpectOnly("date_of_birth", "Date of birth: 12 Apr 1980");
  ExpectOnly("date_of_birth", "DOB 1980/04/12");
}

TEST_CASE("detect: a context word at the start of the line after a confirmed region") {
  // The first region ends with the long line; the search resumes right at "ssn".
  ExpectOnly(
      "us_ssn",
      "The alarm panel showed a fault on zone 4 which was reset. The client asked for a "
      "copy of the report by friday. The guard completed the patrol.\r\nssn 205 43 4516\r\n");
  auto found = Scan("Codice fiscale: RSSMRA85T10A562S\r\n" + std::string(150, 'x') +
                    "\r\nssn 205 43 4516\r\n");
  CHECK(found == std::map<std::string, uint64_t>{{"it_fiscal_code", 1}, {"us_ssn", 1}});
}

TEST_CASE("detect: formats from the blind evaluation corpus") {
  // Spanish forms print the DNI with thousands dots: 12.345.678-Z.
  ExpectOnly("es_dni", "DNI: 12.345.678-Z");
  ExpectOnly("es_dni", "NIF 12.345.678 Z");
  ExpectNone("DNI: 12.345.678-A");  // wrong check letter
  // "F. nacimiento" (fecha de nacimiento) as Spanish forms abbreviate it.
  ExpectOnly("date_of_birth", "F. nacimiento: 15/12/1977");
  ExpectOnly("date_of_birth", "Lugar y fecha de nacimiento: Sevilla, 3 de mayo de 1969");
  // Degrees-minutes-seconds with the hemisphere letter in front (aviation, geocaching).
  ExpectOnly("gps_coordinates",
             "N 47\xC2\xB0"
             "03'55\", W 78\xC2\xB0"
             "12'03\"");
  ExpectOnly("gps_coordinates",
             "S 13\xC2\xB0"
             "12'48\" E 141\xC2\xB0"
             "03'40\"");
  ExpectOnly("gps_coordinates",
             "cache at N 47\xC2\xB0"
             " 23.617' E 003\xC2\xB0"
             " 28.483'");
}

TEST_CASE("detect: column headers of tables aligned with runs of blanks") {
  // PDF text layers and fixed-width exports separate columns by two or more blanks;
  // single blanks inside a cell ("020 7946 0958", "12 March 1980") stay in the cell.
  auto found = Scan(
      "Name   DOB   Phone   Start\n"
      "Anna Smith   12/04/1980   020 7946 0958   01/03/2015\n"
      "Bob Jones    13 May 1981  020 7946 0959   02/03/2016\n"
      "Carl Weber   14/06/1982   020 7946 0951   03/03/2017\n");
  CHECK(found == std::map<std::string, uint64_t>{{"date_of_birth", 3}, {"phone", 3}});
  // Prose with double blanks after full stops is no table.
  ExpectNone(
      "The night was calm.  Nothing to report.  Gate locked at 12/04/1980  ok\n"
      "Checked again.  Still calm.  Next round 13/04/1980  ok\n");
}

TEST_CASE("detect: a JSON key is a label that ends a context word's reach") {
  ExpectOnly(
      "date_of_birth",
      "{\"Name\": \"A B\", \"D.O.B.\": \"20 Mar 2001\", \"Start date\": \"April 17, 2006\"}");
  ExpectOnly("date_of_birth", "{'dob': '1980-04-12', 'hired': '2015-03-01'}");
  ExpectOnly("date_of_birth", "DOB: 1980-04-12, Employee no.: 2015-03-01");
}

TEST_CASE("detect: digits of a JSON escape in a key are no value") {
  ExpectOnly("br_cpf", "{\"CPF n\\u00ba\": \"11144477735\"}");
}

TEST_CASE("detect: MRZ lines as strings of a JSON array (OCR exports)") {
  ExpectOnly("passport_mrz",
             "{\"lines\": [\"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\", "
             "\"L898902C36UTO7408122F1204159ZE184226B<<<<<10\"]}");
  ExpectOnly(
      "passport_mrz",
      "{\n  \"lines\": [\n    \"I<UTOD231458907<<<<<<<<<<<<<<<\",\n"
      "    \"7408122F1204159UTO<<<<<<<<<<<6\",\n    \"ERIKSSON<<ANNA<MARIA<<<<<<<<<<\"\n  ]\n}");
  ExpectNone(
      "[\"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\", "
      "\"L898902C36UTO7408122F1204159ZE184226B<<<<<11\"]");  // composite check digit
}

TEST_CASE("detect: Reset forgets the item being fed, searched or not") {
  Scanner s(SharedEngine());
  // Large enough that part of it is searched while it is fed.
  std::string big(3 << 20, 'x');
  big += "\nmail john.doe@example.com card 4111 1111 1111 1111\n";
  s.Feed("card 5555 5555 5555 4444 on file\n" + big);
  s.Reset();
  s.Feed("IBAN DE89 3704 0044 0532 0130 00\n");
  auto found = s.Take();
  REQUIRE(found.size() == 1);
  CHECK(found[0].detector == "iban");
  CHECK(found[0].count == 1);
}

TEST_CASE("detect: the registry names every built-in detector once; custom validators by name") {
  std::vector<std::string> ids;
  for (const DetectorDef& d : BuiltinDetectors()) ids.push_back(d.id);
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  CHECK(ids.size() == 21);  // the interface spec's
  for (const std::string& id : ids) CHECK(IsBuiltinDetector(id));
  CHECK_FALSE(IsBuiltinDetector("credit_card"));
  CHECK(FindCustomValidator("luhn") != nullptr);
  CHECK(FindCustomValidator("mod97") != nullptr);
  CHECK(FindCustomValidator("none") != nullptr);
  CHECK(FindCustomValidator("crc") == nullptr);
}
