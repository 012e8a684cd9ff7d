// The walker: streaming depth-first traversal with an explicit stack of open
// directory streams (one per level), so that neither recursion depth nor memory grows
// with the size of a directory or of the tree.
#include "custos/crawl/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "open_flags.h"

namespace custos::crawl {
namespace internal {

int OpenNoAtime(int dirfd, const char* name, int flags) {
  int fd = ::openat(dirfd, name, flags | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dirfd, name, flags);
  return fd;
}

}  // namespace internal

namespace {

// Raises the soft RLIMIT_NOFILE to the hard limit, once per process: a deep tree holds
// two descriptors per level, and every queued entry keeps its folder open.
void RaiseOpenFileLimit() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);  // best effort: the walk copes with EMFILE
  });
}

// "/a//b/" -> "/a/b"; "/" and "///" -> "/". Does not resolve "." or "..".
std::string NormalizeRoot(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out = dir;
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirStream = std::unique_ptr<DIR, DirCloser>;

// One level of the walk: the open stream being read and the shared descriptor handed
// to the entries found in it.
struct Frame {
  DirStream stream;
  DirRef ref;
  std::string path;
  size_t depth = 0;  // 0 for the root
};

// Opens folder `name` in `parent` (AT_FDCWD with an absolute name for the root) and
// checks that it is the folder `seen` by the listing. On failure returns false, sets
// `*reason` to the skip reason and `*err` to the errno behind it (0 when the folder
// changed).
bool OpenFrame(int parent, const char* name, const struct stat& seen, std::string path,
               size_t depth, Frame* frame, SkipReason* reason, int* err) {
  auto fail = [&](int e) {
    *err = e;
    *reason = e == 0 ? SkipReason(Skip::kChanged) : SkipReason::FromErrno(e);
    return false;
  };
  UniqueFd fd(internal::OpenNoAtime(parent, name, internal::kDirOpenFlags));
  if (!fd.valid()) {
    // ELOOP: now a symbolic link; ENOTDIR: now something else.
    return fail(errno == ELOOP || errno == ENOTDIR ? 0 : errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return fail(errno);
  if (!S_ISDIR(st.st_mode) || st.st_dev != seen.st_dev || st.st_ino != seen.st_ino) {
    return fail(0);
  }
  // The stream owns `fd`; the entries share a duplicate that outlives the stream.
  UniqueFd shared(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
  if (!shared.valid()) return fail(errno);
  DIR* stream = ::fdopendir(fd.get());
  if (stream == nullptr) return fail(errno);
  fd.release();
  frame->stream.reset(stream);
  frame->ref = std::make_shared<const UniqueFd>(std::move(shared));
  frame->path = std::move(path);
  frame->depth = depth;
  return true;
}

struct DevIno {
  uint64_t dev;
  uint64_t ino;
  bool operator==(const DevIno&) const = default;
};
struct DevInoHash {
  size_t operator()(const DevIno& k) const {
    return std::hash<uint64_t>()(k.ino) ^ (std::hash<uint64_t>()(k.dev) * 0x9e3779b97f4a7c15ULL);
  }
};

// The state of one walk.
class Walker {
 public:
  Walker(const WalkOptions& options, const Visitor& visit, WalkStats* stats)
      : options_(options), visit_(visit), stats_(*stats) {}

  Status Run(const std::string& root);

 private:
  bool ExcludedFile(std::string_view path) const {
    for (const Glob& g : options_.excludes) {
      if (g.Matches(path)) return true;
    }
    return false;
  }
  bool ExcludedDir(std::string_view path) const {
    for (const Glob& g : options_.excludes) {
      if (g.MatchesDirTree(path)) return true;
    }
    return false;
  }

  // Visits a skipped entry; returns the visitor's answer.
  bool SkipEntry(std::string path, std::string name, const struct stat* st, SkipReason reason) {
    Entry e;
    e.path = std::move(path);
    e.name = std::move(name);
    if (st != nullptr) {
      e.has_info = true;
      e.info = FileInfo::FromStat(*st);
    }
    e.skipped = std::move(reason);
    return visit_(std::move(e));
  }

  // Handles one name read from the top frame. Returns false to stop the walk.
  bool HandleName(const char* name, unsigned char d_type);
  // A regular file: hard-link dedup and the visit. Returns false to stop the walk.
  // `st` is null when the walk does not stat files (WalkOptions::stat_files).
  bool HandleFile(std::string path, const char* name, const struct stat* st, const DirRef& dir);

  const WalkOptions& options_;
  const Visitor& visit_;
  WalkStats& stats_;
  dev_t root_dev_ = 0;
  std::vector<Frame> stack_;
  std::unordered_set<DevIno, DevInoHash> linked_;  // (dev, ino) of files with nlink > 1
};

bool Walker::HandleFile(std::string path, const char* name, const struct stat* st,
                        const DirRef& dir) {
  if (ExcludedFile(path)) {
    ++stats_.excluded;
    return true;
  }
  if (path.size() > options_.max_path)
    return SkipEntry(std::move(path), name, st, Skip::kLimitPathLength);
  if (st != nullptr && st->st_nlink > 1) {
    const DevIno key{static_cast<uint64_t>(st->st_dev), static_cast<uint64_t>(st->st_ino)};
    if (!linked_.insert(key).second) {
      ++stats_.hardlink_repeats;
      return true;
    }
  }
  Entry e;
  e.path = std::move(path);
  e.dir = dir;
  e.name = name;
  if (st != nullptr) {
    e.has_info = true;
    e.info = FileInfo::FromStat(*st);
  }
  return visit_(std::move(e));
}

bool Walker::HandleName(const char* name, unsigned char d_type) {
  // Valid until a child frame is pushed, which is the last thing this does.
  const DirRef& dir = stack_.back().ref;
  const size_t depth = stack_.back().depth;
  std::string path = JoinPath(stack_.back().path, name);

  if (d_type == DT_LNK) {
    ++stats_.symlinks;
    return true;
  }
  if (d_type == DT_FIFO || d_type == DT_SOCK || d_type == DT_CHR || d_type == DT_BLK) {
    if (ExcludedFile(path)) {
      ++stats_.excluded;
      return true;
    }
    if (path.size() > options_.max_path)
      return SkipEntry(std::move(path), name, nullptr, Skip::kLimitPathLength);
    return SkipEntry(std::move(path), name, nullptr, Skip::kSpecialFile);
  }

  if (d_type == DT_REG && !options_.stat_files && path.size() <= options_.max_path) {
    return HandleFile(std::move(path), name, nullptr, dir);
  }

  struct stat st;
  if (::fstatat(dir->get(), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    const int err = errno;
    if (ExcludedFile(path)) {
      ++stats_.excluded;
      return true;
    }
    return SkipEntry(std::move(path), name, nullptr, SkipReason::FromErrno(err));
  }

  if (S_ISLNK(st.st_mode)) {
    ++stats_.symlinks;
    return true;
  }
  if (S_ISREG(st.st_mode)) return HandleFile(std::move(path), name, &st, dir);
  if (!S_ISDIR(st.st_mode)) {
    // FIFO, socket, device (or an unknown type): never opened.
    if (ExcludedFile(path)) {
      ++stats_.excluded;
      return true;
    }
    if (path.size() > options_.max_path)
      return SkipEntry(std::move(path), name, &st, Skip::kLimitPathLength);
    return SkipEntry(std::move(path), name, &st, Skip::kSpecialFile);
  }

  // A folder.
  if (ExcludedDir(path)) {
    ++stats_.excluded;
    return true;
  }
  if (options_.one_file_system && st.st_dev != root_dev_) {
    ++stats_.other_filesystems;
    return true;
  }
  if (path.size() > options_.max_path)
    return SkipEntry(std::move(path), name, &st, Skip::kLimitPathLength);
  if (depth + 1 > options_.max_depth)
    return SkipEntry(std::move(path), name, &st, Skip::kLimitDepth);

  Frame child;
  SkipReason reason;
  int err = 0;
  if (!OpenFrame(dir->get(), name, st, path, depth + 1, &child, &reason, &err)) {
    return SkipEntry(std::move(path), name, &st, std::move(reason));
  }
  ++stats_.directories;
  stack_.push_back(std::move(child));
  return true;
}

Status Walker::Run(const std::string& root) {
  struct stat st;
  if (::fstatat(AT_FDCWD, root.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno(root, errno);
  }
  if (S_ISLNK(st.st_mode)) {
    return Status(StatusCode::kInvalidArgument, root + ": symbolic link (not followed)");
  }
  if (S_ISREG(st.st_mode)) {
    // A single file: opened later by its absolute path.
    HandleFile(root, root.c_str(), &st, nullptr);
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(StatusCode::kUnsupported, root + ": " + SkipReason(Skip::kSpecialFile).Text());
  }
  if (ExcludedDir(root)) {
    ++stats_.excluded;
    return Status::Ok();
  }
  root_dev_ = st.st_dev;

  Frame top;
  SkipReason reason;
  int err = 0;
  if (!OpenFrame(AT_FDCWD, root.c_str(), st, root, 0, &top, &reason, &err)) {
    if (err != 0) return Status::FromErrno(root, err);
    return Status::Io(root + ": " + reason.Text());
  }
  ++stats_.directories;
  stack_.push_back(std::move(top));

  while (!stack_.empty()) {
    errno = 0;
    const struct dirent* de = ::readdir(stack_.back().stream.get());
    if (de == nullptr) {
      const int err = errno;
      Frame done = std::move(stack_.back());
      stack_.pop_back();
      if (err != 0) {
        // The listing broke off: report the folder, keep walking its siblings.
        const std::string::size_type slash = done.path.rfind('/');
        std::string name = done.path.substr(slash == std::string::npos ? 0 : slash + 1);
        if (!SkipEntry(std::move(done.path), std::move(name), nullptr,
                       SkipReason(Skip::kReadError, std::strerror(err)))) {
          break;
        }
      }
      continue;
    }
    const char* name = de->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    if (!HandleName(name, de->d_type)) break;
  }
  stack_.clear();
  return Status::Ok();
}

}  // namespace

Status Walk(const std::string& root, const WalkOptions& options, const Visitor& visit,
            WalkStats* stats) {
  RaiseOpenFileLimit();
  if (root.empty() || root[0] != '/') {
    return Status::Invalid(root + ": not an absolute path");
  }
  WalkStats local;
  Walker walker(options, visit, stats != nullptr ? stats : &local);
  return walker.Run(NormalizeRoot(root));
}

}  // namespace custos::crawl
