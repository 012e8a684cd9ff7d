// `custos detectors`: the built-in detectors, or their RE2 patterns.
#include <cstdio>
#include <string>

#include "cli.h"
#include "custos/base/escape.h"
#include "custos/detect/detect.h"

namespace custos::cli {

int DetectorsCommand(const Args& args) {
  const bool patterns = !args.empty() && args[0] == "--patterns";
  if (!args.empty() && !patterns) {
    std::fputs("usage: custos detectors [--patterns]\n", args[0] == "--help" ? stdout : stderr);
    return args[0] == "--help" ? kExitClean : kExitError;
  }
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
}  // namespace custos::cli
