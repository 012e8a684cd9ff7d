// The SQLite inventory: one file in WAL mode, one writing connection, one read-only
// connection per reader thread.
//
// Hot path of an incremental scan (an unchanged tree): a reader loads each folder
// once, records, detections and findings, as one value of the folder_cache table
// (folder_blob.h) or, when the folder has none, from its rows, usually as one range of
// the items table and one of the findings index (a folder's files are recorded
// together). The folder goes with the items to the writer, which starts from it unless
// this scan wrote to the folder since, writes nothing for an unchanged item without
// finding changes, and writes the folder as its folder_cache row for the next scan when
// the folder had none or the scan changed it. The cost per unchanged item is a few
// lookups in memory. Which items a scan reached is kept in memory (a bitmap of item
// ids) and used when a complete scan ends, to find the items that are gone.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "codec.h"
#include "custos/base/escape.h"
#include "custos/base/fd.h"
#include "custos/base/time.h"
#include "custos/inventory/lifecycle.h"
#include "custos/inventory/store.h"
#include "folder_blob.h"
#include "path_parts.h"
#include "schema.h"
#include "sightings.h"
#include "sqlite.h"
#include "sqlite_findings.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

namespace {

constexpr int64_t kApplicationId = 1668641652;  // 'cust'
// Folders with more entries than this are looked up entry by entry, so that memory
// stays bounded whatever the size of a folder.
constexpr size_t kFolderBatchLimit = folder_blob::kMaxItems;
constexpr size_t kWriterFolders = 4;  // folders the writer keeps in memory
// Every connection reads pages through a memory map instead of a pread(2) per page:
// the hot path of an incremental scan reads every page of the items table.
constexpr const char* kConnectionPragmas = "PRAGMA mmap_size = 268435456";
constexpr int64_t kDay = 86400;

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string p(dir);
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

// [lo, hi) of the paths strictly below folder `root` (byte order).
std::pair<std::string, std::string> BelowRange(const std::string& root) {
  std::string lo = root;
  if (lo.empty() || lo.back() != '/') lo += '/';
  std::string hi = lo;
  hi.back() = static_cast<char>('/' + 1);
  return {lo, hi};
}

FindingStatus StatusFromSql(std::string_view s) {
  return ParseStatus(s).value_or(FindingStatus::kOpen);
}

// Columns of an item record, in the order ReadItem expects; `i` is items.
constexpr const char* kItemColumns =
    "i.id, i.name, i.dev, i.ino, i.size, i.mtime, i.ctime, i.mode, i.uid, i.gid, i.mime, "
    "i.category, i.content_date, i.content_key, i.state, i.reason, i.acl, i.ndet, i.deleted_at";
constexpr int kItemNdet = 17;  // the column of ndet: whether detections rows exist

// Reads one row of kItemColumns (all but the name). `key_of` maps a content key id to
// its text.
template <typename KeyOf>
void ReadItem(const Stmt& st, StoredItem* out, KeyOf&& key_of) {
  StoredItem& s = *out;
  s.id = st.Int(0);
  s.item.has_info = true;
  FileInfo& f = s.item.info;
  f.dev = static_cast<uint64_t>(st.Int(2));
  f.ino = static_cast<uint64_t>(st.Int(3));
  f.size = static_cast<uint64_t>(st.Int(4));
  f.mtime = st.Int(5);
  f.ctime = st.Int(6);
  f.mode = static_cast<uint32_t>(st.Int(7));
  f.uid = static_cast<uint32_t>(st.Int(8));
  f.gid = static_cast<uint32_t>(st.Int(9));
  s.item.mime = st.View(10);
  const int64_t cat = st.Int(11);
  s.item.category = cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)
                        ? static_cast<Category>(cat)
                        : Category::kOther;
  if (!st.IsNull(12)) s.item.content_date = st.Int(12);
  if (!st.IsNull(13)) {
    s.content_key_id = st.Int(13);
    s.content_key = key_of(s.content_key_id);
  }
  const int64_t state = st.Int(14);
  s.state = state == 1   ? ItemState::kPartial
            : state == 2 ? ItemState::kSkipped
                         : ItemState::kComplete;
  s.item.skipped = st.View(15);
  if (!st.IsNull(16)) s.item.acl = codec::UnpackAcl(st.View(16));
  s.deleted_at = st.IsNull(18) ? 0 : st.Int(18);
}

Detection ReadDetection(const Stmt& st, int first_col, bool with_hashes) {
  Detection d;
  d.detector = st.Text(first_col);
  d.count = static_cast<uint64_t>(st.Int(first_col + 1));
  d.masked = codec::UnpackStrings(st.View(first_col + 2));
  if (with_hashes) d.hashes = codec::UnpackHexList(st.View(first_col + 3));
  return d;
}

// The columns of a finding that ReadFinding reads, in its order (`f` is findings).
#define CUSTOS_FINDING_COLUMNS                                            \
  "f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.last_scan, " \
  "f.exception_reason, f.exception_until, f.notes, f.last_seen, f.pinned"
constexpr const char* kFindingColumns = CUSTOS_FINDING_COLUMNS;
constexpr int kFindingColumnCount = 12;

void ReadFinding(const Stmt& q, int col, StoredFinding* f) {
  f->id = q.Int(col);
  f->policy = q.View(col + 1);
  f->kind = q.View(col + 2);
  f->severity = q.View(col + 3);
  f->reason = q.View(col + 4);
  f->status = StatusFromSql(q.View(col + 5));
  f->last_scan = q.Int(col + 6);
  f->exception_reason = q.View(col + 7);
  f->exception_until = q.IsNull(col + 8) ? 0 : q.Int(col + 8);
  f->notes = q.View(col + 9);
  f->last_seen = q.Int(col + 10);
  f->pinned = q.Int(col + 11) != 0;
}

// The findings of a folder's items: kFindingColumns after the item id.
constexpr const char* kFolderFindingsSql =
    "SELECT f.item, " CUSTOS_FINDING_COLUMNS
    " FROM items i JOIN findings f ON f.item = i.id WHERE i.dir = ?1";

// ---------------------------------------------------------------------------------
// Reader

class SqliteReader : public ItemReader {
 public:
  static Result<std::unique_ptr<SqliteReader>> Open(const std::string& path, int busy_ms) {
    auto db = Db::Open(path, SQLITE_OPEN_READONLY);
    if (!db.ok()) return db.status();
    std::unique_ptr<SqliteReader> r(new SqliteReader());
    r->owned_ = std::move(db.value());
    sqlite3_busy_timeout(r->owned_.get(), busy_ms);
    Status s = r->Prepare();
    if (!s.ok()) return s;
    return r;
  }

