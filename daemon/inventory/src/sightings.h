// Which complete scans saw a file since a given scan: where a finding's last sighting
// and its move from new to open come from, so that a scan of an unchanged tree writes
// nothing per finding.
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
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "custos/base/status.h"
#include "custos/inventory/store.h"
#include "sqlite.h"

namespace custos::inventory {

// Whether the scan root `root` holds the file `dir`/`name`: the file is below it, or is
// it.
bool RootHolds(std::string_view root, std::string_view dir, std::string_view name);

class Sightings {
 public:
  struct Scan {
    int64_t id = 0;   // 0: none
    int64_t now = 0;  // its judgement time
  };
  struct Span {
    Scan first, last;  // the first and the latest; first.id == 0: none at all
  };

  // The complete scans of the inventory that confirm by coverage: those after the
  // migration that introduced this (meta 'sightings_after'; earlier scans wrote every
  // confirmation down). Call inside the transaction that uses the result.
  static Result<Sightings> Load(const sql::Db& db);

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

}  // namespace custos::inventory
