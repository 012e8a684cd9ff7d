// Loading: files, several files at once, the default policy pack, what a set exposes.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "custos/base/time.h"
#include "custos/policies/policy.h"
#include "support/support.h"

using namespace custos;
using custos::policies::Diagnostic;
using custos::policies::PolicySet;

namespace {

using Strings = std::vector<std::string>;

Strings ToStrings(const std::vector<Diagnostic>& diags) {
  Strings out;
  for (const Diagnostic& d : diags) out.push_back(d.ToString());
  return out;
}

std::string DefaultPack() {
  return test::SourceDir() + "/packaging/policies/private-security.yaml";
}

Item MakeItem(std::string path, Category category) {
  Item item;
  item.path = std::move(path);
  item.has_info = true;
  item.info.mode = S_IFREG | 0644;
  item.info.uid = 1000;
  item.info.gid = 1000;
  item.owner = "guard";
  item.group = "staff";
  item.category = category;
  return item;
}

std::vector<std::string> Kinds(const Item& item) {
  std::vector<std::string> out;
  for (const Violation& v : item.violations) {
    out.push_back(v.policy + "/" + std::string(ViolationKindName(v.kind)));
  }
  return out;
}

}  // namespace

TEST_CASE("durations: units and limits") {
  using policies::ParseDuration;
  CHECK(ParseDuration("45s") == 45);
  CHECK(ParseDuration("90min") == 5400);
  CHECK(ParseDuration("12h") == 43200);
  CHECK(ParseDuration("30d") == 30 * 86400);
  CHECK(ParseDuration("2w") == 14 * 86400);
  CHECK(ParseDuration("6mo") == 180 * 86400);
  CHECK(ParseDuration("1y") == 365 * 86400);
  CHECK(ParseDuration("0d") == 0);
  CHECK_FALSE(ParseDuration("30 days"));
  CHECK_FALSE(ParseDuration("30"));
  CHECK_FALSE(ParseDuration("d"));
  CHECK_FALSE(ParseDuration("-1d"));
  CHECK_FALSE(ParseDuration("1.5d"));
  CHECK_FALSE(ParseDuration("30D"));
  CHECK_FALSE(ParseDuration("1m"));
  CHECK_FALSE(ParseDuration("99999999999999999y"));
}

TEST_CASE("load: the spec's example policy file") {
  std::vector<Diagnostic> diags;
  auto set = PolicySet::LoadString(R"yaml(policies:
  - id: cctv-30d                    # unique, [a-z0-9-]+
    description: CCTV footage is kept at most 30 days
    references: ["GDPR Art. 5(1)(e)", "site CCTV code of practice"]
    severity: high
    match:
      paths: ["/srv/cctv/**"]
      categories: [video, image]
      detectors: [payment_card]
      min_count: 1
    retention:
      max_age: 30d
      age_from: content_date
  - id: biometric-access
    severity: critical
    match: {categories: [biometric]}
    access:
      max_mode: "0640"
      owners: [biometric]
      groups: [biometric]
      no_acl_grants_to_others: true
  - id: biometric-location
    match: {categories: [biometric]}
    location: {allowed_paths: ["/srv/biometric/**"]}
  - id: biometric-encrypted
    match: {categories: [biometric], paths: ["/srv/biometric/**"]}
    encryption: required
  - id: no-cards
    match: {detectors: [payment_card]}
    forbid: true
detectors:
  - id: sia-licence
    pattern: '\b[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}\b'
    context: [SIA, licence, license]
    validate: none
legal_holds:
  - paths: ["/srv/cctv/incident-2291/**"]
    reason: "police request 2291"
    until: 2027-06-30
)yaml",
                                   "spec.yaml", &diags);
  INFO(set.status().message());
  REQUIRE(set.ok());
  CHECK(diags.empty());
  CHECK(set.value()->policy_count() == 5);
  CHECK(set.value()->NeedsAcl());
  const auto& infos = set.value()->policies();
  REQUIRE(infos.size() == 5);
  CHECK(infos[0].id == "cctv-30d");
  CHECK(infos[0].description == "CCTV footage is kept at most 30 days");
  CHECK(infos[0].references == Strings{"GDPR Art. 5(1)(e)", "site CCTV code of practice"});
  CHECK(SeverityName(infos[0].severity) == "high");
  CHECK(infos[0].file == "spec.yaml");
  CHECK(infos[0].line == 2);
  CHECK(SeverityName(infos[2].severity) == "medium");  // the default
  const auto& dets = set.value()->custom_detectors();
  REQUIRE(dets.size() == 1);
  CHECK(dets[0].id == "sia-licence");
  CHECK(dets[0].pattern == "\\b[0-9]{4} ?[0-9]{4} ?[0-9]{4} ?[0-9]{4}\\b");
  CHECK(dets[0].context == Strings{"SIA", "licence", "license"});
  CHECK(dets[0].validate == "none");
  const auto& holds = set.value()->legal_holds();
  REQUIRE(holds.size() == 1);
  CHECK(holds[0].paths == Strings{"/srv/cctv/incident-2291/**"});
  CHECK(holds[0].reason == "police request 2291");
  CHECK(holds[0].until == ParseIso8601("2027-06-30"));
}

