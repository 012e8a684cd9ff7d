// A node's inventory written whole into the PostgreSQL database (copy.h), in one
// transaction: rows go in a batch at a time as multi-row statements over arrays (hex for
// bytes, as the scan's writer sends them), ids reserved from the sequences in blocks,
// folders and content keys interned a batch at a time.
#include <string>
#include <unordered_map>
#include <utility>

#include "codec.h"
#include "custos/inventory/copy.h"
#include "pg_store.h"

namespace custos::inventory {

using pg::Params;
using pg::Query;

namespace {

std::string Num(int64_t v) { return std::to_string(v); }
std::string NumOrNull(int64_t v) { return v != 0 ? std::to_string(v) : "NULL"; }
std::string U(uint64_t v) { return std::to_string(static_cast<int64_t>(v)); }

Params Arrays(const std::vector<std::vector<std::string>>& columns, Params p = Params()) {
  for (const auto& c : columns) p.Text(pg::ArrayLiteral(c));
  return p;
}

// Text columns arrive as hex too (any byte of a reason or note round-trips as sent).
constexpr const char* kText = "convert_from(decode(%, 'hex'), 'UTF8')";
std::string AsText(const std::string& col) {
  std::string s = kText;
  return s.replace(s.find('%'), 1, col);
}

}  // namespace

class PgImport : public InventoryImport {
 public:
  explicit PgImport(PgStore& store) : s_(store), txn_(store.conn_) {}
  Status Begin() { return txn_.Begin(); }

  const std::string& node() const override { return s_.node_; }

  Result<InventoryCounts> Existing() override {
    auto r = s_.conn_.Exec(
        "WITH i AS (SELECT i.id FROM items i JOIN dirs d ON d.id = i.dir WHERE d.node = $1), f "
        "AS (SELECT f.id FROM findings f JOIN i ON i.id = f.item) SELECT (SELECT count(*) FROM "
        "scans WHERE node = $1), (SELECT count(*) FROM i), (SELECT count(*) FROM f), (SELECT "
        "count(*) FROM events e JOIN f ON f.id = e.finding)",
        Params().Bytes(s_.node_));
    if (!r.ok()) return r.status();
    InventoryCounts c;
    c.scans = static_cast<uint64_t>(r->Int(0, 0));
    c.items = static_cast<uint64_t>(r->Int(0, 1));
    c.findings = static_cast<uint64_t>(r->Int(0, 2));
    c.events = static_cast<uint64_t>(r->Int(0, 3));
    return c;
  }

  Status RemoveNode() override {
    const std::string items =
        "SELECT i.id FROM items i JOIN dirs d ON d.id = i.dir WHERE d.node = $1";
    std::vector<Query> q;
    q.push_back({"DELETE FROM events WHERE finding IN (SELECT id FROM findings WHERE item IN (" +
                     items + "))",
                 Params().Bytes(s_.node_)});
    q.push_back({"DELETE FROM findings WHERE item IN (" + items + ")", Params().Bytes(s_.node_)});
    q.push_back({"DELETE FROM items WHERE id IN (" + items + ")", Params().Bytes(s_.node_)});
    q.push_back({"DELETE FROM dirs WHERE node = $1", Params().Bytes(s_.node_)});
    q.push_back({"DELETE FROM scans WHERE node = $1", Params().Bytes(s_.node_)});
    auto r = s_.conn_.Pipeline(q);
    return r.ok() ? Status::Ok() : r.status();
  }