  // A reader on the writing connection `db`, used inside its write transactions: it
  // sees what the writer has written and not yet committed. `db` must outlive it.
  static Result<std::unique_ptr<SqliteReader>> Attach(const Db& db) {
    std::unique_ptr<SqliteReader> r(new SqliteReader());
    r->attached_ = &db;
    Status s = r->Prepare();
    if (!s.ok()) return s;
    return r;
  }

  Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir) override {
    return LoadFolder(dir, /*use_cache=*/true);
  }

  // With use_cache false, from the folder's rows whether it has a folder_cache row or not.
  Result<std::shared_ptr<const StoredFolder>> LoadFolder(std::string_view dir, bool use_cache) {
    auto f = std::make_shared<StoredFolder>();
    f->path = std::string(dir);
    // One read transaction, so that the folder's records, detections and findings are
    // of the same moment (attached: the writer's transaction).
    Status s = attached_ != nullptr ? Status::Ok() : begin_.Run();
    if (s.ok()) s = Load(*f, use_cache);
    // Statements are left reset whatever happened, ready for the next folder.
    for (Stmt* st : {&dir_id_, &cached_, &folder_span_, &folder_items_, &folder_items_range_,
                     &folder_dets_, &folder_findings_, &folder_findings_range_}) {
      st->Reset();
    }
    Status end = attached_ != nullptr ? Status::Ok() : commit_.Run();
    if (s.ok()) s = end;
    if (!s.ok()) return s;
    return std::shared_ptr<const StoredFolder>(std::move(f));
  }

  Result<const StoredItem*> FindOne(const StoredFolder& f, std::string_view name) override {
    single_ = StoredItem();
    if (f.dir_id == 0) return static_cast<const StoredItem*>(nullptr);
    one_item_.Bind(1, f.dir_id).BindBlob(2, name);
    auto row = one_item_.Step();
    if (!row.ok() || !*row) {
      one_item_.Reset();
      if (!row.ok()) return row.status();
      return static_cast<const StoredItem*>(nullptr);
    }
    ReadItem(one_item_, &single_, [&](int64_t id) { return KeyText(id); });
    const bool has_detections = one_item_.Int(kItemNdet) > 0;
    one_item_.Reset();
    if (has_detections) {
      one_dets_.Bind(1, single_.id);
      while (true) {
        auto r = one_dets_.Step();
        if (!r.ok()) {
          one_dets_.Reset();
          return r.status();
        }
        if (!*r) break;
        single_.item.detections.push_back(ReadDetection(one_dets_, 1, true));
      }
      one_dets_.Reset();
    }
    return static_cast<const StoredItem*>(&single_);
  }

 private:
  SqliteReader() = default;

  const Db& db() const { return attached_ != nullptr ? *attached_ : owned_; }

  Status Prepare() {
    if (attached_ == nullptr) {
      Status s = owned_.Exec(std::string("PRAGMA query_only = 1; ") + kConnectionPragmas);
      if (!s.ok()) return s;
    }
    const std::string cols = kItemColumns;
    struct {
      Stmt* st;
      std::string sql;
    } stmts[] = {
        {&begin_, "BEGIN"},
        {&commit_, "COMMIT"},
        {&dir_id_, "SELECT id FROM dirs WHERE path = ?1"},
        {&cached_, "SELECT data FROM folder_cache WHERE dir = ?1"},
        {&folder_span_, "SELECT min(id), max(id), count(*) FROM items WHERE dir = ?1"},
        {&folder_items_, "SELECT " + cols + " FROM items i WHERE i.dir = ?1"},
        // "+i.dir": the rowid range, not the folder index, drives the search.
        {&folder_items_range_,
         "SELECT " + cols + " FROM items i WHERE i.id BETWEEN ?2 AND ?3 AND +i.dir = ?1"},
        {&folder_dets_,
         "SELECT d.item, d.detector, d.count, d.masked, d.hashes FROM detections d "
         "JOIN items i ON i.id = d.item WHERE i.dir = ?1"},
        {&folder_findings_, kFolderFindingsSql},
        {&folder_findings_range_, "SELECT f.item, " CUSTOS_FINDING_COLUMNS
                                  " FROM findings f WHERE f.item BETWEEN ?1 AND ?2"},
        {&one_item_, "SELECT " + cols + " FROM items i WHERE i.dir = ?1 AND i.name = ?2"},
        {&one_dets_,
         "SELECT item, detector, count, masked, hashes FROM detections WHERE item = ?1"},
        {&key_, "SELECT key FROM content_keys WHERE id = ?1"},
    };
    for (auto& p : stmts) {
      auto st = Stmt::Prepare(db(), p.sql);
      if (!st.ok()) return st.status();
      *p.st = std::move(st.value());
    }
    return Status::Ok();
  }

  const std::string& KeyText(int64_t id) {
    auto it = keys_.find(id);
    if (it != keys_.end()) return it->second;
    std::string text;
    key_.Bind(1, id);
    auto r = key_.Step();
    if (r.ok() && *r) text = key_.Text(0);
    key_.Reset();
    return keys_.emplace(id, std::move(text)).first->second;
  }

  // Loads a folder with a handful of queries. Its records are usually stored next to
  // each other (a folder's files are recorded together): then they are read as one
  // range of the table, and their findings as one range of the findings index, rather
  // than looking up every record and every item's findings on their own.
  Status Load(StoredFolder& f, bool use_cache) {
    dir_id_.BindBlob(1, f.path);
    auto r = dir_id_.Step();
    if (!r.ok()) return r.status();
    f.dir_id = *r ? dir_id_.Int(0) : 0;
    dir_id_.Reset();
    if (f.dir_id == 0) return Status::Ok();
    r = false;
    if (use_cache) {
      cached_.Bind(1, f.dir_id);
      r = cached_.Step();
      if (!r.ok()) return r.status();
    }
    // A row that does not decode (damaged, or written by another version) is ignored:
    // the folder's rows say the same.
    if (*r &&
        folder_blob::Decode(
            cached_.View(0), [&](int64_t id) -> const std::string& { return KeyText(id); }, &f)) {
      f.from_cache = true;
      return Status::Ok();
    }
    cached_.Reset();
    folder_span_.Bind(1, f.dir_id);
    r = folder_span_.Step();
    if (!r.ok()) return r.status();
    const int64_t lo = folder_span_.Int(0), hi = folder_span_.Int(1);
    const auto count = static_cast<uint64_t>(folder_span_.Int(2));
    folder_span_.Reset();
    if (count == 0) return Status::Ok();
    if (count > kFolderBatchLimit) {
      f.complete = false;
      return Status::Ok();
    }
    // Dense: at most as many other records in the range as the folder's own.
    const bool dense = static_cast<uint64_t>(hi - lo) < 2 * count;
    Stmt& items = dense ? folder_items_range_ : folder_items_;
    items.Bind(1, f.dir_id);
    if (dense) items.Bind(2, lo).Bind(3, hi);
    f.items.reserve(count);
    bool any_detections = false;
    while (true) {
      auto row = items.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      StoredItem& s = f.items.emplace_back();
      s.name = items.View(1);
      ReadItem(items, &s, [&](int64_t id) { return KeyText(id); });
      any_detections |= items.Int(kItemNdet) > 0;
    }
    items.Reset();
    f.Index();
    std::vector<std::pair<int64_t, StoredItem*>> by_id;
    by_id.reserve(f.items.size());
    for (StoredItem& s : f.items) by_id.emplace_back(s.id, &s);
    auto by_first = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(by_id.begin(), by_id.end(), by_first);
    auto item_of = [&](int64_t id) -> StoredItem* {
      auto it = std::lower_bound(by_id.begin(), by_id.end(), std::make_pair(id, nullptr), by_first);
      return it != by_id.end() && it->first == id ? it->second : nullptr;
    };
    if (any_detections) {
      folder_dets_.Bind(1, f.dir_id);
      while (true) {
        auto row = folder_dets_.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        if (StoredItem* s = item_of(folder_dets_.Int(0)))
          s->item.detections.push_back(ReadDetection(folder_dets_, 1, true));
      }
      folder_dets_.Reset();
    }
    Stmt& findings = dense ? folder_findings_range_ : folder_findings_;
    if (dense) {
      findings.Bind(1, lo).Bind(2, hi);
    } else {
      findings.Bind(1, f.dir_id);
    }
    while (true) {
      auto row = findings.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (StoredItem* s = item_of(findings.Int(0))) {
        ReadFinding(findings, 1, &s->findings.emplace_back());
      }
    }
    findings.Reset();
    return Status::Ok();
  }

  Db owned_;                      // the reader's own read-only connection, or
  const Db* attached_ = nullptr;  // a writer's connection (Attach)
  Stmt begin_, commit_, dir_id_, cached_, folder_span_, folder_items_, folder_items_range_,
      folder_dets_, folder_findings_, folder_findings_range_, one_item_, one_dets_, key_;
  std::unordered_map<int64_t, std::string> keys_;
  StoredItem single_;
};

// ---------------------------------------------------------------------------------
// Store

class SqliteStore : public Store {
 public:
  SqliteStore(std::string path, Db db, const OpenOptions& options)
      : path_(std::move(path)), db_(std::move(db)), options_(options), finding_writer_(db_) {}

