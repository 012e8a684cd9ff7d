// The inventory schema and its forward-only migrations. PRAGMA user_version holds the
// number of migrations applied; each migration runs in its own transaction. A file
// with a higher version than this program knows is refused, never touched.
#include "schema.h"

#include <array>
#include <string>

namespace custos::inventory {
namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Never edit a
// migration that has shipped: add a new one.
constexpr std::array<const char*, 5> kMigrations = {
    // 1: the first schema.
    R"sql(
PRAGMA application_id = 1668641652;  -- 'cust'
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE scans (
  id         INTEGER PRIMARY KEY,
  started    INTEGER NOT NULL,  -- wall clock, Unix seconds
  now        INTEGER NOT NULL,  -- judgement time (--now)
  finished   INTEGER,
  state      TEXT NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'interrupted')),
  roots      BLOB NOT NULL,     -- packed list of absolute paths
  items      INTEGER NOT NULL DEFAULT 0,
  read       INTEGER NOT NULL DEFAULT 0,
  reused     INTEGER NOT NULL DEFAULT 0,
  skipped    INTEGER NOT NULL DEFAULT 0,
  violations INTEGER NOT NULL DEFAULT 0,
  deleted    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE policies (
  id          TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  refs        BLOB NOT NULL,    -- packed list
  severity    TEXT NOT NULL,
  updated     INTEGER NOT NULL
) WITHOUT ROWID;

-- Detector/extraction versions that stored results depend on, interned.
CREATE TABLE content_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

-- Folders, so that an item stores a small folder id and its name, not its full path.
CREATE TABLE dirs (
  id   INTEGER PRIMARY KEY,
  path BLOB NOT NULL UNIQUE     -- raw bytes
);

CREATE TABLE items (
  id           INTEGER PRIMARY KEY,
  dir          INTEGER NOT NULL REFERENCES dirs (id),
  name         BLOB NOT NULL,   -- raw bytes
  dev          INTEGER NOT NULL,
  ino          INTEGER NOT NULL,
  size         INTEGER NOT NULL,
  mtime        INTEGER NOT NULL,
  ctime        INTEGER NOT NULL,
  mode         INTEGER NOT NULL,
  uid          INTEGER NOT NULL,
  gid          INTEGER NOT NULL,
  owner        TEXT NOT NULL,
  grp          TEXT NOT NULL,
  mime         TEXT NOT NULL,
  category     INTEGER NOT NULL,  -- custos::Category
  content_date INTEGER,
  content_key  INTEGER REFERENCES content_keys (id),  -- NULL: read again next time
  state        INTEGER NOT NULL,  -- 0 complete, 1 partial, 2 skipped
  reason       TEXT NOT NULL,     -- skip or partial reason
  acl          BLOB,              -- packed extended ACL entries
  ndet         INTEGER NOT NULL,  -- number of detections rows
  first_seen   INTEGER NOT NULL,
  last_read    INTEGER NOT NULL,
  last_scan    INTEGER NOT NULL,  -- scan that last wrote the record
  deleted_at   INTEGER,
  UNIQUE (dir, name)
);
CREATE INDEX items_inode ON items (dev, ino);
CREATE INDEX items_coverage ON items (state, reason) WHERE state != 0;

-- Counts, masked samples and keyed hashes; never a raw value.
CREATE TABLE detections (
  item     INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  detector TEXT NOT NULL,
  count    INTEGER NOT NULL,
  masked   BLOB NOT NULL,       -- packed list
  hashes   BLOB NOT NULL,       -- packed list of hash bytes
  PRIMARY KEY (item, detector)
) WITHOUT ROWID;

CREATE TABLE findings (
  id               INTEGER PRIMARY KEY,
  policy           TEXT NOT NULL,
  item             INTEGER NOT NULL REFERENCES items (id),
  kind             TEXT NOT NULL,
  severity         TEXT NOT NULL,
  reason           TEXT NOT NULL,
  status           TEXT NOT NULL
                   CHECK (status IN ('new', 'open', 'acknowledged', 'excepted', 'resolved')),
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,
  first_scan       INTEGER NOT NULL,
  last_scan        INTEGER NOT NULL,
  status_changed   INTEGER NOT NULL,
  notes            TEXT NOT NULL DEFAULT '',
  exception_reason TEXT,
  exception_until  INTEGER,
  resolved_at      INTEGER,
  UNIQUE (policy, item, kind)
);
CREATE INDEX findings_item ON findings (item);
CREATE INDEX findings_status ON findings (status);

-- Every change of a finding's status, and reviewer notes: the history a DPO can
-- audit, and the source of the week-by-week figures.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  finding     INTEGER NOT NULL REFERENCES findings (id),
  at          INTEGER NOT NULL,
  scan        INTEGER,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_finding ON events (finding);
CREATE INDEX events_at ON events (at);
)sql",

    // 2: (a) findings.status checked with comparisons: SQLite codes the CHECK's
    // five-value IN list as a temporary b-tree built on every insert and update of a
    // finding, some 50,000 instructions each. The table is rebuilt (SQLite cannot alter
    // a CHECK), keeping every row and id.
    // (b) A folder's records, detections and findings in one row (folder_blob.h), so
    // that an incremental scan reads one value per unchanged folder. Derived data: any
    // change to a row it summarises drops it, whoever makes the change (triggers); a
    // scan writes it again for a folder it found unchanged.
    R"sql(
