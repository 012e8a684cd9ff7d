#include "custos/scan/scan.h"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <thread>
#include <unordered_map>

#include "custos/base/mutex.h"
#include "custos/identify/identifier.h"

namespace custos::scan {
namespace {

// The entries a worker took and has not started yet. Its owner takes them one by one;
// while the owner reads a file (which may take long), idle workers steal from it.
class WorkerEntries {
 public:
  std::optional<crawl::Entry> Take() {
    MutexLock lock(mu_);
    if (entries_.empty()) return std::nullopt;
    crawl::Entry e = std::move(entries_.front());
    entries_.pop_front();
    return e;
  }
  void Fill(std::vector<crawl::Entry>&& batch) {
    MutexLock lock(mu_);
    for (crawl::Entry& e : batch) entries_.push_back(std::move(e));
  }
  bool Empty() {
    MutexLock lock(mu_);
    return entries_.empty();
  }
  // The later half (rounded up) of what is left, if the owner is reading.
  std::vector<crawl::Entry> Steal() {
    std::vector<crawl::Entry> out;
    MutexLock lock(mu_);
    if (!reading.load() || entries_.empty()) return out;
    const size_t n = (entries_.size() + 1) / 2;
    for (auto it = entries_.end() - static_cast<std::ptrdiff_t>(n); it != entries_.end(); ++it) {
      out.push_back(std::move(*it));
    }
    entries_.resize(entries_.size() - n);
    return out;
  }
  std::atomic<bool> reading{false};  // the owner is reading a file

 private:
  Mutex mu_;
  std::deque<crawl::Entry> entries_ GUARDED_BY(mu_);
};

// A bounded queue of batches of walk entries (the entries of one folder, a few hundred
// at most) from the walker to the workers. A worker takes a whole batch, so that the
// entries of a folder stay together (the inventory loads a folder once, for the worker
// that has it) and walker and workers wake each other once per batch rather than once
// per file. A worker with nothing to do steals from one that is reading files, so
// that a folder of large files is spread over the workers. A producer that finds the
// queue full sleeps until it is half empty.
class EntryQueue {
 public:
  using Batch = std::vector<crawl::Entry>;
  EntryQueue(size_t capacity, std::vector<WorkerEntries>& workers)
      : capacity_(capacity == 0 ? 1 : capacity), workers_(workers) {}

  void Push(Batch&& batch) {
    if (batch.empty()) return;
    MutexLock lock(mu_);
    if (entries_ >= capacity_) {
      ++waiting_producers_;
      while (entries_ > capacity_ / 2) not_full_.Wait(mu_);
      --waiting_producers_;
    }
    entries_ += batch.size();
    q_.push_back(std::move(batch));
    batch = Batch();
    if (waiting_consumers_ > 0) not_empty_.NotifyOne();
  }
  // Called by a worker that starts reading a file and still holds entries: an idle
  // worker may take some.
  void Reading() {
    if (waiting_consumers_.load(std::memory_order_relaxed) == 0) return;
    MutexLock lock(mu_);
    not_empty_.NotifyOne();
  }
  // Work for worker `self`, whose own entries are used up: a batch from the walker, or
  // entries stolen from a worker that is reading. Blocks until there is some; returns
  // nothing when the queue is closed and drained and no worker holds entries.
  std::optional<Batch> Pop(size_t self) {
    MutexLock lock(mu_);
    while (true) {
      if (!q_.empty()) {
        Batch b = std::move(q_.front());
        q_.pop_front();
        entries_ -= b.size();
        if (waiting_producers_ > 0 && entries_ <= capacity_ / 2) not_full_.NotifyAll();
        return b;
      }
      bool others_hold = false;
      for (size_t w = 0; w < workers_.size(); ++w) {
        if (w == self) continue;
        Batch stolen = workers_[w].Steal();
        if (!stolen.empty()) return stolen;
        others_hold = others_hold || !workers_[w].Empty();
      }
      if (closed_ && !others_hold) {
        not_empty_.NotifyAll();  // the others find the same
        return std::nullopt;
      }
      ++waiting_consumers_;
      // Woken by a batch, a worker that starts reading, or the end; the timeout covers a
      // worker that started reading just before this one went to sleep.
      not_empty_.WaitFor(mu_, std::chrono::milliseconds(100));
      --waiting_consumers_;
    }
  }
  void Close() {
    MutexLock lock(mu_);
    closed_ = true;
    not_empty_.NotifyAll();
  }

