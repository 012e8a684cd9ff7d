// Evaluation of hand-built items against policies loaded from YAML text.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <thread>

#include "custos/base/time.h"
#include "custos/policies/policy.h"

using namespace custos;
using custos::policies::PolicySet;

namespace {

std::shared_ptr<const PolicySet> Load(const std::string& yaml) {
  std::vector<policies::Diagnostic> diags;
  auto set = PolicySet::LoadString(yaml, "test.yaml", &diags);
  INFO(set.status().message());
  REQUIRE(set.ok());
  REQUIRE(diags.empty());
  return set.value();
}

int64_t T(const char* iso) {
  auto t = ParseIso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}

constexpr int64_t kDay = 86400;

Item MakeItem(std::string path, Category category, int64_t mtime) {
  Item item;
  item.path = std::move(path);
  item.has_info = true;
  item.info.mtime = mtime;
  item.info.ctime = mtime;
  item.info.mode = S_IFREG | 0640;
  item.info.uid = 1000;
  item.info.gid = 1000;
  item.owner = "bob";
  item.group = "staff";
  item.category = category;
  return item;
}

std::vector<std::string> Reasons(const Item& item) {
  std::vector<std::string> out;
  for (const Violation& v : item.violations) {
    out.push_back(v.policy + "/" + std::string(ViolationKindName(v.kind)) + "/" +
                  std::string(SeverityName(v.severity)) + ": " + v.reason);
  }
  return out;
}

using Strings = std::vector<std::string>;

const char* kCctv = R"(
policies:
  - id: cctv-30d
    severity: high
    match: {paths: ["/srv/cctv/**"], categories: [video, image]}
    retention: {max_age: 30d}
)";

}  // namespace

TEST_CASE("retention: the spec's example reason, from the content date") {
  auto set = Load(kCctv);
  const int64_t recorded = T("2024-01-02T03:04:05Z");
  Item item = MakeItem("/srv/cctv/cam3/2024-01-02.mp4", Category::kVideo, recorded + 400);
  item.content_date = recorded;
  set->Evaluate(item, recorded + 695 * kDay + 3600);
  CHECK(Reasons(item) ==
        Strings{"cctv-30d/retention/high: recorded 2024-01-02T03:04:05Z, 695 days old, limit 30d"});
  CHECK(item.legal_hold.empty());
  // What the inventory keeps does not change as the clip gets older.
  CHECK(item.violations[0].kept_reason() == "recorded 2024-01-02T03:04:05Z, limit 30d");
  Item later = MakeItem("/srv/cctv/cam3/2024-01-02.mp4", Category::kVideo, recorded + 400);
  later.content_date = recorded;
  set->Evaluate(later, recorded + 702 * kDay);
  CHECK(later.violations.at(0).reason == "recorded 2024-01-02T03:04:05Z, 702 days old, limit 30d");
  CHECK(later.violations[0].kept_reason() == item.violations[0].kept_reason());
}

TEST_CASE("retention: a clip copied yesterday but recorded a year ago is flagged") {
  auto set = Load(kCctv);
  const int64_t now = T("2025-06-01T12:00:00Z");
  Item item = MakeItem("/srv/cctv/cam1/clip.mp4", Category::kVideo, now - kDay);
  item.content_date = T("2024-06-01T12:00:00Z");
  set->Evaluate(item, now);
  CHECK(Reasons(item) ==
        Strings{"cctv-30d/retention/high: recorded 2024-06-01T12:00:00Z, 365 days old, limit 30d"});
}

TEST_CASE("retention: an old file holding a fresh recording is not flagged") {
  auto set = Load(kCctv);
  const int64_t now = T("2025-06-01T12:00:00Z");
  Item item = MakeItem("/srv/cctv/cam1/clip.mp4", Category::kVideo, now - 400 * kDay);
  item.content_date = now - 2 * kDay;
  set->Evaluate(item, now);
  CHECK(item.violations.empty());
}

TEST_CASE("retention: without a content date mtime is used and the reason says so") {
  auto set = Load(kCctv);
  const int64_t now = T("2025-06-01T00:00:00Z");
  Item item = MakeItem("/srv/cctv/cam1/clip.mp4", Category::kVideo, T("2025-04-01T10:00:00Z"));
  set->Evaluate(item, now);
  CHECK(Reasons(item) == Strings{"cctv-30d/retention/high: modified 2025-04-01T10:00:00Z, 60 days "
                                 "old, limit 30d (no content date)"});
}

