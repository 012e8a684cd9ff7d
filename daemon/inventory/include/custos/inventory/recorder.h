// The scan side of the inventory: a Recorder that writes judged items in batches on
// its own thread, and a Reuser that serves unchanged items from the inventory so that
// the scan does not read them again.
//
//   workers --reuse?--> Reuser --(one ItemReader per thread)--> Store (read)
//   workers --sink (serialised)--> Recorder --(batches, one thread)--> Store (write)
//
// The Reuser loads each folder once and shares it between the workers; the folder
// travels with the items (Item::reused_from) to the writer, which starts from it
// instead of reading the folder again.
//
// Batches are committed every `batch_items` items or `batch_seconds`, whichever comes
// first: a scan killed at any point leaves the inventory consistent (each batch is one
// transaction), and the next scan reads again what was not recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>

#include "custos/base/item.h"
#include "custos/base/mutex.h"
#include "custos/base/status.h"
#include "custos/inventory/lifecycle.h"  // JudgementStands
#include "custos/inventory/store.h"

namespace custos::inventory {

// What stored content results depend on. An item is reused only when the key it was
// stored with equals the one the current scan would use for it.
struct ContentKeys {
  // For items whose content is searched: identification, extraction and detector
  // versions, the custom detectors' specs and the HMAC key id.
  std::string searched;
  // For items that are identified only (video, images, ...): identification version.
  std::string identified;
  // Which of the two applies to an item (by its MIME type and category).
  std::function<bool(const Item&)> is_searched;

  const std::string& For(const Item& item) const {
    return is_searched && is_searched(item) ? searched : identified;
  }
};

// Serves ScanOptions::reuse. Thread-safe: each calling thread gets its own reader
// (opened on its first call, closed with the Reuser); the folders they load are shared
// (the last few are kept). The store must outlive it.
class Reuser {
 public:
  Reuser(ScanWriter& store, ContentKeys keys);
  ~Reuser();
  Reuser(const Reuser&) = delete;
  Reuser& operator=(const Reuser&) = delete;

  // When the inventory holds `item.path` with the same device, inode, size, mtime and
  // ctime, a reusable state and the content key this scan would use, fills mime,
  // category, content date, detections, ACL and partial reason from it, and returns
  // true. Otherwise (or on any inventory error) returns false: the file is read.
  // Either way item.reused_from is set to the stored folder when it was loaded whole.
  bool TryReuse(Item& item);

  // Inventory errors met (each made an item be read instead of reused).
  uint64_t errors() const;

 private:
  // The folder `dir`, from the shared cache or loaded with `reader`. A folder that
  // another thread is loading is waited for rather than loaded twice.
  Result<std::shared_ptr<const StoredFolder>> Folder(ItemReader& reader, std::string_view dir);
  void CountError();

  struct Slot {
    std::string dir;
    std::shared_ptr<const StoredFolder> folder;  // null while a thread loads it
  };

  ScanWriter& store_;
  ContentKeys keys_;
  const uint64_t id_;
  mutable Mutex mu_;
  CondVar loaded_;  // a folder another thread was loading is there (or failed)
  std::unordered_map<std::thread::id, std::unique_ptr<ItemReader>> readers_ GUARDED_BY(mu_);
  std::list<Slot> folders_ GUARDED_BY(mu_);  // most recently used first
  uint64_t errors_ GUARDED_BY(mu_) = 0;
};

struct RecorderOptions {
  size_t batch_items = 1000;
  double batch_seconds = 2.0;
  int64_t now = 0;           // judgement time of the scan
  int64_t started_wall = 0;  // wall-clock start of the scan (for the racy-file rule)
  ContentKeys keys;
  bool content_searched = true;  // false for scans that do not search content
  ExistsFn exists = PathStillNames;
};

// Writes the items of one scan. Add() is called serialised (from the scan's sink);
// the writing happens on the recorder's own thread. Memory is bounded: Add() blocks
// while a few batches are waiting to be written.
class Recorder {
 public:
  Recorder(ScanWriter& store, int64_t scan_id, RecorderOptions options);
  // Writes what is queued and stops the writer thread. Without Finish(), the scan
  // stays unfinished (the next BeginScan marks it interrupted) and nothing is resolved.
  // The store must outlive the recorder.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Queues a judged item. After a write error items are dropped (see status()).
  void Add(Item&& item);
  void Add(const Item& item) { Add(Item(item)); }
  // Writes what is queued, then ends the scan as `end` (see Store::FinishScan).
  // Returns the first error met while writing, if any; the scan is then recorded as
  // failed.
  Status Finish(ScanState end, const ScanTotals& totals);
  // The first write error so far (OK when none).
  Status status() const;
  // Whether a write failed (cheap: for every item).
  bool failed() const;
  // Items written so far.
  uint64_t written() const;

  // The content key an item is stored with: the applicable ContentKeys entry, or
  // empty when the item must be read again next time: it was skipped, or its ctime
  // or mtime is not older than the scan's start (it may change again within the same
  // second without any visible difference).
  static std::string StorageKey(const Item& item, const ContentKeys& keys, int64_t started_wall);

 private:
  struct Batch;
  struct Shared;
  void WriterLoop();

  ScanWriter& store_;
  const int64_t scan_id_;
  const RecorderOptions options_;
  std::unique_ptr<Shared> shared_;
  std::thread writer_;
};

}  // namespace custos::inventory
