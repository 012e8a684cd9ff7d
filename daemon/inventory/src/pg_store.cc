#include "pg_store.h"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "codec.h"
#include "custos/base/host.h"

namespace custos::inventory {

using pg::Params;
using pg::Query;

namespace {

constexpr size_t kIdBlock = 1000;  // ids reserved from a sequence at a time

// The unnest() columns of the queued item rows (PgStore::QueueItem's order).
constexpr const char* kItemUnnest =
    "unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], "
    "$7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], "
    "$13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], "
    "$19::text[], $20::text[], $21::bigint[], $22::bigint[], $23::bigint[]) AS u(id, dir, name, "
    "dev, ino, size, mtime, ctime, mode, uid, gid, owner, grp, mime, category, content_date, "
    "content_key, state, reason, acl, ndet, t, scan)";

Params Arrays(const std::vector<std::vector<std::string>>& columns) {
  Params p;
  for (const auto& c : columns) p.Text(pg::ArrayLiteral(c));
  return p;
}

}  // namespace

// --- Rows.

void PgReadItem(const pg::Res& r, int row, StoredItem* out) {
  StoredItem& s = *out;
  s.id = r.Int(row, 0);
  s.name = r.Text(row, 1);
  s.item.has_info = true;
  FileInfo& f = s.item.info;
  f.dev = static_cast<uint64_t>(r.Int(row, 2));
  f.ino = static_cast<uint64_t>(r.Int(row, 3));
  f.size = static_cast<uint64_t>(r.Int(row, 4));
  f.mtime = r.Int(row, 5);
  f.ctime = r.Int(row, 6);
  f.mode = static_cast<uint32_t>(r.Int(row, 7));
  f.uid = static_cast<uint32_t>(r.Int(row, 8));
  f.gid = static_cast<uint32_t>(r.Int(row, 9));
  s.item.mime = r.Text(row, 10);
  const int64_t cat = r.Int(row, 11);
  s.item.category = cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)
                        ? static_cast<Category>(cat)
                        : Category::kOther;
  if (!r.IsNull(row, 12)) s.item.content_date = r.Int(row, 12);
  if (!r.IsNull(row, 13)) {
    s.content_key_id = r.Int(row, 13);
    s.content_key = r.Text(row, 19);
  }
  const int64_t state = r.Int(row, 14);
  s.state = state == 1   ? ItemState::kPartial
            : state == 2 ? ItemState::kSkipped
                         : ItemState::kComplete;
  s.item.skipped = SkipReason::FromText(r.View(row, 15));
  if (!r.IsNull(row, 16)) s.item.acl = codec::UnpackAcl(r.View(row, 16));
  s.deleted_at = r.Int(row, 18);
}

void PgReadFinding(const pg::Res& r, int row, int col, StoredFinding* f) {
  f->id = r.Int(row, col);
  f->policy = r.Text(row, col + 1);
  f->kind = r.Text(row, col + 2);
  f->severity = r.Text(row, col + 3);
  f->reason = r.Text(row, col + 4);
  f->status = ParseStatus(r.View(row, col + 5)).value_or(FindingStatus::kOpen);
  f->last_scan = r.Int(row, col + 6);
  f->exception_reason = r.Text(row, col + 7);
  f->exception_until = r.Int(row, col + 8);
  f->notes = r.Text(row, col + 9);
  f->last_seen = r.Int(row, col + 10);
  f->pinned = r.Int(row, col + 11) != 0;
}

Detection PgReadDetection(const pg::Res& r, int row, int col, bool with_hashes) {
  Detection d;
  d.detector = r.Text(row, col);
  d.count = static_cast<uint64_t>(r.Int(row, col + 1));
  d.masked = codec::UnpackStrings(r.View(row, col + 2));
  if (with_hashes) d.hashes = codec::UnpackHexList(r.View(row, col + 3));
  return d;
}

Result<Sightings> PgLoadSightings(const pg::Conn& conn, const std::string& node) {
  auto r = conn.Exec(
      "SELECT id, now, roots FROM scans WHERE node = $1 AND state = 'complete' ORDER BY id",
      Params().Bytes(node));
  if (!r.ok()) return r.status();
  Sightings out;
  for (int i = 0; i < r->rows(); ++i) {
    out.Add(r->Int(i, 0), r->Int(i, 1), codec::UnpackStrings(r->View(i, 2)));
  }
  return out;
}

// --- The findings lifecycle's writes: queued, except those whose outcome counts.

