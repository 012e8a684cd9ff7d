#include "sightings.h"

#include <algorithm>

#include "codec.h"

namespace custos::inventory {
bool RootHolds(std::string_view root, std::string_view dir, std::string_view name) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (root == "/") return !dir.empty() && dir[0] == '/';
  std::string_view d = dir;
  while (d.size() > 1 && d.back() == '/') d.remove_suffix(1);
  if (d.size() >= root.size() && d.compare(0, root.size(), root) == 0) {
    // The folder is the root or below it.
    if (d.size() == root.size() || d[root.size()] == '/') return true;
  }
  // The root is the file itself: dir + "/" + name, or "/" + name.
  const size_t sep = d == "/" ? 0 : 1;
  return root.size() == d.size() + sep + name.size() && root.compare(0, d.size(), d) == 0 &&
         (sep == 0 || root[d.size()] == '/') && root.substr(d.size() + sep) == name;
}

Result<Sightings> Sightings::Load(const sql::Db& db) {
  int64_t after = 0;
  {
    auto st = sql::Stmt::Prepare(db, "SELECT value FROM meta WHERE key = 'sightings_after'");
    if (!st.ok()) return st.status();
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (*row) after = st->Int(0);
  }
  auto st = sql::Stmt::Prepare(
      db, "SELECT id, now, roots FROM scans WHERE state = 'complete' AND id > ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, after);
  Sightings out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.Add(st->Int(0), st->Int(1), codec::UnpackStrings(st->View(2)));
  }
  return out;
}

void Sightings::Add(int64_t id, int64_t now, const std::vector<std::string>& roots) {
  last_id_ = std::max(last_id_, id);
  for (Group& g : groups_) {
    if (g.roots == roots) {
      g.scans.push_back({id, now});
      return;
    }
  }
  groups_.push_back({roots, {{id, now}}});
}

Sightings::Span Sightings::After(int64_t after, std::string_view dir, std::string_view name) const {
  Span out;
  if (after >= last_id_) return out;
  for (const Group& g : groups_) {
    if (g.scans.back().id <= after) continue;
    bool covered = false;
    for (const std::string& r : g.roots) covered = covered || RootHolds(r, dir, name);
    if (!covered) continue;
    auto first = std::upper_bound(g.scans.begin(), g.scans.end(), after,
                                  [](int64_t a, const Scan& s) { return a < s.id; });
    if (out.first.id == 0 || first->id < out.first.id) out.first = *first;
    if (g.scans.back().id > out.last.id) out.last = g.scans.back();
  }
  return out;
}

SeenFinding Derive(const StoredFinding& f, const Sightings& sightings, std::string_view dir,
                   std::string_view name) {
  SeenFinding out;
  out.status = f.status;
  out.last_scan = f.last_scan;
  out.last_seen = f.last_seen;
  if (f.pinned || f.status == FindingStatus::kResolved) return out;
  const Sightings::Span span = sightings.After(f.last_scan, dir, name);
  if (span.first.id == 0) return out;
  out.last_scan = span.last.id;
  out.last_seen = std::max(f.last_seen, span.last.now);
  if (f.status == FindingStatus::kNew) {
    out.status = FindingStatus::kOpen;
    out.opened = span.first;
  }
  return out;
}

}  // namespace custos::inventory
