#include "custos/inventory/records.h"

#include <sys/stat.h>

namespace custos::inventory {

std::string_view ItemStateName(ItemState s) {
  switch (s) {
    case ItemState::kComplete:
      return "complete";
    case ItemState::kPartial:
      return "partial";
    case ItemState::kSkipped:
      return "skipped";
  }
  return "complete";
}

ItemState StateOf(const Item& item) {
  if (item.skipped.empty()) return ItemState::kComplete;
  return item.mime.empty() ? ItemState::kSkipped : ItemState::kPartial;
}

std::string_view StatusName(FindingStatus s) {
  switch (s) {
    case FindingStatus::kNew:
      return "new";
    case FindingStatus::kOpen:
      return "open";
    case FindingStatus::kAcknowledged:
      return "acknowledged";
    case FindingStatus::kExcepted:
      return "excepted";
    case FindingStatus::kResolved:
      return "resolved";
  }
  return "new";
}

std::optional<FindingStatus> ParseStatus(std::string_view name) {
  for (FindingStatus s : {FindingStatus::kNew, FindingStatus::kOpen, FindingStatus::kAcknowledged,
                          FindingStatus::kExcepted, FindingStatus::kResolved}) {
    if (name == StatusName(s)) return s;
  }
  if (name == "ack" || name == "acked") return FindingStatus::kAcknowledged;
  return std::nullopt;
}

bool IsActive(FindingStatus s) {
  return s == FindingStatus::kNew || s == FindingStatus::kOpen || s == FindingStatus::kAcknowledged;
}

std::string_view ScanStateName(ScanState s) {
  switch (s) {
    case ScanState::kRunning:
      return "running";
    case ScanState::kComplete:
      return "complete";
    case ScanState::kFailed:
      return "failed";
    case ScanState::kInterrupted:
      return "interrupted";
  }
  return "running";
}

bool PathStillNames(const std::string& path, uint64_t dev, uint64_t ino) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return false;
  return static_cast<uint64_t>(st.st_dev) == dev && static_cast<uint64_t>(st.st_ino) == ino;
}

}  // namespace custos::inventory
