// The SQLite inventory read whole, for copying it into another store (copy.h): every
// table in id order, a batch at a time, inside one read transaction (one state of the
// file, while scans and reviewers may go on writing).
#include <utility>

#include "custos/inventory/copy.h"
#include "sqlite_rows.h"
#include "sqlite_store.h"

namespace custos::inventory {

using sql::Stmt;

class SqliteExport : public InventoryExport {
 public:
  SqliteExport(SqliteStore& store) : store_(store), read_(store.db_) {}
  Status Begin() { return read_.Begin(); }

  Result<InventoryCounts> Counts() override {
    auto st = Stmt::Prepare(store_.db_,
                            "SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM items), "
                            "(SELECT count(*) FROM findings), (SELECT count(*) FROM events)");
    if (!st.ok()) return st.status();
    auto row = st->Step();
    if (!row.ok()) return row.status();
    InventoryCounts c;
    c.scans = static_cast<uint64_t>(st->Int(0));
    c.items = static_cast<uint64_t>(st->Int(1));
    c.findings = static_cast<uint64_t>(st->Int(2));
    c.events = static_cast<uint64_t>(st->Int(3));
    return c;
  }

  Result<std::vector<ScanRecord>> Scans() override {
    return store_.QueryScans("WHERE ?1 = ?1 ORDER BY id", 0);
  }

  Result<std::vector<CopiedPolicy>> Policies() override {
    auto st =
        Stmt::Prepare(store_.db_, "SELECT id, description, refs, severity, updated FROM policies");
    if (!st.ok()) return st.status();
    std::vector<CopiedPolicy> out;
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out.push_back(
          {{st->Text(0), st->Text(1), codec::UnpackStrings(st->View(2)), st->Text(3)}, st->Int(4)});
    }
    return out;
  }

  Result<int64_t> SightingsAfter() override {
    auto st = Stmt::Prepare(store_.db_, "SELECT value FROM meta WHERE key = 'sightings_after'");
    if (!st.ok()) return st.status();
    auto row = st->Step();
    if (!row.ok()) return row.status();
    return *row ? st->Int(0) : int64_t{0};
  }

  Status Items(size_t batch, const Take<CopiedItem>& take) override {
    auto items = Stmt::Prepare(
        store_.db_, std::string("SELECT ") + kItemColumns +
                        ", d.path, i.owner, i.grp, i.first_seen, i.last_read, i.last_scan, k.key "
                        "FROM items i JOIN dirs d ON d.id = i.dir LEFT JOIN content_keys k ON "
                        "k.id = i.content_key WHERE i.id > ?1 ORDER BY i.id LIMIT ?2");
    if (!items.ok()) return items.status();
    auto dets = Stmt::Prepare(store_.db_,
                              "SELECT item, detector, count, masked, hashes FROM detections WHERE "
                              "item BETWEEN ?1 AND ?2 ORDER BY item, detector");
    if (!dets.ok()) return dets.status();
    int64_t after = 0;
    while (true) {
      std::vector<CopiedItem> out;
      items->Bind(1, after).Bind(2, static_cast<int64_t>(batch));
      while (true) {
        auto row = items->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        CopiedItem& c = out.emplace_back();
        const Stmt& q = items.value();
        ReadItem(q, &c.stored, [&q](int64_t) { return q.Text(25); });
        c.stored.name = q.Text(1);
        c.dir = q.Text(19);
        c.stored.item.owner = q.Text(20);
        c.stored.item.group = q.Text(21);
        c.first_seen = q.Int(22);
        c.last_read = q.Int(23);
        c.last_scan = q.Int(24);
      }
      if (out.empty()) return Status::Ok();
      after = out.back().stored.id;
      // The batch's detections: one range of the primary key.
      dets->Bind(1, out.front().stored.id).Bind(2, after);
      size_t k = 0;
      while (true) {
        auto row = dets->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        const int64_t item = dets->Int(0);
        while (k < out.size() && out[k].stored.id < item) ++k;
        if (k < out.size() && out[k].stored.id == item) {
          out[k].stored.item.detections.push_back(ReadDetection(dets.value(), 1, true));
        }
      }
      Status s = take(out);
      if (!s.ok()) return s;
    }
  }

  Status Findings(size_t batch, const Take<CopiedFinding>& take) override {
    auto st = Stmt::Prepare(store_.db_, std::string("SELECT ") + kFindingColumns +
                                            ", f.item, f.first_seen, f.first_scan, "
                                            "f.status_changed, f.resolved_at FROM findings f "
                                            "WHERE f.id > ?1 ORDER BY f.id LIMIT ?2");
    if (!st.ok()) return st.status();
    int64_t after = 0;
    while (true) {
      std::vector<CopiedFinding> out;
      st->Bind(1, after).Bind(2, static_cast<int64_t>(batch));
      while (true) {
        auto row = st->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        CopiedFinding& c = out.emplace_back();
        const Stmt& q = st.value();
        ReadFinding(q, 0, &c.finding);
        c.item_id = q.Int(kFindingColumnCount);
        c.first_seen = q.Int(kFindingColumnCount + 1);
        c.first_scan = q.Int(kFindingColumnCount + 2);
        c.status_changed = q.Int(kFindingColumnCount + 3);
        c.resolved_at = q.IsNull(kFindingColumnCount + 4) ? 0 : q.Int(kFindingColumnCount + 4);
      }
      if (out.empty()) return Status::Ok();
      after = out.back().finding.id;
      Status s = take(out);
      if (!s.ok()) return s;
    }
  }

  Status Events(size_t batch, const Take<FindingEvent>& take) override {
    auto st = Stmt::Prepare(store_.db_,
                            "SELECT id, finding, at, scan, from_status, to_status, note, by_name, "
                            "by_uid FROM events WHERE id > ?1 ORDER BY id LIMIT ?2");
    if (!st.ok()) return st.status();
    int64_t after = 0;
    while (true) {
      std::vector<FindingEvent> out;
      st->Bind(1, after).Bind(2, static_cast<int64_t>(batch));
      while (true) {
        auto row = st->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        after = st->Int(0);
        FindingEvent& e = out.emplace_back();
        e.finding_id = st->Int(1);
        e.at = st->Int(2);
        e.scan_id = st->IsNull(3) ? 0 : st->Int(3);
        if (!st->IsNull(4)) e.from = StatusFromSql(st->View(4));
        e.to = StatusFromSql(st->View(5));
        e.note = st->Text(6);
        if (!st->IsNull(7)) {
          e.by.name = st->Text(7);
          e.by.uid = st->IsNull(8) ? -1 : st->Int(8);
        }
      }
      if (out.empty()) return Status::Ok();
      Status s = take(out);
      if (!s.ok()) return s;
    }
  }

 private:
  SqliteStore& store_;
  sql::ReadTxn read_;
};

Result<std::unique_ptr<InventoryExport>> SqliteStore::Export() {
  auto e = std::make_unique<SqliteExport>(*this);
  Status s = e->Begin();
  if (!s.ok()) return s;
  return std::unique_ptr<InventoryExport>(std::move(e));
}

}  // namespace custos::inventory
