// A scan's writes to the PostgreSQL inventory (see pg_store.h for the round trips).
#include <algorithm>

#include "codec.h"
#include "custos/base/time.h"
#include "path_parts.h"
#include "pg_store.h"
#include "sqlite_rows.h"  // JoinPath, BelowRange, kFolderBatchLimit

namespace custos::inventory {

using pg::Params;

PgStore::WItem* PgStore::WFolder::Find(std::string_view name) {
  auto it = items.find(std::string(name));
  if (it != items.end()) return &it->second;
  if (loaded == nullptr) return nullptr;
  const StoredItem* s = loaded->Get(name);
  if (s == nullptr) return nullptr;
  WItem& w = items[std::string(name)];
  w.id = s->id;
  w.info = s->item.info;
  w.deleted_at = s->deleted_at;
  w.findings = s->findings;
  return &w;
}

Status PgStore::LockForScan() {
  if (locked_) return Status::Ok();
  // One scan at a time per node (other nodes scan into the same database meanwhile).
  auto r =
      conn_.Exec("SELECT pg_try_advisory_lock(1668641652, hashtext($1))", Params().Bytes(node_));
  if (!r.ok()) return r.status();
  if (r->Int(0, 0) == 0) {
    return Status::Invalid(conn_.where() + ": the inventory of node " + node_ +
                           " is in use by another scan");
  }
  locked_ = true;
  return Status::Ok();
}

Result<int64_t> PgStore::BeginScan(const std::vector<std::string>& roots, int64_t now,
                                   const std::vector<PolicyRecord>& policies,
                                   std::string_view key_id) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  auto r =
      conn_.Exec("UPDATE scans SET state = 'interrupted' WHERE node = $1 AND state = 'running'",
                 Params().Bytes(node_));
  if (!r.ok()) return r.status();
  r = conn_.Exec(
      "INSERT INTO scans (node, started, now, state, roots) VALUES ($1, $2, $3, 'running', $4) "
      "RETURNING id",
      Params().Bytes(node_).Int(NowUnix()).Int(now).Bytes(codec::PackStrings(roots)));
  if (!r.ok()) return r.status();
  const int64_t scan_id = r->Int(0, 0);
  auto sightings = PgLoadSightings(conn_, node_);
  if (!sightings.ok()) return sightings.status();
  std::vector<pg::Query> q;
  for (const PolicyRecord& p : policies) {
    q.push_back(
        {"INSERT INTO policies (id, description, refs, severity, updated) VALUES ($1, "
         "$2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET description = "
         "excluded.description, refs = excluded.refs, severity = excluded.severity, "
         "updated = excluded.updated",
         Params()
             .Bytes(p.id)
             .Bytes(p.description)
             .Bytes(codec::PackStrings(p.references))
             .Bytes(p.severity)
             .Int(now)});
  }
  if (!key_id.empty()) {
    q.push_back(
        {"INSERT INTO custos_meta (key, value) VALUES ('key_id', $1) ON CONFLICT (key) "
         "DO UPDATE SET value = excluded.value",
         Params().Bytes(key_id)});
  }
  if (!q.empty()) {
    auto done = conn_.Pipeline(q);
    if (!done.ok()) return done.status();
  }
  s = txn.Commit();
  if (!s.ok()) return s;
  sightings_ = std::move(sightings.value());
  DropCaches();
  seen_.clear();
  return scan_id;
}

Status PgStore::RecordItems(int64_t scan_id, const std::vector<ItemRecord>& items, int64_t now,
                            const ExistsFn& exists) {
  pg::PgTxn txn(conn_);
  Status s = txn.Begin();
  if (s.ok()) s = LoadMoveCandidates(items);
  for (size_t i = 0; s.ok() && i < items.size(); ++i) s = RecordOne(scan_id, items[i], now, exists);
  if (s.ok()) s = Flush();
  if (s.ok()) s = txn.Commit();
  if (!s.ok()) DropCaches();  // the caches may be ahead of the rolled-back database
  candidates_.clear();
  return s;
}

