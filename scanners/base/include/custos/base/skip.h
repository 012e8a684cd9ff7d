// Why an item was not (fully) read: its `skipped` reason, a kind and, for some kinds,
// a detail. The text of a reason (the JSONL record's `skipped`, the summary line, the
// inventory, metric labels) is made here and nowhere else, as the interface spec spells
// it: "permission denied", "limit: size", "corrupt: PDF", "read error: Input/output
// error", ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace custos {

enum class Skip : uint8_t {
  kNone,              // read in full
  kPermissionDenied,  // permission denied
  kVanished,          // vanished
  kSpecialFile,       // special file (FIFO, socket, device): never opened
  kChanged,           // changed during scan
  kReadError,         // read error: DETAIL (the system's words for errno)
  kLimitSize,         // limit: size (bytes read from one file)
  kLimitOutput,       // limit: output size (bytes produced per item)
  kLimitMemberSize,   // limit: member size (one archive member)
  kLimitDepth,        // limit: depth (nesting of containers, or folders below a root)
  kLimitEntries,      // limit: entries (members per item)
  kLimitRatio,        // limit: archive ratio (decompressed : compressed)
  kLimitTime,         // limit: time (per item)
  kLimitPathLength,   // limit: path length
  kInterrupted,       // interrupted (a cancelled scan; such items are not reported)
  kEncrypted,         // encrypted: cannot be searched
  kCorrupt,           // corrupt: DETAIL (what is damaged: "PDF", "archive", ...)
  kNoDetectors,       // detectors: DETAIL (the detector set failed to compile)
  kInternalError,     // internal error (an exception while the item was processed)
  kOther,             // DETAIL: a reason as an earlier custos wrote it (inventory)
};

class SkipReason {
 public:
  SkipReason() = default;
  SkipReason(Skip kind) : kind_(kind) {}  // NOLINT: implicit, for the kinds without detail
  SkipReason(Skip kind, std::string detail) : kind_(kind), detail_(std::move(detail)) {}

  // For a failed open, stat or read: permission denied (EACCES, EPERM), vanished
  // (ENOENT), otherwise read error: strerror(err).
  static SkipReason FromErrno(int err);
  // The reason `text` stands for, as Text() makes it (from an inventory); a text of no
  // known kind is kOther. FromText(r.Text()) == r for every reason but kOther ones.
  static SkipReason FromText(std::string_view text);

  Skip kind() const { return kind_; }
  const std::string& detail() const { return detail_; }
  bool empty() const { return kind_ == Skip::kNone; }
  // A limit hit (limit: ...), as opposed to a problem of the file or the system.
  bool is_limit() const;

  std::string Text() const;
  // The text without the detail: "read error", "corrupt", "limit: size" (a bounded set,
  // for metric labels).
  std::string_view KindText() const;

  friend bool operator==(const SkipReason& a, const SkipReason& b) {
    return a.kind_ == b.kind_ && a.detail_ == b.detail_;
  }
  friend bool operator!=(const SkipReason& a, const SkipReason& b) { return !(a == b); }
  // Orders reasons by their text (the summary lists them so).
  friend bool operator<(const SkipReason& a, const SkipReason& b) { return a.Text() < b.Text(); }

 private:
  Skip kind_ = Skip::kNone;
  std::string detail_;
};

}  // namespace custos
