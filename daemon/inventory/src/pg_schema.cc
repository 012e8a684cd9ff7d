// The PostgreSQL inventory's schema and its forward-only migrations. The table
// custos_meta holds the number of migrations applied ('schema_version'); all that are
// missing run in one transaction under an advisory lock, so that nodes starting at
// once migrate a database exactly once. A database newer than this program is refused,
// never touched.
//
// Integers are bigint, strings from outside (paths, names, reasons, notes, policy
// texts) bytea: any bytes round-trip whatever the database's encoding. Folders belong
// to a node; items belong to a folder; scans to a node.
#include <array>
#include <string>

#include "pg_store.h"

namespace custos::inventory {
namespace {

// Any constant: the advisory lock key of schema changes ('cust' 'sche').
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(1668641652, 1935894629)";

// Migration N (1-based) brings the schema from version N-1 to N. Never edit a migration
// that has shipped: add a new one.
constexpr std::array<const char*, 2> kPgMigrations = {
    // 1: the first schema.
    R"sql(
CREATE TABLE scans (
  id         bigserial PRIMARY KEY,
  node       text NOT NULL,
  started    bigint NOT NULL,
  now        bigint NOT NULL,
  finished   bigint,
  state      text NOT NULL CHECK (state IN ('running', 'complete', 'failed', 'interrupted')),
  roots      bytea NOT NULL,
  items      bigint NOT NULL DEFAULT 0,
  read       bigint NOT NULL DEFAULT 0,
  reused     bigint NOT NULL DEFAULT 0,
  skipped    bigint NOT NULL DEFAULT 0,
  violations bigint NOT NULL DEFAULT 0,
  deleted    bigint NOT NULL DEFAULT 0
);
CREATE INDEX scans_node_state ON scans (node, state, id);
CREATE INDEX scans_now ON scans (now);

CREATE TABLE policies (
  id          bytea PRIMARY KEY,
  description bytea NOT NULL,
  refs        bytea NOT NULL,
  severity    text NOT NULL,
  updated     bigint NOT NULL
);

CREATE TABLE content_keys (
  id  bigserial PRIMARY KEY,
  key bytea NOT NULL UNIQUE
);

CREATE TABLE dirs (
  id   bigserial PRIMARY KEY,
  node text NOT NULL,
  path bytea NOT NULL,
  UNIQUE (node, path)
);

CREATE TABLE items (
  id           bigserial PRIMARY KEY,
  dir          bigint NOT NULL REFERENCES dirs (id),
  name         bytea NOT NULL,
  dev          bigint NOT NULL,
  ino          bigint NOT NULL,
  size         bigint NOT NULL,
  mtime        bigint NOT NULL,
  ctime        bigint NOT NULL,
  mode         bigint NOT NULL,
  uid          bigint NOT NULL,
  gid          bigint NOT NULL,
  owner        bytea NOT NULL,
  grp          bytea NOT NULL,
  mime         bytea NOT NULL,
  category     bigint NOT NULL,
  content_date bigint,
  content_key  bigint REFERENCES content_keys (id),
  state        bigint NOT NULL,
  reason       bytea NOT NULL,
  acl          bytea,
  ndet         bigint NOT NULL,
  first_seen   bigint NOT NULL,
  last_read    bigint NOT NULL,
  last_scan    bigint NOT NULL,
  deleted_at   bigint,
  UNIQUE (dir, name) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX items_inode ON items (dev, ino);
CREATE INDEX items_coverage ON items (state, reason) WHERE state <> 0;

CREATE TABLE detections (
  item     bigint NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  detector bytea NOT NULL,
  count    bigint NOT NULL,
  masked   bytea NOT NULL,
  hashes   bytea NOT NULL,
  PRIMARY KEY (item, detector)
);

CREATE TABLE findings (
  id               bigserial PRIMARY KEY,
  policy           bytea NOT NULL,
  item             bigint NOT NULL REFERENCES items (id) DEFERRABLE INITIALLY DEFERRED,
  kind             text NOT NULL,
  severity         text NOT NULL,
  reason           bytea NOT NULL,
  status           text NOT NULL
                   CHECK (status IN ('new', 'open', 'acknowledged', 'excepted', 'resolved')),
  first_seen       bigint NOT NULL,
  last_seen        bigint NOT NULL,
  first_scan       bigint NOT NULL,
  last_scan        bigint NOT NULL,
  status_changed   bigint NOT NULL,
  notes            bytea NOT NULL DEFAULT '',
  exception_reason bytea,
  exception_until  bigint,
  resolved_at      bigint,
  pinned           boolean NOT NULL DEFAULT false,
  UNIQUE (policy, item, kind)
);
CREATE INDEX findings_item ON findings (item);
CREATE INDEX findings_status ON findings (status);

CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  finding     bigint NOT NULL REFERENCES findings (id) DEFERRABLE INITIALLY DEFERRED,
  at          bigint NOT NULL,
  scan        bigint,
  from_status text,
  to_status   text NOT NULL,
  note        bytea NOT NULL DEFAULT '',
  by_name     bytea,
  by_uid      bigint
);
CREATE INDEX events_finding ON events (finding);
CREATE INDEX events_at ON events (at);
)sql",
    // 2: what each scan's walk left out on purpose, counted (the report's coverage):
    // entries pruned by an exclude glob, symbolic links not followed, mount points not
    // entered. 0 for the scans before.
    R"sql(
ALTER TABLE scans ADD COLUMN excluded bigint NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN links_not_followed bigint NOT NULL DEFAULT 0;
ALTER TABLE scans ADD COLUMN other_filesystems bigint NOT NULL DEFAULT 0;
)sql",
};

}  // namespace

Status PgMigrate(const pg::Conn& conn) {
  pg::PgTxn txn(conn);
  Status s = txn.Begin();
  if (!s.ok()) return s;
  s = conn.Run(kSchemaLock);
  if (!s.ok()) return s;
  s = conn.Run(
      "CREATE TABLE IF NOT EXISTS custos_meta (key text PRIMARY KEY, value bytea NOT NULL)");
  if (!s.ok()) return s;
  auto v = conn.Exec(
      "SELECT convert_from(value, 'UTF8')::bigint FROM custos_meta WHERE key = "
      "'schema_version'");
  if (!v.ok()) return v.status();
  const int64_t version = v->rows() > 0 ? v->Int(0, 0) : 0;
  const auto latest = static_cast<int64_t>(kPgMigrations.size());
  if (version > latest) {
    return Status::Invalid(conn.where() + ": inventory schema version " + std::to_string(version) +
                           " is newer than this custos understands (" + std::to_string(latest) +
                           ")");
  }
  if (version == latest) return Status::Ok();  // rolled back: nothing written
  if (version == 0) {
    // A database that already holds tables of the same names is not ours.
    auto taken = conn.Exec(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN "
        "('scans', 'items', 'findings', 'events', 'dirs')");
    if (!taken.ok()) return taken.status();
    if (taken->Int(0, 0) != 0) {
      return Status::Invalid(conn.where() +
                             ": not a custos inventory (it has tables of its own named like "
                             "custos's)");
    }
  }
  for (int64_t m = version; m < latest; ++m) {
    s = conn.Run(kPgMigrations[static_cast<size_t>(m)]);
    if (!s.ok()) return s;
  }
  auto set = conn.Exec(
      "INSERT INTO custos_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO "
      "UPDATE SET value = excluded.value",
      pg::Params().Bytes(std::to_string(latest)));
  if (!set.ok()) return set.status();
  return txn.Commit();
}

}  // namespace custos::inventory