  Result<int64_t> AddScan(const ScanRecord& scan) override {
    const ScanTotals& t = scan.totals;
    auto r = s_.conn_.Exec(
        "INSERT INTO scans (node, started, now, finished, state, roots, items, read, reused, "
        "skipped, violations, deleted, excluded, links_not_followed, other_filesystems) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        Params()
            .Bytes(s_.node_)
            .Int(scan.started)
            .Int(scan.now)
            .IntOrNull(scan.finished)
            .Bytes(ScanStateName(scan.state))
            .Bytes(codec::PackStrings(scan.roots))
            .Int(static_cast<int64_t>(t.items))
            .Int(static_cast<int64_t>(t.read))
            .Int(static_cast<int64_t>(t.reused))
            .Int(static_cast<int64_t>(t.skipped))
            .Int(static_cast<int64_t>(t.violations))
            .Int(static_cast<int64_t>(t.deleted))
            .Int(static_cast<int64_t>(t.excluded))
            .Int(static_cast<int64_t>(t.links_not_followed))
            .Int(static_cast<int64_t>(t.other_filesystems)));
    if (!r.ok()) return r.status();
    return r->Int(0, 0);
  }

  Status AddPolicies(const std::vector<CopiedPolicy>& policies) override {
    std::vector<Query> q;
    for (const CopiedPolicy& p : policies) {
      q.push_back(
          {"INSERT INTO policies (id, description, refs, severity, updated) VALUES ($1, $2, $3, "
           "$4, $5) ON CONFLICT (id) DO UPDATE SET description = excluded.description, refs = "
           "excluded.refs, severity = excluded.severity, updated = excluded.updated WHERE "
           "policies.updated < excluded.updated",
           Params()
               .Bytes(p.policy.id)
               .Bytes(p.policy.description)
               .Bytes(codec::PackStrings(p.policy.references))
               .Bytes(p.policy.severity)
               .Int(p.updated)});
    }
    if (q.empty()) return Status::Ok();
    auto r = s_.conn_.Pipeline(q);
    return r.ok() ? Status::Ok() : r.status();
  }

  Result<std::vector<int64_t>> AddItems(const std::vector<CopiedItem>& items) override {
    std::vector<std::string> dirs, keys;
    for (const CopiedItem& c : items) {
      if (!dirs_.count(c.dir)) dirs.push_back(c.dir);
      if (!c.stored.content_key.empty() && !keys_.count(c.stored.content_key)) {
        keys.push_back(c.stored.content_key);
      }
    }
    Status s = Intern(dirs, true);
    if (s.ok()) s = Intern(keys, false);
    if (!s.ok()) return s;
    auto ids = Reserve("items_id_seq", items.size());
    if (!ids.ok()) return ids;
    std::vector<std::vector<std::string>> cols(25), dets(5);
    for (size_t k = 0; k < items.size(); ++k) {
      const CopiedItem& c = items[k];
      const Item& it = c.stored.item;
      const std::string id = Num((*ids)[k]);
      const std::string& key = c.stored.content_key;
      size_t n = 0;
      for (std::string v : {id,
                            Num(dirs_[c.dir]),
                            pg::Hex(c.stored.name),
                            U(it.info.dev),
                            U(it.info.ino),
                            U(it.info.size),
                            Num(it.info.mtime),
                            Num(it.info.ctime),
                            Num(it.info.mode),
                            Num(it.info.uid),
                            Num(it.info.gid),
                            pg::Hex(it.owner),
                            pg::Hex(it.group),
                            pg::Hex(it.mime),
                            Num(static_cast<int64_t>(it.category)),
                            it.content_date ? Num(*it.content_date) : "NULL",
                            key.empty() ? "NULL" : Num(keys_[key]),
                            Num(static_cast<int64_t>(c.stored.state)),
                            pg::Hex(it.skipped.Text()),
                            it.acl.empty() ? "NULL" : pg::Hex(codec::PackAcl(it.acl)),
                            Num(static_cast<int64_t>(it.detections.size())),
                            Num(c.first_seen),
                            Num(c.last_read),
                            Num(c.last_scan),
                            NumOrNull(c.stored.deleted_at)}) {
        cols[n++].push_back(std::move(v));
      }
      for (const Detection& d : it.detections) {
        dets[0].push_back(id);
        dets[1].push_back(pg::Hex(d.detector));
        dets[2].push_back(U(d.count));
        dets[3].push_back(pg::Hex(codec::PackStrings(d.masked)));
        dets[4].push_back(pg::Hex(codec::PackHexList(d.hashes)));
      }
    }
    std::vector<Query> q;
    q.push_back(
        {"INSERT INTO items (id, dir, name, dev, ino, size, mtime, ctime, mode, uid, gid, owner, "
         "grp, mime, category, content_date, content_key, state, reason, acl, ndet, first_seen, "
         "last_read, last_scan, deleted_at) SELECT id, dir, decode(name, 'hex'), dev, ino, size, "
         "mtime, ctime, mode, uid, gid, decode(owner, 'hex'), decode(grp, 'hex'), decode(mime, "
         "'hex'), category, content_date, content_key, state, decode(reason, 'hex'), decode(acl, "
         "'hex'), ndet, first_seen, last_read, last_scan, deleted_at FROM unnest($1::bigint[], "
         "$2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], "
         "$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], "
         "$14::text[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::text[], "
         "$20::text[], $21::bigint[], $22::bigint[], $23::bigint[], $24::bigint[], "
         "$25::bigint[]) AS u(id, dir, name, dev, ino, size, mtime, ctime, mode, uid, gid, owner, "
         "grp, mime, category, content_date, content_key, state, reason, acl, ndet, first_seen, "
         "last_read, last_scan, deleted_at)",
         Arrays(cols)});
    if (!dets[0].empty()) {
      q.push_back(
          {"INSERT INTO detections (item, detector, count, masked, hashes) SELECT item, "
           "decode(det, 'hex'), count, decode(masked, 'hex'), decode(hashes, 'hex') FROM "
           "unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS u(item, "
           "det, count, masked, hashes)",
           Arrays(dets)});
    }
    auto r = s_.conn_.Pipeline(q);
    if (!r.ok()) return r.status();
    return ids;
  }

