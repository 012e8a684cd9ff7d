// Opening a walked entry safely, and reading its POSIX ACL.
#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/acl.h>
#include <sys/stat.h>

#include <cerrno>

#include "custos/crawl/walker.h"
#include "open_flags.h"

namespace custos::crawl {
namespace {

Status Failed(SkipReason reason, SkipReason* why) {
  StatusCode code = StatusCode::kIoError;
  if (reason.kind() == Skip::kPermissionDenied) code = StatusCode::kPermissionDenied;
  if (reason.kind() == Skip::kVanished) code = StatusCode::kNotFound;
  if (reason.kind() == Skip::kSpecialFile) code = StatusCode::kUnsupported;
  Status status(code, reason.Text());
  if (why != nullptr) *why = std::move(reason);
  return status;
}

}  // namespace

Result<UniqueFd> OpenEntry(const Entry& entry, FileInfo* fresh, SkipReason* why) {
  if (!entry.skipped.empty()) return Failed(entry.skipped, why);
  // Without a folder the name is the absolute path of a root that is a single file.
  const int dirfd = entry.dir ? entry.dir->get() : AT_FDCWD;
  UniqueFd fd(internal::OpenNoAtime(dirfd, entry.name.c_str(), internal::kFileOpenFlags));
  if (!fd.valid()) {
    switch (errno) {
      case ELOOP:  // replaced by a symbolic link
        return Failed(Skip::kChanged, why);
      case ENXIO:  // a socket
      case ENODEV:
        return Failed(Skip::kSpecialFile, why);
      default:
        return Failed(SkipReason::FromErrno(errno), why);
    }
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Failed(SkipReason::FromErrno(errno), why);
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    return Failed(Skip::kSpecialFile, why);
  }
  if (!S_ISREG(st.st_mode)) return Failed(Skip::kChanged, why);
  if (entry.has_info && (static_cast<uint64_t>(st.st_dev) != entry.info.dev ||
                         static_cast<uint64_t>(st.st_ino) != entry.info.ino)) {
    return Failed(Skip::kChanged, why);
  }
  // O_NONBLOCK stays: it changes nothing for a regular file (see PreadBlocking).
  if (fresh != nullptr) *fresh = FileInfo::FromStat(st);
  return fd;
}

bool HardLinks::FirstName(const FileInfo& info) {
  if (info.nlink <= 1) return true;
  MutexLock lock(mu_);
  if (seen_.emplace(info.dev, info.ino).second) return true;
  ++repeats_;
  return false;
}

uint64_t HardLinks::repeats() const {
  MutexLock lock(mu_);
  return repeats_;
}

bool StatEntry(const Entry& entry, FileInfo* info) {
  struct stat st;
  const int dirfd = entry.dir ? entry.dir->get() : AT_FDCWD;
  if (::fstatat(dirfd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  *info = FileInfo::FromStat(st);
  return true;
}

std::vector<AclEntry> ReadAcl(int fd) {
  std::vector<AclEntry> out;
  acl_t acl = ::acl_get_fd(fd);
  if (acl == nullptr) return out;  // ENOTSUP and the like: no ACLs here
  acl_entry_t e;
  for (int r = ::acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1;
       r = ::acl_get_entry(acl, ACL_NEXT_ENTRY, &e)) {
    acl_tag_t tag;
    if (::acl_get_tag_type(e, &tag) != 0) continue;
    AclEntry a;
    if (tag == ACL_USER || tag == ACL_GROUP) {
      a.tag = tag == ACL_USER ? AclEntry::Tag::kUser : AclEntry::Tag::kGroup;
      void* q = ::acl_get_qualifier(e);
      if (q == nullptr) continue;
      a.id = tag == ACL_USER ? *static_cast<const uid_t*>(q) : *static_cast<const gid_t*>(q);
      ::acl_free(q);
    } else if (tag == ACL_MASK) {
      a.tag = AclEntry::Tag::kMask;
    } else {
      continue;  // the base entries: owner, owning group, other
    }
    acl_permset_t perms;
    if (::acl_get_permset(e, &perms) == 0) {
      if (::acl_get_perm(perms, ACL_READ) == 1) a.perms |= 4;
      if (::acl_get_perm(perms, ACL_WRITE) == 1) a.perms |= 2;
      if (::acl_get_perm(perms, ACL_EXECUTE) == 1) a.perms |= 1;
    }
    out.push_back(a);
  }
  ::acl_free(acl);
  return out;
}

}  // namespace custos::crawl
