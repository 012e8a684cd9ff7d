// Schema migrations of the SQLite inventory.
#pragma once

#include "custos/base/status.h"
#include "custos/inventory/store.h"
#include "sqlite.h"

namespace custos::inventory {

// Applies the migrations the file lacks (forward only). Refuses a newer file.
Status Migrate(const sql::Db& db);

}  // namespace custos::inventory
