#include "custos/inventory/recorder.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <vector>

#include "custos/base/mutex.h"
#include "path_parts.h"

namespace custos::inventory {

// ---------------------------------------------------------------------------------
// Reuser

namespace {

// Each Reuser has a unique id, so that a thread's cached reader can never be taken for
// one of another (possibly destroyed) Reuser at the same address.
std::atomic<uint64_t> g_next_reuser_id{1};

// What the calling thread used last, and for which Reuser: the lock of the Reuser is
// taken once per thread for its reader, and once per folder for the folder (the
// entries of a folder come one after another).
struct ThreadCache {
  uint64_t owner = 0;
  ItemReader* reader = nullptr;
  std::shared_ptr<const StoredFolder> folder;
};
thread_local ThreadCache t_cache;

// Folders the Reuser keeps for its threads (each at most a few thousand items).
constexpr size_t kSharedFolders = 8;

}  // namespace

Reuser::Reuser(ScanWriter& store, ContentKeys keys)
    : store_(store), keys_(std::move(keys)), id_(g_next_reuser_id.fetch_add(1)) {}

Reuser::~Reuser() = default;

void Reuser::CountError() {
  MutexLock lock(mu_);
  ++errors_;
}

Result<std::shared_ptr<const StoredFolder>> Reuser::Folder(ItemReader& reader,
                                                           std::string_view dir) {
  MutexLock lock(mu_);
  while (true) {
    auto it =
        std::find_if(folders_.begin(), folders_.end(), [&](const Slot& s) { return s.dir == dir; });
    if (it == folders_.end()) break;
    if (it->folder) {
      folders_.splice(folders_.begin(), folders_, it);
      return it->folder;
    }
    loaded_.Wait(mu_);  // another thread is loading it
  }
  folders_.push_front(Slot{std::string(dir), nullptr});
  auto slot = folders_.begin();
  lock.Unlock();
  auto loaded = reader.LoadFolder(dir);
  lock.Lock();
  if (loaded.ok()) {
    slot->folder = loaded.value();
  } else {
    folders_.erase(slot);
  }
  // Keep the last few; a slot being loaded is never dropped (its loader holds it).
  for (auto it = folders_.end(); folders_.size() > kSharedFolders && it != folders_.begin();) {
    --it;
    if (it->folder) it = folders_.erase(it);
  }
  loaded_.NotifyAll();
  return loaded;
}

bool Reuser::TryReuse(Item& item) {
  if (!item.has_info) return false;
  ThreadCache& tc = t_cache;
  if (tc.owner != id_) {
    MutexLock lock(mu_);
    auto& slot = readers_[std::this_thread::get_id()];
    if (!slot) {
      auto r = store_.OpenReader();
      if (!r.ok()) {
        ++errors_;
        return false;
      }
      slot = std::move(r.value());
    }
    tc = ThreadCache{id_, slot.get(), nullptr};
  }
  // The reader belongs to this thread from here on.
  auto [dir, name] = SplitPath(item.path);
  if (!tc.folder || tc.folder->path != dir) {
    tc.folder.reset();
    auto f = Folder(*tc.reader, dir);
    if (!f.ok()) {
      CountError();
      return false;
    }
    tc.folder = std::move(f.value());
  }
  const StoredFolder& folder = *tc.folder;
  if (folder.dir_id == 0) return false;
  const StoredItem* s = nullptr;
  if (folder.complete) {
    item.reused_from = tc.folder;
    s = folder.Get(name);
  } else {
    auto found = tc.reader->FindOne(folder, name);
    if (!found.ok()) {
      CountError();
      return false;
    }
    s = found.value();
  }
  if (s == nullptr || s->deleted_at != 0 || s->state == ItemState::kSkipped ||
      s->content_key.empty()) {
    return false;
  }
  const FileInfo& a = s->item.info;
  const FileInfo& b = item.info;
  if (a.dev != b.dev || a.ino != b.ino || a.size != b.size || a.mtime != b.mtime ||
      a.ctime != b.ctime) {
    return false;
  }
  // The key this scan would store the item with, judged by the stored identification.
  if (s->content_key != keys_.For(s->item)) return false;
  item.mime = s->item.mime;
  item.category = s->item.category;
  item.content_date = s->item.content_date;
  item.detections = s->item.detections;
  item.acl = s->item.acl;
  item.skipped = s->item.skipped;  // a partial item keeps its reason
  return true;
}

uint64_t Reuser::errors() const {
  MutexLock lock(mu_);
  return errors_;
}

// ---------------------------------------------------------------------------------
// Recorder

struct Recorder::Batch {
  std::vector<ItemRecord> items;      // to be recorded
  std::vector<ReachedItems> reached;  // nothing to write, only to note
  size_t size = 0;                    // items in both
};

struct Recorder::Shared {
  Mutex mu;
  CondVar work;   // the writer waits for a batch (or the end)
  CondVar space;  // Add() waits for room
  Batch pending GUARDED_BY(mu);
  std::chrono::steady_clock::time_point first_pending GUARDED_BY(mu);
  std::deque<Batch> batches GUARDED_BY(mu);
  bool stopping GUARDED_BY(mu) = false;
  Status error GUARDED_BY(mu);
  std::atomic<bool> failed{false};  // error is set
  uint64_t written GUARDED_BY(mu) = 0;
};

namespace {
// Batches waiting for the writer before Add() blocks.
constexpr size_t kMaxQueuedBatches = 3;
}  // namespace

Recorder::Recorder(ScanWriter& store, int64_t scan_id, RecorderOptions options)
    : store_(store), scan_id_(scan_id), options_(std::move(options)), shared_(new Shared) {
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "custos-writer");
    WriterLoop();
  });
}