TEST_CASE("load: empty files and empty sections load as nothing") {
  for (const char* text : {"", "# nothing yet\n", "policies:\nlegal_holds:\n",
                           "policies: []\ndetectors: []\nlegal_holds: []\n"}) {
    auto set = PolicySet::LoadString(text, "e.yaml", nullptr);
    REQUIRE(set.ok());
    CHECK(set.value()->policy_count() == 0);
    CHECK_FALSE(set.value()->NeedsAcl());
    Item item = MakeItem("/x", Category::kOther);
    set.value()->Evaluate(item, 0);
    CHECK(item.violations.empty());
  }
  auto none = PolicySet::LoadFiles({}, nullptr);
  REQUIRE(none.ok());
  CHECK(none.value()->policy_count() == 0);
}

TEST_CASE("load: several files; ids are unique across them; detectors are shared") {
  test::TempDir dir;
  test::WriteFile(dir / "a.yaml", R"(policies:
  - id: cctv-30d
    match: {detectors: [sia-licence]}
    forbid: true
)");
  test::WriteFile(dir / "b.yaml", R"(detectors:
  - id: sia-licence
    pattern: '[0-9]{16}'
policies:
  - id: other
    forbid: true
)");
  test::WriteFile(dir / "c.yaml", R"(policies:
  - id: other
    forbid: true
  - id: cctv-30d
    forbid: true
detectors:
  - id: sia-licence
    pattern: x
)");
  // a + b: the detector of b is usable in a.
  std::vector<Diagnostic> diags;
  auto ab = PolicySet::LoadFiles({dir / "a.yaml", dir / "b.yaml"}, &diags);
  INFO(ab.status().message());
  REQUIRE(ab.ok());
  CHECK(ab.value()->policy_count() == 2);
  CHECK(ab.value()->custom_detectors().size() == 1);
  Item item = MakeItem("/x", Category::kText);
  item.detections = {{"sia-licence", 1, {}}};
  ab.value()->Evaluate(item, 0);
  CHECK(Kinds(item) == Strings{"cctv-30d/forbidden", "other/forbidden"});

  // a alone: the detector is unknown.
  auto a = PolicySet::LoadFiles({dir / "a.yaml"}, &diags);
  REQUIRE_FALSE(a.ok());
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].ToString().rfind(
            dir / "a.yaml:3:25: unknown detector 'sia-licence' (expected aws_access_key, br_cpf,",
            0) == 0);
  CHECK(diags[0].code == custos::yaml::Code::kUnknownName);

  // a + b + c: every duplicate is reported at its second definition.
  diags.clear();
  auto abc = PolicySet::LoadFiles({dir / "a.yaml", dir / "b.yaml", dir / "c.yaml"}, &diags);
  REQUIRE_FALSE(abc.ok());
  CHECK(ToStrings(diags) ==
        Strings{dir / "c.yaml:2:9: duplicate policy id 'other' (first defined at " + dir.path() +
                    "/b.yaml:5:9)",
                dir / "c.yaml:4:9: duplicate policy id 'cctv-30d' (first defined at " + dir.path() +
                    "/a.yaml:2:9)",
                dir / "c.yaml:7:9: duplicate detector id 'sia-licence' (first defined at " +
                    dir.path() + "/b.yaml:2:9)"});
}

TEST_CASE("load: an unreadable file is a diagnostic without position") {
  test::TempDir dir;
  test::WriteFile(dir / "ok.yaml", "policies: [{id: a, forbid: true}]\n");
  std::vector<Diagnostic> diags;
  auto set = PolicySet::LoadFiles({dir / "missing.yaml", dir / "ok.yaml", dir.path()}, &diags);
  REQUIRE_FALSE(set.ok());
  CHECK(ToStrings(diags) == Strings{dir / "missing.yaml: cannot read: No such file or directory",
                                    dir.path() + ": cannot read: Is a directory"});
  CHECK(diags[0].code == custos::yaml::Code::kMissingFile);
  CHECK(diags[1].code == custos::yaml::Code::kCannotRead);
  CHECK(set.status().message() == dir / "missing.yaml: cannot read: No such file or directory\n" +
                                      dir.path() + ": cannot read: Is a directory");
}

