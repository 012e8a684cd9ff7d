#include "sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "codec.h"
#include "custos/base/time.h"
#include "path_parts.h"
#include "sightings.h"
#include "sqlite_rows.h"

namespace custos::inventory {

using sql::Db;
using sql::ReadTxn;
using sql::Stmt;
using sql::Txn;

namespace {

constexpr const char* kInsertItem =
    "INSERT INTO items (dir, name, dev, ino, size, mtime, ctime, mode, uid, gid, owner, grp, "
    "mime, category, content_date, content_key, state, reason, acl, ndet, first_seen, "
    "last_read, last_scan) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, ?22)";
constexpr const char* kUpdateItem =
    "UPDATE items SET dir = ?1, name = ?2, dev = ?3, ino = ?4, size = ?5, mtime = ?6, ctime "
    "= ?7, mode = ?8, uid = ?9, gid = ?10, owner = ?11, grp = ?12, mime = ?13, category = "
    "?14, content_date = ?15, content_key = ?16, state = ?17, reason = ?18, acl = ?19, ndet "
    "= ?20, last_read = ?21, last_scan = ?22, deleted_at = NULL WHERE id = ?23";

}  // namespace

Status SqliteStore::LockForScan() {
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

Result<int64_t> SqliteStore::BeginScan(const std::vector<std::string>& roots, int64_t now,
                                       const std::vector<PolicyRecord>& policies,
                                       std::string_view key_id) {
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
  auto pol =
      Get("INSERT INTO policies (id, description, refs, severity, updated) VALUES (?1, ?2, ?3, ?4, "
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
  ForgetScan();
  auto version = DataVersion();
  copies_current_ = version.ok();
  if (version.ok()) data_version_ = version.value();
  return scan_id;
}

Status SqliteStore::RecordItems(int64_t scan_id, const std::vector<ItemRecord>& items, int64_t now,
                                const ExistsFn& exists) {
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

void SqliteStore::MarkReached(const std::vector<ReachedItems>& reached) {
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

Status SqliteStore::FinishScan(int64_t scan_id, ScanState end, ScanTotals totals, int64_t now,
                               const ExistsFn& exists) {
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
          "skipped = ?6, violations = ?7, deleted = ?8, excluded = ?10, links_not_followed = ?11, "
          "other_filesystems = ?12 WHERE id = ?9");
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
          .Bind(10, static_cast<int64_t>(totals.excluded))
          .Bind(11, static_cast<int64_t>(totals.links_not_followed))
          .Bind(12, static_cast<int64_t>(totals.other_filesystems))
          .Run();
  if (!s.ok()) return s;
  s = txn.Commit();
  if (!s.ok()) return s;
  ForgetScan();
  return db_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

void SqliteStore::ForgetScan() {
  seen_.clear();
  folders_.clear();
  gone_candidates_.clear();
  visited_dirs_.clear();
  unbatched_dirs_.clear();
  written_dirs_.clear();
  cached_dirs_.clear();
  reached_folders_.clear();
}

Result<std::unique_ptr<ItemReader>> SqliteStore::OpenReader() {
  auto r = SqliteReader::Open(path_, options_.busy_timeout_ms);
  if (!r.ok()) return r.status();
  return std::unique_ptr<ItemReader>(std::move(r.value()));
}

Status SqliteStore::WriteItem(const char* sql, int64_t scan_id, const ItemRecord& rec, int64_t now,
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
      .Bind(18, it.skipped.Text())
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

Status SqliteStore::WriteDetections(int64_t item_id, const Item& it, bool replace) {
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
Result<std::optional<SqliteStore::WItem>> SqliteStore::FollowMove(int64_t scan_id, const Item& it,
                                                                  WFolder& folder,
                                                                  std::string_view name,
                                                                  int64_t now,
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

Status SqliteStore::RecordOne(int64_t scan_id, const ItemRecord& rec, int64_t now,
                              const ExistsFn& exists) {
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

Status SqliteStore::RecordIn(int64_t scan_id, const ItemRecord& rec, WFolder& f,
                             std::string_view name, int64_t now, const ExistsFn& exists) {
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
  return Reconcile(scan_id, *w, f.path, name, it.violations,
                   lifecycle::JudgedAs(it, rec.content_judged), now);
}

// Moves the findings of the item `dir`/`name` along (lifecycle::Reconcile). A finding
// seen again unchanged writes nothing: that this scan saw it follows from the scan
// covering the file once the scan completes (lifecycle.h: Sightings). The findings
// stay in the reader's copy of the folder (WItem::View) until one of them changes: an
// unchanged item copies nothing.
Status SqliteStore::Reconcile(int64_t scan_id, WItem& w, std::string_view dir,
                              std::string_view name, const std::vector<Violation>& violations,
                              ItemState state, int64_t now) {
  const lifecycle::Place place{&sightings_, dir, name};
  lifecycle::Plan plan = lifecycle::Reconcile(w.View(), violations, state, scan_id, now, place);
  if (plan.empty()) return Status::Ok();
  return ApplyPlan(plan, w.id, w.Mutable(), place);
}

// Items under the scan's roots that the scan did not reach and that are gone. Reads
// from the file only the folders the scan never reached (and very large ones); the
// others were checked as they left the writer's cache.
Result<SqliteStore::Unreached> SqliteStore::GoneItems(int64_t scan_id, const ExistsFn& exists) {
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

}  // namespace custos::inventory
