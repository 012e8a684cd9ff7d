// The walker: a depth-first, streaming, read-only traversal of one root.
//
// Safety contract (see README "Security model"):
//  - symbolic links are never followed and are not items;
//  - every open is relative to the parent directory's descriptor with
//    O_NOFOLLOW|O_CLOEXEC (|O_NONBLOCK for files, |O_DIRECTORY for folders), and
//    O_NOATIME where the kernel permits it; the result is re-checked with fstat;
//  - FIFOs, sockets and devices are never opened: they become items skipped as
//    "special file";
//  - by default the walk stays on the root's file system;
//  - a file with several hard links is handed out once per walk.
// Memory is bounded by the depth of the tree (one open directory stream per level),
// never by the number of entries in a directory or in the tree.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "custos/base/fd.h"
#include "custos/base/glob.h"
#include "custos/base/item.h"
#include "custos/base/mutex.h"
#include "custos/base/status.h"

namespace custos::crawl {

struct WalkOptions {
  std::vector<Glob> excludes;   // matched on absolute paths; a matching folder is pruned
  bool one_file_system = true;  // do not descend into other mounts
  size_t max_depth = 256;       // folders below the root; deeper folders are skipped
  size_t max_path = 4096;       // bytes in an absolute path; longer ones are skipped
  // false: a name the listing says is a regular file (d_type DT_REG) is handed out
  // without fstatat (has_info false), and the opener's fstat supplies the figures: one
  // path lookup per file instead of two, for callers that open every file anyway. The
  // walk then cannot tell hard links apart: the caller dedupes them (HardLinks).
  bool stat_files = true;
};

// An open directory, shared by the entries found in it until they are processed.
using DirRef = std::shared_ptr<const UniqueFd>;

// One thing the walk found that becomes an item.
struct Entry {
  std::string path;  // absolute, raw bytes
  DirRef dir;        // descriptor of the parent folder (null for a root that is a file)
  std::string name;  // name within `dir` (the absolute path when `dir` is null)
  bool has_info = false;
  FileInfo info;       // from fstatat(AT_SYMLINK_NOFOLLOW), when has_info
  SkipReason skipped;  // not empty: report as skipped with this reason, do not open
};

// Figures of one walk, for the summary line.
struct WalkStats {
  uint64_t directories = 0;        // folders entered, the root included
  uint64_t symlinks = 0;           // links seen and not followed
  uint64_t hardlink_repeats = 0;   // further names of an already handed-out file
  uint64_t excluded = 0;           // entries pruned by an exclude glob
  uint64_t other_filesystems = 0;  // mount points not entered
};

// Called for every entry, in walk order, on the walking thread. Return false to stop
// the walk early.
using Visitor = std::function<bool(Entry&&)>;

// Walks `root` (an absolute, existing path; a folder or a single file). Per-entry
// problems (permission denied, vanished, limits) become skipped entries and the walk
// goes on. Returns an error only when the root itself cannot be opened or is not a
// regular file or folder (a root that is itself a symbolic link is an error too). The
// figures are added to `*stats` (which may be null). Paths are "/"-joined without
// doubled slashes, whatever trailing slashes `root` has. Not thread-safe; run one walk
// per thread.
Status Walk(const std::string& root, const WalkOptions& options, const Visitor& visit,
            WalkStats* stats);

// Opens a regular-file entry for reading (O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC,
// O_NOATIME where permitted) and re-checks with fstat that it is still a regular file
// (and the same inode when `entry.has_info`). On success `*fresh` holds the fstat
// figures. On failure `*why` (when given) is the skip reason to record (permission
// denied, vanished, special file, changed during scan, read error: ...) and the Status
// message its text.
Result<UniqueFd> OpenEntry(const Entry& entry, FileInfo* fresh, SkipReason* why = nullptr);

// Further names of files with several hard links, for entries handed out without
// figures (WalkOptions::stat_files false): FirstName() is true once per (dev, ino).
// Thread-safe.
class HardLinks {
 public:
  bool FirstName(const FileInfo& info);
  uint64_t repeats() const;

 private:
  mutable Mutex mu_;
  std::set<std::pair<uint64_t, uint64_t>> seen_ GUARDED_BY(mu_);
  uint64_t repeats_ GUARDED_BY(mu_) = 0;
};

// The figures of an entry handed out without them (has_info false) whose open failed:
// fstatat on the name, so that a file that cannot be read is still judged on its mode,
// owner and dates. False when the name cannot be stat'ed either.
bool StatEntry(const Entry& entry, FileInfo* info);

// Reads the extended entries of the POSIX access ACL of an open file (named users,
// named groups, mask). Empty when the file has only the base entries or the file
// system has no ACLs.
std::vector<AclEntry> ReadAcl(int fd);

}  // namespace custos::crawl