 private:
  Mutex mu_;
  CondVar not_empty_, not_full_;
  std::deque<Batch> q_ GUARDED_BY(mu_);
  size_t entries_ GUARDED_BY(mu_) = 0;
  const size_t capacity_;
  std::vector<WorkerEntries>& workers_;  // each with its own lock, taken after mu_
  size_t waiting_producers_ GUARDED_BY(mu_) = 0;
  // Changed under mu_; read without it by Reading() as a hint.
  std::atomic<size_t> waiting_consumers_{0};
  bool closed_ GUARDED_BY(mu_) = false;
};

// uid/gid -> name; one per worker (no lock shared between them). The maps hold one entry
// per distinct owner.
class NameCache {
 public:
  std::string User(uint32_t uid) {
    MutexLock lock(mu_);
    auto it = users_.find(uid);
    if (it != users_.end()) return it->second;
    std::string name = std::to_string(uid);
    struct passwd pw, *res = nullptr;
    char buf[4096];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res != nullptr) name = pw.pw_name;
    return users_.emplace(uid, name).first->second;
  }
  std::string Group(uint32_t gid) {
    MutexLock lock(mu_);
    auto it = groups_.find(gid);
    if (it != groups_.end()) return it->second;
    std::string name = std::to_string(gid);
    struct group gr, *res = nullptr;
    char buf[4096];
    if (getgrgid_r(gid, &gr, buf, sizeof buf, &res) == 0 && res != nullptr) name = gr.gr_name;
    return groups_.emplace(gid, name).first->second;
  }

 private:
  Mutex mu_;
  std::unordered_map<uint32_t, std::string> users_ GUARDED_BY(mu_), groups_ GUARDED_BY(mu_);
};

// Feeds extracted text to the detectors.
class DetectingSink : public extract::TextSink {
 public:
  explicit DetectingSink(detect::Scanner& scanner) : scanner_(scanner) {}
  void Text(std::string_view utf8) override { scanner_.Feed(utf8); }
  void EndOfStream() override { scanner_.EndOfStream(); }

