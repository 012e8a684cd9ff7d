// The item record: what custos knows about one file after it has been through the
// pipeline. Every stage fills its own fields; the output stage prints it as the JSONL
// record of the interface spec.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custos/base/skip.h"

namespace custos {

// The categories of the interface spec, in its order.
enum class Category {
  kVideo,
  kImage,
  kAudio,
  kBiometric,
  kDocument,
  kEmail,
  kArchive,
  kDatabase,
  kEncrypted,
  kText,
  kExecutable,
  kOther,
};

std::string_view CategoryName(Category c);
std::optional<Category> ParseCategory(std::string_view name);

// The lstat/fstat figures of a file that custos keeps.
struct FileInfo {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t size = 0;
  int64_t mtime = 0;  // Unix seconds
  int64_t ctime = 0;
  uint32_t mode = 0;  // st_mode, type bits included
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t nlink = 0;

  static FileInfo FromStat(const struct stat& st);
};

// One entry of a POSIX access ACL beyond the three base entries.
struct AclEntry {
  enum class Tag { kUser, kGroup, kMask };
  Tag tag = Tag::kUser;
  uint32_t id = 0;     // uid or gid; unused for kMask
  uint32_t perms = 0;  // rwx bits: 4 read, 2 write, 1 execute
};

struct Detection {
  Detection() = default;
  Detection(std::string d, uint64_t n, std::vector<std::string> m = {},
            std::vector<std::string> h = {})
      : detector(std::move(d)), count(n), masked(std::move(m)), hashes(std::move(h)) {}

  std::string detector;
  uint64_t count = 0;
  std::vector<std::string> masked;  // at most 3, never a raw value
  // Keyed hashes (HMAC-SHA256, hex, first 128 bits) of the distinct normalised values,
  // at most kMaxHashes; empty when no key was given. Recognise a value again across
  // files and scans without storing it.
  std::vector<std::string> hashes;
  static constexpr size_t kMaxHashes = 64;
};

// A policy's severity (the interface spec's), lowest first.
enum class Severity : uint8_t { kLow, kMedium, kHigh, kCritical };
inline constexpr size_t kSeverityCount = 4;
// "low", "medium", "high", "critical": the text in output, inventory and reports.
std::string_view SeverityName(Severity s);
std::optional<Severity> ParseSeverity(std::string_view name);

// What a violation breaches: one kind per kind of policy rule (policies/src/kinds).
enum class ViolationKind : uint8_t { kRetention, kAccess, kLocation, kEncryption, kForbidden };
inline constexpr size_t kViolationKindCount = 5;
// "retention", "access", "location", "encryption", "forbidden": the text in output,
// inventory and reports.
std::string_view ViolationKindName(ViolationKind k);
std::optional<ViolationKind> ParseViolationKind(std::string_view name);

struct Violation {
  std::string policy;
  ViolationKind kind = ViolationKind::kRetention;
  Severity severity = Severity::kMedium;
  std::string reason;
  // The reason without what grows by itself as time passes (a retention breach's age
  // in days): what the inventory keeps, so that a breach that only gets older is not a
  // change to write down every day. Empty: the same as `reason`.
  std::string steady_reason = {};
  const std::string& kept_reason() const { return steady_reason.empty() ? reason : steady_reason; }
};

// Where ScanOptions::reuse took an item from. The pipeline only carries it along, so
// that the stage that records the item can use what the reuse lookup loaded (the
// inventory hands its stored folder from reader to writer this way and reads each
// folder once per scan).
struct ReuseSource {
  virtual ~ReuseSource() = default;
};

struct Item {
  std::string path;  // absolute, raw bytes (escape before display)
  bool has_info = false;
  FileInfo info;
  std::string owner;  // user name, or the uid in decimal when it has no name
  std::string group;
  std::string mime;         // empty when unknown
  std::string description;  // libmagic's description, for `classify`
  Category category = Category::kOther;
  std::optional<int64_t> content_date;  // Unix seconds, UTC
  std::vector<AclEntry> acl;            // extended ACL entries; empty when none
  std::vector<Detection> detections;
  std::vector<Violation> violations;
  std::string legal_hold;  // reason of the legal hold that covers the item, if any
  SkipReason skipped;      // empty, or the reason the item could not be (fully) read
  bool reused = false;     // filled from an earlier scan, not read (incremental scans)
  bool read = false;       // opened and read in this scan
  // Set by ScanOptions::reuse (also when it returned false): the stored record's source.
  std::shared_ptr<const ReuseSource> reused_from;
};

}  // namespace custos
