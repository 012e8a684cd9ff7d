#include "priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace custos::service {
namespace {

// linux/ioprio.h is not in every libc's headers; the ABI is stable.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassIdle = 3;

}  // namespace

Status LowerThreadPriority(int nice, const std::string& io_class) {
  const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (errno == 0 && current < nice &&
      ::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0) {
    return Status::FromErrno("setpriority", errno);
  }
  // Only ever lower the class; skip the call when it would change nothing (under
  // systemd's IOSchedulingClass=idle the system-call filter may forbid ioprio_set).
  int wanted_class = 0;
  if (io_class == "idle") wanted_class = kIoprioClassIdle;
  if (io_class == "best-effort") wanted_class = kIoprioClassBestEffort;
  if (wanted_class != 0) {
    const long current_prio = ::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid);
    const int current_class =
        current_prio < 0 ? 0 : static_cast<int>(current_prio >> kIoprioClassShift);
    const bool lower_already = current_class == kIoprioClassIdle ||
                               (current_class == wanted_class && (current_prio & 0x7) == 7);
    const int prio =
        (wanted_class << kIoprioClassShift) | (wanted_class == kIoprioClassIdle ? 0 : 7);
    if (!lower_already && ::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, prio) != 0) {
      return Status::FromErrno("ioprio_set", errno);
    }
  }
  return Status::Ok();
}

}  // namespace custos::service