 private:
  detect::Scanner& scanner_;
};

// Extracts the text of an identified item and runs the detectors over it. `head`: the
// bytes identification read from the start of the file. Returns false when
// options.cancel interrupted the extraction: the item is incomplete.
bool DetectContent(int fd, Item& item, std::string_view head, bool plain_text,
                   detect::Scanner& scanner, const ScanOptions& options) {
  DetectingSink sink(scanner);
  extract::Outcome outcome;
  extract::Limits limits = options.limits;
  if (limits.cancel == nullptr) limits.cancel = options.cancel;
  Status s = extract::Extract(fd, item, limits, sink, &outcome, head, plain_text);
  item.detections = scanner.Take();
  if (outcome.interrupted) return false;
  if (!scanner.error().empty()) {
    // Never "clean" for want of detectors.
    item.skipped = SkipReason(Skip::kNoDetectors, scanner.error());
    return true;
  }
  if (!s.ok()) {
    item.skipped = outcome.partial;  // the read error
    return true;
  }
  if (outcome.encrypted) {
    // An encrypted document cannot be searched: it is never reported clean.
    item.category = Category::kEncrypted;
  }
  if (!outcome.partial.empty()) item.skipped = outcome.partial;
  if (!item.content_date && outcome.content_date) item.content_date = outcome.content_date;
  return true;
}

// Per-worker tools: a libmagic handle and a detection scanner.
struct WorkerTools {
  std::unique_ptr<identify::Identifier> identifier;
  std::unique_ptr<detect::Scanner> scanner;  // null without detectors
};

// Runs one entry through open -> identify -> extract/detect -> (ACL) and returns the
// item, judged; nothing when options.cancel interrupted the reading of its content
// (an item read in part for no reason of its own is neither reported nor recorded:
// the next scan reads it again), or when it is a further name of a file handed out
// already (`links`: entries the walk did not stat; then `*repeat` is set).
std::optional<Item> ProcessEntry(crawl::Entry&& entry, WorkerTools& tools, NameCache& names,
                                 const ScanOptions& options, crawl::HardLinks* links = nullptr,
                                 bool* repeat = nullptr,
                                 const std::function<void()>& before_open = nullptr) {
  Item item;
  item.path = std::move(entry.path);
  item.has_info = entry.has_info;
  item.info = entry.info;
  bool interrupted = false;
  // Whatever throws on the way (std::bad_alloc inside a library, a bug) costs this item
  // only: it is kept as found so far and marked skipped, and the scan goes on.
  try {
    if (entry.skipped.empty() && options.reuse && item.has_info && options.reuse(item)) {
      item.reused = true;
    } else if (entry.skipped.empty()) {
      if (before_open) before_open();
      if (options.before_read) options.before_read(item);
      const auto started = std::chrono::steady_clock::now();
      FileInfo fresh;
      SkipReason why;
      Result<UniqueFd> fd = crawl::OpenEntry(entry, &fresh, &why);
      if (!fd.ok()) {
        item.skipped = std::move(why);
        // Not stat'ed by the walk: an unreadable file is still judged on its figures.
        if (!entry.has_info) item.has_info = crawl::StatEntry(entry, &item.info);
      } else if (!entry.has_info && links != nullptr && !links->FirstName(fresh)) {
        if (repeat != nullptr) *repeat = true;
        return std::nullopt;
      } else {
        item.has_info = true;
        item.info = fresh;
        // On a read error item.skipped says so.
        const bool identified = tools.identifier->Identify(fd->get(), item).ok();
        if (identified && tools.scanner && extract::IsSearchable(item) &&
            !DetectContent(fd->get(), item, tools.identifier->prefix(),
                           tools.identifier->prefix_is_plain_text(), *tools.scanner, options)) {
          interrupted = true;
        }
        if (options.read_acl) item.acl = crawl::ReadAcl(fd->get());
        item.read = true;
      }
      if (options.after_read) {
        options.after_read(
            std::min<uint64_t>(item.info.size, options.limits.max_file_bytes),
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      }
      if (interrupted) return std::nullopt;
    } else {
      item.skipped = std::move(entry.skipped);
    }
    if (item.has_info) {
      item.owner = names.User(item.info.uid);
      item.group = names.Group(item.info.gid);
    }
  } catch (...) {
    item.skipped = Skip::kInternalError;
    // What the detectors held of this item must not count for the worker's next one.
    if (tools.scanner) tools.scanner->Reset();
  }
  if (options.evaluate) {
    try {
      options.evaluate(item);
    } catch (...) {
      item.skipped = Skip::kInternalError;  // judged as far as it went
    }
  }
  return item;
}

// Serialises sink calls and keeps the figures of the summary. The first error of the
// sink stops the scan (failed()); items finished after it are dropped.
class CountingSink {
 public:
  CountingSink(Sink& sink, ScanStats& stats) : sink_(sink), stats_(stats) {}
  void Emit(Item&& item) {
    std::string prepared;
    try {
      prepared = sink_.Prepare(item);
    } catch (...) {
      Fail(Status(StatusCode::kInternal, "internal error while formatting an item"));
      return;
    }
    MutexLock lock(mu_);
    if (!error_.ok()) return;
    ++stats_.items;
    if (item.reused) ++stats_.items_reused;
    if (item.read) ++stats_.items_read;
    if (item.skipped.empty()) {
      stats_.bytes += item.info.size;
    } else {
      ++stats_.skipped_by_reason[item.skipped.Text()];
    }
    for (const Violation& v : item.violations) {
      ++stats_.violations;
      ++stats_.violations_by_policy[v.policy];
    }
    Status s;
    try {
      s = sink_.EmitPrepared(std::move(item), std::move(prepared));
    } catch (...) {
      s = Status(StatusCode::kInternal, "internal error while writing an item");
    }
    if (!s.ok()) {
      error_ = std::move(s);
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  void Interrupted() {
    MutexLock lock(mu_);
    ++stats_.items_interrupted;
  }
  // Whether the sink refused an item: the scan stops.
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  // The sink's first error (OK when none).
  Status error() {
    MutexLock lock(mu_);
    return error_;
  }

 private:
  void Fail(Status s) {
    MutexLock lock(mu_);
    if (error_.ok()) error_ = std::move(s);
    failed_.store(true, std::memory_order_relaxed);
  }

  Mutex mu_;
  Status error_ GUARDED_BY(mu_);
  std::atomic<bool> failed_{false};
  Sink& sink_;  // Prepare is thread-safe; EmitPrepared is called with mu_ held
  ScanStats& stats_ GUARDED_BY(mu_);
};

}  // namespace

Status RunScan(const ScanOptions& options, Sink& sink, ScanStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  ScanStats local;
  ScanStats& st = stats ? *stats : local;
  st = ScanStats();

  // Check every root before starting, so that a typo fails fast with exit 2.
  for (const std::string& root : options.roots) {
    struct stat sb;
    if (::lstat(root.c_str(), &sb) != 0) return Status::FromErrno(root, errno);
    if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)) {
      return Status::Invalid(root + ": not a folder or regular file");
    }
  }

  const std::string magic =
      options.magic_database.empty() ? identify::DefaultMagicDatabase() : options.magic_database;
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  // Load every libmagic handle up front (on this thread) so that a broken database is
  // an error before anything is scanned.
  extract::InitLibraries();
  std::vector<WorkerTools> tools(threads);
  for (WorkerTools& t : tools) {
    auto id = identify::Identifier::Create(magic);
    if (!id.ok()) return id.status();
    t.identifier = std::move(id.value());
    if (options.detectors) {
      t.scanner = std::make_unique<detect::Scanner>(options.detectors, options.hmac_key);
    }
  }

  std::vector<WorkerEntries> own(threads);
  EntryQueue queue(options.queue_capacity, own);
  std::vector<NameCache> names(threads);
  // Without reuse every file is opened anyway: the walk leaves stat to the opener (one
  // path lookup per file instead of two), and hard links are told apart after opening.
  crawl::WalkOptions walk = options.walk;
  if (!options.reuse) walk.stat_files = false;
  crawl::HardLinks links;
  CountingSink counting(sink, st);
  std::vector<std::thread> workers;
  // Set when a cancel left anything unread: the walk stopped early, queued entries were
  // dropped or an item was interrupted.
  std::atomic<bool> cut_short{false};
  auto cancelled = [&options] { return options.cancel && options.cancel->load(); };
  // The sink refused an item: nothing more is read or emitted.
  auto stopped = [&] { return counting.failed() || cancelled(); };
  for (unsigned i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      pthread_setname_np(pthread_self(), "custos-worker");  // as top -H and perf show it
      WorkerEntries& mine = own[i];
      // A file about to be read may take long: an idle worker may take what is left.
      const std::function<void()> reading = [&] {
        mine.reading = true;
        if (!mine.Empty()) queue.Reading();
      };
      while (true) {
        std::optional<crawl::Entry> entry = mine.Take();
        if (!entry) {
          auto batch = queue.Pop(i);
          if (!batch) break;
          mine.Fill(std::move(*batch));
          continue;
        }
        // After a cancel, what is queued is dropped (popped so that a walker waiting for
        // room goes on to see the cancel), never read.
        if (stopped()) {
          cut_short = true;
          continue;
        }
        bool repeat = false;
        auto item =
            ProcessEntry(std::move(*entry), tools[i], names[i], options, &links, &repeat, reading);
        mine.reading = false;
        if (item) {
          counting.Emit(std::move(*item));
        } else if (!repeat) {
          cut_short = true;
          counting.Interrupted();
        }
      }
    });
  }

  // The walker hands entries over in batches: the entries of one folder, at most
  // kHandOverBatch at a time.
  constexpr size_t kHandOverBatch = 256;
  std::vector<crawl::Entry> batch;
  const void* batch_dir = nullptr;
  Status result;
  for (const std::string& root : options.roots) {
    crawl::WalkStats ws;
    Status s = crawl::Walk(
        root, walk,
        [&](crawl::Entry&& e) {
          if (stopped()) {
            cut_short = true;
            return false;
          }
          if (e.dir.get() != batch_dir || batch.size() >= kHandOverBatch) {
            queue.Push(std::move(batch));
            batch.reserve(kHandOverBatch);
            batch_dir = e.dir.get();
          }
          batch.push_back(std::move(e));
          return true;
        },
        &ws);
    queue.Push(std::move(batch));
    st.walk.directories += ws.directories;
    st.walk.symlinks += ws.symlinks;
    st.walk.hardlink_repeats += ws.hardlink_repeats;
    st.walk.excluded += ws.excluded;
    st.walk.other_filesystems += ws.other_filesystems;
    if (!s.ok() && result.ok()) result = s;
    if (cut_short) break;
  }
  queue.Close();
  for (auto& w : workers) w.join();
  st.walk.hardlink_repeats += links.repeats();
  st.cancelled = cut_short && !counting.failed();
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (counting.failed()) return counting.error();
  return result;
}

