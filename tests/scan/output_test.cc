#include <catch2/catch.hpp>

#include "custos/scan/output.h"
#include "custos/scan/scan.h"

using namespace custos;

namespace {
Item SampleItem() {
  Item item;
  item.path = "/srv/cctv/cam3/2024-01-02.mp4";
  item.has_info = true;
  item.info.size = 73400320;
  item.info.mtime = 1704165000;
  item.info.mode = 0100644;
  item.owner = "cctv";
  item.group = "cctv";
  item.mime = "video/mp4";
  item.category = Category::kVideo;
  item.content_date = 1704164645;
  item.detections.push_back({"payment_card", 2, {"**** **** **** 1111"}});
  item.violations.push_back({"cctv-30d", ViolationKind::kRetention, Severity::kHigh,
                             "recorded 2024-01-02T03:04:05Z, 695 days old, limit 30d"});
  return item;
}
}  // namespace

TEST_CASE("output: the JSONL record has the spec's fields in the spec's order") {
  CHECK(
      scan::ItemToJson(SampleItem()) ==
      R"({"path": "/srv/cctv/cam3/2024-01-02.mp4", "size": 73400320, )"
      R"("mtime": "2024-01-02T03:10:00Z", "owner": "cctv", "group": "cctv", "mode": "0644", )"
      R"("mime": "video/mp4", "category": "video", "content_date": "2024-01-02T03:04:05Z", )"
      R"("detections": [{"detector": "payment_card", "count": 2, "masked": ["**** **** **** 1111"]}], )"
      R"("violations": [{"policy": "cctv-30d", "kind": "retention", "severity": "high", )"
      R"("reason": "recorded 2024-01-02T03:04:05Z, 695 days old, limit 30d"}], "skipped": null})");
}

TEST_CASE("output: skipped items without metadata print nulls") {
  Item item;
  item.path = "/srv/gone";
  item.skipped = Skip::kVanished;
  CHECK(scan::ItemToJson(item) ==
        R"({"path": "/srv/gone", "size": null, "mtime": null, "owner": null, "group": null, )"
        R"("mode": null, "mime": null, "category": "other", "content_date": null, )"
        R"("detections": [], "violations": [], "skipped": "vanished"})");
}

TEST_CASE("output: odd paths are escaped, never dropped") {
  Item item;
  item.path = std::string("/srv/a\xff\nb\"c", 11);
  const std::string json = scan::ItemToJson(item);
  CHECK(json.rfind(R"({"path": "/srv/a\\xff\nb\"c", )", 0) == 0);

  char* buf = nullptr;
  size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  auto writer = scan::ItemWriter::Create(scan::Format::kCsv, mem);
  writer->Begin();
  REQUIRE(writer->Write(item).ok());
  writer->End();
  std::fclose(mem);
  const std::string csv(buf, len);
  std::free(buf);
  CHECK(csv.find("/srv/a\\xff\\x0ab\"\"c") != std::string::npos);
  CHECK(csv.find('\n', csv.find("/srv")) == csv.size() - 1);  // one line per item
}

TEST_CASE("output: modes are four octal digits of the permission bits") {
  CHECK(scan::ModeString(0100644) == "0644");
  CHECK(scan::ModeString(040755) == "0755");
  CHECK(scan::ModeString(0104711) == "4711");
  CHECK(scan::ModeString(07777) == "7777");
  CHECK(scan::ModeString(0) == "0000");
}

TEST_CASE("output: formats parse and unknown ones are refused") {
  CHECK(scan::ParseFormat("jsonl").ok());
  CHECK(scan::ParseFormat("table").ok());
  auto bad = scan::ParseFormat("xml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "unknown format 'xml' (expected jsonl, json, csv or table)");
}

TEST_CASE("output: summary line names skip reasons and policies") {
  scan::ScanStats st;
  st.items = 12;
  st.bytes = 3 * 1024 * 1024;
  st.skipped_by_reason = {{"permission denied", 2}, {"special file", 1}};
  st.violations = 4;
  st.violations_by_policy = {{"cctv-30d", 3}, {"no-cards", 1}};
  st.walk.symlinks = 5;
  st.seconds = 1.5;
  CHECK(scan::SummaryLine(st) ==
        "custos: 12 items, 3.0 MiB in 1.50 s; skipped 3 (permission denied 2, special file "
        "1); violations 4 (cctv-30d 3, no-cards 1); 5 symlinks not followed");
}