  Result<std::vector<int64_t>> AddFindings(const std::vector<CopiedFinding>& findings) override {
    auto ids = Reserve("findings_id_seq", findings.size());
    if (!ids.ok()) return ids;
    std::vector<std::vector<std::string>> cols(17);
    for (size_t k = 0; k < findings.size(); ++k) {
      const CopiedFinding& c = findings[k];
      const StoredFinding& f = c.finding;
      size_t n = 0;
      for (std::string v :
           {Num((*ids)[k]), pg::Hex(f.policy), Num(c.item_id), pg::Hex(f.kind), pg::Hex(f.severity),
            pg::Hex(f.reason), pg::Hex(StatusName(f.status)), Num(c.first_seen), Num(f.last_seen),
            Num(c.first_scan), Num(f.last_scan), Num(c.status_changed), pg::Hex(f.notes),
            f.exception_reason.empty() ? "NULL" : pg::Hex(f.exception_reason),
            NumOrNull(f.exception_until), NumOrNull(c.resolved_at),
            std::string(f.pinned ? "t" : "f")}) {
        cols[n++].push_back(std::move(v));
      }
    }
    auto r = s_.conn_.Exec(
        "INSERT INTO findings (id, policy, item, kind, severity, reason, status, first_seen, "
        "last_seen, first_scan, last_scan, status_changed, notes, exception_reason, "
        "exception_until, resolved_at, pinned) SELECT id, decode(policy, 'hex'), item, " +
            AsText("kind") + ", " + AsText("severity") + ", decode(reason, 'hex'), " +
            AsText("status") +
            ", first_seen, last_seen, first_scan, last_scan, status_changed, decode(notes, "
            "'hex'), decode(exc, 'hex'), until, resolved, pinned FROM unnest($1::bigint[], "
            "$2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], "
            "$8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], "
            "$13::text[], $14::text[], $15::bigint[], $16::bigint[], $17::boolean[]) AS u(id, "
            "policy, item, kind, severity, reason, status, first_seen, last_seen, first_scan, "
            "last_scan, status_changed, notes, exc, until, resolved, pinned)",
        Arrays(cols));
    if (!r.ok()) return r.status();
    return ids;
  }