TEST_CASE("default pack: loads without errors") {
  std::vector<Diagnostic> diags;
  auto set = PolicySet::LoadFiles({DefaultPack()}, &diags);
  INFO(set.status().message());
  REQUIRE(set.ok());
  CHECK(diags.empty());
  CHECK(set.value()->policy_count() >= 8);
  CHECK(set.value()->NeedsAcl());
  for (const auto& p : set.value()->policies()) {
    INFO(p.id);
    CHECK_FALSE(p.description.empty());
    CHECK_FALSE(p.references.empty());
  }
}

TEST_CASE("default pack: typical findings of a security operator") {
  auto loaded = PolicySet::LoadFiles({DefaultPack()}, nullptr);
  REQUIRE(loaded.ok());
  const auto& set = *loaded.value();
  const int64_t now = *ParseIso8601("2025-06-01T00:00:00Z");

  // A clip exported to a share from the NVR, recorded 90 days ago, world-readable.
  Item clip = MakeItem("/srv/share/ops/CCTV exports/cam3/2025-03-03.mp4", Category::kVideo);
  clip.info.mtime = now - 86400;
  clip.content_date = now - 90 * 86400;
  set.Evaluate(clip, now);
  CHECK(Kinds(clip) == Strings{"cctv-retention/retention", "cctv-no-world-access/access",
                               "cctv-location/location"});

  // The same clip in the CCTV store, fresh, mode 0640: fine.
  Item stored = MakeItem("/srv/cctv/cam3/2025-05-30.mp4", Category::kVideo);
  stored.info.mode = S_IFREG | 0640;
  stored.content_date = now - 2 * 86400;
  set.Evaluate(stored, now);
  CHECK(stored.violations.empty());

  // A Dahua recording anywhere is CCTV footage.
  Item dav = MakeItem("/home/guard/Downloads/ch01_20250101.dav", Category::kVideo);
  dav.info.mode = S_IFREG | 0600;
  dav.info.mtime = now - 100 * 86400;
  set.Evaluate(dav, now);
  CHECK(Kinds(dav) == Strings{"cctv-retention/retention", "cctv-location/location"});

  // A fingerprint template on a share with an ACL grant.
  Item fmr = MakeItem("/srv/share/hr/enrol/123.fmr", Category::kBiometric);
  fmr.acl = {{AclEntry::Tag::kUser, 65534, 4}};
  set.Evaluate(fmr, now);
  CHECK(Kinds(fmr) == Strings{"biometric-access/access", "biometric-location/location",
                              "biometric-encrypted/encryption"});
  CHECK(fmr.violations[0].severity == Severity::kCritical);
  CHECK(fmr.violations[0].reason == "mode 0644 exceeds 0640; ACL grants r-- to user 65534");

  // A vetting file with a passport MRZ, two years old, readable by all.
  Item vet = MakeItem("/srv/share/HR/Vetting/j-smith.pdf", Category::kDocument);
  vet.info.mtime = now - 730 * 86400;
  vet.detections = {{"passport_mrz", 1, {}}};
  set.Evaluate(vet, now);
  CHECK(Kinds(vet) == Strings{"staff-vetting-records/retention", "staff-vetting-records/access",
                              "identity-data-no-world-access/access"});
  CHECK(vet.violations[0].reason == "modified 2023-06-02T00:00:00Z, 730 days old, limit 1y");

  // A private key and card numbers on the operations share.
  Item leak = MakeItem("/srv/share/ops/arc-link.txt", Category::kText);
  leak.info.mode = S_IFREG | 0600;
  leak.detections = {{"private_key", 1, {}}, {"payment_card", 2, {}}};
  set.Evaluate(leak, now);
  CHECK(Kinds(leak) ==
        Strings{"no-credentials-in-files/forbidden", "payment-cards-finance-only/location"});
  // Card numbers in finance are allowed there.
  Item fin = MakeItem("/srv/share/Finance/refunds.xlsx", Category::kDocument);
  fin.detections = {{"payment_card", 3, {}}};
  set.Evaluate(fin, now);
  CHECK(fin.violations.empty());
}
