// retention: {max_age: 30d, age_from: content_date | mtime | ctime}. An item older
// than max_age breaches it, unless a legal hold covers it. An item without a content
// date (or not read) is judged on its mtime, and the reason says so.
#include "../messages.h"
#include "custos/base/time.h"
#include "custos/policies/policy.h"
#include "kinds.h"

namespace custos::policies::internal {
namespace {

enum class AgeFrom { kContentDate, kMtime, kCtime };

class RetentionRule final : public Rule {
 public:
  RetentionRule(int64_t max_age, std::string max_age_text, AgeFrom age_from)
      : max_age_(max_age), max_age_text_(std::move(max_age_text)), age_from_(age_from) {}

  std::optional<Breach> Judge(const Judged& j) const override {
    if (j.held) return std::nullopt;
    const Item& item = j.item;
    int64_t base = 0;
    const char* verb = "modified";
    const char* note = "";
    if (age_from_ == AgeFrom::kContentDate && item.content_date) {
      base = *item.content_date;
      verb = "recorded";
    } else {
      if (!item.has_info) return std::nullopt;
      if (age_from_ == AgeFrom::kCtime) {
        base = item.info.ctime;
        verb = "changed";
      } else {
        base = item.info.mtime;
        if (age_from_ == AgeFrom::kContentDate) {
          note = j.skipped ? " (content not read)" : " (no content date)";
        }
      }
    }
    const int64_t age = j.now - base;
    if (age <= max_age_) return std::nullopt;
    const int64_t days = age / 86400;  // age > 0: floor
    const std::string when = std::string(verb) + " " + FormatIso8601(base) + ", ";
    const std::string limit = "limit " + max_age_text_ + note;
    return Breach{when + std::to_string(days) + (days == 1 ? " day old, " : " days old, ") + limit,
                  when + limit};
  }

 private:
  const int64_t max_age_;           // seconds
  const std::string max_age_text_;  // as written, printed in reasons
  const AgeFrom age_from_;
};

// "30d" -> "30 days", "1y" -> "1 year": a duration as the policy wrote it, in words.
std::string DurationWords(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  static constexpr std::pair<std::string_view, std::string_view> kUnits[] = {
      {"s", "second"}, {"min", "minute"}, {"h", "hour"}, {"d", "day"},
      {"w", "week"},   {"mo", "month"},   {"y", "year"}};
  const std::string_view number = text.substr(0, digits), unit = text.substr(digits);
  for (const auto& [u, word] : kUnits) {
    if (digits > 0 && unit == u) {
      return std::string(number) + " " + std::string(word) + (number == "1" ? "" : "s");
    }
  }
  return std::string(text);
}

}  // namespace

// "recorded 2024-01-02T03:04:05Z[, 695 days old], limit 30d[ (no content date)]".
std::string PlainRetention(std::string_view reason) {
  static constexpr std::pair<std::string_view, std::string_view> kVerbs[] = {
      {"recorded ", "recorded on "},
      {"modified ", "last modified on "},
      {"changed ", "last changed (contents or permissions) on "}};
  std::string when;
  for (const auto& [verb, words] : kVerbs) {
    if (reason.substr(0, verb.size()) == verb && reason.size() >= verb.size() + 10) {
      when = std::string(words) + std::string(reason.substr(verb.size(), 10));
    }
  }
  const size_t limit = reason.find(", limit ");
  if (when.empty() || limit == std::string_view::npos) return std::string(reason);
  std::string_view max = reason.substr(limit + 8);
  std::string note;
  for (const auto& [tail, words] :
       {std::pair<std::string_view, std::string_view>{" (no content date)",
                                                      " (the file holds no recording date)"},
        {" (content not read)", " (its content could not be read for a recording date)"}}) {
    if (max.size() > tail.size() && max.substr(max.size() - tail.size()) == tail) {
      max.remove_suffix(tail.size());
      note = words;
    }
  }
  return "kept longer than allowed: " + when + note + "; the policy keeps such files " +
         DurationWords(max) + " at most";
}

ReadRule ReadRetention(PolicyReader& r, const yaml::Field& field) {
  if (!r.IsMap(field, "retention")) return {true, nullptr};
  yaml::Fields f = r.ReadMap(field.value, {"max_age", "age_from"}, "in retention");
  int64_t max_age = 0;
  std::string max_age_text;
  AgeFrom age_from = AgeFrom::kContentDate;
  if (auto it = f.find("max_age"); it == f.end()) {
    r.Error(field.value, msg::Missing("max_age", "in retention"));
  } else if (auto s = r.Scalar(it->second, "max_age")) {
    if (auto d = ParseDuration(*s)) {
      max_age = *d;
      max_age_text = *s;
    } else {
      r.Error(it->second.value, msg::BadDuration("max_age", *s));
    }
  }
  if (auto it = f.find("age_from"); it != f.end()) {
    if (auto s = r.Scalar(it->second, "age_from")) {
      if (*s == "content_date") {
        age_from = AgeFrom::kContentDate;
      } else if (*s == "mtime") {
        age_from = AgeFrom::kMtime;
      } else if (*s == "ctime") {
        age_from = AgeFrom::kCtime;
      } else {
        r.Error(it->second.value, msg::BadValue("age_from", *s, "content_date, mtime, ctime"));
      }
    }
  }
  return {true, std::make_unique<RetentionRule>(max_age, std::move(max_age_text), age_from)};
}

}  // namespace custos::policies::internal
