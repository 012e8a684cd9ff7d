// `custos reload`: ask the running custosd to reload its config and policies.
#include <cstdio>
#include <string>

#include "cli.h"
#include "control_client.h"

namespace custos::cli {

int ReloadCommand(const Args& args) {
  std::string socket = DefaultSocket();
  Args rest;
  if (!ParseCommon(args, &socket, &rest)) return kExitError;
  if (!rest.empty()) {
    const bool help = rest[0] == "--help" || rest[0] == "-h";
    std::fputs("usage: custos reload [--socket PATH]\n", help ? stdout : stderr);
    return help ? kExitClean : kExitError;
  }
  if (!Call(socket, {{"cmd", "reload"}})) return kExitError;
  std::printf("reloaded\n");
  return kExitClean;
}

}  // namespace custos::cli
