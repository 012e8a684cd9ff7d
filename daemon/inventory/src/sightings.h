// Which complete scans saw a file since a given scan (custos/inventory/lifecycle.h:
// Sightings), as the SQLite inventory keeps them: its complete scans.
#pragma once

#include "custos/base/status.h"
#include "custos/inventory/lifecycle.h"
#include "sqlite.h"

namespace custos::inventory {

// The complete scans of the inventory that confirm by coverage: those after the
// migration that introduced this (meta 'sightings_after'; earlier scans wrote every
// confirmation down). Call inside the transaction that uses the result.
Result<Sightings> LoadSightings(const sql::Db& db);

}  // namespace custos::inventory