TEST_CASE("retention: the limit is exclusive and days are floored") {
  auto set = Load(kCctv);
  const int64_t base = T("2025-01-01T00:00:00Z");
  Item exact = MakeItem("/srv/cctv/a.jpg", Category::kImage, base);
  exact.content_date = base;
  set->Evaluate(exact, base + 30 * kDay);
  CHECK(exact.violations.empty());
  Item over = MakeItem("/srv/cctv/a.jpg", Category::kImage, base);
  over.content_date = base;
  set->Evaluate(over, base + 30 * kDay + 1);
  CHECK(Reasons(over) ==
        Strings{"cctv-30d/retention/high: recorded 2025-01-01T00:00:00Z, 30 days old, limit 30d"});
  Item future = MakeItem("/srv/cctv/a.jpg", Category::kImage, base);
  future.content_date = base + 100 * kDay;  // a camera clock set wrong
  set->Evaluate(future, base + 31 * kDay);
  CHECK(future.violations.empty());
}

TEST_CASE("retention: age_from mtime ignores the content date, ctime says changed") {
  auto set = Load(R"(
policies:
  - id: by-mtime
    retention: {max_age: 6mo, age_from: mtime}
  - id: by-ctime
    retention: {max_age: 90min, age_from: ctime}
)");
  const int64_t now = T("2025-06-01T00:00:00Z");
  Item item = MakeItem("/data/x.pdf", Category::kDocument, now - 200 * kDay);
  item.info.ctime = now - 2 * 3600;
  item.content_date = now - kDay;  // would not be flagged by content date
  set->Evaluate(item, now);
  CHECK(
      Reasons(item) ==
      Strings{"by-mtime/retention/medium: modified 2024-11-13T00:00:00Z, 200 days old, limit 6mo",
              "by-ctime/retention/medium: changed 2025-05-31T22:00:00Z, 0 days old, limit 90min"});
}

TEST_CASE("retention: a skipped item is judged on mtime, marked content not read") {
  auto set = Load(kCctv);
  const int64_t now = T("2025-06-01T00:00:00Z");
  Item item = MakeItem("/srv/cctv/cam2/old.mp4", Category::kVideo, now - 730 * kDay);
  item.skipped = Skip::kPermissionDenied;
  set->Evaluate(item, now);
  CHECK(Reasons(item) == Strings{"cctv-30d/retention/high: modified 2023-06-02T00:00:00Z, 730 days "
                                 "old, limit 30d (content not read)"});
  // Without file figures there is nothing to judge.
  Item bare;
  bare.path = "/srv/cctv/cam2/gone.mp4";
  bare.category = Category::kVideo;
  bare.skipped = Skip::kVanished;
  set->Evaluate(bare, now);
  CHECK(bare.violations.empty());
}

TEST_CASE("legal holds: an active hold suppresses retention only and is recorded") {
  auto set = Load(R"(
policies:
  - id: cctv-30d
    match: {paths: ["/srv/cctv/**"]}
    retention: {max_age: 30d}
    access: {max_mode: "0640"}
legal_holds:
  - paths: ["/srv/cctv/incident-2291/**"]
    reason: "police request 2291"
    until: 2027-06-30
  - paths: ["/srv/cctv/incident-1/**"]
    reason: "old claim"
    until: 2025-01-31
  - paths: ["/srv/cctv/forever/**"]
    reason: "indefinite"
)");
  const int64_t now = T("2025-06-01T00:00:00Z");
  Item held = MakeItem("/srv/cctv/incident-2291/cam1.mp4", Category::kVideo, now - 100 * kDay);
  held.info.mode = S_IFREG | 0644;
  set->Evaluate(held, now);
  CHECK(held.legal_hold == "police request 2291");
  CHECK(Reasons(held) == Strings{"cctv-30d/access/medium: mode 0644 exceeds 0640"});

  Item forever = MakeItem("/srv/cctv/forever/x.mp4", Category::kVideo, now - 1000 * kDay);
  set->Evaluate(forever, now);
  CHECK(forever.legal_hold == "indefinite");
  CHECK(forever.violations.empty());

  Item expired = MakeItem("/srv/cctv/incident-1/cam1.mp4", Category::kVideo, now - 100 * kDay);
  set->Evaluate(expired, now);
  CHECK(expired.legal_hold.empty());
  CHECK(Reasons(expired) == Strings{"cctv-30d/retention/medium: modified 2025-02-21T00:00:00Z, 100 "
                                    "days old, limit 30d (no content date)"});

  Item other = MakeItem("/srv/cctv/cam9/x.mp4", Category::kVideo, now - 100 * kDay);
  set->Evaluate(other, now);
  CHECK(other.legal_hold.empty());
  CHECK(other.violations.size() == 1);
}