  ~SqliteStore() override {
    // Fold the WAL back into the file and truncate it, so that a finished run leaves
    // one file behind. Fails harmlessly while another connection reads.
    rows_.reset();
    stmts_.clear();
    (void)db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Status Init() { return Status::Ok(); }

  Status LockForScan() override {
    if (lock_fd_.valid()) return Status::Ok();
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno(path_, errno);
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return Status::Invalid(path_ + ": the inventory is in use by another scan");
      }
      return Status::FromErrno(path_ + ": lock", errno);
    }
    lock_fd_ = std::move(fd);
    return Status::Ok();
  }

  Result<int64_t> BeginScan(const std::vector<std::string>& roots, int64_t now,
                            const std::vector<PolicyRecord>& policies,
                            std::string_view key_id) override {
    Txn txn(db_);
    Status s = txn.Begin();
    if (!s.ok()) return s;
    s = db_.Exec("UPDATE scans SET state = 'interrupted' WHERE state = 'running'");
    if (!s.ok()) return s;
    auto ins = Get("INSERT INTO scans (started, now, state, roots) VALUES (?1, ?2, 'running', ?3)");
    if (!ins.ok()) return ins.status();
    s = ins.value()->Bind(1, NowUnix()).Bind(2, now).BindBlob(3, codec::PackStrings(roots)).Run();
    if (!s.ok()) return s;
    const int64_t scan_id = db_.LastInsertId();
    auto sightings = LoadSightings(db_);
    if (!sightings.ok()) return sightings.status();
    sightings_ = std::move(sightings.value());
    auto pol = Get(
        "INSERT INTO policies (id, description, refs, severity, updated) VALUES (?1, ?2, ?3, ?4, "
        "?5) ON CONFLICT (id) DO UPDATE SET description = excluded.description, refs = "
        "excluded.refs, severity = excluded.severity, updated = excluded.updated");
    if (!pol.ok()) return pol.status();
    for (const PolicyRecord& p : policies) {
      s = pol.value()
              ->Bind(1, p.id)
              .Bind(2, p.description)
              .BindBlob(3, codec::PackStrings(p.references))
              .Bind(4, p.severity)
              .Bind(5, now)
              .Run();
      if (!s.ok()) return s;
    }
    if (!key_id.empty()) {
      auto meta = Get("INSERT OR REPLACE INTO meta (key, value) VALUES ('key_id', ?1)");
      if (!meta.ok()) return meta.status();
      s = meta.value()->Bind(1, key_id).Run();
      if (!s.ok()) return s;
    }
    s = txn.Commit();
    if (!s.ok()) return s;
    seen_.clear();
    folders_.clear();
    gone_candidates_.clear();
    visited_dirs_.clear();
    unbatched_dirs_.clear();
    written_dirs_.clear();
    cached_dirs_.clear();
    reached_folders_.clear();
    auto version = DataVersion();
    copies_current_ = version.ok();
    if (version.ok()) data_version_ = version.value();
    return scan_id;
  }

  Status RecordItems(int64_t scan_id, const std::vector<ItemRecord>& items, int64_t now,
                     const ExistsFn& exists) override {
    Txn txn(db_);
    Status s = txn.Begin();
    if (!s.ok()) return s;
    s = CheckCopiesCurrent();
    if (!s.ok()) return s;
    for (const ItemRecord& rec : items) {
      s = RecordOne(scan_id, rec, now, exists);
      if (!s.ok()) {
        DropCaches();  // the caches may be ahead of the rolled-back file
        return s;
      }
    }
    s = txn.Commit();
    if (!s.ok()) DropCaches();
    return s;
  }

  void MarkReached(const std::vector<ReachedItems>& reached) override {
    for (const ReachedItems& r : reached) {
      for (int64_t id : r.ids) MarkSeen(id);
      if (r.folder == nullptr || r.folder->dir_id == 0 || !r.folder->complete) continue;
      if (std::find(reached_folders_.begin(), reached_folders_.end(), r.folder) !=
          reached_folders_.end()) {
        continue;
      }
      // The folder counts as visited: its items the scan does not reach become gone
      // candidates when it leaves this list, as for the folders the writer loads.
      visited_dirs_.insert(r.folder->dir_id);
      if (reached_folders_.size() >= kWriterFolders) {
        AddGoneCandidates(*reached_folders_.front());
        reached_folders_.pop_front();
      }
      reached_folders_.push_back(r.folder);
    }
  }

  Status FinishScan(int64_t scan_id, ScanState end, ScanTotals totals, int64_t now,
                    const ExistsFn& exists) override {
    const bool complete = end == ScanState::kComplete;
    if (end == ScanState::kRunning) end = ScanState::kFailed;
    Status held = WriteHeldFolders();
    if (!held.ok()) return held;
    Unreached unreached;
    if (complete) {
      auto g = GoneItems(scan_id, exists);
      if (!g.ok()) return g.status();
      unreached = std::move(g.value());
    }
    Txn txn(db_);
    Status s = txn.Begin();
    if (!s.ok()) return s;
    auto del = Get("UPDATE items SET deleted_at = ?1 WHERE id = ?2");
    if (!del.ok()) return del.status();
    for (const GoneCandidate& c : unreached.gone) {
      s = del.value()->Bind(1, now).Bind(2, c.id).Run();
      if (!s.ok()) return s;
      auto findings = LoadFindings(c.id);
      if (!findings.ok()) return findings.status();
      auto [dir, name] = SplitPath(c.path);
      const lifecycle::Place place{&sightings_, dir, name};
      s = ApplyPlan(lifecycle::ResolveAll(findings.value(), place, now, scan_id, "file deleted"),
                    c.id, findings.value(), place);
      if (!s.ok()) return s;
    }
    // Still there but out of the scan's sight: the scan covered them without confirming
    // their findings.
    for (const GoneCandidate& c : unreached.kept) {
      auto findings = LoadFindings(c.id);
      if (!findings.ok()) return findings.status();
      auto [dir, name] = SplitPath(c.path);
      const lifecycle::Place place{&sightings_, dir, name};
      s = ApplyPlan(lifecycle::PinAll(findings.value(), place), c.id, findings.value(), place);
      if (!s.ok()) return s;
    }
    totals.deleted = unreached.gone.size();
    auto expired = ExpireLocked(now, scan_id);
    if (!expired.ok()) return expired.status();
    auto fin =
        Get("UPDATE scans SET state = ?1, finished = ?2, items = ?3, read = ?4, reused = ?5, "
            "skipped = ?6, violations = ?7, deleted = ?8 WHERE id = ?9");
    if (!fin.ok()) return fin.status();
    s = fin.value()
            ->Bind(1, ScanStateName(end))
            .Bind(2, NowUnix())
            .Bind(3, static_cast<int64_t>(totals.items))
            .Bind(4, static_cast<int64_t>(totals.read))
            .Bind(5, static_cast<int64_t>(totals.reused))
            .Bind(6, static_cast<int64_t>(totals.skipped))
            .Bind(7, static_cast<int64_t>(totals.violations))
            .Bind(8, static_cast<int64_t>(totals.deleted))
            .Bind(9, scan_id)
            .Run();
    if (!s.ok()) return s;
    s = txn.Commit();
    if (!s.ok()) return s;
    seen_.clear();
    folders_.clear();
    gone_candidates_.clear();
    visited_dirs_.clear();
    unbatched_dirs_.clear();
    written_dirs_.clear();
    reached_folders_.clear();
    return db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  Result<std::unique_ptr<ItemReader>> OpenReader() override {
    auto r = SqliteReader::Open(path_, options_.busy_timeout_ms);
    if (!r.ok()) return r.status();
    return std::unique_ptr<ItemReader>(std::move(r.value()));
  }

  Result<std::vector<Finding>> ListFindings(const FindingQuery& q) override {
    ReadTxn read(db_);
    Status begun = read.Begin();
    if (!begun.ok()) return begun;
    auto sightings = LoadSightings(db_);
    if (!sightings.ok()) return sightings.status();
    // Status and `since` are those the scans show (lifecycle.h, Sightings): a finding stored as new
    // may show as open, opened since. The query takes those in too; they are sorted out
    // below.
    std::string sql =
        "SELECT f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.item, d.path, i.name, "
        "i.deleted_at, f.first_seen, f.last_seen, f.status_changed, f.resolved_at, f.notes, "
        "f.exception_reason, f.exception_until, f.last_scan, f.pinned FROM findings f JOIN items "
        "i ON i.id = f.item JOIN dirs d ON d.id = i.dir WHERE 1";
    int n = 0;
    const std::vector<FindingStatus> stored_statuses = lifecycle::StoredStatuses(q.statuses);
    if (!stored_statuses.empty()) {
      sql += " AND f.status IN (";
      for (size_t k = 0; k < stored_statuses.size(); ++k) {
        sql += (k ? ", ?" : "?") + std::to_string(++n);
      }
      sql += ")";
    }
    if (!q.policies.empty()) {
      sql += " AND f.policy IN (";
      for (size_t k = 0; k < q.policies.size(); ++k) sql += (k ? ", ?" : "?") + std::to_string(++n);
      sql += ")";
    }
    if (q.since) {
      ++n;
      sql += " AND (f.first_seen >= ?" + std::to_string(n) + " OR f.status_changed >= ?" +
             std::to_string(n) + " OR f.status = 'new')";
    }
    if (q.id) sql += " AND f.id = ?" + std::to_string(++n);
    sql += " ORDER BY f.id";
    auto st = Stmt::Prepare(db_, sql);
    if (!st.ok()) return st.status();
    int b = 0;
    for (FindingStatus s : stored_statuses) st->Bind(++b, StatusName(s));
    for (const std::string& p : q.policies) st->Bind(++b, p);
    if (q.since) st->Bind(++b, *q.since);
    if (q.id) st->Bind(++b, *q.id);
    std::vector<Finding> out;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      Finding f;
      f.id = st->Int(0);
      f.policy = st->Text(1);
      f.kind = st->Text(2);
      f.severity = st->Text(3);
      f.reason = st->Text(4);
      f.status = StatusFromSql(st->View(5));
      f.item_id = st->Int(6);
      f.path = JoinPath(st->View(7), st->View(8));
      f.item_deleted = !st->IsNull(9);
      f.first_seen = st->Int(10);
      f.last_seen = st->Int(11);
      f.status_changed = st->Int(12);
      f.resolved_at = st->IsNull(13) ? 0 : st->Int(13);
      f.notes = st->Text(14);
      f.exception_reason = st->Text(15);
      f.exception_until = st->IsNull(16) ? 0 : st->Int(16);
      StoredFinding stored;
      stored.status = f.status;
      stored.last_seen = f.last_seen;
      stored.last_scan = st->Int(17);
      stored.pinned = st->Int(18) != 0;
      lifecycle::Show(f, stored, {&sightings.value(), st->View(7), st->View(8)});
      if (lifecycle::Matches(f, q)) out.push_back(std::move(f));
    }
    st->Reset();
    if (q.with_detections) {
      auto dets =
          Get("SELECT detector, count, masked FROM detections WHERE item = ?1 ORDER BY detector");
      if (!dets.ok()) return dets.status();
      std::unordered_map<int64_t, std::vector<Detection>> cache;
      for (Finding& f : out) {
        auto it = cache.find(f.item_id);
        if (it == cache.end()) {
          std::vector<Detection> v;
          Stmt& d = *dets.value();
          d.Bind(1, f.item_id);
          while (true) {
            auto row = d.Step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            v.push_back(ReadDetection(d, 0, false));
          }
          d.Reset();
          it = cache.emplace(f.item_id, std::move(v)).first;
        }
        f.detections = it->second;
      }
    }
    return out;
  }

  Result<std::vector<FindingEvent>> History(int64_t finding_id) override {
    return EventsWithOpenings(
        "SELECT finding, at, scan, from_status, to_status, note FROM events WHERE finding = ?1 "
        "ORDER BY at, id",
        finding_id, finding_id, 0);
  }

  Result<std::vector<FindingEvent>> Events(int64_t since) override {
    return EventsWithOpenings(
        "SELECT finding, at, scan, from_status, to_status, note FROM events WHERE at >= ?1 "
        "ORDER BY at, id",
        since, 0, since);
  }

  Status Acknowledge(int64_t finding_id, std::string_view note, int64_t now) override {
    lifecycle::ReviewAction a;
    a.kind = lifecycle::ReviewAction::Kind::kAcknowledge;
    a.note = std::string(note);
    return Review(finding_id, a, now);
  }

  Status Except(int64_t finding_id, std::string_view reason, int64_t until, std::string_view note,
                int64_t now) override {
    lifecycle::ReviewAction a;
    a.kind = lifecycle::ReviewAction::Kind::kExcept;
    a.reason = std::string(reason);
    a.until = until;
    a.note = std::string(note);
    return Review(finding_id, a, now);
  }

  Status AddNote(int64_t finding_id, std::string_view note, int64_t now) override {
    lifecycle::ReviewAction a;
    a.kind = lifecycle::ReviewAction::Kind::kNote;
    a.note = std::string(note);
    return Review(finding_id, a, now);
  }

  Result<uint64_t> ExpireExceptions(int64_t now) override {
    Txn txn(db_);
    Status s = txn.Begin();
    if (!s.ok()) return s;
    auto n = ExpireLocked(now, 0);
    if (!n.ok()) return n;
    s = txn.Commit();
    if (!s.ok()) return s;
    return n;
  }

  Result<std::vector<PolicyRecord>> Policies() override {
    auto st = Get("SELECT id, description, refs, severity FROM policies ORDER BY id");
    if (!st.ok()) return st.status();
    std::vector<PolicyRecord> out;
    Stmt& q = *st.value();
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back({q.Text(0), q.Text(1), codec::UnpackStrings(q.View(2)), q.Text(3)});
    }
    q.Reset();
    return out;
  }

  Result<std::vector<ScanRecord>> Scans(int64_t since) override {
    return QueryScans("WHERE now >= ?1 ORDER BY id", since);
  }

  Result<std::optional<ScanRecord>> LastCompleteScan() override {
    auto v = QueryScans("WHERE state = 'complete' AND ?1 = ?1 ORDER BY id DESC LIMIT 1", 0);
    if (!v.ok()) return v.status();
    if (v->empty()) return std::optional<ScanRecord>();
    return std::optional<ScanRecord>(v->front());
  }

  Result<InventoryTotals> Totals() override {
    InventoryTotals t;
    auto st =
        Get("SELECT category, count(*), coalesce(sum(size), 0), sum(ndet > 0) FROM items WHERE "
            "deleted_at IS NULL GROUP BY category ORDER BY category");
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const int64_t cat = q.Int(0);
      const auto n = static_cast<uint64_t>(q.Int(1));
      t.items += n;
      t.bytes += static_cast<uint64_t>(q.Int(2));
      t.with_detections += static_cast<uint64_t>(q.Int(3));
      if (cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)) {
        t.by_category.emplace_back(static_cast<Category>(cat), n);
      }
    }
    q.Reset();
    auto del = Get("SELECT count(*) FROM items WHERE deleted_at IS NOT NULL");
    if (!del.ok()) return del.status();
    auto row = del.value()->Step();
    if (!row.ok()) return row.status();
    t.deleted = static_cast<uint64_t>(del.value()->Int(0));
    del.value()->Reset();
    return t;
  }

  Result<std::vector<CoverageRow>> Coverage(size_t examples_per_row) override {
    auto st = Get(
        "SELECT state, reason, count(*), coalesce(sum(size), 0) FROM items WHERE state != 0 AND "
        "deleted_at IS NULL GROUP BY state, reason ORDER BY count(*) DESC, state, reason");
    if (!st.ok()) return st.status();
    std::vector<CoverageRow> out;
    Stmt& q = *st.value();
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      CoverageRow c;
      c.state = q.Int(0) == 1 ? ItemState::kPartial : ItemState::kSkipped;
      c.reason = q.Text(1);
      c.items = static_cast<uint64_t>(q.Int(2));
      c.bytes = static_cast<uint64_t>(q.Int(3));
      out.push_back(std::move(c));
    }
    q.Reset();
    auto ex =
        Get("SELECT d.path, i.name FROM items i JOIN dirs d ON d.id = i.dir WHERE i.state = ?1 AND "
            "i.reason = ?2 AND i.deleted_at IS NULL ORDER BY d.path, i.name LIMIT ?3");
    if (!ex.ok()) return ex.status();
    for (CoverageRow& c : out) {
      Stmt& e = *ex.value();
      e.Bind(1, c.state == ItemState::kPartial ? 1 : 2)
          .Bind(2, c.reason)
          .Bind(3, static_cast<int64_t>(examples_per_row));
      while (true) {
        auto row = e.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        c.examples.push_back(JoinPath(e.View(0), e.View(1)));
      }
      e.Reset();
    }
    return out;
  }

  Status CheckIntegrity() override {
    auto st = Stmt::Prepare(db_, "PRAGMA integrity_check");
    if (!st.ok()) return st.status();
    std::string problems;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (st->View(0) != "ok") problems += st->Text(0) + "\n";
    }
    st->Reset();
    auto fk = Stmt::Prepare(db_, "PRAGMA foreign_key_check");
    if (!fk.ok()) return fk.status();
    while (true) {
      auto row = fk->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      problems += "foreign key: " + fk->Text(0) + " row " + fk->Text(1) + "\n";
    }
    fk->Reset();
    // Every folder_cache row must say what the folder's rows say.
    auto reader = Rows();
    if (!reader.ok()) return reader.status();
    auto rows = Stmt::Prepare(
        db_, "SELECT d.path, c.data FROM folder_cache c LEFT JOIN dirs d ON d.id = c.dir");
    if (!rows.ok()) return rows.status();
    while (true) {
      auto row = rows->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto folder = reader.value()->LoadFolder(rows->View(0), /*use_cache=*/false);
      if (!folder.ok()) return folder.status();
      if (folder.value()->items.empty() || folder_blob::Encode(*folder.value()) != rows->View(1)) {
        problems += "folder_cache: the row of " + EscapeBytes(rows->View(0), true) +
                    " does not match the folder's records\n";
      }
    }
    rows->Reset();
    if (!problems.empty()) return Status::Io(path_ + ": damaged inventory:\n" + problems);
    return Status::Ok();
  }

 private:
  using WFinding = StoredFinding;
  struct WItem {
    int64_t id = 0;
    FileInfo info;
    int64_t deleted_at = 0;
    std::vector<WFinding> findings;
    // The findings as a reader of this scan loaded them (its folder is held by the
    // WFolder), while none of them changed: copied into `findings` on the first change.
    const std::vector<StoredFinding>* loaded_findings = nullptr;

    const std::vector<WFinding>& View() const {
      return loaded_findings != nullptr ? *loaded_findings : findings;
    }
    std::vector<WFinding>& Mutable() {
      if (loaded_findings != nullptr) {
        findings = *loaded_findings;
        loaded_findings = nullptr;
      }
      return findings;
    }
  };
  struct GoneCandidate {
    int64_t id;
    std::string path;
    uint64_t dev, ino;
  };
  struct WFolder {
    std::string path;
    int64_t dir_id = 0;
    bool batched = true;
    // The items of the folder the writer has looked at; the others are in `loaded`, a
    // copy of the folder (a reader's, or the writer's own read), as the file has them.
    std::unordered_map<std::string, WItem> items;
    std::shared_ptr<const StoredFolder> loaded;  // what the items' loaded_findings point into

    bool whole = false;  // `items` holds every item: `loaded` is not looked at any more

    // The item `name`, taken from `loaded` on first use; null when there is none.
    WItem* Find(std::string_view name) {
      auto it = items.find(std::string(name));
      if (it != items.end()) return &it->second;
      if (loaded == nullptr || whole) return nullptr;
      const StoredItem* s = loaded->Get(name);
      if (s == nullptr) return nullptr;
      WItem& w = items[std::string(name)];
      w.id = s->id;
      w.info = s->item.info;
      w.deleted_at = s->deleted_at;
      if (!s->findings.empty()) w.loaded_findings = &s->findings;
      return &w;
    }
    // Takes every item of `loaded` into `items`, so that items can be taken out.
    void TakeAll() {
      if (loaded == nullptr || whole) return;
      for (const StoredItem& s : loaded->items) Find(s.name);
      whole = true;
    }
    // For the folder_cache row (WriteFolderCache), while `loaded` and the items' findings
    // are what the file holds: no record of the folder written since it was loaded.
    bool records_written = false;
    bool cache_due = false;  // the folder has no row, or this scan changed its findings
  };

  // A cached prepared statement of the writing connection. `sql` must be a literal
  // (it is cached by address).
  Result<Stmt*> Get(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return &it->second;
    auto st = Stmt::Prepare(db_, sql);
    if (!st.ok()) return st.status();
    return &stmts_.emplace(sql, std::move(st.value())).first->second;
  }

  void DropCaches() {
    ClearFolders();
    key_ids_.clear();
  }

  // A folder leaves the writer's cache: its items the scan has not reached (yet) are
  // remembered as possibly gone, so that the end of a complete scan need not read every
  // record again. (Reached later after all, they are recognised by the seen bitmap.)
  void Evict(const WFolder& f) {
    if (!f.batched) return;  // handled at the end, from the file
    for (const auto& [name, w] : f.items) {
      if (w.deleted_at != 0 || Seen(w.id)) continue;
      gone_candidates_.push_back({w.id, JoinPath(f.path, name), w.info.dev, w.info.ino});
    }
    // Those the writer never looked at. (An item both here and above is listed twice;
    // GoneItems takes each once.)
    if (f.loaded != nullptr && !f.whole) AddGoneCandidates(*f.loaded);
  }
  void ClearFolders() {
    for (const WFolder& f : folders_) Evict(f);
    folders_.clear();
    for (const auto& f : reached_folders_) AddGoneCandidates(*f);
    reached_folders_.clear();
  }
  // The items of a folder as a reader loaded it that the scan has not reached (yet).
  void AddGoneCandidates(const StoredFolder& f) {
    for (const StoredItem& s : f.items) {
      if (s.deleted_at != 0 || Seen(s.id)) continue;
      gone_candidates_.push_back(
          {s.id, JoinPath(f.path, s.name), s.item.info.dev, s.item.info.ino});
    }
  }

  void MarkSeen(int64_t id) {
    const auto i = static_cast<size_t>(id);
    if (i >= seen_.size()) seen_.resize(std::max(i + 1, seen_.size() * 2), false);
    seen_[i] = true;
  }
  bool Seen(int64_t id) const {
    const auto i = static_cast<size_t>(id);
    return i < seen_.size() && seen_[i];
  }

  Result<int64_t> DirId(std::string_view dir) {
    auto sel = Get("SELECT id FROM dirs WHERE path = ?1");
    if (!sel.ok()) return sel.status();
    Stmt& q = *sel.value();
    for (int attempt = 0; attempt < 2; ++attempt) {
      q.BindBlob(1, dir);
      auto row = q.Step();
      if (!row.ok()) return row.status();
      const int64_t id = *row ? q.Int(0) : 0;
      q.Reset();
      if (id != 0) return id;
      if (attempt == 0) {
        auto ins = Get("INSERT INTO dirs (path) VALUES (?1) ON CONFLICT (path) DO NOTHING");
        if (!ins.ok()) return ins.status();
        Status s = ins.value()->BindBlob(1, dir).Run();
        if (!s.ok()) return s;
      }
    }
    return Status::Io(path_ + ": folder record vanished");
  }

  Result<int64_t> ContentKeyId(const std::string& key) {
    auto it = key_ids_.find(key);
    if (it != key_ids_.end()) return it->second;
    auto ins = Get("INSERT INTO content_keys (key) VALUES (?1) ON CONFLICT (key) DO NOTHING");
    if (!ins.ok()) return ins.status();
    Status s = ins.value()->Bind(1, key).Run();
    if (!s.ok()) return s;
    auto sel = Get("SELECT id FROM content_keys WHERE key = ?1");
    if (!sel.ok()) return sel.status();
    Stmt& q = *sel.value();
    q.Bind(1, key);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    const int64_t id = *row ? q.Int(0) : 0;
    q.Reset();
    // Not cached across transactions that might roll back: a rolled-back insert would
    // leave a dangling id. The cache is cleared with the folders on error.
    key_ids_.emplace(key, id);
    return id;
  }

  Result<std::vector<WFinding>> LoadFindings(int64_t item_id) {
    static const std::string sql =
        std::string("SELECT ") + kFindingColumns + " FROM findings f WHERE f.item = ?1";
    return SelectFindings(sql.c_str(), item_id);
  }

  // The findings `sql` (SELECT kFindingColumns ..., with ?1 bound to `param`) returns.
  // `sql` is kept by address in the statement cache: it must live as long as the store.
  Result<std::vector<WFinding>> SelectFindings(const char* sql, int64_t param) {
    auto st = Get(sql);
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, param);
    std::vector<WFinding> out;
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      WFinding f;
      ReadFinding(q, 0, &f);
      out.push_back(std::move(f));
    }
    q.Reset();
    return out;
  }

  static void ReadWItem(const Stmt& q, WItem* w) {
    w->id = q.Int(0);
    w->info.dev = static_cast<uint64_t>(q.Int(2));
    w->info.ino = static_cast<uint64_t>(q.Int(3));
    w->info.size = static_cast<uint64_t>(q.Int(4));
    w->info.mtime = q.Int(5);
    w->info.ctime = q.Int(6);
    w->info.mode = static_cast<uint32_t>(q.Int(7));
    w->info.uid = static_cast<uint32_t>(q.Int(8));
    w->info.gid = static_cast<uint32_t>(q.Int(9));
    w->deleted_at = q.IsNull(10) ? 0 : q.Int(10);
  }

  // The writer's view of a folder: its items and their findings. Taken from `loaded`
  // (the folder as a reader of this scan loaded it) when that is the same folder, whole,
  // and this scan has not written to it since the scan began: then the reader's copy is
  // still what the file holds. Otherwise the folder is read inside the writer's
  // transaction.
  Result<WFolder*> GetWFolder(std::string_view dir, std::shared_ptr<const StoredFolder> loaded) {
    for (auto it = folders_.begin(); it != folders_.end(); ++it) {
      if (it->path == dir) {
        folders_.splice(folders_.begin(), folders_, it);
        return &folders_.front();
      }
    }
    if (loaded != nullptr && (loaded->dir_id == 0 || !loaded->complete || loaded->path != dir ||
                              written_dirs_.count(loaded->dir_id))) {
      loaded.reset();
    }
    int64_t dir_id = 0;
    if (loaded != nullptr) {
      dir_id = loaded->dir_id;
    } else {
      auto id = DirId(dir);
      if (!id.ok()) return id.status();
      dir_id = id.value();
    }
    if (folders_.size() >= kWriterFolders) {
      Status s = WriteFolderCache(folders_.back());
      if (!s.ok()) return s;
      Evict(folders_.back());
      folders_.pop_back();
    }
    folders_.emplace_front();
    WFolder& f = folders_.front();
    f.path = std::string(dir);
    f.dir_id = dir_id;
    visited_dirs_.insert(f.dir_id);
    if (loaded == nullptr) {
      // No copy from a reader to start from: the folder as this transaction has it, read
      // the way readers read it (its folder_cache row, if any, is current here).
      Result<SqliteReader*> rows = Rows();
      if (!rows.ok()) {
        folders_.pop_front();
        return rows.status();
      }
      auto read = rows.value()->LoadFolder(dir, /*use_cache=*/true);
      if (!read.ok()) {
        folders_.pop_front();
        return read.status();
      }
      if (!read.value()->complete) {
        f.batched = false;  // looked up entry by entry (LoadOne)
        unbatched_dirs_.insert(f.dir_id);
        return &f;
      }
      loaded = std::move(read.value());
    }
    f.cache_due = !loaded->from_cache && !cached_dirs_.count(dir_id);
    f.loaded = std::move(loaded);  // items are taken from it as they come (Find)
    return &f;
  }

  // Writes the folder as its folder_cache row, so that the next scan decodes one value
  // instead of reading its rows. Called when the writer is done with the folder (it
  // leaves the writer's memory, or the scan ends), so that a folder that changes over
  // several batches is written once, not once per batch. The row says what the file
  // holds at this point of the write transaction:
  // - when only findings changed since the copy of the folder was taken: the
  //   copy with the findings as the writer keeps them, as long as the copy is still
  //   what the file holds: it was taken after the scan began and before the scan wrote
  //   to the folder (GetWFolder), and no other connection has committed since the scan
  //   began (copies_current_);
  // - otherwise (records written, a new folder, a review meanwhile): the folder read
  //   again inside this transaction, which costs a read of its rows.
  // Anything written to the folder later drops the row again (the schema's triggers).
  Status WriteFolderCache(WFolder& f) {
    if (!f.cache_due || !f.batched) return Status::Ok();
    f.cache_due = false;
    std::string blob;
    if (f.loaded != nullptr && !f.records_written && copies_current_) {
      // The reader's copy, with the findings as the writer keeps them.
      if (f.loaded->items.empty()) return Status::Ok();
      auto findings_of = [&](const StoredItem& s) -> const std::vector<StoredFinding>* {
        auto it = f.items.find(s.name);
        if (it == f.items.end() || it->second.loaded_findings != nullptr) return nullptr;
        return &it->second.findings;
      };
      blob = folder_blob::Encode(*f.loaded, findings_of);
    } else {
      // Records written (or no copy to trust): the folder as this transaction has it.
      auto rows = Rows();
      if (!rows.ok()) return rows.status();
      auto folder = rows.value()->LoadFolder(f.path, /*use_cache=*/false);
      if (!folder.ok()) return folder.status();
      if (!folder.value()->complete || folder.value()->items.empty()) return Status::Ok();
      blob = folder_blob::Encode(*folder.value());
    }
    cached_dirs_.insert(f.dir_id);
    auto st = Get("INSERT OR REPLACE INTO folder_cache (dir, data) VALUES (?1, ?2)");
    if (!st.ok()) return st.status();
    return st.value()->Bind(1, f.dir_id).BindBlob(2, blob).Run();
  }

  // The reader on the writing connection (SqliteReader::Attach).
  Result<SqliteReader*> Rows() {
    if (rows_ == nullptr) {
      auto r = SqliteReader::Attach(db_);
      if (!r.ok()) return r.status();
      rows_ = std::move(r.value());
    }
    return rows_.get();
  }

  // The folders the writer still holds are done with when the scan ends: written as
  // their folder_cache rows as they are now (what FinishScan changes after this drops
  // the rows of the folders it touches).
  Status WriteHeldFolders() {
    if (folders_.empty()) return Status::Ok();
    Txn txn(db_);
    Status s = txn.Begin();
    if (s.ok()) s = CheckCopiesCurrent();
    for (auto f = folders_.begin(); s.ok() && f != folders_.end(); ++f) s = WriteFolderCache(*f);
    if (s.ok()) s = txn.Commit();
    return s;
  }

  // Inside a write transaction: whether another connection (a reviewer) has committed
  // since the scan began. Then the folder copies taken since may predate it, and for the
  // rest of the scan no folder_cache row is written from them (WriteFolderCache reads
  // the folder again instead).
  Status CheckCopiesCurrent() {
    if (!copies_current_) return Status::Ok();
    auto version = DataVersion();
    if (!version.ok()) return version.status();
    if (version.value() != data_version_) copies_current_ = false;
    return Status::Ok();
  }

  // PRAGMA data_version: changes when another connection commits.
  Result<int64_t> DataVersion() {
    auto st = Get("PRAGMA data_version");
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    auto row = q.Step();
    const int64_t v = row.ok() && *row ? q.Int(0) : 0;
    q.Reset();
    if (!row.ok()) return row.status();
    return v;
  }

  // The entry `name` of a folder that is not batched, loaded into f.items.
  Result<WItem*> LoadOne(WFolder& f, std::string_view name) {
    auto it = f.items.find(std::string(name));
    if (it != f.items.end()) return &it->second;
    auto st =
        Get("SELECT id, name, dev, ino, size, mtime, ctime, mode, uid, gid, deleted_at FROM items "
            "WHERE dir = ?1 AND name = ?2");
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, f.dir_id).BindBlob(2, name);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      q.Reset();
      return static_cast<WItem*>(nullptr);
    }
    WItem w;
    ReadWItem(q, &w);
    q.Reset();
    auto findings = LoadFindings(w.id);
    if (!findings.ok()) return findings.status();
    w.findings = std::move(findings.value());
    // Large folders keep only the entries recorded during this batch.
    if (f.items.size() > kFolderBatchLimit) f.items.clear();
    return &f.items.emplace(std::string(name), std::move(w)).first->second;
  }

  Status WriteItem(const char* sql, int64_t scan_id, const ItemRecord& rec, int64_t now,
                   int64_t dir_id, std::string_view name, int64_t id) {
    const Item& it = rec.item;
    std::optional<int64_t> key;
    if (!rec.content_key.empty()) {
      auto k = ContentKeyId(rec.content_key);
      if (!k.ok()) return k.status();
      key = k.value();
    }
    auto st = Get(sql);
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, dir_id)
        .BindBlob(2, name)
        .Bind(3, static_cast<int64_t>(it.info.dev))
        .Bind(4, static_cast<int64_t>(it.info.ino))
        .Bind(5, static_cast<int64_t>(it.info.size))
        .Bind(6, it.info.mtime)
        .Bind(7, it.info.ctime)
        .Bind(8, it.info.mode)
        .Bind(9, it.info.uid)
        .Bind(10, it.info.gid)
        .Bind(11, it.owner)
        .Bind(12, it.group)
        .Bind(13, it.mime)
        .Bind(14, static_cast<int64_t>(it.category))
        .BindOpt(15, it.content_date)
        .BindOpt(16, key)
        .Bind(17, static_cast<int64_t>(StateOf(it)))
        .Bind(18, it.skipped)
        .Bind(20, static_cast<int64_t>(it.detections.size()))
        .Bind(21, now)
        .Bind(22, scan_id);
    if (it.acl.empty()) {
      q.BindNull(19);
    } else {
      q.BindBlob(19, codec::PackAcl(it.acl));
    }
    if (id != 0) q.Bind(23, id);
    return q.Run();
  }

  Status WriteDetections(int64_t item_id, const Item& it, bool replace) {
    if (replace) {
      auto del = Get("DELETE FROM detections WHERE item = ?1");
      if (!del.ok()) return del.status();
      Status s = del.value()->Bind(1, item_id).Run();
      if (!s.ok()) return s;
    }
    auto ins =
        Get("INSERT OR REPLACE INTO detections (item, detector, count, masked, hashes) VALUES (?1, "
            "?2, ?3, ?4, ?5)");
    if (!ins.ok()) return ins.status();
    for (const Detection& d : it.detections) {
      Status s = ins.value()
                     ->Bind(1, item_id)
                     .Bind(2, d.detector)
                     .Bind(3, static_cast<int64_t>(d.count))
                     .BindBlob(4, codec::PackStrings(d.masked))
                     .BindBlob(5, codec::PackHexList(d.hashes))
                     .Run();
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // A file at a new path with the device, inode, size and mtime of a known item whose
  // old path no longer holds it: the same file, moved. Re-points the item (keeping its
  // findings and their history) and returns it; null when there is no such item.
  Result<std::optional<WItem>> FollowMove(int64_t scan_id, const Item& it, WFolder& folder,
                                          std::string_view name, int64_t now,
                                          const ExistsFn& exists) {
    const int64_t dir_id = folder.dir_id;
    auto st =
        Get("SELECT i.id, d.path, i.name, i.deleted_at, i.dir FROM items i JOIN dirs d ON d.id = "
            "i.dir "
            "WHERE i.dev = ?1 AND i.ino = ?2 AND i.size = ?3 AND i.mtime = ?4 ORDER BY "
            "i.deleted_at IS NOT NULL, i.id DESC LIMIT 8");
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, static_cast<int64_t>(it.info.dev))
        .Bind(2, static_cast<int64_t>(it.info.ino))
        .Bind(3, static_cast<int64_t>(it.info.size))
        .Bind(4, it.info.mtime);
    struct Candidate {
      int64_t id;
      std::string old_path;
      bool deleted;
      int64_t dir_id;
    };
    std::vector<Candidate> candidates;
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      candidates.push_back({q.Int(0), JoinPath(q.View(1), q.View(2)), !q.IsNull(3), q.Int(4)});
    }
    q.Reset();
    for (const Candidate& c : candidates) {
      if (Seen(c.id)) continue;  // reached by this scan under its own path
      if (!c.deleted && exists && exists(c.old_path, it.info.dev, it.info.ino)) continue;
      auto mv = Get("UPDATE items SET dir = ?1, name = ?2 WHERE id = ?3");
      if (!mv.ok()) return mv.status();
      Status s = mv.value()->Bind(1, dir_id).BindBlob(2, name).Bind(3, c.id).Run();
      if (!s.ok()) return s;
      written_dirs_.insert(c.dir_id);
      // The old folder's cached view no longer holds this item.
      auto [old_dir, old_name] = SplitPath(c.old_path);
      if (old_dir == folder.path) {
        // Renamed within the folder: its view no longer has the old name.
        folder.TakeAll();
        folder.items.erase(std::string(old_name));
      } else {
        for (auto f = folders_.begin(); f != folders_.end(); ++f) {
          if (f->path == old_dir) {
            Evict(*f);
            folders_.erase(f);
            break;
          }
        }
      }
      WItem w;
      w.id = c.id;
      auto findings = LoadFindings(c.id);
      if (!findings.ok()) return findings.status();
      w.findings = std::move(findings.value());
      const lifecycle::Place old_place{&sightings_, old_dir, old_name};
      s = ApplyPlan(lifecycle::Moved(w.findings, old_place, now, scan_id, c.old_path), c.id,
                    w.findings, old_place);
      if (!s.ok()) return s;
      return std::optional<WItem>(std::move(w));
    }
    return std::optional<WItem>();
  }

  static constexpr const char* kInsertItem =
      "INSERT INTO items (dir, name, dev, ino, size, mtime, ctime, mode, uid, gid, owner, grp, "
      "mime, category, content_date, content_key, state, reason, acl, ndet, first_seen, "
      "last_read, last_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
      "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)";
  static constexpr const char* kUpdateItem =
      "UPDATE items SET dir = ?1, name = ?2, dev = ?3, ino = ?4, size = ?5, mtime = ?6, ctime "
      "= ?7, mode = ?8, uid = ?9, gid = ?10, owner = ?11, grp = ?12, mime = ?13, category = "
      "?14, content_date = ?15, content_key = ?16, state = ?17, reason = ?18, acl = ?19, ndet "
      "= ?20, last_read = ?21, last_scan = ?22, deleted_at = NULL WHERE id = ?23";

  Status RecordOne(int64_t scan_id, const ItemRecord& rec, int64_t now, const ExistsFn& exists) {
    const Item& it = rec.item;
    auto [dir, name] = SplitPath(it.path);
    auto folder = GetWFolder(dir, rec.folder);
    if (!folder.ok()) return folder.status();
    WFolder& f = *folder.value();
    // Whatever this item changes in its folder makes readers' copies of it stale.
    const int64_t changes_before = db_.TotalChanges();
    Status s = RecordIn(scan_id, rec, f, name, now, exists);
    if (db_.TotalChanges() != changes_before) {
      written_dirs_.insert(f.dir_id);
      f.cache_due = true;  // dropped by the change; written again unless records changed
    }
    return s;
  }

  Status RecordIn(int64_t scan_id, const ItemRecord& rec, WFolder& f, std::string_view name,
                  int64_t now, const ExistsFn& exists) {
    const Item& it = rec.item;
    WItem* w = nullptr;
    if (f.batched) {
      w = f.Find(name);
    } else {
      auto one = LoadOne(f, name);
      if (!one.ok()) return one.status();
      w = one.value();
    }
    Status s;
    if (w == nullptr) {
      f.records_written = true;
      Result<std::optional<WItem>> moved = std::optional<WItem>();
      if (it.has_info && it.info.ino != 0) moved = FollowMove(scan_id, it, f, name, now, exists);
      if (!moved.ok()) return moved.status();
      if (moved->has_value()) {
        w = &f.items.emplace(std::string(name), std::move(**moved)).first->second;
        s = WriteItem(kUpdateItem, scan_id, rec, now, f.dir_id, name, w->id);
        if (s.ok()) s = WriteDetections(w->id, it, /*replace=*/true);
      } else {
        s = WriteItem(kInsertItem, scan_id, rec, now, f.dir_id, name, 0);
        if (!s.ok()) return s;
        WItem fresh;
        fresh.id = db_.LastInsertId();
        w = &f.items.emplace(std::string(name), std::move(fresh)).first->second;
        s = WriteDetections(w->id, it, /*replace=*/false);
      }
    } else if (it.reused && w->deleted_at == 0) {
      // Unchanged and reused: the stored record is right as it is.
    } else {
      f.records_written = true;
      s = WriteItem(kUpdateItem, scan_id, rec, now, f.dir_id, name, w->id);
      if (s.ok()) s = WriteDetections(w->id, it, /*replace=*/true);
    }
    if (!s.ok()) return s;
    w->info = it.info;
    w->deleted_at = 0;
    MarkSeen(w->id);
    ItemState state = it.reused ? ItemState::kComplete : StateOf(it);
    if (!rec.content_judged && state == ItemState::kComplete) state = ItemState::kPartial;
    return Reconcile(scan_id, *w, f.path, name, it.violations, state, now);
  }

  // Carries out a lifecycle plan about `findings` (of item `item_id`, at `place`).
  Status ApplyPlan(const lifecycle::Plan& plan, int64_t item_id, std::vector<WFinding>& findings,
                   const lifecycle::Place& place) {
    if (plan.empty()) return Status::Ok();
    Status s = lifecycle::Apply(plan, item_id, findings, place, finding_writer_);
    // A finding changed under the writer: the folder copies in memory may be as stale.
    if (finding_writer_.TakeConflict()) copies_current_ = false;
    return s;
  }

  // Moves the findings of the item `dir`/`name` along (lifecycle::Reconcile). A finding
  // seen again unchanged writes nothing: that this scan saw it follows from the scan
  // covering the file once the scan completes (lifecycle.h: Sightings). The findings
  // stay in the reader's copy of the folder (WItem::View) until one of them changes: an
  // unchanged item copies nothing.
  Status Reconcile(int64_t scan_id, WItem& w, std::string_view dir, std::string_view name,
                   const std::vector<Violation>& violations, ItemState state, int64_t now) {
    const lifecycle::Place place{&sightings_, dir, name};
    lifecycle::Plan plan = lifecycle::Reconcile(w.View(), violations, state, scan_id, now, place);
    if (plan.empty()) return Status::Ok();
    return ApplyPlan(plan, w.id, w.Mutable(), place);
  }

  Result<uint64_t> ExpireLocked(int64_t now, int64_t scan_id) {
    static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                   " FROM findings f WHERE f.status = 'excepted' AND "
                                   "f.exception_until <= ?1";
    auto found = SelectFindings(sql.c_str(), lifecycle::LatestExpiredUntil(now));
    if (!found.ok()) return found.status();
    std::vector<WFinding>& due = found.value();
    const lifecycle::Plan plan = lifecycle::Expire(due, now, scan_id);
    Status s = ApplyPlan(plan, 0, due, lifecycle::Place{});
    if (!s.ok()) return s;
    if (!plan.empty()) ClearFolders();
    return static_cast<uint64_t>(plan.size());
  }

  // Items under the scan's roots that the scan did not reach and that are gone. Reads
  // from the file only the folders the scan never reached (and very large ones); the
  // others were checked as they left the writer's cache.
  // The items under a complete scan's roots that it did not reach: gone, or still there
  // (an exclude, a depth limit, another file system).
  struct Unreached {
    std::vector<GoneCandidate> gone, kept;
  };
  Result<Unreached> GoneItems(int64_t scan_id, const ExistsFn& exists) {
    auto roots_st = Get("SELECT roots FROM scans WHERE id = ?1");
    if (!roots_st.ok()) return roots_st.status();
    Stmt& rq = *roots_st.value();
    rq.Bind(1, scan_id);
    auto row = rq.Step();
    if (!row.ok()) return row.status();
    std::vector<std::string> roots;
    if (*row) roots = codec::UnpackStrings(rq.View(0));
    rq.Reset();
    // The same test as the sightings' (a finding out of these roots is not confirmed by
    // this scan, nor pinned by it).
    auto under_roots = [&](const std::string& path) {
      auto [dir, name] = SplitPath(path);
      for (const std::string& root : roots) {
        if (RootHolds(root, dir, name)) return true;
      }
      return false;
    };

    ClearFolders();
    std::vector<GoneCandidate> unseen;
    std::set<int64_t> listed;
    for (GoneCandidate& c : gone_candidates_) {
      if (Seen(c.id) || !under_roots(c.path) || !listed.insert(c.id).second) continue;
      unseen.push_back(std::move(c));
    }
    gone_candidates_.clear();
    auto collect = [&](Stmt& q) -> Status {
      while (true) {
        auto r = q.Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        const int64_t id = q.Int(0);
        if (Seen(id) || !listed.insert(id).second) continue;
        unseen.push_back({id, JoinPath(q.View(1), q.View(2)), static_cast<uint64_t>(q.Int(3)),
                          static_cast<uint64_t>(q.Int(4))});
      }
      q.Reset();
      return Status::Ok();
    };
    auto dirs = Get("SELECT id FROM dirs WHERE path = ?1 OR (path >= ?2 AND path < ?3)");
    if (!dirs.ok()) return dirs.status();
    auto in_dir =
        Get("SELECT i.id, d.path, i.name, i.dev, i.ino FROM items i JOIN dirs d ON d.id = i.dir "
            "WHERE i.dir = ?1 AND i.deleted_at IS NULL");
    if (!in_dir.ok()) return in_dir.status();
    auto exact = Get(
        "SELECT i.id, d.path, i.name, i.dev, i.ino FROM dirs d JOIN items i ON i.dir = d.id WHERE "
        "d.path = ?1 AND i.name = ?2 AND i.deleted_at IS NULL");
    if (!exact.ok()) return exact.status();
    for (const std::string& root : roots) {
      auto [lo, hi] = BelowRange(root);
      Stmt& dq = *dirs.value();
      dq.BindBlob(1, root).BindBlob(2, lo).BindBlob(3, hi);
      std::vector<int64_t> unvisited;
      while (true) {
        auto r = dq.Step();
        if (!r.ok()) return r.status();
        if (!*r) break;
        const int64_t id = dq.Int(0);
        if (!visited_dirs_.count(id) || unbatched_dirs_.count(id)) unvisited.push_back(id);
      }
      dq.Reset();
      for (int64_t dir : unvisited) {
        in_dir.value()->Bind(1, dir);
        Status s = collect(*in_dir.value());
        if (!s.ok()) return s;
      }
      auto [dir, name] = SplitPath(root);
      exact.value()->BindBlob(1, dir).BindBlob(2, name);
      Status s = collect(*exact.value());
      if (!s.ok()) return s;
    }
    Unreached out;
    for (GoneCandidate& c : unseen) {
      // Still there but not reached (an exclude, a depth limit, another file system):
      // out of this scan's sight, not gone.
      const bool there = exists && exists(c.path, c.dev, c.ino);
      (there ? out.kept : out.gone).push_back(std::move(c));
    }
    return out;
  }

  // A reviewer's decision about finding `finding_id`, in its own transaction.
  Status Review(int64_t finding_id, const lifecycle::ReviewAction& action, int64_t now) {
    Status s = lifecycle::CheckReview(action, now);
    if (!s.ok()) return s;
    Txn txn(db_);
    s = txn.Begin();
    if (!s.ok()) return s;
    auto sightings = LoadSightings(db_);
    if (!sightings.ok()) return sightings.status();
    sightings_ = std::move(sightings.value());
    static const std::string sql = std::string("SELECT ") + kFindingColumns +
                                   ", d.path, i.name FROM findings f JOIN items i ON i.id = "
                                   "f.item JOIN dirs d ON d.id = i.dir WHERE f.id = ?1";
    auto st = Get(sql.c_str());
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, finding_id);
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      q.Reset();
      return Status(StatusCode::kNotFound, "no finding " + std::to_string(finding_id));
    }
    std::vector<WFinding> f(1);
    ReadFinding(q, 0, &f[0]);
    const std::string dir = q.Text(kFindingColumnCount);
    const std::string name = q.Text(kFindingColumnCount + 1);
    q.Reset();
    const lifecycle::Place place{&sightings_, dir, name};
    auto plan = lifecycle::Review(f[0], place, action, now);
    if (!plan.ok()) return plan.status();
    s = ApplyPlan(plan.value(), 0, f, place);
    if (!s.ok()) return s;
    s = txn.Commit();
    ClearFolders();
    return s;
  }

  // The events `sql` returns (see QueryEvents), with the openings the scans show but
  // that are not written down yet (lifecycle.h, Sightings) of finding `finding` (0: any) at or
  // after `since`, in time order.
  Result<std::vector<FindingEvent>> EventsWithOpenings(const char* sql, int64_t arg,
                                                       int64_t finding, int64_t since) {
    ReadTxn read(db_);
    Status begun = read.Begin();
    if (!begun.ok()) return begun;
    auto events = QueryEvents(sql, arg);
    if (!events.ok()) return events.status();
    auto sightings = LoadSightings(db_);
    if (!sightings.ok()) return sightings.status();
    std::vector<FindingEvent>& out = events.value();
    if (sightings->last_id() == 0) return std::move(out);
    auto st =
        Get("SELECT f.id, f.last_scan, f.last_seen, d.path, i.name FROM findings f JOIN items i ON "
            "i.id = f.item JOIN dirs d ON d.id = i.dir WHERE f.status = 'new' AND f.pinned = 0 AND "
            "f.last_scan < ?1 AND (?2 = 0 OR f.id = ?2)");
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, sightings->last_id()).Bind(2, finding);
    std::vector<FindingEvent> openings;
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      StoredFinding f;
      f.id = q.Int(0);
      f.status = FindingStatus::kNew;
      f.last_scan = q.Int(1);
      f.last_seen = q.Int(2);
      auto e = lifecycle::Opening(f, {&sightings.value(), q.View(3), q.View(4)}, since);
      if (e) openings.push_back(std::move(*e));
    }
    q.Reset();
    return lifecycle::WithOpenings(std::move(out), std::move(openings));
  }

  Result<std::vector<FindingEvent>> QueryEvents(const char* sql, int64_t arg) {
    auto st = Get(sql);
    if (!st.ok()) return st.status();
    Stmt& q = *st.value();
    q.Bind(1, arg);
    std::vector<FindingEvent> out;
    while (true) {
      auto row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      FindingEvent e;
      e.finding_id = q.Int(0);
      e.at = q.Int(1);
      e.scan_id = q.IsNull(2) ? 0 : q.Int(2);
      if (!q.IsNull(3)) e.from = StatusFromSql(q.View(3));
      e.to = StatusFromSql(q.View(4));
      e.note = q.Text(5);
      out.push_back(std::move(e));
    }
    q.Reset();
    return out;
  }

  Result<std::vector<ScanRecord>> QueryScans(const std::string& where, int64_t arg) {
    auto st = Stmt::Prepare(db_,
                            "SELECT id, started, now, finished, state, roots, items, read, reused, "
                            "skipped, violations, deleted FROM scans " +
                                where);
    if (!st.ok()) return st.status();
    st->Bind(1, arg);
    std::vector<ScanRecord> out;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ScanRecord r;
      r.id = st->Int(0);
      r.started = st->Int(1);
      r.now = st->Int(2);
      r.finished = st->IsNull(3) ? 0 : st->Int(3);
      const std::string_view state = st->View(4);
      r.state = state == "complete"      ? ScanState::kComplete
                : state == "failed"      ? ScanState::kFailed
                : state == "interrupted" ? ScanState::kInterrupted
                                         : ScanState::kRunning;
      r.roots = codec::UnpackStrings(st->View(5));
      r.totals.items = static_cast<uint64_t>(st->Int(6));
      r.totals.read = static_cast<uint64_t>(st->Int(7));
      r.totals.reused = static_cast<uint64_t>(st->Int(8));
      r.totals.skipped = static_cast<uint64_t>(st->Int(9));
      r.totals.violations = static_cast<uint64_t>(st->Int(10));
      r.totals.deleted = static_cast<uint64_t>(st->Int(11));
      out.push_back(std::move(r));
    }
    st->Reset();
    return out;
  }

  const std::string path_;
  Db db_;
  const OpenOptions options_;
  SqliteFindingWriter finding_writer_;  // the findings lifecycle's writes
  UniqueFd lock_fd_;
  std::unordered_map<const char*, Stmt> stmts_;  // keyed by the SQL literal's address
  std::unordered_map<std::string, int64_t> key_ids_;
  std::vector<bool> seen_;      // item ids reached by the running scan
  std::list<WFolder> folders_;  // writer cache, most recently used first
  // Folders of items noted by MarkReached, most recent last.
  std::deque<std::shared_ptr<const StoredFolder>> reached_folders_;
  // Items of folders that left the cache before the scan reached them.
  std::vector<GoneCandidate> gone_candidates_;
  std::unordered_set<int64_t> visited_dirs_;    // folders the writer loaded
  std::unordered_set<int64_t> unbatched_dirs_;  // ... too large to keep in memory
  std::unordered_set<int64_t> written_dirs_;    // folders the running scan wrote to
  std::unordered_set<int64_t> cached_dirs_;     // ... whose folder_cache row it wrote
  std::unique_ptr<SqliteReader> rows_;          // reads folders inside write transactions
  // Whether the folder copies taken since the running scan began (its readers', the
  // writer's own) are still what the file holds, as far as other connections go: none
  // has committed since (data_version_), and no finding changed under the writer.
  bool copies_current_ = false;
  int64_t data_version_ = 0;  // PRAGMA data_version when the running scan began
  // The complete scans that saw findings without writing them (loaded by BeginScan and
  // by reviews, in their transactions).
  Sightings sightings_;
};

