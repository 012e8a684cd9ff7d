// How `custos findings` shows findings: a table, JSON and CSV.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "custos/inventory/store.h"

namespace custos::review {

// YYYY-MM-DD, or "-" for 0.
std::string Date(int64_t t);
// ISO 8601, or empty for 0.
std::string TimeOrNull(int64_t t);
// "email x2: *@example.org; ...", escaped.
std::string DetectionsText(const std::vector<Detection>& dets);
std::string TableText(const std::vector<inventory::Finding>& findings);
std::string FindingJson(const inventory::Finding& f);
std::string CsvText(const std::vector<inventory::Finding>& findings);
// "NAME (uid N)", escaped; "system" for the system.
std::string ActorText(const inventory::Actor& by);
// `f` as FindingJson, with its history: "history": [{"at", "scan", "from", "to", "note",
// "by": {"name", "uid"} or null for the system}].
std::string FindingWithHistoryJson(const inventory::Finding& f,
                                   const std::vector<inventory::FindingEvent>& history);

}  // namespace custos::review
