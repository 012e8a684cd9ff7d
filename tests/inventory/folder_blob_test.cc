// The folder_cache encoding: a folder decodes to what was encoded, the encoding is
// canonical, and damaged or foreign bytes are refused without a crash.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "folder_blob.h"
#include "inventory_helpers.h"

using namespace custos;
using namespace custos::inventory;

namespace {

const std::string& KeyText(int64_t id) {
  static std::map<int64_t, std::string> texts;
  auto it = texts.find(id);
  if (it == texts.end()) it = texts.emplace(id, "key-" + std::to_string(id)).first;
  return it->second;
}

// Every field a reader loads, compared one by one.
void CheckSame(const StoredItem& a, const StoredItem& b) {
  INFO(a.name);
  CHECK(a.name == b.name);
  CHECK(a.id == b.id);
  CHECK(a.item.has_info == b.item.has_info);
  CHECK(a.item.info.dev == b.item.info.dev);
  CHECK(a.item.info.ino == b.item.info.ino);
  CHECK(a.item.info.size == b.item.info.size);
  CHECK(a.item.info.mtime == b.item.info.mtime);
  CHECK(a.item.info.ctime == b.item.info.ctime);
  CHECK(a.item.info.mode == b.item.info.mode);
  CHECK(a.item.info.uid == b.item.info.uid);
  CHECK(a.item.info.gid == b.item.info.gid);
  CHECK(a.item.mime == b.item.mime);
  CHECK(a.item.category == b.item.category);
  CHECK(a.item.content_date == b.item.content_date);
  CHECK(a.item.skipped == b.item.skipped);
  REQUIRE(a.item.acl.size() == b.item.acl.size());
  for (size_t k = 0; k < a.item.acl.size(); ++k) {
    CHECK(a.item.acl[k].tag == b.item.acl[k].tag);
    CHECK(a.item.acl[k].id == b.item.acl[k].id);
    CHECK(a.item.acl[k].perms == b.item.acl[k].perms);
  }
  REQUIRE(a.item.detections.size() == b.item.detections.size());
  for (size_t k = 0; k < a.item.detections.size(); ++k) {
    CHECK(a.item.detections[k].detector == b.item.detections[k].detector);
    CHECK(a.item.detections[k].count == b.item.detections[k].count);
    CHECK(a.item.detections[k].masked == b.item.detections[k].masked);
    CHECK(a.item.detections[k].hashes == b.item.detections[k].hashes);
  }
  CHECK(a.state == b.state);
  CHECK(a.content_key_id == b.content_key_id);
  CHECK(a.content_key == b.content_key);
  CHECK(a.deleted_at == b.deleted_at);
  REQUIRE(a.findings.size() == b.findings.size());
  for (size_t k = 0; k < a.findings.size(); ++k) {
    const StoredFinding &x = a.findings[k], &y = b.findings[k];
    CHECK(x.id == y.id);
    CHECK(x.policy == y.policy);
    CHECK(x.kind == y.kind);
    CHECK(x.severity == y.severity);
    CHECK(x.reason == y.reason);
    CHECK(x.status == y.status);
    CHECK(x.last_scan == y.last_scan);
    CHECK(x.exception_reason == y.exception_reason);
    CHECK(x.exception_until == y.exception_until);
    CHECK(x.notes == y.notes);
    CHECK(x.last_seen == y.last_seen);
  }
}

// A folder with every field in use, names in no particular order, detections and
// findings in canonical order (detector, id) as a reader loads them.
StoredFolder RandomFolder(std::mt19937& rng, int items) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto bytes = [&](int max) {
    std::string s(static_cast<size_t>(pick(max + 1)), '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  const char* mimes[] = {"text/plain", "video/mp4", "", "application/x-fmr"};
  const char* kinds[] = {"retention", "access", "location", "encryption", "forbidden"};
  StoredFolder f;
  f.path = "/srv/share";
  f.dir_id = 7;
  for (int i = 0; i < items; ++i) {
    StoredItem& s = f.items.emplace_back();
    s.name = "f" + std::to_string(i) + "." + bytes(3);
    s.id = 1 + pick(1'000'000);
    s.item.has_info = true;
    s.item.info.dev = rng() % 2 ? 2049 : UINT64_MAX - pick(5);
    s.item.info.ino = (static_cast<uint64_t>(rng()) << 32) | rng();
    s.item.info.size = static_cast<uint64_t>(pick(1 << 30)) << pick(30);
    s.item.info.mtime = pick(2) ? 1'700'000'000 + pick(1000) : -pick(1'000'000);
    s.item.info.ctime = s.item.info.mtime + pick(100) - 50;
    s.item.info.mode = 0100000u | static_cast<uint32_t>(pick(07777));
    s.item.info.uid = rng();
    s.item.info.gid = rng();
    s.item.mime = mimes[pick(4)];
    s.item.category = static_cast<Category>(pick(static_cast<int>(Category::kOther) + 1));
    if (pick(2)) s.item.content_date = 1'500'000'000 - pick(1 << 30);
    s.state = static_cast<ItemState>(pick(3));
    if (pick(3) == 0) s.item.skipped = SkipReason::FromText("limit: " + bytes(20));
    if (pick(3) == 0) {
      s.content_key_id = 1 + pick(20);
      s.content_key = KeyText(s.content_key_id);
    }
    if (pick(4) == 0) {
      s.item.acl = {{AclEntry::Tag::kUser, static_cast<uint32_t>(rng()), 6},
                    {AclEntry::Tag::kMask, 0, 7}};
    }
    if (pick(5) == 0) s.deleted_at = 1'700'000'000 + pick(100);
    for (int d = pick(3); d > 0; --d) {
      Detection det("det" + std::to_string(d), 1 + rng() % 1000, {"**** " + bytes(4), "x"},
                    {"00112233445566778899aabbccddeeff", "not hex " + bytes(3)});
      s.item.detections.insert(s.item.detections.begin(), det);
    }
    int64_t finding_id = pick(1000);
    for (int k = pick(4); k > 0; --k) {
      StoredFinding& sf = s.findings.emplace_back();
      sf.id = finding_id += 1 + pick(50);
      sf.policy = "policy-" + std::to_string(pick(3));
      sf.kind = kinds[pick(5)];
      sf.severity = pick(2) ? "high" : "critical";
      sf.reason = "kept " + std::to_string(pick(2000)) + " days";
      sf.status = static_cast<FindingStatus>(pick(5));
      sf.last_scan = pick(100);
      if (sf.status == FindingStatus::kExcepted) {
        sf.exception_reason = "court order " + bytes(5);
        sf.exception_until = 1'800'000'000;
      }
      sf.notes = pick(2) ? "" : "2026-12-01 note: " + bytes(30);
      sf.last_seen = 1'700'000'000 + pick(1'000'000);
    }
  }
  return f;
}

const StoredItem* ByName(const StoredFolder& f, const std::string& name) { return f.Get(name); }

}  // namespace

TEST_CASE("folder cache: a folder decodes to what was encoded, whatever its content") {
  std::mt19937 rng(2026);
  for (int round = 0; round < 200; ++round) {
    const StoredFolder f = RandomFolder(rng, round % 50);
    const std::string blob = folder_blob::Encode(f);
    StoredFolder got;
    REQUIRE(folder_blob::Decode(blob, KeyText, &got));
    REQUIRE(got.items.size() == f.items.size());
    for (const StoredItem& s : f.items) {
      const StoredItem* g = ByName(got, s.name);
      REQUIRE(g != nullptr);
      CheckSame(s, *g);
    }
    // Decoded items come in name order, ready to be looked up.
    for (size_t k = 1; k < got.items.size(); ++k) CHECK(got.items[k - 1].name < got.items[k].name);
    CHECK(folder_blob::Encode(got) == blob);
  }
}

TEST_CASE("folder cache: the encoding does not depend on the order items were loaded in") {
  std::mt19937 rng(7);
  StoredFolder f = RandomFolder(rng, 30);
  const std::string blob = folder_blob::Encode(f);
  std::shuffle(f.items.begin(), f.items.end(), rng);
  for (StoredItem& s : f.items) std::reverse(s.item.detections.begin(), s.item.detections.end());
  CHECK(folder_blob::Encode(f) == blob);
}

TEST_CASE("folder cache: damaged, cut or foreign bytes are refused, never misread") {
  std::mt19937 rng(99);
  const StoredFolder f = RandomFolder(rng, 12);
  const std::string blob = folder_blob::Encode(f);
  REQUIRE(blob.size() > 100);
  StoredFolder got;
  // Every cut is refused (the blob must end exactly where its last item does).
  for (size_t n = 0; n < blob.size(); ++n) {
    INFO("cut at " << n);
    CHECK_FALSE(folder_blob::Decode(std::string_view(blob).substr(0, n), KeyText, &got));
    CHECK(got.items.empty());
  }
  CHECK_FALSE(folder_blob::Decode(blob + '\0', KeyText, &got));
  std::string other_version = blob;
  other_version[0] = static_cast<char>(blob[0] + 1);
  CHECK_FALSE(folder_blob::Decode(other_version, KeyText, &got));
  // Flipped bytes: refused, or decoded into something well-formed (the varints of a
  // size or a time can take any value); never a crash or an endless allocation.
  int refused = 0;
  for (int k = 0; k < 4000; ++k) {
    std::string bad = blob;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    if (!folder_blob::Decode(bad, KeyText, &got)) {
      ++refused;
      CHECK(got.items.empty());
    } else {
      CHECK(got.items.size() == got.by_name.size());
      for (const StoredItem& s : got.items) CHECK(got.Get(s.name) != nullptr);
    }
  }
  CHECK(refused > 1000);
  // Counts far beyond what the bytes could hold are refused before allocating.
  std::string huge("\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
  CHECK_FALSE(folder_blob::Decode(huge, KeyText, &got));
}

TEST_CASE("folder cache: a blob with more items than a reader loads at once is refused") {
  std::mt19937 rng(5);
  const StoredFolder f = RandomFolder(rng, 40);
  const std::string blob = folder_blob::Encode(f);
  StoredFolder got;
  CHECK(folder_blob::Decode(blob, KeyText, &got, 40));
  CHECK(got.items.size() == 40);
  CHECK_FALSE(folder_blob::Decode(blob, KeyText, &got, 39));
  CHECK(got.items.empty());
}