CREATE TABLE findings_v2 (
  id               INTEGER PRIMARY KEY,
  policy           TEXT NOT NULL,
  item             INTEGER NOT NULL REFERENCES items (id),
  kind             TEXT NOT NULL,
  severity         TEXT NOT NULL,
  reason           TEXT NOT NULL,
  status           TEXT NOT NULL
                   CHECK (status = 'new' OR status = 'open' OR status = 'acknowledged' OR
                          status = 'excepted' OR status = 'resolved'),
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,
  first_scan       INTEGER NOT NULL,
  last_scan        INTEGER NOT NULL,
  status_changed   INTEGER NOT NULL,
  notes            TEXT NOT NULL DEFAULT '',
  exception_reason TEXT,
  exception_until  INTEGER,
  resolved_at      INTEGER,
  UNIQUE (policy, item, kind)
);
INSERT INTO findings_v2 (id, policy, item, kind, severity, reason, status, first_seen,
                         last_seen, first_scan, last_scan, status_changed, notes,
                         exception_reason, exception_until, resolved_at)
  SELECT id, policy, item, kind, severity, reason, status, first_seen, last_seen, first_scan,
         last_scan, status_changed, notes, exception_reason, exception_until, resolved_at
  FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v2 RENAME TO findings;
CREATE INDEX findings_item ON findings (item);
CREATE INDEX findings_status ON findings (status);

CREATE TABLE folder_cache (
  dir  INTEGER PRIMARY KEY REFERENCES dirs (id),
  data BLOB NOT NULL
);
-- Each trigger deletes by the folder's id alone (one row lookup); a row moved to
-- another item or folder drops the old one's too.
CREATE TRIGGER folder_cache_item_insert AFTER INSERT ON items BEGIN
  DELETE FROM folder_cache WHERE dir = NEW.dir;
END;
CREATE TRIGGER folder_cache_item_update AFTER UPDATE ON items BEGIN
  DELETE FROM folder_cache WHERE dir = NEW.dir;
END;
CREATE TRIGGER folder_cache_item_move AFTER UPDATE OF dir ON items WHEN OLD.dir != NEW.dir BEGIN
  DELETE FROM folder_cache WHERE dir = OLD.dir;
END;
CREATE TRIGGER folder_cache_item_delete AFTER DELETE ON items BEGIN
  DELETE FROM folder_cache WHERE dir = OLD.dir;
END;
CREATE TRIGGER folder_cache_detection_insert AFTER INSERT ON detections BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = NEW.item);
END;
CREATE TRIGGER folder_cache_detection_update AFTER UPDATE ON detections BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = NEW.item);
END;
CREATE TRIGGER folder_cache_detection_move AFTER UPDATE OF item ON detections
WHEN OLD.item != NEW.item BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = OLD.item);
END;
CREATE TRIGGER folder_cache_detection_delete AFTER DELETE ON detections BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = OLD.item);
END;
CREATE TRIGGER folder_cache_finding_insert AFTER INSERT ON findings BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = NEW.item);
END;
CREATE TRIGGER folder_cache_finding_update AFTER UPDATE ON findings BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = NEW.item);
END;
CREATE TRIGGER folder_cache_finding_move AFTER UPDATE OF item ON findings
WHEN OLD.item != NEW.item BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = OLD.item);
END;
CREATE TRIGGER folder_cache_finding_delete AFTER DELETE ON findings BEGIN
  DELETE FROM folder_cache WHERE dir = (SELECT dir FROM items WHERE id = OLD.item);
