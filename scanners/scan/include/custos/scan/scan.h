// The scan job: drives the walker over the roots and a pool of workers that open,
// identify and judge each entry, and hands finished items to a sink.
//
//   walker thread --(bounded queue of entries)--> N workers --(mutex)--> Sink
//
// Memory is bounded by the queue capacity and the tree depth, not by the number of
// files. Items reach the sink in completion order (deterministic with one thread).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/crawl/walker.h"
#include "custos/detect/detect.h"
#include "custos/extract/extract.h"

namespace custos::scan {

struct ScanOptions {
  std::vector<std::string> roots;  // absolute paths
  crawl::WalkOptions walk;
  unsigned threads = 0;          // workers; 0 = number of cores
  size_t queue_capacity = 4096;  // entries waiting for a worker
  std::string magic_database;    // identify::DefaultMagicDatabase() when empty
  bool read_acl = false;         // read POSIX ACLs of every file (policies need them)
  // Content detection: null to only inventory and identify (no file content read
  // beyond the headers identification needs).
  std::shared_ptr<const detect::Engine> detectors;
  std::string hmac_key;  // when set, detections carry keyed hashes of their values
  extract::Limits limits;
  // Judges an item (fills violations); called on worker threads, must be thread-safe.
  std::function<void(Item&)> evaluate;
  // Incremental scanning: called on worker threads before a file is opened, with the
  // item's path and walk figures (has_info, info) filled in. Returning true means the
  // callee filled the item from an earlier scan (mime, category, content date,
  // detections, ACL, skipped) and the file is not opened or read; it is then judged
  // as usual. Must be thread-safe.
  std::function<bool(Item&)> reuse;
  // Resource governance: called on a worker thread before a file is opened for
  // reading (not for reused or skipped items), with the walk figures; it may sleep to
  // hold a bytes/s or files/s cap. Must be thread-safe.
  std::function<void(const Item&)> before_read;
  // Called on a worker thread after a file was read: the bytes it covers (its size,
  // capped by the extraction limit) and the seconds reading and searching it took.
  std::function<void(uint64_t bytes, double seconds)> after_read;
  // When set and true, the walk stops at the next entry, the workers drop what is
  // queued, and items being read stop where extraction checks its time limit
  // (extract::Limits::cancel, unless the limits carry a flag of their own); those are
  // not emitted (ScanStats::items_interrupted). RunScan then returns with
  // ScanStats::cancelled set. Items emitted before are complete as usual.
  const std::atomic<bool>* cancel = nullptr;
};

// Receives finished items. Emit calls are serialised by the scan; implementations need
// no lock for them. An error returned by Emit (the output cannot be written, the store
// refuses) stops the scan: the walk ends, queued entries are dropped, nothing more is
// emitted, and RunScan returns that error. An exception thrown by a sink is taken as
// such an error.
class Sink {
 public:
  virtual ~Sink() = default;
  [[nodiscard]] virtual Status Emit(Item&& item) = 0;
  // The scan calls Prepare on the worker that finished the item, not serialised (it must
  // be thread-safe), then EmitPrepared with what it returned: work that needs no order,
  // such as formatting the item for output, runs in parallel.
  virtual std::string Prepare(const Item&) { return {}; }
  [[nodiscard]] virtual Status EmitPrepared(Item&& item, std::string&&) {
    return Emit(std::move(item));
  }
};

struct ScanStats {
  uint64_t items = 0;
  uint64_t items_read = 0;    // files opened and read in this scan
  uint64_t items_reused = 0;  // unchanged files taken from an earlier scan (not read)
  // Items whose reading a cancel cut short: not emitted (a later scan reads them).
  uint64_t items_interrupted = 0;
  bool cancelled = false;  // a cancel left entries unread (see ScanOptions::cancel)
  uint64_t bytes = 0;      // sizes of the items that were read
  uint64_t violations = 0;
  std::map<std::string, uint64_t> skipped_by_reason;
  std::map<std::string, uint64_t> violations_by_policy;
  crawl::WalkStats walk;
  double seconds = 0;
};

// Runs the scan to completion. Returns an error (and scans nothing) when a root cannot
// be opened or the magic database cannot be loaded, and the sink's error when it
// refused an item (see Sink); per-file problems are items. An exception on a worker
// (std::bad_alloc inside a library, say) does not end the scan: the item it was working
// on is emitted as skipped with reason Skip::kInternalError, with what was found before.
Status RunScan(const ScanOptions& options, Sink& sink, ScanStats* stats);

// Identifies, searches and judges one file by path, as `custos classify` does (no
// walk; a symbolic link is refused). Uses options.magic_database, detectors, limits,
// evaluate; ACLs are always read.
Result<Item> ClassifyFile(const std::string& path, const ScanOptions& options);

// "1.2 GiB" style size for humans.
std::string HumanBytes(uint64_t bytes);
// The one-line summary printed on stderr at the end of a scan.
std::string SummaryLine(const ScanStats& stats);

}  // namespace custos::scan
