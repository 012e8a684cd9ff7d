// ScanOptions::cancel: the walk stops, the workers drop what is queued, and an item
// whose content is being read is interrupted and never emitted.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "custos/scan/scan.h"
#include "scan_helpers.h"
#include "support/support.h"

using namespace custos;
using custos::scan::testing::Collect;
using custos::test::TempDir;
using custos::test::WriteFile;

TEST_CASE("scan: after a cancel the workers read nothing more of the queue") {
  TempDir dir;
  for (int i = 0; i < 200; ++i) {
    WriteFile(dir / ("f" + std::to_string(i) + ".txt"), "line " + std::to_string(i) + "\n");
  }
  scan::ScanOptions o = scan::testing::Options(dir.path(), 1);
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  Collect sink;
  sink.cancel = &cancel;  // the first finished item raises the flag
  scan::ScanStats stats;
  REQUIRE(scan::RunScan(o, sink, &stats).ok());
  CHECK(stats.cancelled);
  CHECK(sink.items.size() == 1);
  CHECK(stats.items == 1);
  CHECK(stats.items_interrupted == 0);

  // The same tree without a cancel: every file.
  std::atomic<bool> never{false};
  o.cancel = &never;
  Collect all;
  REQUIRE(scan::RunScan(o, all, &stats).ok());
  CHECK_FALSE(stats.cancelled);
  CHECK(all.items.size() == 200);
}

TEST_CASE("scan: an item whose reading a cancel cuts short is not emitted") {
  TempDir dir;
  WriteFile(dir / "a.txt", "card 4111 1111 1111 1111 on file\n");
  scan::ScanOptions o = scan::testing::Options(dir.path(), 1);
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  // The flag goes up as the file is about to be opened: its extraction sees it at once.
  o.before_read = [&cancel](const Item&) { cancel = true; };
  Collect sink;
  scan::ScanStats stats;
  REQUIRE(scan::RunScan(o, sink, &stats).ok());
  CHECK(stats.cancelled);
  CHECK(stats.items_interrupted == 1);
  CHECK(stats.items == 0);
  CHECK(sink.items.empty());
  CHECK(scan::SummaryLine(stats).find("1 items interrupted") != std::string::npos);

  // Without the cancel the item is read and emitted complete.
  o.before_read = nullptr;
  cancel = false;
  Collect whole;
  REQUIRE(scan::RunScan(o, whole, &stats).ok());
  CHECK_FALSE(stats.cancelled);
  REQUIRE(whole.items.size() == 1);
  CHECK(whole.items[0].skipped.empty());
  REQUIRE(whole.items[0].detections.size() == 1);
  CHECK(whole.items[0].detections[0].detector == "payment_card");
}