  Status AddEvents(const std::vector<FindingEvent>& events) override {
    std::vector<std::vector<std::string>> cols(8);
    for (const FindingEvent& e : events) {
      size_t n = 0;
      for (std::string v :
           {Num(e.finding_id), Num(e.at), NumOrNull(e.scan_id),
            e.from ? pg::Hex(StatusName(*e.from)) : "NULL", pg::Hex(StatusName(e.to)),
            pg::Hex(e.note), e.by.IsSystem() ? "NULL" : pg::Hex(e.by.name),
            e.by.IsSystem() ? "NULL" : Num(e.by.uid)}) {
        cols[n++].push_back(std::move(v));
      }
    }
    // In their order: the ids keep the source's order of events at the same time.
    auto r = s_.conn_.Exec(
        "INSERT INTO events (finding, at, scan, from_status, to_status, note, by_name, by_uid) "
        "SELECT finding, at, scan, " +
            AsText("from_s") + ", " + AsText("to_s") +
            ", decode(note, 'hex'), decode(by_name, 'hex'), by_uid FROM unnest($1::bigint[], "
            "$2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], "
            "$8::bigint[]) WITH ORDINALITY AS u(finding, at, scan, from_s, to_s, note, by_name, "
            "by_uid, n) ORDER BY n",
        Arrays(cols));
    return r.ok() ? Status::Ok() : r.status();
  }

  Status Commit() override { return txn_.Commit(); }

 private:
  // `count` ids of `sequence`, ascending.
  Result<std::vector<int64_t>> Reserve(const char* sequence, size_t count) {
    auto r = s_.conn_.Exec(
        std::string("SELECT nextval('") + sequence + "') FROM generate_series(1, $1) ORDER BY 1",
        Params().Int(static_cast<int64_t>(count)));
    if (!r.ok()) return r.status();
    std::vector<int64_t> ids;
    for (int i = 0; i < r->rows(); ++i) ids.push_back(r->Int(i, 0));
    return ids;
  }

  // The ids of folders of the node (`dirs`) or of content keys, made when missing.
  Status Intern(const std::vector<std::string>& values, bool dirs) {
    if (values.empty()) return Status::Ok();
    std::vector<std::string> hex;
    for (const std::string& v : values) hex.push_back(pg::Hex(v));
    const std::string array = pg::ArrayLiteral(hex);
    auto r =
        dirs ? s_.conn_.Exec(
                   "WITH p AS (SELECT DISTINCT decode(x, 'hex') AS v FROM unnest($2::text[]) x), "
                   "ins AS (INSERT INTO dirs (node, path) SELECT $1, v FROM p ON CONFLICT (node, "
                   "path) DO NOTHING RETURNING id, path) SELECT id, path FROM ins UNION ALL "
                   "SELECT d.id, d.path FROM dirs d JOIN p ON d.path = p.v WHERE d.node = $1",
                   Params().Bytes(s_.node_).Text(array))
             : s_.conn_.Exec(
                   "WITH p AS (SELECT DISTINCT decode(x, 'hex') AS v FROM unnest($1::text[]) x), "
                   "ins AS (INSERT INTO content_keys (key) SELECT v FROM p ON CONFLICT (key) DO "
                   "NOTHING RETURNING id, key) SELECT id, key FROM ins UNION ALL SELECT k.id, "
                   "k.key FROM content_keys k JOIN p ON k.key = p.v",
                   Params().Text(array));
    if (!r.ok()) return r.status();
    auto& ids = dirs ? dirs_ : keys_;
    for (int i = 0; i < r->rows(); ++i) ids[r->Text(i, 1)] = r->Int(i, 0);
    for (const std::string& v : values) {
      if (!ids.count(v)) return Status::Io(s_.conn_.where() + ": a folder or content key vanished");
    }
    return Status::Ok();
  }

  PgStore& s_;
  pg::PgTxn txn_;
  std::unordered_map<std::string, int64_t> dirs_, keys_;
};

Result<std::unique_ptr<InventoryImport>> PgStore::Import() {
  auto i = std::make_unique<PgImport>(*this);
  Status s = i->Begin();
  if (!s.ok()) return s;
  return std::unique_ptr<InventoryImport>(std::move(i));
}

}  // namespace custos::inventory
