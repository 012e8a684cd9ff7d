// Helpers shared by the tests: temporary trees, files, and running real programs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace custos::test {

// A fresh directory under $TMPDIR (default /tmp), removed with everything in it on
// destruction (permissions are restored first so that cleanup works as root or not).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path() + "/" + rel
  std::string operator/(std::string_view rel) const;

 private:
  std::string path_;
};

// Writes `bytes` to `path`, creating parent folders. Aborts the test on failure.
void WriteFile(const std::string& path, std::string_view bytes);
std::string ReadFile(const std::string& path);
// Sets mtime (and atime) to `unix_seconds`.
void SetMtime(const std::string& path, int64_t unix_seconds);

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out;
  std::string err;
};
// Runs argv[0] (searched in PATH) with the arguments, waits at most `timeout_s` seconds
// (then kills it and reports exit_code -1). stdin is /dev/null.
ProcessResult Run(const std::vector<std::string>& argv, int timeout_s = 120);
// Shorthand for the custos binary under test.
ProcessResult RunCustos(const std::vector<std::string>& args, int timeout_s = 120);
// True when `tool` is found in PATH.
bool HaveTool(const std::string& tool);

// A test whose prerequisite (a tool, a font, root) is missing calls CUSTOS_SKIP(why).
// Under CTest (which sets CUSTOS_TEST_SKIP_CODE, and SKIP_RETURN_CODE to the same value)
// the test's process ends with that code and CTest reports the test as skipped: neither
// passed nor failed. Run by hand, the test prints the reason as a warning and returns.
#define CUSTOS_SKIP(why)                 \
  do {                                   \
    ::custos::test::ExitIfSkipCode(why); \
    WARN("SKIPPED: " << (why));          \
    return;                              \
  } while (false)
// Prints "SKIPPED: why" and ends the process with $CUSTOS_TEST_SKIP_CODE when it is set.
void ExitIfSkipCode(std::string_view why);

// The custos binary, the source tree and the built custom magic database.
std::string CustosBinary();
std::string SourceDir();

}  // namespace custos::test