TEST_CASE("legal holds: until is inclusive, to the end of that day UTC") {
  auto set = Load(R"(
policies:
  - id: keep-30d
    retention: {max_age: 30d, age_from: mtime}
legal_holds:
  - paths: ["/evidence/**"]
    reason: "claim 7"
    until: 2025-01-31
)");
  const int64_t old = T("2024-01-01T00:00:00Z");
  Item last_second = MakeItem("/evidence/a.mp4", Category::kVideo, old);
  set->Evaluate(last_second, T("2025-01-31T23:59:59Z"));
  CHECK(last_second.legal_hold == "claim 7");
  CHECK(last_second.violations.empty());
  Item next_day = MakeItem("/evidence/a.mp4", Category::kVideo, old);
  set->Evaluate(next_day, T("2025-02-01T00:00:00Z"));
  CHECK(next_day.legal_hold.empty());
  REQUIRE(next_day.violations.size() == 1);
  CHECK(ViolationKindName(next_day.violations[0].kind) == "retention");
}

TEST_CASE("access: mode bits outside max_mode") {
  auto set = Load(R"(
policies:
  - id: bio
    severity: critical
    access: {max_mode: "0640"}
  - id: setuid
    access: {max_mode: 0777}
)");
  Item ok = MakeItem("/srv/b/t.fmr", Category::kBiometric, 0);
  ok.info.mode = S_IFREG | 0600;
  set->Evaluate(ok, 0);
  CHECK(ok.violations.empty());
  Item wide = MakeItem("/srv/b/t.fmr", Category::kBiometric, 0);
  wide.info.mode = S_IFREG | 04755;
  set->Evaluate(wide, 0);
  CHECK(Reasons(wide) == Strings{"bio/access/critical: mode 4755 exceeds 0640",
                                 "setuid/access/medium: mode 4755 exceeds 0777"});
}

TEST_CASE("access: owners and groups by name or number") {
  auto set = Load(R"(
policies:
  - id: who
    access:
      owners: [biometric, 1234]
      groups: [biometric, "2000"]
)");
  Item by_name = MakeItem("/x", Category::kOther, 0);
  by_name.owner = "biometric";
  by_name.group = "biometric";
  set->Evaluate(by_name, 0);
  CHECK(by_name.violations.empty());

  Item by_uid = MakeItem("/x", Category::kOther, 0);
  by_uid.owner = "someone";  // the name on this host differs, the number is allowed
  by_uid.info.uid = 1234;
  by_uid.info.gid = 2000;
  set->Evaluate(by_uid, 0);
  CHECK(by_uid.violations.empty());

  Item bad = MakeItem("/x", Category::kOther, 0);
  set->Evaluate(bad, 0);
  CHECK(Reasons(bad) == Strings{"who/access/medium: owner 'bob' not in [biometric, 1234]; "
                                "group 'staff' not in [biometric, 2000]"});

  Item nameless = MakeItem("/x", Category::kOther, 0);
  nameless.owner.clear();
  nameless.info.uid = 4321;
  nameless.group = "biometric";
  set->Evaluate(nameless, 0);
  CHECK(Reasons(nameless) == Strings{"who/access/medium: owner '4321' not in [biometric, 1234]"});
}

