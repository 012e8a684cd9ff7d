// `custos detectors`: the built-in detectors, or their RE2 patterns.
#include <cstdio>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/detect/detect.h"

namespace custos::cli {

namespace {

int RunDetectors(bool patterns) {
  for (const detect::DetectorDef& d : detect::BuiltinDetectors()) {
    if (patterns) {
      // One RE2 pattern per line: every variant, as the prefilter would see it.
      for (const detect::Variant& v : d.variants) std::printf("%s\n", v.pattern.c_str());
      continue;
    }
    std::string context;
    for (const std::string& w : d.context) context += (context.empty() ? "" : ", ") + w;
    std::printf("%-16s %zu pattern%s%s%s\n", d.id.c_str(), d.variants.size(),
                d.variants.size() == 1 ? "" : "s",
                context.empty() ? "" : "; context: ", EscapeBytes(context, true).c_str());
  }
  return kExitClean;
}

}  // namespace

void AddDetectors(CommandLine& cl) {
  auto patterns = std::make_shared<bool>(false);
  CLI::App* app = cl.Add(nullptr, "detectors",
                         "list the built-in detectors: id, number of patterns, context words",
                         [patterns] { return RunDetectors(*patterns); });
  cl.Flag(app, "--patterns", patterns.get(),
          "print every RE2 pattern instead, one a line, as the prefilter sees them");
}

}  // namespace custos::cli
