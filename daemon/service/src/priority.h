// CPU and I/O priority of the calling thread (threads it creates inherit both).
#pragma once

#include <string>

#include "custos/base/status.h"

namespace custos::service {

// Raises the nice value of the calling thread to `nice` (never lowers it: that needs
// CAP_SYS_NICE) and sets its I/O scheduling class: "idle", "best-effort" (lowest
// level) or "none" (unchanged).
Status LowerThreadPriority(int nice, const std::string& io_class);

}  // namespace custos::service