// The items of this node that a file of the batch may have moved from (same device and
// inode), in one query for the whole batch.
Status PgStore::LoadMoveCandidates(const std::vector<ItemRecord>& items) {
  candidates_.clear();
  std::vector<std::string> devs, inos;
  for (const ItemRecord& rec : items) {
    if (!rec.item.has_info || rec.item.info.ino == 0 || rec.item.reused) continue;
    devs.push_back(std::to_string(static_cast<int64_t>(rec.item.info.dev)));
    inos.push_back(std::to_string(static_cast<int64_t>(rec.item.info.ino)));
  }
  if (devs.empty()) return Status::Ok();
  auto r = conn_.Exec(
      "SELECT i.id, i.dir, i.size, i.mtime, i.deleted_at, i.dev, i.ino, d.path, i.name FROM "
      "items i JOIN dirs d ON d.id = i.dir WHERE d.node = $1 AND (i.dev, i.ino) IN (SELECT * "
      "FROM unnest($2::bigint[], $3::bigint[])) ORDER BY i.deleted_at IS NOT NULL, i.id DESC",
      Params().Bytes(node_).Text(pg::ArrayLiteral(devs)).Text(pg::ArrayLiteral(inos)));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    MoveCandidate c{r->Int(i, 0),
                    r->Int(i, 1),
                    r->Int(i, 2),
                    r->Int(i, 3),
                    r->IsNull(i, 4) ? 0 : 1,
                    static_cast<uint64_t>(r->Int(i, 5)),
                    static_cast<uint64_t>(r->Int(i, 6)),
                    JoinPath(r->View(i, 7), r->View(i, 8))};
    candidates_[c.ino].push_back(std::move(c));
  }
  return Status::Ok();
}

// The writer's view of folder `dir`: the reader's copy (`loaded`) when this scan has not
// written to the folder since, else the folder as this transaction has it.
Result<PgStore::WFolder*> PgStore::GetWFolder(std::string_view dir,
                                              std::shared_ptr<const StoredFolder> loaded) {
  for (auto it = folders_.begin(); it != folders_.end(); ++it) {
    if (it->path == dir) {
      folders_.splice(folders_.begin(), folders_, it);
      return &folders_.front();
    }
  }
  if (loaded != nullptr && (!loaded->complete || loaded->path != dir ||
                            (loaded->dir_id != 0 && written_dirs_.count(loaded->dir_id)) ||
                            (loaded->dir_id == 0 && dir_ids_.count(std::string(dir))))) {
    loaded.reset();
  }
  WFolder f;
  f.path = std::string(dir);
  if (loaded != nullptr && loaded->dir_id == 0) {
    // No such folder when the reader looked, and this scan has not made it since: it is
    // new (only this node's scan makes its folders).
    auto id = DirId(dir);
    if (!id.ok()) return id.status();
    f.dir_id = id.value();
  } else if (loaded != nullptr) {
    f.dir_id = loaded->dir_id;
    f.loaded = std::move(loaded);
  } else {
    Status s = Flush();  // what the batch queued for the folder must be read back
    if (!s.ok()) return s;
    if (rows_ == nullptr) rows_ = std::make_unique<PgReader>(conn_, node_, false);
    auto read = rows_->LoadFolder(dir);
    if (!read.ok()) return read.status();
    if (read.value()->dir_id == 0) {
      auto id = DirId(dir);
      if (!id.ok()) return id.status();
      f.dir_id = id.value();
    } else {
      f.dir_id = read.value()->dir_id;
      f.complete = read.value()->complete;
      if (f.complete) f.loaded = std::move(read.value());
    }
  }
  if (folders_.size() >= kWriterFolders) folders_.pop_back();
  folders_.push_front(std::move(f));
  return &folders_.front();
}

