// The plain wording of violation reasons (policies::PlainReason): each kind's reasons,
// as its rule gives them for real items, in words a data-protection officer reads.
#include <catch2/catch.hpp>

#include "custos/base/time.h"
#include "custos/policies/policy.h"

using namespace custos;
using custos::policies::PlainReason;
using custos::policies::PolicySet;

namespace {

// The reasons a policy gives for `item` (kept reasons, as the inventory stores them).
std::vector<Violation> Judge(const std::string& yaml, Item item, int64_t now) {
  std::vector<policies::Diagnostic> diags;
  auto set = PolicySet::LoadString(yaml, "test.yaml", &diags);
  INFO(set.status().message());
  REQUIRE(set.ok());
  set.value()->Evaluate(item, now);
  return item.violations;
}

Item File(const std::string& path, uint32_t mode) {
  Item it;
  it.path = path;
  it.has_info = true;
  it.info.mode = 0100000 | mode;
  it.info.mtime = *ParseIso8601("2020-03-04");
  it.info.uid = 1000;
  it.info.gid = 1000;
  it.owner = "guard";
  it.group = "staff";
  it.category = Category::kVideo;
  return it;
}

std::string Plain(const Violation& v) {
  return PlainReason(ViolationKindName(v.kind), v.kept_reason());
}

}  // namespace

TEST_CASE("policies: access reasons in plain words") {
  const int64_t now = *ParseIso8601("2024-01-01");
  auto v = Judge("policies:\n  - id: p\n    access: {max_mode: \"0770\"}\n",
                 File("/srv/a.mp4", 0644), now);
  REQUIRE(v.size() == 1);
  CHECK(v[0].reason == "mode 0644 exceeds 0770");
  CHECK(Plain(v[0]) == "readable by everyone; the policy allows owner and group only");

  v = Judge("policies:\n  - id: p\n    access: {max_mode: \"0640\"}\n", File("/srv/a.mp4", 0666),
            now);
  REQUIRE(v.size() == 1);
  CHECK(Plain(v[0]) ==
        "readable and changeable by everyone, changeable by the group; the policy allows the "
        "group to read only, and nothing for everyone");

  v = Judge("policies:\n  - id: p\n    access: {max_mode: \"0600\", owners: [cctv]}\n",
            File("/srv/a.mp4", 04750), now);
  REQUIRE(v.size() == 1);
  CHECK(Plain(v[0]) ==
        "readable and runnable by the group, runnable by the owner, runs with its owner's rights "
        "(setuid); the policy allows the owner to read and change only, and nothing for the "
        "group. Also owned by guard; the policy allows owners cctv only");

  Item acl = File("/srv/a.mp4", 0600);
  acl.acl = {{AclEntry::Tag::kUser, 1234, 6}, {AclEntry::Tag::kMask, 0, 7}};
  v = Judge("policies:\n  - id: p\n    access: {no_acl_grants_to_others: true}\n", acl, now);
  REQUIRE(v.size() == 1);
  CHECK(v[0].reason == "ACL grants rw- to user 1234");
  CHECK(Plain(v[0]) == "an extra access entry (ACL) lets user 1234 read and change it");
}

TEST_CASE("policies: retention, location, encryption and forbid reasons in plain words") {
  const int64_t now = *ParseIso8601("2024-01-01");
  auto v = Judge(
      "policies:\n  - id: p\n    retention: {max_age: 30d}\n"
      "    location: {allowed_paths: [\"/srv/cctv/**\"]}\n    encryption: required\n",
      File("/srv/a.mp4", 0600), now);
  REQUIRE(v.size() == 3);
  CHECK(v[0].kept_reason() == "modified 2020-03-04T00:00:00Z, limit 30d (no content date)");
  CHECK(Plain(v[0]) ==
        "kept longer than allowed: last modified on 2020-03-04 (the file holds no recording "
        "date); the policy keeps such files 30 days at most");
  CHECK(Plain(v[1]) == "stored in a place the policy does not allow for it; allowed: /srv/cctv/**");
  CHECK(Plain(v[2]) ==
        "not encrypted (a video file); the policy requires such files to be encrypted");
  Item recorded = File("/srv/a.mp4", 0600);
  recorded.content_date = *ParseIso8601("2023-12-01");
  v = Judge("policies:\n  - id: p\n    retention: {max_age: 1w}\n", recorded, now);
  REQUIRE(v.size() == 1);
  CHECK(PlainReason("retention", v[0].reason) ==
        "kept longer than allowed: recorded on 2023-12-01; the policy keeps such files 1 week at "
        "most");

  Item cards = File("/srv/a.txt", 0600);
  cards.detections = {{"payment_card", 2, {}, {}}, {"iban", 1, {}, {}}};
  v = Judge(
      "policies:\n  - id: p\n    match: {detectors: [payment_card, iban]}\n    forbid: true\n",
      cards, now);
  REQUIRE(v.size() == 1);
  CHECK(Plain(v[0]) == "holds data the policy does not allow here: payment card (2), iban (1)");
  v = Judge("policies:\n  - id: p\n    match: {categories: [video]}\n    forbid: true\n",
            File("/srv/a.mp4", 0600), now);
  REQUIRE(v.size() == 1);
  CHECK(Plain(v[0]) == "a file the policy does not allow here at all");

  // Every kind of the interface has its wording; an unreadable reason stays as it is.
  for (const char* kind : {"retention", "access", "location", "encryption", "forbidden"}) {
    CHECK(PlainReason(kind, "something else") == "something else");
  }
  CHECK(PlainReason("no-such-kind", "mode 0644 exceeds 0770") == "mode 0644 exceeds 0770");
}