class PgStore::Writer : public lifecycle::FindingWriter {
 public:
  explicit Writer(PgStore& s) : s_(s) {}

  Result<int64_t> Insert(int64_t item_id, const lifecycle::Create& c) override {
    auto id = s_.NextId("findings_id_seq", s_.finding_ids_);
    if (!id.ok()) return id;
    s_.pending_.queued.push_back(
        {"INSERT INTO findings (id, policy, item, kind, severity, reason, status, first_seen, "
         "last_seen, first_scan, last_scan, status_changed) VALUES ($1, $2, $3, $4, $5, $6, "
         "'new', $7, $7, $8, $8, $7)",
         Params()
             .Int(id.value())
             .Bytes(c.policy)
             .Int(item_id)
             .Bytes(c.kind)
             .Bytes(c.severity)
             .Bytes(c.reason)
             .Int(c.at)
             .Int(c.scan_id)});
    return id;
  }
  Result<bool> Update(int64_t id, const lifecycle::StatusChange& c) override {
    Status s = s_.Flush();
    if (!s.ok()) return s;
    auto r = s_.conn_.Exec(
        "UPDATE findings SET status = $1, status_changed = $2, resolved_at = $3, "
        "exception_reason = $4, exception_until = $5, notes = $6, last_seen = greatest(last_seen, "
        "$9::bigint), last_scan = greatest(last_scan, $10::bigint) WHERE id = $7 AND status = $8",
        Params()
            .Bytes(StatusName(c.to))
            .Int(c.changed)
            .IntOrNull(c.resolved_at)
            .BytesOrNull(c.exception_reason)
            .IntOrNull(c.exception_until)
            .Bytes(c.notes)
            .Int(id)
            .Bytes(StatusName(c.from))
            .Int(c.last_seen)
            .Int(c.last_scan));
    if (!r.ok()) return r.status();
    return pg::Conn::Changes(r.value()) != 0;
  }
  Result<std::optional<std::pair<FindingStatus, std::string>>> Reread(int64_t id) override {
    Status s = s_.Flush();
    if (!s.ok()) return s;
    auto r = s_.conn_.Exec("SELECT status, notes FROM findings WHERE id = $1", Params().Int(id));
    if (!r.ok()) return r.status();
    std::optional<std::pair<FindingStatus, std::string>> out;
    if (r->rows() > 0) {
      out.emplace(ParseStatus(r->View(0, 0)).value_or(FindingStatus::kOpen), r->Text(0, 1));
    }
    return out;
  }
  Status Update(int64_t id, const lifecycle::Confirm& c) override {
    s_.pending_.queued.push_back(
        {"UPDATE findings SET severity = $1, reason = $2, last_seen = greatest(last_seen, "
         "$3::bigint), last_scan = $4, pinned = false WHERE id = $5",
         Params().Bytes(c.severity).Bytes(c.reason).Int(c.at).Int(c.scan_id).Int(id)});
    return Status::Ok();
  }
  Status Update(int64_t id, const lifecycle::Pin& p) override {
    s_.pending_.queued.push_back(
        {"UPDATE findings SET last_seen = greatest(last_seen, $1::bigint), last_scan = "
         "greatest(last_scan, $2::bigint), pinned = true WHERE id = $3",
         Params().Int(p.last_seen).Int(p.last_scan).Int(id)});
    return Status::Ok();
  }
  Status Update(int64_t id, const lifecycle::Annotate& a) override {
    s_.pending_.queued.push_back(
        {"UPDATE findings SET notes = $1, exception_reason = $2, exception_until = $3 WHERE id "
         "= $4",
         Params()
             .Bytes(a.notes)
             .BytesOrNull(a.exception_reason)
             .IntOrNull(a.exception_until)
             .Int(id)});
    return Status::Ok();
  }
  Status AddEvent(const FindingEvent& e) override {
    Params p;
    p.Int(e.finding_id).Int(e.at).IntOrNull(e.scan_id);
    if (e.from) {
      p.Bytes(StatusName(*e.from));
    } else {
      p.Null();
    }
    p.Bytes(StatusName(e.to)).Bytes(e.note);
    if (e.by.IsSystem()) {
      p.Null().Null();
    } else {
      p.Bytes(e.by.name).Int(e.by.uid);
    }
    s_.pending_.queued.push_back(
        {"INSERT INTO events (finding, at, scan, from_status, to_status, note, by_name, by_uid) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
         std::move(p)});
    return Status::Ok();
  }

 private:
  PgStore& s_;
};

