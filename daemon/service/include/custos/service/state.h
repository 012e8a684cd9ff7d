// The scheduler's memory across restarts: when each root last ran and how that run
// ended, so that a run missed while the daemon was down, or one it was stopped in the
// middle of, happens once at start-up. Kept as a small JSON file in the state
// directory, replaced atomically (write, fsync, rename, fsync the folder).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "custos/base/status.h"

namespace custos::service {

struct RootState {
  std::string path;        // the root's path when it ran (a changed path starts afresh)
  int64_t first_seen = 0;  // Unix seconds the daemon first scheduled this root
  // A run in progress when the file was written: still set after a crash, so the next
  // start resumes it. 0: none.
  int64_t running_since = 0;
  // The last run that ended.
  int64_t last_start = 0;  // Unix seconds; 0: never ran
  int64_t last_end = 0;
  // "" (never ran), "completed", "interrupted" (stopped by SIGTERM or cancelled),
  // "failed".
  std::string result;
  std::string trigger;  // schedule | startup | catch-up | resume | manual
  uint64_t run_id = 0;
  uint64_t items = 0;
  uint64_t items_read = 0;    // opened and read in the run
  uint64_t items_reused = 0;  // unchanged since an earlier run: taken from the inventory
  uint64_t bytes = 0;
  uint64_t violations = 0;
  double seconds = 0;
  std::string error;  // why it failed
};

struct DaemonState {
  uint64_t next_run_id = 1;
  std::map<std::string, RootState> roots;  // by root name
};

// Reads `path`. A missing file is an empty state; an unreadable or corrupt one is an
// error (the caller logs it and starts empty).
Result<DaemonState> LoadState(const std::string& path);
// Writes `state` to `path` atomically; the file is created with mode 0600.
Status SaveState(const std::string& path, const DaemonState& state);

}  // namespace custos::service
