// Internal to the crawl module: the open flags shared by the walker and OpenEntry.
#pragma once

#include <fcntl.h>

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

}  // namespace custos::crawl::internal
