// How `custos findings` prints findings: a table, JSON and CSV.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "custos/inventory/store.h"

namespace custos::cli {

// YYYY-MM-DD, or "-" for 0.
std::string Date(int64_t t);
// ISO 8601, or empty for 0.
std::string TimeOrNull(int64_t t);
// "email x2: *@example.org; ...", escaped.
std::string DetectionsText(const std::vector<Detection>& dets);
void PrintTable(const std::vector<inventory::Finding>& findings);
std::string FindingJson(const inventory::Finding& f);
void PrintCsv(const std::vector<inventory::Finding>& findings);

}  // namespace custos::cli
