// The scan job: drives the walker over the roots and a pool of workers that open,
// identify and judge each entry, and hands finished items to a sink.
//
//   walker thread --(bounded queue of entries)--> N workers --(mutex)--> Sink
//
// Memory is bounded by the queue capacity and the tree depth, not by the number of
// files. Items reach the sink in completion order (deterministic with one thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/crawl/walker.h"

namespace custos::scan {

struct ScanOptions {
  std::vector<std::string> roots;  // absolute paths
  crawl::WalkOptions walk;
  unsigned threads = 0;          // workers; 0 = number of cores
  size_t queue_capacity = 4096;  // entries waiting for a worker
  std::string magic_database;    // identify::DefaultMagicDatabase() when empty
  bool read_acl = false;         // read POSIX ACLs of every file (policies need them)
  // Judges an item (fills violations); called on worker threads, must be thread-safe.
  std::function<void(Item&)> evaluate;
};

// Receives finished items. Calls are serialised by the scan; implementations need no lock.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Emit(Item&& item) = 0;
};

struct ScanStats {
  uint64_t items = 0;
  uint64_t bytes = 0;  // sizes of the items that were read
  uint64_t violations = 0;
  std::map<std::string, uint64_t> skipped_by_reason;
  std::map<std::string, uint64_t> violations_by_policy;
  crawl::WalkStats walk;
  double seconds = 0;
};

// Runs the scan to completion. Returns an error (and scans nothing) when a root cannot
// be opened or the magic database cannot be loaded; per-file problems are items.
Status RunScan(const ScanOptions& options, Sink& sink, ScanStats* stats);

// Identifies and judges one file by path, as `custos classify` does (no walk: the
// path's final component may be a symlink only if `follow` is set).
Result<Item> ClassifyFile(const std::string& path, const std::string& magic_database,
                          const std::function<void(Item&)>& evaluate);

// "1.2 GiB" style size for humans.
std::string HumanBytes(uint64_t bytes);
// The one-line summary printed on stderr at the end of a scan.
std::string SummaryLine(const ScanStats& stats);

}  // namespace custos::scan