void PgStore::QueueItem(bool insert, int64_t id, int64_t dir_id, std::string_view name,
                        const ItemRecord& rec, std::optional<int64_t> key, int64_t now,
                        int64_t scan_id) {
  const Item& it = rec.item;
  auto& cols = insert ? pending_.new_items : pending_.updated_items;
  if (cols.empty()) cols.resize(23);
  auto num = [](int64_t v) { return std::to_string(v); };
  const std::string null = "NULL";
  size_t c = 0;
  cols[c++].push_back(num(id));
  cols[c++].push_back(num(dir_id));
  cols[c++].push_back(pg::Hex(name));
  cols[c++].push_back(num(static_cast<int64_t>(it.info.dev)));
  cols[c++].push_back(num(static_cast<int64_t>(it.info.ino)));
  cols[c++].push_back(num(static_cast<int64_t>(it.info.size)));
  cols[c++].push_back(num(it.info.mtime));
  cols[c++].push_back(num(it.info.ctime));
  cols[c++].push_back(num(it.info.mode));
  cols[c++].push_back(num(it.info.uid));
  cols[c++].push_back(num(it.info.gid));
  cols[c++].push_back(pg::Hex(it.owner));
  cols[c++].push_back(pg::Hex(it.group));
  cols[c++].push_back(pg::Hex(it.mime));
  cols[c++].push_back(num(static_cast<int64_t>(it.category)));
  cols[c++].push_back(it.content_date ? num(*it.content_date) : null);
  cols[c++].push_back(key ? num(*key) : null);
  cols[c++].push_back(num(static_cast<int64_t>(StateOf(it))));
  cols[c++].push_back(pg::Hex(it.skipped.Text()));
  cols[c++].push_back(it.acl.empty() ? null : pg::Hex(codec::PackAcl(it.acl)));
  cols[c++].push_back(num(static_cast<int64_t>(it.detections.size())));
  cols[c++].push_back(num(now));
  cols[c++].push_back(num(scan_id));
  if (!insert) pending_.det_deleted.push_back(num(id));
  // One row per detector (the last of a detector counts, as a replace would leave it).
  std::vector<const Detection*> dets;
  for (const Detection& d : it.detections) {
    auto same = std::find_if(dets.begin(), dets.end(),
                             [&](const Detection* o) { return o->detector == d.detector; });
    if (same != dets.end()) {
      *same = &d;
    } else {
      dets.push_back(&d);
    }
  }
  if (!dets.empty() && pending_.detections.empty()) pending_.detections.resize(5);
  for (const Detection* d : dets) {
    pending_.detections[0].push_back(num(id));
    pending_.detections[1].push_back(pg::Hex(d->detector));
    pending_.detections[2].push_back(num(static_cast<int64_t>(d->count)));
    pending_.detections[3].push_back(pg::Hex(codec::PackStrings(d->masked)));
    pending_.detections[4].push_back(pg::Hex(codec::PackHexList(d->hashes)));
  }
}

// A file at a new path with the device, inode, size and mtime of a known item whose old
// path no longer holds it: the same file, moved (see SqliteStore::FollowMove).
Result<PgStore::WItem*> PgStore::FollowMove(int64_t scan_id, const Item& it, WFolder& f,
                                            std::string_view name, int64_t now,
                                            const ExistsFn& exists) {
  auto found = candidates_.find(it.info.ino);
  if (found == candidates_.end()) return static_cast<WItem*>(nullptr);
  int tried = 0;
  for (const MoveCandidate& c : found->second) {
    if (c.dev != it.info.dev || c.size != static_cast<int64_t>(it.info.size) ||
        c.mtime != it.info.mtime) {
      continue;
    }
    if (++tried > 8) break;
    if (Seen(c.id)) continue;  // reached by this scan under its own path
    if (c.deleted_at == 0 && exists && exists(c.old_path, it.info.dev, it.info.ino)) continue;
    written_dirs_.insert(c.dir_id);
    auto [old_dir, old_name] = SplitPath(c.old_path);
    // Whatever folder copy held the item under its old name no longer does.
    for (auto o = folders_.begin(); o != folders_.end(); ++o) {
      if (o->path == old_dir && &*o != &f) {
        folders_.erase(o);
        break;
      }
    }
    if (old_dir == f.path) {
      if (f.loaded != nullptr) {
        for (const StoredItem& s : f.loaded->items) f.Find(s.name);
        f.loaded.reset();
      }
      f.items.erase(std::string(old_name));
    }
    auto findings = FindingsOf({c.id});
    if (!findings.ok()) return findings.status();
    WItem w;
    w.id = c.id;
    w.findings = std::move(findings.value()[c.id]);
    const lifecycle::Place old_place{&sightings_, old_dir, old_name};
    Status s = ApplyPlan(lifecycle::Moved(w.findings, old_place, now, scan_id, c.old_path), c.id,
                         w.findings, old_place);
    if (!s.ok()) return s;
    return &f.items.insert_or_assign(std::string(name), std::move(w)).first->second;
  }
  return static_cast<WItem*>(nullptr);
}

