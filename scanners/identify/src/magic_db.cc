// Where the custom magic database lives: the build tree, next to the binary, or the
// install prefix.
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "custos/identify/identifier.h"

#ifndef CUSTOS_MAGIC_BUILD_PATH
#define CUSTOS_MAGIC_BUILD_PATH ""
#endif
#ifndef CUSTOS_MAGIC_INSTALL_PATH
#define CUSTOS_MAGIC_INSTALL_PATH "/usr/share/custos/custos.mgc"
#endif

namespace custos::identify {
namespace {

bool Readable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), R_OK) == 0;
}

// <dir of the running binary>/../share/custos/custos.mgc, or empty.
std::string NextToBinary() {
  std::string exe(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", exe.data(), exe.size());
  if (n <= 0 || static_cast<size_t>(n) >= exe.size()) return {};
  exe.resize(static_cast<size_t>(n));
  const size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return {};
  return exe.substr(0, slash) + "/../share/custos/custos.mgc";
}

}  // namespace

std::string DefaultMagicDatabase() {
  if (const char* env = std::getenv("CUSTOS_MAGIC"); env != nullptr && *env != '\0') return env;
  for (const std::string& candidate : {std::string(CUSTOS_MAGIC_BUILD_PATH), NextToBinary(),
                                       std::string(CUSTOS_MAGIC_INSTALL_PATH)}) {
    if (Readable(candidate)) return candidate + ":" + kSystemMagicDatabase;
  }
  return kSystemMagicDatabase;
}

}  // namespace custos::identify