TEST_CASE("access: owner names are resolved to numbers at load") {
  // root is uid 0 and group 0 on every Linux host.
  auto set = Load(R"(
policies:
  - id: root-only
    access: {owners: [root], groups: [root], no_acl_grants_to_others: true}
)");
  Item item = MakeItem("/x", Category::kOther, 0);
  item.owner = "0";  // scanned where uid 0 had no name
  item.group = "0";
  item.info.uid = 0;
  item.info.gid = 0;
  item.acl = {{AclEntry::Tag::kUser, 0, 7}, {AclEntry::Tag::kGroup, 0, 5}};
  set->Evaluate(item, 0);
  CHECK(item.violations.empty());
}

TEST_CASE("access: ACL grants to others, with and without a restricting mask") {
  auto set = Load(R"(
policies:
  - id: bio-acl
    severity: critical
    access: {owners: [1000, 1001], groups: ["3000"], no_acl_grants_to_others: true}
)");
  CHECK(set->NeedsAcl());
  Item item = MakeItem("/srv/b/t.fmr", Category::kBiometric, 0);
  item.info.gid = 3000;
  item.acl = {{AclEntry::Tag::kUser, 1001, 6},   // allowed owner
              {AclEntry::Tag::kUser, 65534, 4},  // nobody: r--
              {AclEntry::Tag::kGroup, 3000, 7},  // allowed group
              {AclEntry::Tag::kGroup, 100, 6},   // users: rw-
              {AclEntry::Tag::kUser, 777, 0}};   // grants nothing
  set->Evaluate(item, 0);
  CHECK(Reasons(item) == Strings{"bio-acl/access/critical: ACL grants r-- to user 65534; "
                                 "ACL grants rw- to group 100"});

  Item masked = item;
  masked.violations.clear();
  masked.acl.push_back({AclEntry::Tag::kMask, 0, 1});  // mask --x: r and w are not effective
  set->Evaluate(masked, 0);
  CHECK(masked.violations.empty());

  Item partly = item;
  partly.violations.clear();
  partly.acl.push_back({AclEntry::Tag::kMask, 0, 4});  // mask r--
  set->Evaluate(partly, 0);
  CHECK(Reasons(partly) == Strings{"bio-acl/access/critical: ACL grants r-- to user 65534; "
                                   "ACL grants r-- to group 100"});
}

TEST_CASE("access: without owners/groups only the file's own owner and group are not others") {
  auto set = Load(R"(
policies:
  - id: acl
    access: {no_acl_grants_to_others: true}
  - id: mode-only
    access: {max_mode: "0777"}
)");
  CHECK(set->NeedsAcl());
  Item item = MakeItem("/x", Category::kOther, 0);
  item.acl = {{AclEntry::Tag::kUser, 1000, 7},
              {AclEntry::Tag::kGroup, 1000, 7},
              {AclEntry::Tag::kUser, 1002, 5}};
  set->Evaluate(item, 0);
  CHECK(Reasons(item) == Strings{"acl/access/medium: ACL grants r-x to user 1002"});

  CHECK_FALSE(Load("policies: [{id: a, access: {max_mode: '0640'}}]")->NeedsAcl());
  CHECK_FALSE(
      Load("policies: [{id: a, access: {no_acl_grants_to_others: false, max_mode: '0640'}}]")
          ->NeedsAcl());
}

TEST_CASE("access and location apply to skipped items, encryption does not") {
  auto set = Load(R"(
policies:
  - id: all
    access: {max_mode: "0600"}
    location: {allowed_paths: ["/srv/ok/**"]}
    encryption: required
)");
  Item item = MakeItem("/home/bob/x.bin", Category::kOther, 0);
  item.skipped = Skip::kPermissionDenied;
  set->Evaluate(item, 0);
  CHECK(Reasons(item) == Strings{"all/access/medium: mode 0640 exceeds 0600",
                                 "all/location/medium: outside allowed paths [/srv/ok/**]"});
}

