#include "custos/inventory/lifecycle.h"

#include <algorithm>

#include "custos/base/path.h"
#include "custos/base/time.h"

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

bool FindingStands(const StoredFinding& f, const Violation& v, int64_t now) {
  return f.status != FindingStatus::kResolved && !f.pinned &&
         f.severity == SeverityName(v.severity) && f.reason == v.kept_reason() &&
         !(f.status == FindingStatus::kExcepted && ExceptionExpired(f.exception_until, now));
}

bool JudgementStands(const StoredItem& stored, const std::vector<Violation>& violations,
                     int64_t now) {
  size_t matched = 0;
  for (size_t k = 0; k < violations.size(); ++k) {
    const Violation& v = violations[k];
    bool repeated = false;  // one finding per (policy, kind): the first violation counts
    for (size_t j = 0; j < k && !repeated; ++j) {
      repeated = violations[j].policy == v.policy && violations[j].kind == v.kind;
    }
    if (repeated) continue;
    const StoredFinding* f = nullptr;
    for (const StoredFinding& c : stored.findings) {
      if (c.policy == v.policy && c.kind == ViolationKindName(v.kind)) f = &c;
    }
    if (f == nullptr || !FindingStands(*f, v, now)) return false;
    ++matched;
  }
  size_t resolved = 0;
  for (const StoredFinding& f : stored.findings) resolved += f.status == FindingStatus::kResolved;
  return matched + resolved == stored.findings.size();
}