Result<Item> ClassifyFile(const std::string& path, const ScanOptions& options) {
  WorkerTools tools;
  extract::InitLibraries();
  auto identifier = identify::Identifier::Create(
      options.magic_database.empty() ? identify::DefaultMagicDatabase() : options.magic_database,
      /*always_describe=*/true);
  if (!identifier.ok()) return identifier.status();
  tools.identifier = std::move(identifier.value());
  if (options.detectors) {
    tools.scanner = std::make_unique<detect::Scanner>(options.detectors, options.hmac_key);
  }
  struct stat sb;
  if (::lstat(path.c_str(), &sb) != 0) return Status::FromErrno(path, errno);
  if (S_ISLNK(sb.st_mode)) return Status::Invalid(path + ": is a symbolic link (not followed)");
  crawl::Entry entry;
  entry.path = path;
  entry.name = path;
  entry.has_info = true;
  entry.info = FileInfo::FromStat(sb);
  if (!S_ISREG(sb.st_mode)) entry.skipped = Skip::kSpecialFile;
  NameCache names;
  ScanOptions with_acl = options;
  with_acl.read_acl = true;
  auto item = ProcessEntry(std::move(entry), tools, names, with_acl);
  if (!item) return Status(StatusCode::kInternal, path + ": interrupted");  // options.cancel
  return std::move(*item);
}

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  }
  return buf;
}