TEST_CASE("location: allowed paths") {
  auto set = Load(R"(
policies:
  - id: biometric-location
    severity: high
    match: {categories: [biometric]}
    location: {allowed_paths: ["/srv/biometric/**", "/var/lib/bio/*.fmr"]}
)");
  Item in = MakeItem("/srv/biometric/a/b/t.fmr", Category::kBiometric, 0);
  set->Evaluate(in, 0);
  CHECK(in.violations.empty());
  Item in2 = MakeItem("/var/lib/bio/t.fmr", Category::kBiometric, 0);
  set->Evaluate(in2, 0);
  CHECK(in2.violations.empty());
  Item deeper = MakeItem("/var/lib/bio/x/t.fmr", Category::kBiometric, 0);
  set->Evaluate(deeper, 0);
  CHECK(Reasons(deeper) == Strings{"biometric-location/location/high: outside allowed paths "
                                   "[/srv/biometric/**, /var/lib/bio/*.fmr]"});
  Item not_bio = MakeItem("/home/x.pdf", Category::kDocument, 0);
  set->Evaluate(not_bio, 0);
  CHECK(not_bio.violations.empty());
}

TEST_CASE("encryption: required unless the item is an encrypted container") {
  auto set = Load(R"(
policies:
  - id: enc
    match: {paths: ["/srv/biometric/**"]}
    encryption: required
  - id: relaxed
    encryption: optional
    location: {allowed_paths: ["/**"]}
)");
  Item plain = MakeItem("/srv/biometric/t.fmr", Category::kBiometric, 0);
  set->Evaluate(plain, 0);
  CHECK(Reasons(plain) ==
        Strings{"enc/encryption/medium: stored unencrypted (category biometric)"});
  Item sealed = MakeItem("/srv/biometric/t.fmr.age", Category::kEncrypted, 0);
  set->Evaluate(sealed, 0);
  CHECK(sealed.violations.empty());
}

TEST_CASE("forbid: detector counts, min_count and the reason") {
  auto set = Load(R"(
policies:
  - id: no-cards
    severity: critical
    match: {detectors: [payment_card, iban], min_count: 3}
    forbid: true
  - id: no-keys
    match: {detectors: [private_key]}
    forbid: true
  - id: no-exports
    match: {paths: ["*.pst"]}
    forbid: true
)");
  Item two = MakeItem("/x.csv", Category::kText, 0);
  two.detections = {{"payment_card", 2, {}}, {"email", 9, {}}};
  set->Evaluate(two, 0);
  CHECK(two.violations.empty());  // 2 < min_count 3; email is not counted

  Item three = MakeItem("/x.csv", Category::kText, 0);
  three.detections = {{"iban", 1, {}}, {"payment_card", 2, {}}, {"email", 9, {}}};
  set->Evaluate(three, 0);
  CHECK(Reasons(three) == Strings{"no-cards/forbidden/critical: forbidden content present "
                                  "(payment_card x2, iban x1)"});

  Item key = MakeItem("/home/bob/notes.txt", Category::kText, 0);
  key.detections = {{"private_key", 1, {}}};
  set->Evaluate(key, 0);
  CHECK(Reasons(key) ==
        Strings{"no-keys/forbidden/medium: forbidden content present (private_key x1)"});

  // A detector listed twice is counted once.
  auto twice = Load(
      "policies: [{id: k, match: {detectors: [private_key, private_key], "
      "min_count: 2}, forbid: true}]");
  Item one_key = key;
  one_key.violations.clear();
  twice->Evaluate(one_key, 0);
  CHECK(one_key.violations.empty());

  Item pst = MakeItem("/srv/share/outlook.pst", Category::kEmail, 0);
  set->Evaluate(pst, 0);
  CHECK(Reasons(pst) == Strings{"no-exports/forbidden/medium: forbidden item"});
}