namespace lifecycle {
namespace {

std::string Day(int64_t t) { return FormatIso8601(t).substr(0, 10); }

void Add(Plan& plan, size_t finding, StatusChange c) { plan.push_back({finding, std::move(c)}); }

// The writes that pin `f` (see Pin): its opening by an earlier complete scan first, as
// of that scan.
void AddPin(Plan& plan, size_t k, const StoredFinding& f, const Place& place) {
  if (f.pinned || f.status == FindingStatus::kResolved) return;
  const SeenFinding seen = Seen(f, place);
  if (seen.opened.id != 0) {
    Add(plan, k, Move(f, place, FindingStatus::kOpen, seen.opened.now, seen.opened.id, ""));
  }
  plan.push_back({k, Pin{seen.last_seen, seen.last_scan}});
}

FindingEvent Event(int64_t finding, int64_t at, int64_t scan_id, std::optional<FindingStatus> from,
                   FindingStatus to, std::string_view note) {
  FindingEvent e;
  e.finding_id = finding;
  e.at = at;
  e.scan_id = scan_id;
  e.from = from;
  e.to = to;
  e.note = std::string(note);
  return e;
}

}  // namespace

SeenFinding Seen(const StoredFinding& f, const Place& place) {
  if (place.sightings == nullptr) {
    SeenFinding out;
    out.status = f.status;
    out.last_scan = f.last_scan;
    out.last_seen = f.last_seen;
    return out;
  }
  return Derive(f, *place.sightings, place.dir, place.name);
}

StatusChange Move(const StoredFinding& f, const Place& place, FindingStatus to, int64_t now,
                  int64_t scan_id, std::string_view note) {
  const SeenFinding seen = Seen(f, place);
  StatusChange c;
  c.from = f.status;
  c.to = to;
  c.changed = seen.opened.id != 0 && to == FindingStatus::kOpen ? seen.opened.now : now;
  c.resolved_at = to == FindingStatus::kResolved ? now : 0;
  c.exception_reason = f.exception_reason;
  c.exception_until = f.exception_until;
  c.notes = f.notes;
  c.last_seen = seen.last_seen;
  c.last_scan = seen.last_scan;
  c.at = now;
  c.scan_id = scan_id;
  c.note = std::string(note);
  FindingStatus from = f.status;
  if (seen.opened.id != 0) {
    // Opened by an earlier complete scan: its event, as of that scan.
    c.events.push_back(Event(f.id, seen.opened.now, seen.opened.id, FindingStatus::kNew,
                             FindingStatus::kOpen, ""));
    if (to == FindingStatus::kOpen) return c;
    from = FindingStatus::kOpen;
  }
  c.events.push_back(Event(f.id, now, scan_id, from, to, note));
  return c;
}

void ApplyTo(const StatusChange& c, StoredFinding* f) {
  f->status = c.to;
  f->exception_reason = c.exception_reason;
  f->exception_until = c.exception_until;
  f->notes = c.notes;
  f->last_seen = std::max(f->last_seen, c.last_seen);
  f->last_scan = std::max(f->last_scan, c.last_scan);
}

std::optional<StatusChange> Retry(const StatusChange& failed, const StoredFinding& now_stored,
                                  const Place& place) {
  if (failed.to != FindingStatus::kResolved || now_stored.status == failed.to) return std::nullopt;
  StoredFinding f = now_stored;
  f.exception_reason = failed.exception_reason;
  f.exception_until = failed.exception_until;
  return Move(f, place, failed.to, failed.at, failed.scan_id, failed.note);
}

ItemState JudgedAs(const Item& item, bool content_judged) {
  const ItemState state = item.reused ? ItemState::kComplete : StateOf(item);
  return !content_judged && state == ItemState::kComplete ? ItemState::kPartial : state;
}

Plan Reconcile(const std::vector<StoredFinding>& findings, const std::vector<Violation>& violations,
               ItemState state, int64_t scan_id, int64_t now, const Place& place) {
  Plan plan;
  // (policy, kind) of the current violations; an item has a handful at most.
  std::vector<std::pair<std::string_view, std::string_view>> current;
  auto is_current = [&](std::string_view policy, std::string_view kind) {
    return std::find(current.begin(), current.end(), std::make_pair(policy, kind)) != current.end();
  };
  size_t created = 0;
  for (const Violation& v : violations) {
    const std::string_view kind = ViolationKindName(v.kind);
    if (is_current(v.policy, kind)) continue;  // one finding per key
    current.emplace_back(v.policy, kind);
    size_t at = findings.size();
    for (size_t k = 0; k < findings.size(); ++k) {
      if (findings[k].policy == v.policy && findings[k].kind == kind) at = k;
    }
    if (at == findings.size()) {
      plan.push_back({findings.size() + created++,
                      Create{v.policy, std::string(kind), std::string(SeverityName(v.severity)),
                             v.kept_reason(), now, scan_id}});
      continue;
    }
    const StoredFinding& seen = findings[at];
    if (seen.last_scan == scan_id && seen.status != FindingStatus::kResolved) continue;
    // Seen again unchanged: the scan's coverage says so, nothing to write.
    if (FindingStands(seen, v, now)) continue;
    const bool expired =
        seen.status == FindingStatus::kExcepted && ExceptionExpired(seen.exception_until, now);
    if (seen.status == FindingStatus::kResolved) {
      // Fixed once, broken again: it needs a reviewer again. Earlier decisions do not
      // carry over (they were about the earlier breach).
      StoredFinding f = seen;
      f.exception_reason.clear();
      f.exception_until = 0;
      Add(plan, at, Move(f, place, FindingStatus::kNew, now, scan_id, "reappeared"));
    } else if (expired) {
      StoredFinding f = seen;
      f.exception_reason.clear();  // the notes keep what it was
      f.exception_until = 0;
      Add(plan, at, Move(f, place, FindingStatus::kOpen, now, scan_id, "exception expired"));
    } else if (seen.status == FindingStatus::kNew && seen.last_scan < scan_id) {
      // Seen again, and written down now: opened (as of an earlier complete scan that
      // saw it, if one did: Move).
      Add(plan, at, Move(seen, place, FindingStatus::kOpen, now, scan_id, ""));
    }
    // Seen by this scan, written down (and no longer pinned).
    plan.push_back(
        {at, Confirm{std::string(SeverityName(v.severity)), v.kept_reason(), now, scan_id}});
  }
  for (size_t k = 0; k < findings.size(); ++k) {
    const StoredFinding& f = findings[k];
    if (f.status == FindingStatus::kResolved || is_current(f.policy, f.kind)) continue;
    const bool judged =
        state == ItemState::kComplete || (state == ItemState::kPartial && f.kind != "forbidden");
    if (!judged) {
      AddPin(plan, k, f, place);
      continue;
    }
    Add(plan, k, Move(f, place, FindingStatus::kResolved, now, scan_id, "no longer breached"));
  }
  return plan;
}

Plan PinAll(const std::vector<StoredFinding>& findings, const Place& place) {
  Plan plan;
  for (size_t k = 0; k < findings.size(); ++k) AddPin(plan, k, findings[k], place);
  return plan;
}

Plan ResolveAll(const std::vector<StoredFinding>& findings, const Place& place, int64_t now,
                int64_t scan_id, std::string_view note) {
  Plan plan;
  for (size_t k = 0; k < findings.size(); ++k) {
    if (findings[k].status == FindingStatus::kResolved) continue;
    Add(plan, k, Move(findings[k], place, FindingStatus::kResolved, now, scan_id, note));
  }
  return plan;
}

Plan Moved(const std::vector<StoredFinding>& findings, const Place& old_place, int64_t now,
           int64_t scan_id, std::string_view old_path) {
  Plan plan;
  for (size_t k = 0; k < findings.size(); ++k) {
    if (findings[k].status == FindingStatus::kResolved) continue;
    // What the scans saw of it is written down as of its old path, which they covered
    // (the new one they may not have); the scan confirms it afresh (Reconcile).
    AddPin(plan, k, findings[k], old_place);
    plan.push_back({k, Remark{now, scan_id, "moved from " + std::string(old_path)}});
  }
  return plan;
}

Plan Expire(const std::vector<StoredFinding>& findings, int64_t now, int64_t scan_id) {
  Plan plan;
  for (size_t k = 0; k < findings.size(); ++k) {
    const StoredFinding& due = findings[k];
    if (due.status != FindingStatus::kExcepted || !ExceptionExpired(due.exception_until, now)) {
      continue;
    }
    StoredFinding f = due;
    f.exception_reason.clear();  // the notes keep what it was
    f.exception_until = 0;
    Add(plan, k, Move(f, Place{}, FindingStatus::kOpen, now, scan_id, "exception expired"));
  }
  return plan;
}

Status CheckReview(const ReviewAction& action, int64_t now) {
  switch (action.kind) {
    case ReviewAction::Kind::kExcept:
      if (action.reason.empty()) return Status::Invalid("an exception needs a reason");
      if (ExceptionExpired(action.until, now)) {
        return Status::Invalid("exception end " + Day(action.until) + " is in the past");
      }
      break;
    case ReviewAction::Kind::kNote:
      if (action.note.empty()) return Status::Invalid("empty note");
      break;
    case ReviewAction::Kind::kAcknowledge:
      break;
  }
  return Status::Ok();
}

Result<Plan> Review(const StoredFinding& stored, const Place& place, const ReviewAction& action,
                    int64_t now) {
  Status checked = CheckReview(action, now);
  if (!checked.ok()) return checked;
  Plan plan;
  StoredFinding f = stored;
  // Acknowledging and excepting decide about an exception that may have run out already.
  if (f.status == FindingStatus::kExcepted && ExceptionExpired(f.exception_until, now)) {
    f.exception_reason.clear();
    f.exception_until = 0;
    StatusChange c = Move(f, place, FindingStatus::kOpen, now, 0, "exception expired");
    ApplyTo(c, &f);
    Add(plan, 0, std::move(c));
  }
  // The reviewer decides on the status the scans show (a new finding a later scan saw
  // is open); the change applies to the stored one.
  const FindingStatus from = Seen(f, place).status;
  std::string line;
  FindingStatus to = from;
  const std::string id = std::to_string(f.id);
  switch (action.kind) {
    case ReviewAction::Kind::kAcknowledge:
      if (from == FindingStatus::kResolved) {
        return Status::Invalid("finding " + id + " is resolved; nothing to acknowledge");
      }
      line = Day(now) + " acknowledged" + (action.note.empty() ? "" : ": " + action.note);
      f.exception_reason.clear();
      f.exception_until = 0;
      to = FindingStatus::kAcknowledged;
      break;
    case ReviewAction::Kind::kExcept:
      if (from == FindingStatus::kResolved) {
        return Status::Invalid("finding " + id + " is resolved; nothing to except");
      }
      line = Day(now) + " excepted until " + Day(action.until) + ": " + action.reason;
      if (!action.note.empty()) line += " (" + action.note + ")";
      f.exception_reason = action.reason;
      f.exception_until = action.until;
      to = FindingStatus::kExcepted;
      break;
    case ReviewAction::Kind::kNote:
      line = Day(now) + " note: " + action.note;
      break;
  }
  if (!line.empty()) f.notes += (f.notes.empty() ? "" : "\n") + line;
  if (to == from) {
    FindingEvent e = Event(f.id, now, 0, from, from, line);
    e.by = action.by;
    plan.push_back({0, Annotate{f.notes, f.exception_reason, f.exception_until, std::move(e)}});
  } else {
    StatusChange c = Move(f, place, to, now, 0, line);
    c.events.back().by = action.by;  // an opening before it is the scan's
    Add(plan, 0, std::move(c));
  }
  return plan;
}

namespace {

Status ApplyChange(const StatusChange& c, StoredFinding& f, const Place& place,
                   FindingWriter& writer) {
  auto applied = writer.Update(f.id, c);
  if (!applied.ok()) return applied.status();
  if (!applied.value()) {
    // Somebody else changed it meanwhile (a reviewer working while a scan runs).
    auto now_stored = writer.Reread(f.id);
    if (!now_stored.ok()) return now_stored.status();
    if (!now_stored.value()) return Status::Ok();
    f.status = now_stored.value()->first;
    f.notes = std::move(now_stored.value()->second);
    f.exception_reason = c.exception_reason;
    f.exception_until = c.exception_until;
    std::optional<StatusChange> again = Retry(c, f, place);
    if (!again) return Status::Ok();
    return ApplyChange(*again, f, place, writer);
  }
  ApplyTo(c, &f);
  for (const FindingEvent& e : c.events) {
    Status s = writer.AddEvent(e);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

Status Apply(const Plan& plan, int64_t item_id, std::vector<StoredFinding>& findings,
             const Place& place, FindingWriter& writer) {
  for (const Write& w : plan) {
    Status s;
    if (const auto* c = std::get_if<Create>(&w.what)) {
      auto id = writer.Insert(item_id, *c);
      if (!id.ok()) return id.status();
      StoredFinding f;
      f.id = id.value();
      f.policy = c->policy;
      f.kind = c->kind;
      f.severity = c->severity;
      f.reason = c->reason;
      f.status = FindingStatus::kNew;
      f.last_scan = c->scan_id;
      f.last_seen = c->at;
      findings.push_back(std::move(f));
      s = writer.AddEvent(
          Event(id.value(), c->at, c->scan_id, std::nullopt, FindingStatus::kNew, ""));
      if (!s.ok()) return s;
      continue;
    }
    if (w.finding >= findings.size()) return Status::Invalid("finding plan out of range");
    StoredFinding& f = findings[w.finding];
    if (const auto* c = std::get_if<StatusChange>(&w.what)) {
      s = ApplyChange(*c, f, place, writer);
    } else if (const auto* c = std::get_if<Confirm>(&w.what)) {
      s = writer.Update(f.id, *c);
      if (s.ok()) {
        f.severity = c->severity;
        f.reason = c->reason;
        f.last_scan = c->scan_id;
        f.last_seen = std::max(f.last_seen, c->at);
        f.pinned = false;
      }
    } else if (const auto* p = std::get_if<Pin>(&w.what)) {
      s = writer.Update(f.id, *p);
      if (s.ok()) {
        f.last_seen = std::max(f.last_seen, p->last_seen);
        f.last_scan = std::max(f.last_scan, p->last_scan);
        f.pinned = true;
      }
    } else if (const auto* a = std::get_if<Annotate>(&w.what)) {
      s = writer.Update(f.id, *a);
      if (s.ok()) {
        f.notes = a->notes;
        f.exception_reason = a->exception_reason;
        f.exception_until = a->exception_until;
        s = writer.AddEvent(a->event);
      }
    } else if (const auto* r = std::get_if<Remark>(&w.what)) {
      s = writer.AddEvent(Event(f.id, r->at, r->scan_id, f.status, f.status, r->note));
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

void Show(Finding& f, const StoredFinding& stored, const Place& place) {
  const SeenFinding seen = Seen(stored, place);
  f.status = seen.status;
  f.last_seen = seen.last_seen;
  if (seen.opened.id != 0) f.status_changed = seen.opened.now;
}

std::vector<FindingStatus> StoredStatuses(const std::vector<FindingStatus>& shown) {
  std::vector<FindingStatus> out = shown;
  if (std::count(shown.begin(), shown.end(), FindingStatus::kOpen) != 0 &&
      std::count(shown.begin(), shown.end(), FindingStatus::kNew) == 0) {
    out.push_back(FindingStatus::kNew);
  }
  return out;
}

bool Matches(const Finding& f, const FindingQuery& q) {
  if (!q.statuses.empty() && std::count(q.statuses.begin(), q.statuses.end(), f.status) == 0) {
    return false;
  }
  if (!f.node.empty() && !q.nodes.empty() &&
      std::find(q.nodes.begin(), q.nodes.end(), f.node) == q.nodes.end()) {
    return false;
  }
  if (!q.roots.empty() && std::none_of(q.roots.begin(), q.roots.end(), [&](const std::string& r) {
        return AtOrBelow(r, f.path);
      })) {
    return false;
  }
  return !q.since || f.first_seen >= *q.since || f.status_changed >= *q.since;
}

bool StoredQueryIsExact(const FindingQuery& q) {
  auto asked = [&](FindingStatus s) {
    return std::count(q.statuses.begin(), q.statuses.end(), s) != 0;
  };
  return !q.since && asked(FindingStatus::kNew) == asked(FindingStatus::kOpen);
}

std::optional<FindingEvent> Opening(const StoredFinding& f, const Place& place, int64_t since) {
  if (f.status != FindingStatus::kNew) return std::nullopt;
  const SeenFinding seen = Seen(f, place);
  if (seen.opened.id == 0 || seen.opened.now < since) return std::nullopt;
  return Event(f.id, seen.opened.now, seen.opened.id, FindingStatus::kNew, FindingStatus::kOpen,
               "");
}

std::vector<FindingEvent> WithOpenings(std::vector<FindingEvent> recorded,
                                       std::vector<FindingEvent> openings) {
  if (openings.empty()) return recorded;
  for (FindingEvent& e : openings) recorded.push_back(std::move(e));
  std::stable_sort(recorded.begin(), recorded.end(),
                   [](const FindingEvent& a, const FindingEvent& b) { return a.at < b.at; });
  return recorded;
}

}  // namespace lifecycle
}  // namespace custos::inventory
