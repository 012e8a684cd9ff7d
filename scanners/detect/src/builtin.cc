// The built-in detectors. Adding one is a local change: a row here (patterns, context
// words, validator, mask, priority), its validator in validate_ids.cc or
// validate_text.cc and its mask in masks.cc when it needs its own (declared in
// validators.h), Engine::kVersion bumped, and its tests. The policy loader and
// `custos detectors` learn the ids from this table.
#include <algorithm>

#include "custos/detect/detect.h"
#include "validators.h"

namespace custos::detect {

using namespace internal;

const std::vector<DetectorDef>& BuiltinDetectors() {
  // Patterns use byte semantics (RE2 Latin-1 mode): \b is an ASCII word boundary and
  // non-ASCII context words are written as their UTF-8 bytes.
  static const std::vector<DetectorDef> kDetectors = {
      {"private_key",
       {{R"(-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)"}},
       {},
       ValidatePrivateKey,
       MaskPrivateKey,
       0},
      {"passport_mrz",
       {// TD3: two lines of 44 (passports). Lines may also be strings of a JSON array.
        {R"(P[A-Z<][A-Z<]{3}[A-Z<]{39}(?:[ \t]*\r?\n[ \t]*|"[ \t]*,[ \t\r\n]*")[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z0-9<]{14}[0-9<][0-9])"},
        // TD2: two lines of 36
        {R"([ACI][A-Z<][A-Z<]{3}[A-Z<]{31}(?:[ \t]*\r?\n[ \t]*|"[ \t]*,[ \t\r\n]*")[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z0-9<]{7}[0-9])"},
        // TD1: three lines of 30 (identity cards)
        {R"([ACI][A-Z<][A-Z<]{3}[A-Z0-9<]{9}[0-9<][A-Z0-9<]{15}(?:[ \t]*\r?\n[ \t]*|"[ \t]*,[ \t\r\n]*")[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z<]{3}[A-Z0-9<]{11}[0-9](?:[ \t]*\r?\n[ \t]*|"[ \t]*,[ \t\r\n]*")[A-Z<]{30})"}},
       {},
       ValidateMrz,
       MaskMrz,
       1},
      {"iban",
       {{R"(\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b)"}},
       {},
       ValidateIban,
       MaskIban,
       2},
      {"email",
       {{R"([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.){1,8}[A-Za-z]{2,24}\b)"}},
       {},
       ValidateEmail,
       MaskEmail,
       3},
      {"aws_access_key", {{R"(\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)"}}, {}, ValidateAwsKey, MaskAwsKey, 4},
      {"it_fiscal_code",
       {{R"((?i)\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b)"}},
       {},
       ValidateItFiscalCode,
       MaskLast2,
       5},
      {"ch_ahv",
       {{R"(\b756[. ]?[0-9]{4}[. ]?[0-9]{4}[. ]?[0-9]{2}\b)"}},
       {},
       ValidateChAhv,
       MaskLast2,
       6},
      {"payment_card",
       {{R"(\b[2-6][0-9]{3}(?:[ \-]?[0-9]){8,15}\b)"}},
       {},
       ValidatePaymentCard,
       MaskLast4,
       8},
      {"za_id",
       {{R"(\b[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]) ?[0-9]{4} ?[01][0-9]{2}\b)"}},
       {},
       ValidateZaId,
       MaskLast2,
       7},
      {"br_cpf",
       {{R"(\b[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}\b)"}, {R"(\b[0-9]{11}\b)", true}},
       {"CPF", "cadastro de pessoas"},
       ValidateBrCpf,
       MaskLast2,
       9},
      {"us_ssn",
       {{R"(\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b)"},
        {R"(\b[0-9]{3} [0-9]{2} [0-9]{4}\b)", true},
        {R"(\b[0-9]{9}\b)", true}},
       {"SSN", "SSN#", "SS#", "social security", "soc sec", "social sec"},
       ValidateUsSsn,
       MaskLast2,
       10},
      {"uk_nino",
       {{R"((?i)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b)"}},
       {},
       ValidateUkNino,
       MaskLast2,
       11},
      {"es_dni",
       {{R"(\b[0-9]{8}[\- ]?[A-Z]\b)"},
        {R"(\b[XYZ][\- ]?[0-9]{7}[\- ]?[A-Z]\b)"},
        // with thousands dots, as Spanish forms print it: 12.345.678-Z
        {R"(\b[0-9]{2}\.[0-9]{3}\.[0-9]{3}[\- ]?[A-Z]\b)"}},
       {},
       ValidateEsDni,
       MaskLast2,
       12},
      {"uk_nhs",
       {{R"(\b[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4}\b)", true}},
       {"NHS", "NHS number", "NHS no", "health service"},
       ValidateUkNhs,
       MaskLast2,
       13},
      {"nl_bsn",
       {{R"(\b[0-9]{4}[. ]?[0-9]{2}[. ]?[0-9]{3}\b)", true},
        {R"(\b[0-9]{3}[. ][0-9]{3}[. ][0-9]{3}\b)", true}},
       {"BSN", "burgerservicenummer", "sofinummer", "sofi-nummer", "sofi"},
       ValidateNlBsn,
       MaskLast2,
       14},
      {"in_aadhaar",
       {{R"(\b[2-9][0-9]{3}[ \-]?[0-9]{4}[ \-]?[0-9]{4}\b)", true}},
       {"Aadhaar", "Aadhar", "Aadhaar no", "UIDAI", "UID",
        "\xe0\xa4\x86\xe0\xa4\xa7\xe0\xa4\xbe\xe0\xa4\xb0"},
       ValidateInAadhaar,
       MaskLast2,
       15},
      {"ipv6",
       {// full form, "::" inside, or "::" at either end (at least two groups)
        {R"((?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b)"},
        {R"((?i)\b(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5}\b)"},
        {R"((?i)::(?:[0-9a-f]{1,4}:){1,5}[0-9a-f]{1,4}\b)"},
        {R"((?i)\b(?:[0-9a-f]{1,4}:){2,7}:)"}},
       {},
       ValidateIpv6,
       MaskLast2,
       16},
      {"ipv4",
       {{R"(\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)"}},
       {},
       ValidateIpv4,
       MaskIpv4,
       17},
      {"gps_coordinates",
       {{R"((?:[\-+]|\b)(?:[1-8]?[0-9]|90)\.[0-9]{4,10}[ \t]{0,3}[,;][ \t]{0,3}[\-+]?(?:1[0-7][0-9]|[1-9]?[0-9]|180)\.[0-9]{4,10}\b)"},
        // decimal degrees with hemisphere letters: "51.5007 N, 0.1246 W" (degree sign optional)
        {"\\b(?:[1-8]?[0-9]|90)\\.[0-9]{4,10}(?:\xC2\xB0)? ?[NS][ "
         ",;]{0,3}(?:1[0-7][0-9]|[1-9]?[0-9]|180)\\.[0-9]{4,10}(?:\xC2\xB0)? ?[EW]\\b"},
        {"\\b[0-9]{1,2}\xC2\xB0 ?[0-9]{1,2}(?:'|\xE2\x80\xB2) "
         "?[0-9]{1,2}(?:\\.[0-9]+)?(?:\"|\xE2\x80\xB3|'')? ?[NS][ ,;]{0,3}[0-9]{1,3}\xC2\xB0 "
         "?[0-9]{1,2}(?:'|\xE2\x80\xB2) ?[0-9]{1,2}(?:\\.[0-9]+)?(?:\"|\xE2\x80\xB3|'')? "
         "?[EW]\\b"},
        // DMS or degrees and decimal minutes with the hemisphere letter in front:
        // N 47 03'55", W 78 12'03" or N 47 23.617' E 003 28.483' (with degree signs)
        {"\\b[NS] ?[0-9]{1,2}\xC2\xB0 ?[0-9]{1,2}(?:\\.[0-9]+)?(?:'|\xE2\x80\xB2)(?: "
         "?[0-9]{1,2}(?:\\.[0-9]+)?(?:\"|"
         "\xE2\x80\xB3|''))?[ ,;]{1,3}[EW] ?[0-9]{1,3}\xC2\xB0 "
         "?[0-9]{1,2}(?:\\.[0-9]+)?(?:'|\xE2\x80\xB2)(?: "
         "?[0-9]{1,2}(?:\\.[0-9]+)?(?:\"|\xE2\x80\xB3|''))?"},
        // labelled: "lat 48.85661 lon 2.35222", "latitude: 48.85661, longitude: 2.35222"
        {R"((?i)\blat(?:itude)?\.?[:=]?[ \t]{0,3}[\-+]?(?:[1-8]?[0-9]|90)\.[0-9]{4,10}[ \t]{0,3}[,;/]?[ \t]{0,3}(?:lon|lng|long|longitude)\.?[:=]?[ \t]{0,3}[\-+]?(?:1[0-7][0-9]|[1-9]?[0-9]|180)\.[0-9]{4,10}\b)"},
        // separated by blanks only: needs a location word before it
        {R"((?:[\-+]|\b)(?:[1-8]?[0-9]|90)\.[0-9]{4,10}[ \t]{1,3}[\-+]?(?:1[0-7][0-9]|[1-9]?[0-9]|180)\.[0-9]{4,10}\b)",
         true}},
       {"GPS", "lat", "latitude", "coordinates", "coords", "location", "position", "geo",
        "Standort", "Koordinaten",
        "coordonn\xc3\xa9"
        "es",
        "coordenadas", "coordinate", "posizione", "locatie"},
       ValidateGps,
       MaskAll,
       18},
      {"date_of_birth",
       {{R"((?i)\b(?:[0-9]{4}[\-/.][0-9]{1,2}[\-/.][0-9]{1,2}|[0-9]{1,2}[\-/.][0-9]{1,2}[\-/.](?:[0-9]{4}|[0-9]{2})|[0-9]{1,2}\.? ?[a-z\x80-\xff]{3,10}\.? [0-9]{4}|[0-9]{1,2}-[a-z]{3,9}-[0-9]{4}|[0-9]{1,2} de [a-z\x80-\xff]{3,10} de [0-9]{4}|[a-z]{3,9}\.? [0-9]{1,2},? [0-9]{4})\b)",
         true}},
       {"DOB",
        "D.O.B",
        "date of birth",
        "birth date",
        "birthdate",
        "born",
        "n\xc3\xa9 le",
        "n\xc3\xa9"
        "e le",
        "n\xc3\xa9(e) le",
        "date de naissance",
        "Geburtsdatum",
        "geboren",
        "geb.",
        "fecha de nacimiento",
        "fecha nac",
        "nacimiento",
        "data di nascita",
        "nato il",
        "nacido",
        "nacida",
        "nascido",
        "nascida",
        "bday",
        "birthday",
        "nata il",
        "data de nascimento",
        "geboortedatum",
        "f\xc3\xb6"
        "delsedatum",
        "f\xc3\xb8"
        "dselsdato"},
       ValidateDateOfBirth,
       MaskAll,
       19},
      {"phone",
       {{R"(\+[1-9][0-9]{0,2}(?:[ .\-]?\(0\))?(?:[ .\-]?\(?[0-9]{1,5}\)?){1,6}\b)"},
        {R"((?:\(0[0-9]{1,4}\)|\b0[0-9]{1,4})(?:[ .\-/]?[0-9]{2,4}){2,4}\b)", true,
         ValidatePhoneNational},
        // North American: (415) 555-0132, 415-555-0132, 415.555.0132
        {R"((?:\([2-9][0-9]{2}\)[ .\-]?|\b[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}\b)", true,
         ValidatePhoneNational},
        // nine-digit plans without a trunk prefix (Spain, Portugal): 612 345 678, 612 34 56 78
        {R"(\b[6-9][0-9]{2}(?:[ .]?[0-9]{3}[ .]?[0-9]{3}|(?: [0-9]{2}){3})\b)", true,
         ValidatePhoneNational}},
       {"tel",
        "tel.",
        "phone",
        "telephone",
        "mobile",
        "mob",
        "cell",
        "fax",
        "telefon",
        "telefoon",
        "telefone",
        "telefonnummer",
        "mobilnummer",
        "rufnummer",
        "mobil",
        "mobiel",
        "celular",
        "cellulare",
        "cellphone",
        "phone number",
        "mobile number",
        "call",
        "whatsapp",
        "m\xc3\xb3vil",
        "movil",
        "t\xc3\xa9l\xc3\xa9phone",
        "t\xc3\xa9l",
        "tel\xc3\xa9"
        "fono",
        "telefono",
        "handy",
        "gsm",
        "portable"},
       ValidatePhoneIntl,
       MaskLast2,
       20},
  };
  return kDetectors;
}

bool IsBuiltinDetector(std::string_view id) {
  const auto& defs = BuiltinDetectors();
  return std::any_of(defs.begin(), defs.end(), [&](const DetectorDef& d) { return d.id == id; });
}

const std::vector<NamedValidator>& CustomValidators() {
  static const std::vector<NamedValidator> kValidators = {
      {"luhn", ValidateLuhnGeneric},
      {"mod97", ValidateMod97Generic},
      {"none", ValidateNone},
  };
  return kValidators;
}

ValidateFn FindCustomValidator(std::string_view name) {
  for (const NamedValidator& v : CustomValidators()) {
    if (v.name == name) return v.validate;
  }
  return nullptr;
}

}  // namespace custos::detect