Status PgStore::RecordOne(int64_t scan_id, const ItemRecord& rec, int64_t now,
                          const ExistsFn& exists) {
  const Item& it = rec.item;
  auto [dir, name] = SplitPath(it.path);
  auto folder = GetWFolder(dir, rec.folder);
  if (!folder.ok()) return folder.status();
  WFolder& f = *folder.value();
  WItem* w = nullptr;
  if (f.complete) {
    w = f.Find(name);
  } else if (auto it2 = f.items.find(std::string(name)); it2 != f.items.end()) {
    w = &it2->second;
  } else {
    Status s = Flush();
    if (!s.ok()) return s;
    if (rows_ == nullptr) rows_ = std::make_unique<PgReader>(conn_, node_, false);
    auto one = rows_->LoadOne(f.dir_id, name, /*with_findings=*/true);
    if (!one.ok()) return one.status();
    if (one.value() != nullptr) {
      const StoredItem& s1 = *one.value();
      if (f.items.size() > kFolderBatchLimit) f.items.clear();
      WItem& nw = f.items[std::string(name)];
      nw.id = s1.id;
      nw.info = s1.item.info;
      nw.deleted_at = s1.deleted_at;
      nw.findings = s1.findings;
      w = &nw;
    }
  }
  std::optional<int64_t> key;
  auto key_id = [&]() -> Status {
    if (rec.content_key.empty()) return Status::Ok();
    auto k = ContentKeyId(rec.content_key);
    if (!k.ok()) return k.status();
    key = k.value();
    return Status::Ok();
  };
  const bool unchanged = w != nullptr && it.reused && w->deleted_at == 0;
  if (!unchanged) {
    Status s = key_id();
    if (!s.ok()) return s;
    written_dirs_.insert(f.dir_id);
  }
  if (w == nullptr) {
    if (it.has_info && it.info.ino != 0) {
      auto moved = FollowMove(scan_id, it, f, name, now, exists);
      if (!moved.ok()) return moved.status();
      w = moved.value();
    }
    if (w != nullptr) {
      QueueItem(false, w->id, f.dir_id, name, rec, key, now, scan_id);
    } else {
      auto id = NextId("items_id_seq", item_ids_);
      if (!id.ok()) return id.status();
      QueueItem(true, id.value(), f.dir_id, name, rec, key, now, scan_id);
      WItem fresh;
      fresh.id = id.value();
      w = &f.items.insert_or_assign(std::string(name), std::move(fresh)).first->second;
    }
  } else if (!unchanged) {
    QueueItem(false, w->id, f.dir_id, name, rec, key, now, scan_id);
  }
  w->info = it.info;
  w->deleted_at = 0;
  MarkSeen(w->id);
  const lifecycle::Place place{&sightings_, f.path, name};
  lifecycle::Plan plan = lifecycle::Reconcile(
      w->findings, it.violations, lifecycle::JudgedAs(it, rec.content_judged), scan_id, now, place);
  if (!plan.empty()) written_dirs_.insert(f.dir_id);
  return ApplyPlan(plan, w->id, w->findings, place);
}

void PgStore::MarkReached(const std::vector<ReachedItems>& reached) {
  for (const ReachedItems& r : reached) {
    for (int64_t id : r.ids) MarkSeen(id);
  }
}

