#include "custos/service/metrics.h"

#include <cmath>
#include <cstdio>

namespace custos::service {
namespace {

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", v);
  }
  return buf;
}

// Escapes a label value for the text format: backslash, double quote, newline.
std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Joins a rendered label set ("a=\"1\"") with an extra label.
std::string WithLabel(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string SafeLabel(std::string_view value) {
  std::string out;
  for (char c : value.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '_';
  return out;
}

std::string MetricsRegistry::RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + EscapeLabel(SafeLabel(labels[i].second)) + "\"";
  }
  return out + "}";
}

void MetricsRegistry::Declare(const std::string& name, const std::string& help, Type type,
                              std::vector<double> buckets) {
  MutexLock lock(mu_);
  if (families_.count(name)) return;
  Family f;
  f.help = help;
  f.type = type;
  f.buckets = std::move(buckets);
  families_.emplace(name, std::move(f));
}

void MetricsRegistry::Add(const std::string& name, const Labels& labels, double delta) {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.values[RenderLabels(labels)] += delta;
}

void MetricsRegistry::Set(const std::string& name, const Labels& labels, double value) {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  it->second.values[RenderLabels(labels)] = value;
}

void MetricsRegistry::Clear(const std::string& name) {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.values.clear();
}

void MetricsRegistry::Observe(const std::string& name, const Labels& labels, double value) {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != Type::kHistogram) return;
  Histogram& h = it->second.histograms[RenderLabels(labels)];
  const auto& buckets = it->second.buckets;
  if (h.counts.empty()) h.counts.assign(buckets.size() + 1, 0);
  size_t i = 0;
  while (i < buckets.size() && value > buckets[i]) ++i;
  ++h.counts[i];
  h.sum += value;
  ++h.count;
}

double MetricsRegistry::Value(const std::string& name, const Labels& labels) const {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto v = it->second.values.find(RenderLabels(labels));
  return v == it->second.values.end() ? 0 : v->second;
}

std::string MetricsRegistry::Render() const {
  MutexLock lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter"
                       : f.type == Type::kGauge ? "gauge"
                                                : "histogram";
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + type + "\n";
    if (f.type != Type::kHistogram) {
      for (const auto& [labels, value] : f.values) {
        out += name + labels + " " + FormatValue(value) + "\n";
      }
      continue;
    }
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        const std::string le = i < f.buckets.size() ? FormatValue(f.buckets[i]) : "+Inf";
        out += name + "_bucket" + WithLabel(labels, "le=\"" + le + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_sum" + labels + " " + FormatValue(h.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace custos::service