END;
)sql",
    // 3: a finding's last sighting and its move from new to open follow from the
    // complete scans that covered its file (lifecycle.h: Sightings), instead of being written for
    // every finding by every scan. `pinned` marks a finding some scan covered without
    // confirming it (its file unreadable, partly read, out of sight, or moved): its
    // stored last_seen, last_scan and status are the whole truth until a scan confirms it
    // again. Scans up to this migration confirmed findings by writing them, so only later
    // ones count ('sightings_after'). The folder_cache rows have a new encoding.
    R"sql(
ALTER TABLE findings ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0
  CHECK (pinned = 0 OR pinned = 1);
INSERT OR REPLACE INTO meta (key, value)
  SELECT 'sightings_after', coalesce(max(id), 0) FROM scans;
DELETE FROM folder_cache;
)sql",
    // 4: every decision names who made it (GDPR Art. 5(2), accountability): the login
    // name and uid of the person, NULL for the system (a scan, an exception running out)
    // and for the events written before this migration.
    R"sql(
ALTER TABLE events ADD COLUMN by_name TEXT;
ALTER TABLE events ADD COLUMN by_uid INTEGER;
)sql",
    // 5: what each scan's walk left out on purpose, counted (the report's coverage):
    // entries pruned by an exclude glob, symbolic links not followed, mount points not
    // entered. 0 for the scans before.
    R"sql(
ALTER TABLE scans ADD COLUMN excluded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN links_not_followed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN other_filesystems INTEGER NOT NULL DEFAULT 0;
)sql",
};

// Applies the migrations after `version`, each in its own transaction. `version_st` is
// "PRAGMA user_version", prepared.
Status MigrateFrom(const sql::Db& db, int version, sql::Stmt& version_st) {
  sql::Stmt& st = version_st;
  for (int v = version; v < static_cast<int>(kMigrations.size()); ++v) {
    sql::Txn txn(db);
    Status s = txn.Begin();
    if (!s.ok()) return s;
    // Another process may have migrated meanwhile: look again inside the transaction.
    auto again = st.Step();
    if (!again.ok()) return again.status();
    const int64_t now_version = *again ? st.Int(0) : 0;
    st.Reset();
    if (now_version > v) continue;
    s = db.Exec(kMigrations[static_cast<size_t>(v)]);
    if (!s.ok()) return s;
    // Foreign keys are off during migrations: what they would have refused is refused here.
    auto fk = sql::Stmt::Prepare(db, "PRAGMA foreign_key_check");
    if (!fk.ok()) return fk.status();
    auto bad = fk->Step();
    if (!bad.ok()) return bad.status();
    if (*bad) {
      return Status::Invalid(db.path() + ": migration " + std::to_string(v + 1) +
                             " would break a reference (" + fk->Text(0) + ")");
    }
    fk->Reset();
    s = db.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (!s.ok()) return s;
    s = txn.Commit();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

int SchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(const sql::Db& db) {
  auto st = sql::Stmt::Prepare(db, "PRAGMA user_version");
  if (!st.ok()) return st.status();
  auto row = st->Step();
  if (!row.ok()) return row.status();
  const int64_t version = *row ? st->Int(0) : 0;
  st->Reset();
  if (version > SchemaVersion()) {
    return Status::Invalid(db.path() + ": inventory schema version " + std::to_string(version) +
                           " is newer than this custos understands (" +
                           std::to_string(SchemaVersion()) + ")");
  }
  if (version == SchemaVersion()) return Status::Ok();
  // A migration may rebuild a table that others refer to (SQLite's way to change a
  // table): foreign keys are off while it runs (they cannot change inside a
  // transaction), and checked before it commits.
  auto fk = sql::Stmt::Prepare(db, "PRAGMA foreign_keys");
  if (!fk.ok()) return fk.status();
  auto fk_row = fk->Step();
  if (!fk_row.ok()) return fk_row.status();
  const bool foreign_keys = *fk_row && fk->Int(0) != 0;
  fk->Reset();
  Status off = db.Exec("PRAGMA foreign_keys = OFF");
  if (!off.ok()) return off;
  Status s = MigrateFrom(db, static_cast<int>(version), *st);
  Status on = db.Exec(foreign_keys ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
  return s.ok() ? on : s;
}

}  // namespace custos::inventory
