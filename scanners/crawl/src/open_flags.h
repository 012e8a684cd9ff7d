// Internal to the crawl module: the open flags and the errno -> skip-reason mapping
// shared by the walker and OpenEntry.
#pragma once

#include <fcntl.h>

#include <string>

namespace custos::crawl::internal {

// Flags for a folder: never follows a final symbolic link, fails on a non-folder.
inline constexpr int kDirOpenFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// Flags for a file: O_NONBLOCK so that a FIFO swapped in after the listing cannot
// block the open.
inline constexpr int kFileOpenFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

// openat(dirfd, name, flags | O_NOATIME), retried without O_NOATIME when the kernel
// refuses it (EPERM: not the owner and no CAP_FOWNER). `dirfd` may be AT_FDCWD.
// Returns the descriptor, or -1 with errno set.
int OpenNoAtime(int dirfd, const char* name, int flags);

// The skip reason for a failed open or stat: "permission denied", "vanished", or
// "read error: <strerror>".
std::string ReasonFromErrno(int err);

// Skip reasons, as spelled in the interface spec.
inline constexpr const char* kSpecialFile = "special file";
inline constexpr const char* kChanged = "changed during scan";
inline constexpr const char* kPermissionDenied = "permission denied";
inline constexpr const char* kVanished = "vanished";
inline constexpr const char* kLimitDepth = "limit: depth";
inline constexpr const char* kLimitPath = "limit: path length";

}  // namespace custos::crawl::internal
