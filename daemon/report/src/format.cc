#include "format.h"

#include "custos/base/escape.h"
#include "custos/base/time.h"

namespace custos::report::fmt {

std::string Display(std::string_view raw) { return EscapeBytes(raw, /*escape_controls=*/true); }

std::string Date(int64_t t) { return t == 0 ? std::string() : FormatIso8601(t).substr(0, 10); }

std::string Time(int64_t t) { return t == 0 ? std::string() : FormatIso8601(t); }

std::string Detections(const std::vector<Detection>& detections) {
  std::string out;
  for (const Detection& d : detections) {
    if (!out.empty()) out += "; ";
    out += d.detector + " x" + std::to_string(d.count);
    std::string samples;
    for (const std::string& m : d.masked) samples += (samples.empty() ? "" : ", ") + Display(m);
    if (!samples.empty()) out += ": " + samples;
  }
  return out;
}

}  // namespace custos::report::fmt
