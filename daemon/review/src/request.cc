// The review commands' arguments and output as the control socket carries them.
#include <string>
#include <vector>

#include "custos/base/escape.h"
#include "custos/review/review.h"

namespace custos::review {
namespace {

using json = nlohmann::json;

// Reads the fields of `j` into the targets by name; any other field, or a value of
// another type, is an error.
class Reader {
 public:
  explicit Reader(const json& j) : j_(j) {}

  Reader& Text(const char* key, std::string* into) {
    texts_.push_back({key, into});
    return *this;
  }
  Reader& List(const char* key, std::vector<std::string>* into) {
    lists_.push_back({key, into});
    return *this;
  }
  Reader& Flag(const char* key, bool* into) {
    flags_.push_back({key, into});
    return *this;
  }

  Status Read() {
    if (!j_.is_object()) return Status::Invalid("bad request: 'args' must be an object");
    for (const auto& [key, value] : j_.items()) {
      if (Status s = One(key, value); !s.ok()) return s;
    }
    return Status::Ok();
  }

 private:
  Status One(const std::string& key, const json& value) {
    for (auto& [k, into] : texts_) {
      if (key != k) continue;
      if (!value.is_string()) return Wrong(key, "a string");
      *into = value.get<std::string>();
      return Status::Ok();
    }
    for (auto& [k, into] : lists_) {
      if (key != k) continue;
      if (!value.is_array()) return Wrong(key, "a list of strings");
      into->clear();
      for (const json& v : value) {
        if (!v.is_string()) return Wrong(key, "a list of strings");
        into->push_back(v.get<std::string>());
      }
      return Status::Ok();
    }
    for (auto& [k, into] : flags_) {
      if (key != k) continue;
      if (!value.is_boolean()) return Wrong(key, "true or false");
      *into = value.get<bool>();
      return Status::Ok();
    }
    return Status::Invalid("bad request: unknown argument '" + EscapeBytes(key, true) + "'");
  }
  static Status Wrong(const std::string& key, const char* what) {
    return Status::Invalid("bad request: '" + key + "' must be " + what);
  }

  const json& j_;
  std::vector<std::pair<std::string, std::string*>> texts_;
  std::vector<std::pair<std::string, std::vector<std::string>*>> lists_;
  std::vector<std::pair<std::string, bool*>> flags_;
};

}  // namespace

// The filters, only when given (a custosd from before them refuses unknown fields).
static void AddFilters(json& j, const std::vector<std::string>& nodes,
                       const std::vector<std::string>& roots) {
  if (!nodes.empty()) j["node"] = nodes;
  if (!roots.empty()) j["root"] = roots;
}

json ToJson(const FindingsArgs& a) {
  json j = {{"sub", a.sub},         {"now", a.now},     {"status", a.statuses},
            {"policy", a.policies}, {"since", a.since}, {"format", a.format},
            {"all", a.all},         {"id", a.id},       {"note", a.note},
            {"reason", a.reason},   {"until", a.until}, {"text", a.text}};
  AddFilters(j, a.nodes, a.roots);
  return j;
}

json ToJson(const ReportArgs& a) {
  json j = {{"since", a.since},
            {"format", a.format},
            {"now", a.now},
            {"title", a.title},
            {"expiring_days", a.expiring_days},
            {"weeks", a.weeks}};
  AddFilters(j, a.nodes, a.roots);
  return j;
}

Result<FindingsArgs> FindingsArgsFromJson(const json& j) {
  FindingsArgs a;
  Status s = Reader(j)
                 .Text("sub", &a.sub)
                 .Text("now", &a.now)
                 .List("status", &a.statuses)
                 .List("policy", &a.policies)
                 .Text("since", &a.since)
                 .Text("format", &a.format)
                 .Flag("all", &a.all)
                 .Text("id", &a.id)
                 .Text("note", &a.note)
                 .Text("reason", &a.reason)
                 .Text("until", &a.until)
                 .Text("text", &a.text)
                 .List("node", &a.nodes)
                 .List("root", &a.roots)
                 .Read();
  if (!s.ok()) return s;
  return a;
}

Result<ReportArgs> ReportArgsFromJson(const json& j) {
  ReportArgs a;
  Status s = Reader(j)
                 .Text("since", &a.since)
                 .Text("format", &a.format)
                 .Text("now", &a.now)
                 .Text("title", &a.title)
                 .Text("expiring_days", &a.expiring_days)
                 .Text("weeks", &a.weeks)
                 .List("node", &a.nodes)
                 .List("root", &a.roots)
                 .Read();
  if (!s.ok()) return s;
  return a;
}

json ToJson(const Output& o) {
  return {{"ok", true}, {"exit", o.exit_code}, {"out", o.out}, {"err", o.err}};
}

std::optional<Output> OutputFromJson(const json& j) {
  auto exit = j.find("exit");
  auto out = j.find("out");
  auto err = j.find("err");
  if (exit == j.end() || !exit->is_number_integer() || out == j.end() || !out->is_string() ||
      err == j.end() || !err->is_string()) {
    return std::nullopt;
  }
  Output o;
  o.exit_code = exit->get<int>();
  o.out = out->get<std::string>();
  o.err = err->get<std::string>();
  return o;
}

}  // namespace custos::review
