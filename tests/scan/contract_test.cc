// The scan's contracts with what it calls: a worker that throws costs only the item it
// was working on (kept, marked skipped "internal error"), and a sink that refuses an
// item stops the scan with the sink's error.
#include <atomic>
#include <catch2/catch.hpp>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "custos/scan/scan.h"
#include "scan_helpers.h"
#include "support/support.h"

using namespace custos;
using custos::scan::testing::Collect;
using custos::test::TempDir;
using custos::test::WriteFile;

namespace {

// Two workers, and a violation for every item with a detection, as a policy would judge.
scan::ScanOptions Options(const std::string& root) {
  scan::ScanOptions o = scan::testing::Options(root, 2);
  o.evaluate = [](Item& item) {
    if (!item.detections.empty())
      item.violations.push_back({"no-cards", ViolationKind::kForbidden, Severity::kHigh, "x"});
  };
  return o;
}

void MakeTree(const TempDir& dir, int files) {
  for (int i = 0; i < files; ++i) {
    WriteFile(dir / ("f" + std::to_string(i) + ".txt"), "line " + std::to_string(i) + "\n");
  }
  WriteFile(dir / "card.txt", "card 4111 1111 1111 1111 on file\n");
  WriteFile(dir / "poison.txt", "card 5555 5555 5555 4444 on file\n");
}

}  // namespace

TEST_CASE("scan: a worker that throws while reading costs only that item") {
  TempDir dir;
  MakeTree(dir, 50);
  scan::ScanOptions o = Options(dir.path());
  const std::string poison = dir / "poison.txt";
  // Thrown on the worker, on the way to reading the file, as a library would.
  o.before_read = [&poison](const Item& item) {
    if (item.path == poison) throw std::bad_alloc();
  };
  Collect sink;
  scan::ScanStats stats;
  REQUIRE(scan::RunScan(o, sink, &stats).ok());
  CHECK(sink.items.size() == 52);
  CHECK_FALSE(stats.cancelled);
  const Item* p = sink.Find(poison);
  REQUIRE(p != nullptr);
  CHECK(p->skipped.Text() == "internal error");
  CHECK(p->detections.empty());  // never read
  CHECK(stats.skipped_by_reason["internal error"] == 1);
  // The others as usual, judged as usual.
  const Item* card = sink.Find(dir / "card.txt");
  REQUIRE(card != nullptr);
  CHECK(card->skipped.empty());
  CHECK(card->detections.size() == 1);
  CHECK(stats.violations == 1);
}

TEST_CASE("scan: a judgement that throws keeps what the item holds, marked skipped") {
  TempDir dir;
  MakeTree(dir, 10);
  scan::ScanOptions o = Options(dir.path());
  const std::string poison = dir / "poison.txt";
  auto judge = o.evaluate;
  o.evaluate = [&poison, judge](Item& item) {
    judge(item);
    if (item.path == poison) throw std::logic_error("a bug in a policy kind");
  };
  Collect sink;
  scan::ScanStats stats;
  REQUIRE(scan::RunScan(o, sink, &stats).ok());
  CHECK(sink.items.size() == 12);
  const Item* p = sink.Find(poison);
  REQUIRE(p != nullptr);
  CHECK(p->skipped.Text() == "internal error");
  CHECK(p->detections.size() == 1);  // read and searched before the judgement threw
  CHECK(stats.violations == 2);
}

TEST_CASE("scan: a sink that refuses an item stops the scan with its error") {
  TempDir dir;
  MakeTree(dir, 300);
  scan::ScanOptions o = Options(dir.path());
  for (bool by_throwing : {false, true}) {
    Collect sink;
    sink.fail_at = 5;
    sink.by_throwing = by_throwing;
    scan::ScanStats stats;
    Status s = scan::RunScan(o, sink, &stats);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message() == (by_throwing ? "internal error while writing an item"
                                      : "writing the output: No space left on device"));
    // Nothing is handed over after the refusal; the walk stopped early.
    CHECK(sink.calls == 5);
    CHECK(sink.items.size() == 4);
    CHECK_FALSE(stats.cancelled);
  }
}

namespace {

// A detector that throws on the value "POISON-1", as a validator with a bug (or out of
// memory) would, registered through the detector registry like any other.
bool ThrowOnPoison(const detect::Candidate& c, std::string* normalized) {
  if (c.value == "POISON-1") throw std::bad_alloc();
  *normalized = std::string(c.value);
  return true;
}

}  // namespace

TEST_CASE("scan: a detector that throws on one file costs only that file") {
  TempDir dir;
  for (int i = 0; i < 20; ++i) {
    WriteFile(dir / ("f" + std::to_string(i) + ".txt"),
              "card 4111 1111 1111 1111 and POISON-" + std::to_string(i + 2) + "\n");
  }
  WriteFile(dir / "poison.txt", "card 5555 5555 5555 4444 and POISON-1\n");
  std::vector<detect::DetectorDef> defs = detect::BuiltinDetectors();
  detect::DetectorDef poison;
  poison.id = "poison";
  poison.variants = {{R"(\bPOISON-[0-9]+\b)"}};
  poison.validate = ThrowOnPoison;
  defs.push_back(poison);
  for (unsigned threads : {1u, 2u}) {
    scan::ScanOptions o;
    o.roots = {dir.path()};
    o.threads = threads;  // one worker: every file after the poisoned one on the same scanner
    o.detectors = detect::Engine::FromDefinitions(defs);
    Collect sink;
    scan::ScanStats stats;
    REQUIRE(scan::RunScan(o, sink, &stats).ok());
    CHECK(sink.items.size() == 21);
    CHECK(stats.skipped_by_reason["internal error"] == 1);
    for (const Item& item : sink.items) {
      INFO(item.path);
      if (item.path == dir / "poison.txt") {
        CHECK(item.skipped.Text() == "internal error");
        continue;
      }
      // Nothing of the poisoned file carried over to the files read after it.
      CHECK(item.skipped.empty());
      REQUIRE(item.detections.size() == 2);
      CHECK(item.detections[0].detector == "payment_card");
      CHECK(item.detections[0].count == 1);
      CHECK(item.detections[0].masked == std::vector<std::string>{"**** **** **** 1111"});
      CHECK(item.detections[1].detector == "poison");
      CHECK(item.detections[1].count == 1);
    }
  }
}
