// A small Prometheus registry: counters, gauges and histograms with labels, rendered
// in the text exposition format 0.0.4. Label values are fixed vocabularies (root
// names, policy ids, severities, skip reasons, results): never paths or matched values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custos/base/mutex.h"

namespace custos::service {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Declares a family. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]*; counters end in
  // _total. Histograms take their upper bounds in `buckets` (ascending; +Inf is added).
  // Declaring a name twice keeps the first declaration.
  void Declare(const std::string& name, const std::string& help, Type type,
               std::vector<double> buckets = {});
  // Counter or gauge: adds `delta`.
  void Add(const std::string& name, const Labels& labels, double delta = 1);
  // Gauge: sets the value.
  void Set(const std::string& name, const Labels& labels, double value);
  // Gauge: removes every series (before setting the current ones again).
  void Clear(const std::string& name);
  // Histogram: records one observation.
  void Observe(const std::string& name, const Labels& labels, double value);
  // The value of a counter or gauge series (0 when absent); for tests and status.
  double Value(const std::string& name, const Labels& labels) const;

  // The whole registry in text format. Thread-safe like every method.
  std::string Render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> counts;  // per bucket, not cumulative; last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    std::string help;
    Type type = Type::kCounter;
    std::vector<double> buckets;
    std::map<std::string, double> values;         // rendered label set -> value
    std::map<std::string, Histogram> histograms;  // rendered label set -> histogram
  };
  static std::string RenderLabels(const Labels& labels);

  mutable Mutex mu_;
  std::map<std::string, Family> families_ GUARDED_BY(mu_);
};

// A label value restricted to a safe vocabulary: printable ASCII, at most 64
// characters, anything else replaced by '_'.
std::string SafeLabel(std::string_view value);

}  // namespace custos::service
