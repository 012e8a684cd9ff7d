// `custos reload`: ask the running custosd to reload its config and policies.
#include <cstdio>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "control_client.h"

namespace custos::cli {

void AddReload(CommandLine& cl) {
  auto socket = std::make_shared<std::string>();
  CLI::App* app = cl.Add(nullptr, "reload",
                         "ask the running custosd to reload its config and policies (an invalid "
                         "file is refused and the daemon keeps the previous one)",
                         [socket] {
                           if (!Call(*socket, {{"cmd", "reload"}})) return kExitError;
                           std::printf("reloaded\n");
                           return kExitClean;
                         });
  AddSocketOption(cl, app, socket.get());
}

}  // namespace custos::cli