Status PgStore::FinishScan(int64_t scan_id, ScanState end, ScanTotals totals, int64_t now,
                           const ExistsFn& exists) {
  const bool complete = end == ScanState::kComplete;
  if (end == ScanState::kRunning) end = ScanState::kFailed;
  pg::PgTxn txn(conn_);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  struct Unreached {
    int64_t id;
    std::string path;
    bool gone;
  };
  std::vector<Unreached> unreached;
  if (complete) {
    auto roots_r = conn_.Exec("SELECT roots FROM scans WHERE id = $1", Params().Int(scan_id));
    if (!roots_r.ok()) return roots_r.status();
    std::vector<std::string> roots;
    if (roots_r->rows() > 0) roots = codec::UnpackStrings(roots_r->View(0, 0));
    std::unordered_set<int64_t> listed;
    for (const std::string& root : roots) {
      auto [lo, hi] = BelowRange(root);
      auto [rdir, rname] = SplitPath(root);
      // Every item of the node under the root (or the root itself, a file) that exists.
      auto r = conn_.Exec(
          "SELECT i.id, d.path, i.name, i.dev, i.ino FROM dirs d JOIN items i ON i.dir = d.id "
          "WHERE d.node = $1 AND i.deleted_at IS NULL AND (d.path = $2 OR (d.path >= $3 AND "
          "d.path < $4) OR (d.path = $5 AND i.name = $6))",
          Params().Bytes(node_).Bytes(root).Bytes(lo).Bytes(hi).Bytes(rdir).Bytes(rname));
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->rows(); ++i) {
        const int64_t id = r->Int(i, 0);
        if (Seen(id) || !listed.insert(id).second) continue;
        std::string path = JoinPath(r->View(i, 1), r->View(i, 2));
        // Still there but not reached (an exclude, a depth limit, another file system):
        // out of this scan's sight, not gone.
        const bool there = exists && exists(path, static_cast<uint64_t>(r->Int(i, 3)),
                                            static_cast<uint64_t>(r->Int(i, 4)));
        unreached.push_back({id, std::move(path), !there});
      }
    }
  }
  std::vector<int64_t> ids, gone_ids;
  for (const Unreached& u : unreached) {
    ids.push_back(u.id);
    if (u.gone) gone_ids.push_back(u.id);
  }
  if (!gone_ids.empty()) {
    std::vector<std::string> list;
    for (int64_t id : gone_ids) list.push_back(std::to_string(id));
    auto r = conn_.Exec("UPDATE items SET deleted_at = $1 WHERE id = ANY($2::bigint[])",
                        Params().Int(now).Text(pg::ArrayLiteral(list)));
    if (!r.ok()) return r.status();
  }
  auto findings = FindingsOf(ids);
  if (!findings.ok()) return findings.status();
  for (const Unreached& u : unreached) {
    auto f = findings->find(u.id);
    if (f == findings->end()) continue;
    auto [dir, name] = SplitPath(u.path);
    const lifecycle::Place place{&sightings_, dir, name};
    s = ApplyPlan(u.gone ? lifecycle::ResolveAll(f->second, place, now, scan_id, "file deleted")
                         : lifecycle::PinAll(f->second, place),
                  u.id, f->second, place);
    if (!s.ok()) return s;
  }
  totals.deleted = gone_ids.size();
  auto expired = ExpireLocked(now, scan_id);
  if (!expired.ok()) return expired.status();
  auto fin = conn_.Exec(
      "UPDATE scans SET state = $1, finished = $2, items = $3, read = $4, reused = $5, skipped = "
      "$6, violations = $7, deleted = $8, excluded = $10, links_not_followed = $11, "
      "other_filesystems = $12 WHERE id = $9",
      Params()
          .Bytes(ScanStateName(end))
          .Int(NowUnix())
          .Int(static_cast<int64_t>(totals.items))
          .Int(static_cast<int64_t>(totals.read))
          .Int(static_cast<int64_t>(totals.reused))
          .Int(static_cast<int64_t>(totals.skipped))
          .Int(static_cast<int64_t>(totals.violations))
          .Int(static_cast<int64_t>(totals.deleted))
          .Int(scan_id)
          .Int(static_cast<int64_t>(totals.excluded))
          .Int(static_cast<int64_t>(totals.links_not_followed))
          .Int(static_cast<int64_t>(totals.other_filesystems)));
  if (!fin.ok()) return fin.status();
  s = txn.Commit();
  DropCaches();
  seen_.clear();
  return s;
}

Result<std::unique_ptr<ItemReader>> PgStore::OpenReader() {
  auto conn = pg::Conn::Open(uri_);
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<ItemReader>(
      std::make_unique<PgReader>(std::move(conn.value()), node_, true));
}

}  // namespace custos::inventory
