// Named spdlog loggers per component ("custosd", "scheduler", "scan", "control",
// "http"), all writing to the sinks of the default logger. File names in messages go
// through EscapeBytes(name, true) so that a name cannot forge a log line; file contents
// and matched values are never logged.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace custos::service {

// The logger of `component`, created on first use from the default logger's sinks and
// level. Thread-safe.
spdlog::logger& Log(const char* component);

// Sets the level of every component logger and of the default logger: "trace",
// "debug", "info", "warn" or "error".
void SetLogLevel(const std::string& level);

}  // namespace custos::service