// --- The store.

PgStore::PgStore(std::string uri, pg::Conn conn, std::string node)
    : uri_(std::move(uri)),
      conn_(std::move(conn)),
      node_(std::move(node)),
      writer_(std::make_unique<Writer>(*this)) {}

PgStore::~PgStore() = default;

Status PgStore::CheckIntegrity() {
  // References and checks are the server's to enforce; what is left is that every
  // finding's item and every item's folder is there.
  auto r = conn_.Exec(
      "SELECT (SELECT count(*) FROM findings f LEFT JOIN items i ON i.id = f.item WHERE i.id IS "
      "NULL) + (SELECT count(*) FROM items i LEFT JOIN dirs d ON d.id = i.dir WHERE d.id IS "
      "NULL)");
  if (!r.ok()) return r.status();
  if (r->Int(0, 0) != 0) return Status::Io(conn_.where() + ": damaged inventory: dangling rows");
  return Status::Ok();
}

// Sends every queued write (one round trip).
Status PgStore::Flush() {
  if (pending_.empty()) return Status::Ok();
  std::vector<Query> q;
  const std::string cols =
      "dir = u.dir, name = decode(u.name, 'hex'), dev = u.dev, ino = u.ino, size = u.size, "
      "mtime = u.mtime, ctime = u.ctime, mode = u.mode, uid = u.uid, gid = u.gid, owner = "
      "decode(u.owner, 'hex'), grp = decode(u.grp, 'hex'), mime = decode(u.mime, 'hex'), "
      "category = u.category, content_date = u.content_date, content_key = u.content_key, "
      "state = u.state, reason = decode(u.reason, 'hex'), acl = decode(u.acl, 'hex'), ndet = "
      "u.ndet, last_read = u.t, last_scan = u.scan";
  if (!pending_.new_items.empty() && !pending_.new_items[0].empty()) {
    q.push_back(
        {std::string("INSERT INTO items (id, dir, name, dev, ino, size, mtime, ctime, mode, uid, "
                     "gid, owner, grp, mime, category, content_date, content_key, state, reason, "
                     "acl, ndet, first_seen, last_read, last_scan) SELECT id, dir, decode(name, "
                     "'hex'), dev, ino, size, mtime, ctime, mode, uid, gid, decode(owner, 'hex'), "
                     "decode(grp, 'hex'), decode(mime, 'hex'), category, content_date, "
                     "content_key, state, decode(reason, 'hex'), decode(acl, 'hex'), ndet, t, t, "
                     "scan FROM ") +
             kItemUnnest,
         Arrays(pending_.new_items)});
  }
  if (!pending_.updated_items.empty() && !pending_.updated_items[0].empty()) {
    q.push_back({"UPDATE items SET " + cols + ", deleted_at = NULL FROM " + kItemUnnest +
                     " WHERE items.id = u.id",
                 Arrays(pending_.updated_items)});
  }
  if (!pending_.det_deleted.empty()) {
    q.push_back({"DELETE FROM detections WHERE item = ANY($1::bigint[])",
                 Params().Text(pg::ArrayLiteral(pending_.det_deleted))});
  }
  if (!pending_.detections.empty() && !pending_.detections[0].empty()) {
    q.push_back(
        {"INSERT INTO detections (item, detector, count, masked, hashes) SELECT item, "
         "decode(det, 'hex'), count, decode(masked, 'hex'), decode(hashes, 'hex') FROM "
         "unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS u(item, det, "
         "count, masked, hashes)",
         Arrays(pending_.detections)});
  }
  for (Query& one : pending_.queued) q.push_back(std::move(one));
  pending_ = Pending();
  if (q.empty()) return Status::Ok();
  auto r = conn_.Pipeline(q);
  return r.ok() ? Status::Ok() : r.status();
}

void PgStore::DropCaches() {
  pending_ = Pending();
  folders_.clear();
  key_ids_.clear();
  dir_ids_.clear();
  candidates_.clear();
  // Dirs created by the rolled-back transaction are gone: the folders must be read again.
  written_dirs_.clear();
}

// The next id of `sequence`, reserved kIdBlock at a time (sequences ignore rollbacks:
// an id is never handed out twice).
Result<int64_t> PgStore::NextId(const char* sequence, std::vector<int64_t>& pool) {
  if (pool.empty()) {
    auto r = conn_.Exec(std::string("SELECT nextval('") + sequence +
                            "') FROM generate_series(1, $1) ORDER BY 1 DESC",
                        Params().Int(static_cast<int64_t>(kIdBlock)));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) pool.push_back(r->Int(i, 0));
  }
  const int64_t id = pool.back();
  pool.pop_back();
  return id;
}

