// The life of a finding, without a database: what a scan's judgement of an item, a
// reviewer's decision, the end of a scan or the passing of time make of the findings
// stored for it. Every rule of README "Findings" is here; a store only reads the
// findings it is asked about and applies the writes planned here (FindingWriter), so
// that another store (PostgreSQL) holds only its SQL.
//
// A plan is a list of writes, each about one finding of a list the caller holds (an
// item's findings). Apply() carries it out through a FindingWriter and keeps the list
// as the store then holds it. A status change applies only while the stored status is
// still the one it was decided on (a reviewer may have changed it meanwhile): then
// resolving goes ahead from the new status, and any other change is dropped.
//
// What the complete scans saw of a finding without writing it down (its last sighting
// and its opening) comes from Sightings (below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/inventory/records.h"

namespace custos::inventory {

// --- What the complete scans saw.
//
// A complete scan accounts for every file under its roots. It reaches the file and
// judges it (confirming, resolving or opening findings), or finds it gone (resolving
// them), or could not confirm some of its findings: the file unreadable or partly
// read, out of the scan's sight (an exclude), or moved in from elsewhere. Those
// findings it pins (StoredFinding::pinned), writing down what was true until then. So a
// finding that is neither pinned nor resolved was seen again by every complete scan
// after its last_scan whose roots cover its file: its last sighting is the latest such
// scan, and a new finding was opened by the first. Scans that did not complete confirm
// nothing this way (what they wrote stays written).

// Whether the scan root `root` holds the file `dir`/`name`: the file is below it, or is
// it.
bool RootHolds(std::string_view root, std::string_view dir, std::string_view name);

// The complete scans that confirm by coverage (a store loads them: those since it
// stopped writing every confirmation down).
class Sightings {
 public:
  struct Scan {
    int64_t id = 0;   // 0: none
    int64_t now = 0;  // its judgement time
  };
  struct Span {
    Scan first, last;  // the first and the latest; first.id == 0: none at all
  };

  // Adds a complete scan; ids must grow.
  void Add(int64_t id, int64_t now, const std::vector<std::string>& roots);
  // The complete scans after scan `after` whose roots cover the file `dir`/`name`.
  Span After(int64_t after, std::string_view dir, std::string_view name) const;
  int64_t last_id() const { return last_id_; }