Status MakeParentDirs(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return Status::Ok();
  const std::string dir = path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return Status::Ok();
  Status s = MakeParentDirs(dir);
  if (!s.ok()) return s;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::FromErrno(dir, errno);
  return Status::Ok();
}

Result<std::string> PragmaText(const Db& db, const std::string& pragma) {
  auto st = Stmt::Prepare(db, pragma);
  if (!st.ok()) return st.status();
  auto row = st->Step();
  if (!row.ok()) return row.status();
  std::string v = *row ? st->Text(0) : "";
  st->Reset();
  return v;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT || !options.create) return Status::FromErrno(path, errno);
    Status s = MakeParentDirs(path);
    if (!s.ok()) return s;
    // Created here, private, before SQLite sees it; SQLite gives its -wal and -shm
    // files the same permissions.
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid() && errno != EEXIST) return Status::FromErrno(path, errno);
  } else if (!S_ISREG(st.st_mode)) {
    return Status::Invalid(path + ": not a regular file");
  }
  auto db = Db::Open(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status();
  sqlite3_busy_timeout(db->get(), options.busy_timeout_ms);
  // Recognise a file that is not ours before changing anything in it.
  auto app = PragmaText(*db, "PRAGMA application_id");
  if (!app.ok())
    return Status::Invalid(path + ": not a custos inventory (" + app.status().message() + ")");
  auto version = PragmaText(*db, "PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (version.value() != "0" && app.value() != std::to_string(kApplicationId)) {
    return Status::Invalid(path + ": not a custos inventory");
  }
  if (version.value() == "0") {
    auto tables = PragmaText(*db, "SELECT count(*) FROM sqlite_master");
    if (!tables.ok()) return tables.status();
    if (tables.value() != "0") return Status::Invalid(path + ": not a custos inventory");
  }
  auto mode = PragmaText(*db, "PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (mode.value() != "wal")
    return Status::Io(path + ": cannot use WAL mode (" + mode.value() + ")");
  Status s =
      db->Exec(std::string("PRAGMA synchronous = ") + (options.durable ? "FULL" : "NORMAL") +
               "; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; " + kConnectionPragmas);
  if (!s.ok()) return s;
  s = Migrate(*db);
  if (!s.ok()) return s;
  auto store = std::make_unique<SqliteStore>(path, std::move(db.value()), options);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace custos::inventory
