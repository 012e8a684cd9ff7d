// `custos scan --db`: the inventory side of a one-shot scan. Opens the inventory,
// takes its scan lock, loads the HMAC key, lets the scan reuse unchanged items, and
// records every item the scan emits.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "custos/inventory/scan_session.h"
#include "custos/inventory/store.h"
#include "custos/policies/policy.h"
#include "custos/scan/output.h"
#include "custos/scan/scan.h"

namespace custos::cli {

struct InventoryScanOptions {
  std::string db_path;
  std::string state_dir;  // where the HMAC key lives; empty: the folder of db_path
  int64_t now = 0;        // judgement time
  std::string node;       // this server's name in a fleet inventory; empty: the host name
};

class InventoryScan {
 public:
  // Opens the inventory and starts a scan in it; sets options.hmac_key and
  // options.reuse. `policies` may be null. Prints the problem and returns null when
  // the inventory is unusable (exit code 2). Call after options.detectors is set.
  static std::unique_ptr<InventoryScan> Start(
      const InventoryScanOptions& inv, scan::ScanOptions& options,
      const std::shared_ptr<const policies::PolicySet>& policies);
  ~InventoryScan();

  // A sink that prints each item with `printing`, then records it (moving it: no copy).
  scan::Sink& Wrap(scan::PrintingSink& printing);
  // Ends the scan in the inventory: complete when the scan ran to its end, interrupted
  // when it was cancelled, failed otherwise. Prints the problem and returns false when
  // the inventory could not be written.
  bool Finish(const Status& scan_status, const scan::ScanStats& stats);

 private:
  class RecordingSink;
  InventoryScan() = default;

  std::unique_ptr<inventory::ScanWriter> store_;
  std::unique_ptr<inventory::ScanSession> session_;
  std::unique_ptr<RecordingSink> sink_;
};

// Stops a scan cleanly on SIGINT/SIGTERM: the flag is set (the scan ends at the next
// entry and the inventory records it as interrupted); a second signal kills at once.
const std::atomic<bool>* InstallStopSignals();

}  // namespace custos::cli