 private:
  // Scans with the same roots, in id order (a schedule scans the same roots again).
  struct Group {
    std::vector<std::string> roots;
    std::vector<Scan> scans;
  };
  std::vector<Group> groups_;
  int64_t last_id_ = 0;
};

// A finding as the scans show it: its stored values, moved along by the complete scans
// that saw it since it was last written (see above).
struct SeenFinding {
  FindingStatus status = FindingStatus::kNew;
  int64_t last_scan = 0;
  int64_t last_seen = 0;
  // Set when the finding is stored as new but a later complete scan saw it again: the
  // scan that opened it (not written down).
  Sightings::Scan opened;
};
SeenFinding Derive(const StoredFinding& f, const Sightings& sightings, std::string_view dir,
                   std::string_view name);

// --- Judgements that write nothing.

// Whether an exception until `until` (00:00 UTC of its last day; 0: none) has run out at
// `now`: it covers the whole of its last day.
inline bool ExceptionExpired(int64_t until, int64_t now) {
  return until != 0 && now >= until + 86400;
}

// Whether the stored finding `f` is what the violation `v` of its item, judged at `now`,
// makes of it without a write: active or excepted (the exception running), neither
// resolved nor pinned, with the same severity and kept reason.
bool FindingStands(const StoredFinding& f, const Violation& v, int64_t now);

// Whether recording `violations` for the unchanged item `stored` would write nothing:
// each violation has its finding, active or excepted (exception running at `now`), with
// the same severity and kept reason and not pinned, and every other finding of the item
// is resolved. Then the scan's coverage alone says that it saw them again (sightings).
bool JudgementStands(const StoredItem& stored, const std::vector<Violation>& violations,
                     int64_t now);

namespace lifecycle {

// Where the item of a list of findings is, for what the complete scans saw of them. No
// sightings: the findings as stored (a decision that does not depend on the file).
struct Place {
  const Sightings* sightings = nullptr;
  std::string_view dir, name;
};
// The finding as the scans show it at `place`.
SeenFinding Seen(const StoredFinding& f, const Place& place);

// --- Writes.

// A finding for a violation its item had none for; written with its event (-> new).
struct Create {
  std::string policy, kind, severity, reason;
  int64_t at = 0, scan_id = 0;
};
// A move to another status, to be applied only while the stored status is `from`. What
// the scans saw of the finding until then is written with it (last_seen and last_scan
// are raised to at least these), and so is its opening by an earlier complete scan
// (among `events`).
struct StatusChange {
  FindingStatus from = FindingStatus::kNew, to = FindingStatus::kNew;
  int64_t changed = 0;      // status_changed
  int64_t resolved_at = 0;  // 0 unless resolved
  std::string exception_reason;
  int64_t exception_until = 0;
  std::string notes;
  int64_t last_seen = 0, last_scan = 0;
  std::vector<FindingEvent> events;  // written once the change applied, in order
  // What was asked (for Retry): at `at` by scan `scan_id` (0: a reviewer), with `note`.
  int64_t at = 0, scan_id = 0;
  std::string note;
};
// Seen by this scan and written down: severity and kept reason as judged, last_seen
// raised to `at`, last_scan `scan_id`, no longer pinned.
struct Confirm {
  std::string severity, reason;
  int64_t at = 0, scan_id = 0;
};
// Covered by a scan that cannot confirm it: written down as it stood (last_seen and
// last_scan raised to at least these) and pinned there.
struct Pin {
  int64_t last_seen = 0, last_scan = 0;
};
// A reviewer's note or exception that keeps the status; written with its event.
struct Annotate {
  std::string notes;
  std::string exception_reason;
  int64_t exception_until = 0;
  FindingEvent event;
};
// An event that keeps the status the finding has by then (a moved file).
struct Remark {
  int64_t at = 0, scan_id = 0;
  std::string note;
};

struct Write {
  // Index into the list of findings the plan is about; a Create's is the index the new
  // finding takes (appended in order).
  size_t finding = 0;
  std::variant<Create, StatusChange, Confirm, Pin, Annotate, Remark> what;
};
using Plan = std::vector<Write>;

// The move of `f` (its exception and notes as they are to be written) to `to`, at `now`
// by scan `scan_id` (0: a reviewer), recorded with `note`. A finding stored as new that
// a complete scan saw again is opened first, as of that scan (and its opening is dated
// by that scan when `to` is open).
StatusChange Move(const StoredFinding& f, const Place& place, FindingStatus to, int64_t now,
                  int64_t scan_id, std::string_view note);
// The finding once `c` applied.
void ApplyTo(const StatusChange& c, StoredFinding* f);
// `failed` did not apply: the stored finding is `now_stored` (status and notes as
// stored, the rest as `failed` was decided on). Resolving applies whatever the status;
// any other change was decided on a status that no longer holds and is dropped (none).
std::optional<StatusChange> Retry(const StatusChange& failed, const StoredFinding& now_stored,
                                  const Place& place);

// --- Plans.

// How far a scan judged `item`, for Reconcile: as read (StateOf), a reused item as
// complete (judged again on what its earlier read found), and an item whose content
// would be searched but was not (`content_judged` false: a scan without content
// search) as partial at best.
ItemState JudgedAs(const Item& item, bool content_judged);

// A scan's judgement of the item holding `findings` (at `place`): new findings for new
// violations, resolutions for violations that are gone. A finding seen again unchanged
// writes nothing (the scan's coverage says so once it completes); a resolved one that
// comes back is new again, its earlier decisions dropped; an excepted one whose
// exception ran out is open again. An item that could not be read (skipped) says
// nothing about its earlier findings; a partially read one says nothing about its
// "forbidden" findings, only about those judged on metadata and headers: the findings
// it can neither confirm nor resolve are pinned. One finding per (policy, kind): the
// first violation counts. Empty when nothing changes.
Plan Reconcile(const std::vector<StoredFinding>& findings, const std::vector<Violation>& violations,
               ItemState state, int64_t scan_id, int64_t now, const Place& place);
// Pins the active and excepted findings (a complete scan covered the item without
// reaching it: out of its sight).
Plan PinAll(const std::vector<StoredFinding>& findings, const Place& place);
// Resolves the findings of an item found gone by scan `scan_id`.
Plan ResolveAll(const std::vector<StoredFinding>& findings, const Place& place, int64_t now,
                int64_t scan_id, std::string_view note);
// The item moved here from `old_path` (`old_place`): what the scans saw of its findings
// is written down as of the old path (the new one they may not have covered) and each
// finding keeps a note of the move. The scan then judges it afresh (Reconcile).
Plan Moved(const std::vector<StoredFinding>& findings, const Place& old_place, int64_t now,
           int64_t scan_id, std::string_view old_path);
// Excepted findings whose exception has run out at `now` go back to open.
Plan Expire(const std::vector<StoredFinding>& findings, int64_t now, int64_t scan_id);
// The latest exception end (exception_until) that has run out at `now`: stores may
// select the findings to Expire with it.
inline int64_t LatestExpiredUntil(int64_t now) { return now - 86400; }

// A reviewer's decision about one finding.
struct ReviewAction {
  enum class Kind { kAcknowledge, kExcept, kNote };
  Kind kind = Kind::kNote;
  std::string note;
  std::string reason;  // kExcept
  int64_t until = 0;   // kExcept: 00:00 UTC of the last day
  Actor by;            // who decides: named on the decision's event
};
// What can be told without the finding: an exception without a reason or ending in
// the past, an empty note.
Status CheckReview(const ReviewAction& action, int64_t now);
// The decision about finding `f` (at `place`) at `now`: acknowledging (new, open or
// excepted -> acknowledged, the exception dropped), excepting (active or excepted ->
// excepted), or a note; each appends a dated line to the notes. A resolved finding
// cannot be acknowledged or excepted (InvalidArgument). The reviewer decides on the
// status the scans show; an exception that ran out is reopened first (by the system).
// The decision's event names `action.by`; an opening by a scan it writes down does not.
Result<Plan> Review(const StoredFinding& f, const Place& place, const ReviewAction& action,
                    int64_t now);

// What a store does for a plan: the writes themselves, nothing decided.
class FindingWriter {
 public:
  virtual ~FindingWriter() = default;
  // Inserts a finding of item `item_id` (status new, first and last seen `c.at`, first
  // and last scan `c.scan_id`); returns its id.
  virtual Result<int64_t> Insert(int64_t item_id, const Create& c) = 0;
  // Applies `c` to finding `id` if its stored status is still c.from; false when not
  // (nothing written).
  virtual Result<bool> Update(int64_t id, const StatusChange& c) = 0;
  // The stored status and notes of finding `id`; none when there is no such finding.
  virtual Result<std::optional<std::pair<FindingStatus, std::string>>> Reread(int64_t id) = 0;
  virtual Status Update(int64_t id, const Confirm& c) = 0;
  virtual Status Update(int64_t id, const Pin& p) = 0;
  // Notes and exception (the event is written with AddEvent).
  virtual Status Update(int64_t id, const Annotate& a) = 0;
  virtual Status AddEvent(const FindingEvent& e) = 0;
};

// Carries out `plan` about `findings` (of item `item_id`, at `place`) through `writer`,
// and leaves `findings` as the store holds them then.
Status Apply(const Plan& plan, int64_t item_id, std::vector<StoredFinding>& findings,
             const Place& place, FindingWriter& writer);

// --- What readers see.

// `f` (as stored: status, last_seen, status_changed) as the scans show it; `stored` gives
// last_scan and pinned.
void Show(Finding& f, const StoredFinding& stored, const Place& place);
// The stored statuses that may show as one of `shown` (a new finding may show as open).
std::vector<FindingStatus> StoredStatuses(const std::vector<FindingStatus>& shown);
// Whether a finding as shown (Show) matches the statuses, nodes (when it has one), roots
// and `since` of `query`.
bool Matches(const Finding& f, const FindingQuery& query);
// Whether the stores' query of `query` (StoredStatuses, `since` on the stored times)
// selects exactly the findings that match it as shown, so that it can count and cut
// pages itself: not when new and open are not asked for together (a new finding may
// show as open) or `since` is set (an opening moves status_changed).
bool StoredQueryIsExact(const FindingQuery& query);
// The order of ReportReader::ListFindingsPage in SQL (findings as f): severity, then
// first seen, then id.
inline constexpr const char* kPageOrderSql =
    "CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' "
    "THEN 3 ELSE 4 END, f.first_seen, f.id";
// The opening of finding `f` (stored as new) by a complete scan that saw it again and
// did not write it down, if there was one at or after `since`.
std::optional<FindingEvent> Opening(const StoredFinding& f, const Place& place, int64_t since);
// `recorded` events (in time order) with `openings` merged in, in time order.
std::vector<FindingEvent> WithOpenings(std::vector<FindingEvent> recorded,
                                       std::vector<FindingEvent> openings);

}  // namespace lifecycle
}  // namespace custos::inventory