Recorder::~Recorder() {
  {
    MutexLock lock(shared_->mu);
    shared_->stopping = true;
  }
  shared_->work.NotifyAll();
  if (writer_.joinable()) writer_.join();
}

std::string Recorder::StorageKey(const Item& item, const ContentKeys& keys, int64_t started_wall) {
  if (StateOf(item) == ItemState::kSkipped || !item.has_info) return {};
  // Seconds are all the inventory keeps of mtime and ctime: a file changed within the
  // second the scan started, or later, could change again unseen.
  if (item.info.mtime >= started_wall - 1 || item.info.ctime >= started_wall - 1) return {};
  return keys.For(item);
}

void Recorder::Add(Item&& item) {
  Shared& sh = *shared_;
  auto folder = std::dynamic_pointer_cast<const StoredFolder>(item.reused_from);
  // The hot path of an unchanged tree: an unchanged item judged as its findings stand
  // (none, or the same ones), in a folder that needs no folder_cache row, has nothing
  // to write; the writer only notes that the scan reached it.
  int64_t reached = 0;
  if (item.reused && folder != nullptr && folder->from_cache) {
    const StoredItem* s = folder->Get(SplitPath(item.path).second);
    if (s != nullptr && s->deleted_at == 0 && JudgementStands(*s, item.violations, options_.now)) {
      reached = s->id;
    }
  }
  ItemRecord rec;
  if (reached == 0) {
    rec.content_key = StorageKey(item, options_.keys, options_.started_wall);
    rec.content_judged =
        options_.content_searched || !options_.keys.is_searched || !options_.keys.is_searched(item);
    rec.folder = std::move(folder);
    rec.item = std::move(item);
    rec.item.reused_from.reset();
  }
  MutexLock lock(sh.mu);
  if (!sh.error.ok()) return;
  while (sh.batches.size() >= kMaxQueuedBatches && sh.error.ok()) sh.space.Wait(sh.mu);
  if (!sh.error.ok()) return;
  Batch& b = sh.pending;
  if (b.size == 0) {
    // The writer sleeps until there is something: from now on it waits at most
    // batch_seconds for this batch to fill.
    sh.first_pending = std::chrono::steady_clock::now();
    sh.work.NotifyOne();
  }
  if (reached != 0) {
    if (b.reached.empty() || b.reached.back().folder != folder) {
      b.reached.push_back({std::move(folder), {}});
    }
    b.reached.back().ids.push_back(reached);
  } else {
    if (b.items.empty()) b.items.reserve(std::min<size_t>(options_.batch_items, 4096));
    b.items.push_back(std::move(rec));
  }
  if (++b.size >= options_.batch_items) {
    sh.batches.push_back(std::move(b));
    b = Batch();
    sh.work.NotifyOne();
  }
}

void Recorder::WriterLoop() {
  Shared& sh = *shared_;
  const auto max_age = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(options_.batch_seconds));
  MutexLock lock(sh.mu);
  while (true) {
    if (sh.batches.empty() && !sh.stopping) {
      // Wake up for a full batch, the end, or a pending batch that has waited long enough.
      if (sh.pending.size == 0) {
        while (sh.batches.empty() && !sh.stopping && sh.pending.size == 0) sh.work.Wait(sh.mu);
      } else {
        const auto deadline = sh.first_pending + max_age;
        while (sh.batches.empty() && !sh.stopping) {
          if (!sh.work.WaitUntil(sh.mu, deadline)) break;
        }
      }
    }
    if (sh.batches.empty() && sh.pending.size != 0 &&
        (sh.stopping || std::chrono::steady_clock::now() >= sh.first_pending + max_age)) {
      sh.batches.push_back(std::move(sh.pending));
      sh.pending = Batch();
    }
    if (sh.batches.empty()) {
      if (sh.stopping) return;
      continue;
    }
    Batch batch = std::move(sh.batches.front());
    sh.batches.pop_front();
    sh.space.NotifyAll();
    const bool failed = !sh.error.ok();
    lock.Unlock();
    Status s;
    if (!failed) {
      if (!batch.reached.empty()) store_.MarkReached(batch.reached);
      if (!batch.items.empty()) {
        s = store_.RecordItems(scan_id_, batch.items, options_.now, options_.exists);
      }
    }
    const size_t n = batch.size;
    batch = Batch();  // freed before the lock is taken again
    lock.Lock();
    if (!s.ok() && sh.error.ok()) {
      sh.error = s;
      sh.failed.store(true, std::memory_order_release);
    }
    if (s.ok() && !failed) sh.written += n;
    sh.space.NotifyAll();
  }
}

Status Recorder::Finish(ScanState end, const ScanTotals& totals) {
  {
    MutexLock lock(shared_->mu);
    shared_->stopping = true;
  }
  shared_->work.NotifyAll();
  if (writer_.joinable()) writer_.join();
  Status error = status();
  Status s = store_.FinishScan(scan_id_, error.ok() ? end : ScanState::kFailed, totals,
                               options_.now, options_.exists);
  if (!error.ok()) return error;
  return s;
}

Status Recorder::status() const {
  MutexLock lock(shared_->mu);
  return shared_->error;
}

bool Recorder::failed() const { return shared_->failed.load(std::memory_order_acquire); }

uint64_t Recorder::written() const {
  MutexLock lock(shared_->mu);
  return shared_->written;
}

}  // namespace custos::inventory
