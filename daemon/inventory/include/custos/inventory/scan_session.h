// The inventory side of one scan, shared by `custos scan --db` and custosd: takes the
// store's scan lock, loads the HMAC key, begins the scan record, lets the scan reuse
// unchanged items (under the content keys of content_keys.h) and records every item
// it emits except the inventory's own files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/item.h"
#include "custos/base/status.h"
#include "custos/inventory/recorder.h"
#include "custos/inventory/store.h"
#include "custos/policies/policy.h"
#include "custos/scan/scan.h"

namespace custos::inventory {

class ScanSession {
 public:
  // Starts a scan of options.roots in `store` (which must outlive the session), judged
  // at `now`. `db_path` is the inventory file (empty for a database server) and
  // `state_dir` the folder of the HMAC key: their files are never recorded (a root
  // holding them would otherwise find them changed on every scan). When the scan searches content
  // (options.detectors set), loads or creates the key and sets options.hmac_key. Sets
  // options.reuse. `policies` may be null. Messages start with "inventory: " or "inventory key: ".
  static Result<std::unique_ptr<ScanSession>> Begin(
      ScanWriter& store, const std::string& db_path, const std::string& state_dir,
      scan::ScanOptions& options, const std::shared_ptr<const policies::PolicySet>& policies,
      int64_t now);
  // Stops the recorder's writer (what it holds is written) and closes the readers.
  ~ScanSession();
  ScanSession(const ScanSession&) = delete;
  ScanSession& operator=(const ScanSession&) = delete;

  // Records `item` (calls serialised by the scan's sink).
  void Add(Item&& item);
  // The first write error so far (OK when none): a scan stops at it, since nothing it
  // finds from then on would be recorded.
  Status status() const;
  // Ends the scan as `end` with the figures of `stats`. Messages start with
  // "inventory: ".
  Status Finish(ScanState end, const scan::ScanStats& stats);

 private:
  ScanSession() = default;

  std::unique_ptr<Reuser> reuser_;
  std::unique_ptr<Recorder> recorder_;
  std::vector<std::string> own_files_;
};

}  // namespace custos::inventory
