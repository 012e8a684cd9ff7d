// This machine's name, and the names of nodes: the servers that share a fleet
// inventory, each under a name of its own (custos.yaml's `node`, `custos scan --node`).
#pragma once

#include <unistd.h>

#include <climits>
#include <string>
#include <string_view>

namespace custos {

// gethostname(), or "localhost" when the machine has no name.
inline std::string HostName() {
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "localhost";
  return host;
}

// Whether `name` is a node name: 1 to 64 letters, digits, '.', '-' and '_', starting
// with a letter or a digit (a host name is one; so is "cctv-recorder_2").
inline bool IsNodeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace custos