std::string SummaryLine(const ScanStats& st) {
  auto join = [](const std::map<std::string, uint64_t>& m) {
    std::string s;
    for (const auto& [k, v] : m) {
      if (!s.empty()) s += ", ";
      s += k + " " + std::to_string(v);
    }
    return s;
  };
  uint64_t skipped = 0;
  for (const auto& [k, v] : st.skipped_by_reason) skipped += v;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f s", st.seconds);
  std::string line =
      "custos: " + std::to_string(st.items) + " items, " + HumanBytes(st.bytes) + " in " + secs;
  if (st.items_reused) {
    line += " (" + std::to_string(st.items_read) + " read, " + std::to_string(st.items_reused) +
            " unchanged)";
  }
  if (st.cancelled) {
    line += " (cancelled";
    if (st.items_interrupted) {
      line += "; " + std::to_string(st.items_interrupted) + " items interrupted";
    }
    line += ")";
  }
  line += "; skipped " + std::to_string(skipped);
  if (skipped) line += " (" + join(st.skipped_by_reason) + ")";
  line += "; violations " + std::to_string(st.violations);
  if (st.violations) line += " (" + join(st.violations_by_policy) + ")";
  if (st.walk.symlinks) line += "; " + std::to_string(st.walk.symlinks) + " symlinks not followed";
  if (st.walk.hardlink_repeats) {
    line += "; " + std::to_string(st.walk.hardlink_repeats) + " repeated hard links";
  }
  if (st.walk.excluded) line += "; " + std::to_string(st.walk.excluded) + " excluded";
  if (st.walk.other_filesystems) {
    line += "; " + std::to_string(st.walk.other_filesystems) + " mount points not entered";
  }
  return line;
}

}  // namespace custos::scan