TEST_CASE("match: every given condition must hold; no match block matches everything") {
  auto set = Load(R"(
policies:
  - id: combo
    match:
      paths: ["/srv/hr/**"]
      categories: [document, text]
      detectors: [uk_nino, sia-licence]
      min_count: 2
    forbid: true
  - id: everything
    location: {allowed_paths: ["/srv/**"]}
  - id: empty-match
    match: {}
    location: {allowed_paths: ["/srv/**"]}
detectors:
  - id: sia-licence
    pattern: '\b[0-9]{16}\b'
)");
  auto eval = [&](std::string path, Category c, std::vector<Detection> d) {
    Item item = MakeItem(std::move(path), c, 0);
    item.detections = std::move(d);
    set->Evaluate(item, 0);
    return Reasons(item);
  };
  const Strings hit = {
      "combo/forbidden/medium: forbidden content present (uk_nino x1, "
      "sia-licence x1)"};
  CHECK(eval("/srv/hr/v.pdf", Category::kDocument, {{"uk_nino", 1, {}}, {"sia-licence", 1, {}}}) ==
        hit);
  // Wrong path, wrong category, too few detections: no match.
  CHECK(eval("/srv/ops/v.pdf", Category::kDocument, {{"uk_nino", 2, {}}}).empty());
  CHECK(eval("/srv/hr/v.mp4", Category::kVideo, {{"uk_nino", 2, {}}}).empty());
  CHECK(eval("/srv/hr/v.pdf", Category::kDocument, {{"uk_nino", 1, {}}}).empty());
  // Outside /srv: both match-everything policies fire.
  CHECK(eval("/home/a.txt", Category::kText, {}) ==
        Strings{"everything/location/medium: outside allowed paths [/srv/**]",
                "empty-match/location/medium: outside allowed paths [/srv/**]"});
}

TEST_CASE("match: glob semantics in paths") {
  auto set = Load(R"(
policies:
  - id: cctv-anywhere
    match: {paths: ["**/cctv/**"]}
    forbid: true
  - id: mp4-name
    match: {paths: ["*.mp4"]}
    forbid: true
  - id: cams
    match: {paths: ["/srv/cam[0-9]/*.dav", "/srv/x?/**"]}
    forbid: true
)");
  auto ids = [&](const std::string& path) {
    Item item = MakeItem(path, Category::kVideo, 0);
    set->Evaluate(item, 0);
    std::string out;
    for (const Violation& v : item.violations) out += v.policy + " ";
    return out;
  };
  CHECK(ids("/data/shares/cctv/2024/a.mp4") == "cctv-anywhere mp4-name ");
  CHECK(ids("/cctv/a.avi") == "cctv-anywhere ");
  CHECK(ids("/data/mycctv/a.avi").empty());  // a folder named cctv, not a suffix
  CHECK(ids("/data/cctv").empty());          // the folder itself is not inside it
  CHECK(ids("/a/b/c.mp4") == "mp4-name ");   // no '/' in the glob: base name
  CHECK(ids("/a/b.mp4/c.avi").empty());
  CHECK(ids("/srv/cam3/x.dav") == "cams ");
  CHECK(ids("/srv/cam3/sub/x.dav").empty());  // '*' does not cross folders
  CHECK(ids("/srv/camA/x.dav").empty());
  CHECK(ids("/srv/x1/a/b/c.dav") == "cams ");
}

TEST_CASE("evaluate: kinds come in a fixed order and each kind once per policy") {
  auto set = Load(R"(
policies:
  - id: all-rules
    severity: low
    retention: {max_age: 1d, age_from: mtime}
    access: {max_mode: "0600", owners: [alice]}
    location: {allowed_paths: ["/safe/**"]}
    encryption: required
    forbid: true
)");
  Item item = MakeItem("/open/x.doc", Category::kDocument, 0);
  set->Evaluate(item, 3 * kDay);
  CHECK(Reasons(item) ==
        Strings{"all-rules/retention/low: modified 1970-01-01T00:00:00Z, 3 days old, limit 1d",
                "all-rules/access/low: mode 0640 exceeds 0600; owner 'bob' not in [alice]",
                "all-rules/location/low: outside allowed paths [/safe/**]",
                "all-rules/encryption/low: stored unencrypted (category document)",
                "all-rules/forbidden/low: forbidden item"});
}

TEST_CASE("evaluate: concurrent evaluation of one set gives the same results") {
  auto set = Load(kCctv);
  const int64_t now = T("2025-06-01T00:00:00Z");
  std::vector<std::thread> threads;
  std::vector<size_t> flagged(4, 0);
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        Item item = MakeItem("/srv/cctv/c" + std::to_string(i) + ".mp4", Category::kVideo,
                             now - (i % 60) * kDay);
        set->Evaluate(item, now);
        flagged[t] += item.violations.size();
      }
    });
  }
  for (auto& th : threads) th.join();
  // Ages 31..59 days are flagged in each run of 60; the last 20 items are young.
  for (size_t n : flagged) CHECK(n == 2000 / 60 * 29);
}