Result<int64_t> PgStore::DirId(std::string_view dir) {
  auto it = dir_ids_.find(std::string(dir));
  if (it != dir_ids_.end()) return it->second;
  auto r = conn_.Exec(
      "WITH ins AS (INSERT INTO dirs (node, path) VALUES ($1, $2) ON CONFLICT (node, path) DO "
      "NOTHING RETURNING id) SELECT id FROM ins UNION ALL SELECT id FROM dirs WHERE node = $1 "
      "AND path = $2",
      Params().Bytes(node_).Bytes(dir));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Status::Io(conn_.where() + ": folder record vanished");
  const int64_t id = r->Int(0, 0);
  dir_ids_.emplace(std::string(dir), id);
  return id;
}

Result<int64_t> PgStore::ContentKeyId(const std::string& key) {
  auto it = key_ids_.find(key);
  if (it != key_ids_.end()) return it->second;
  auto r = conn_.Exec(
      "WITH ins AS (INSERT INTO content_keys (key) VALUES ($1) ON CONFLICT (key) DO NOTHING "
      "RETURNING id) SELECT id FROM ins UNION ALL SELECT id FROM content_keys WHERE key = $1",
      Params().Bytes(key));
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    // Another node inserted the same key at the same moment: its row, committed after
    // this statement's snapshot, is there for the next statement.
    r = conn_.Exec("SELECT id FROM content_keys WHERE key = $1", Params().Bytes(key));
    if (!r.ok()) return r.status();
  }
  if (r->rows() == 0) return Status::Io(conn_.where() + ": content key vanished");
  key_ids_.emplace(key, r->Int(0, 0));
  return r->Int(0, 0);
}

Status PgStore::ApplyPlan(const lifecycle::Plan& plan, int64_t item_id,
                          std::vector<StoredFinding>& findings, const lifecycle::Place& place) {
  if (plan.empty()) return Status::Ok();
  return lifecycle::Apply(plan, item_id, findings, place, *writer_);
}

// The findings of `items`, by item (one query).
Result<std::unordered_map<int64_t, std::vector<StoredFinding>>> PgStore::FindingsOf(
    const std::vector<int64_t>& items) {
  std::unordered_map<int64_t, std::vector<StoredFinding>> out;
  if (items.empty()) return out;
  Status s = Flush();
  if (!s.ok()) return s;
  std::vector<std::string> ids;
  for (int64_t id : items) ids.push_back(std::to_string(id));
  auto r = conn_.Exec(std::string("SELECT f.item, ") + kPgFindingColumns +
                          " FROM findings f WHERE f.item = ANY($1::bigint[]) ORDER BY f.id",
                      Params().Text(pg::ArrayLiteral(ids)));
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    PgReadFinding(r.value(), i, 1, &out[r->Int(i, 0)].emplace_back());
  }
  return out;
}

Result<uint64_t> PgStore::ExpireLocked(int64_t now, int64_t scan_id) {
  Status s = Flush();
  if (!s.ok()) return s;
  auto r = conn_.Exec(std::string("SELECT ") + kPgFindingColumns +
                          " FROM findings f WHERE f.status = 'excepted' AND f.exception_until <= "
                          "$1 ORDER BY f.id",
                      Params().Int(lifecycle::LatestExpiredUntil(now)));
  if (!r.ok()) return r.status();
  std::vector<StoredFinding> due(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) PgReadFinding(r.value(), i, 0, &due[static_cast<size_t>(i)]);
  const lifecycle::Plan plan = lifecycle::Expire(due, now, scan_id);
  s = ApplyPlan(plan, 0, due, lifecycle::Place{});
  if (s.ok()) s = Flush();
  if (!s.ok()) return s;
  if (!plan.empty()) folders_.clear();
  return static_cast<uint64_t>(plan.size());
}

Result<std::unique_ptr<Store>> OpenPgStore(const std::string& uri, const OpenOptions& options) {
  auto conn = pg::Conn::Open(uri);
  if (!conn.ok()) return conn.status();
  Status s = PgMigrate(conn.value());
  if (!s.ok()) return s;
  std::string node = options.node.empty() ? HostName() : options.node;
  return std::unique_ptr<Store>(
      std::make_unique<PgStore>(uri, std::move(conn.value()), std::move(node)));
}

}  // namespace custos::inventory
