// The report as JSON (for scripts) and CSV (for spreadsheets).
#include <string>

#include "custos/base/escape.h"
#include "custos/report/report.h"
#include "format.h"

namespace custos::report {
namespace {

using inventory::Finding;

// A tiny JSON writer: objects and arrays with comma handling, strings made valid UTF-8.
class Json {
 public:
  Json& Open(char c) {
    Comma();
    out_ += c;
    first_ = true;
    return *this;
  }
  Json& Close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  Json& Key(std::string_view k) {
    Comma();
    AppendJsonString(out_, k);
    out_ += ": ";
    first_ = true;  // the value follows without a comma
    return *this;
  }
  Json& Str(std::string_view raw) {
    Comma();
    AppendJsonString(out_, EscapeBytes(raw, false));
    return *this;
  }
  Json& Num(uint64_t v) {
    Comma();
    out_ += std::to_string(v);
    return *this;
  }
  Json& Int(int64_t v) {
    Comma();
    out_ += std::to_string(v);
    return *this;
  }
  Json& Bool(bool v) {
    Comma();
    out_ += v ? "true" : "false";
    return *this;
  }
  Json& Null() {
    Comma();
    out_ += "null";
    return *this;
  }
  Json& TimeOrNull(int64_t t) {
    if (t == 0) {
      Null();
    } else {
      Str(fmt::Time(t));
    }
    return *this;
  }
  Json& StrOrNull(std::string_view s) {
    if (s.empty()) {
      Null();
    } else {
      Str(s);
    }
    return *this;
  }
  Json& Newline() {
    out_ += '\n';
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  void Comma() {
    if (!first_) out_ += ", ";
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

void FindingJson(Json& j, const FindingRow& r) {
  const Finding& f = r.finding;
  j.Open('{');
  j.Key("id").Int(f.id);
  j.Key("status").Str(inventory::StatusName(f.status));
  j.Key("severity").Str(f.severity);
  j.Key("policy").Str(f.policy);
  j.Key("kind").Str(f.kind);
  j.Key("path").Str(f.path);
  j.Key("node").StrOrNull(f.node);
  j.Key("root").StrOrNull(r.root);
  j.Key("relative_path").Str(r.relative_path);
  j.Key("item_deleted").Bool(f.item_deleted);
  j.Key("reason").Str(f.reason);
  j.Key("reason_plain").Str(r.plain_reason);
  j.Key("detections");
  j.Open('[');
  for (const Detection& d : f.detections) {
    j.Open('{');
    j.Key("detector").Str(d.detector);
    j.Key("count").Num(d.count);
    j.Key("masked");
    j.Open('[');
    for (const std::string& m : d.masked) j.Str(m);
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');
  j.Key("first_seen").TimeOrNull(f.first_seen);
  j.Key("last_seen").TimeOrNull(f.last_seen);
  j.Key("age_days").Int(r.age_days);
  j.Key("reopened").Bool(r.reopened);
  j.Key("expiring_soon").Bool(r.expiring_soon);
  j.Key("resolved_at").TimeOrNull(f.resolved_at);
  j.Key("exception_reason").StrOrNull(f.exception_reason);
  j.Key("exception_until");
  if (f.exception_until == 0) {
    j.Null();
  } else {
    j.Str(fmt::Date(f.exception_until));
  }
  j.Key("notes").StrOrNull(f.notes);
  j.Key("decided_by");
  if (r.decided_by.IsSystem()) {
    j.Null();
  } else {
    j.Open('{');
    j.Key("name").Str(r.decided_by.name);
    j.Key("uid").Int(r.decided_by.uid);
    j.Close('}');
  }
  j.Close('}');
}

void FindingsJson(Json& j, const char* key, const std::vector<FindingRow>& rows) {
  j.Key(key);
  j.Open('[');
  for (const FindingRow& r : rows) {
    j.Newline();
    FindingJson(j, r);
  }
  j.Close(']');
}

}  // namespace

std::string RenderJson(const ReportData& d) {
  Json j;
  const Summary& s = d.summary;
  j.Open('{');
  j.Key("report");
  j.Open('{');
  j.Key("title").Str(d.options.title);
  j.Key("custos_version").Str(d.version);
  j.Key("since").Str(fmt::Time(d.options.since));
  j.Key("now").Str(fmt::Time(d.options.now));
  j.Key("expiring_days").Int(d.options.expiring_days);
  j.Key("host").StrOrNull(d.options.origin.host);
  j.Key("site").StrOrNull(d.options.origin.site);
  j.Key("filters");
  j.Open('{');
  j.Key("nodes");
  j.Open('[');
  for (const std::string& n : d.options.nodes) j.Str(n);
  j.Close(']');
  j.Key("roots");
  j.Open('[');
  for (const std::string& r : d.options.roots) j.Str(r);
  j.Close(']');
  j.Close('}');
  j.Close('}');
  j.Newline();
  j.Key("roots");
  j.Open('[');
  for (const RootRow& r : d.roots) {
    j.Newline();
    j.Open('{');
    j.Key("name").Str(r.name);
    j.Key("node").StrOrNull(r.node);
    j.Key("path").Str(r.path);
    j.Key("configured").Bool(r.configured);
    j.Key("active").Num(r.active);
    j.Key("last_scan").TimeOrNull(r.last_scan);
    j.Key("excluded").Num(r.excluded);
    j.Key("links_not_followed").Num(r.links_not_followed);
    j.Key("other_filesystems").Num(r.other_filesystems);
    j.Close('}');
  }
  j.Close(']');
  j.Newline();
  j.Key("summary");
  j.Open('{');
  j.Key("items").Num(s.items);
  j.Key("bytes").Num(s.bytes);
  j.Key("items_with_detections").Num(s.items_with_detections);
  j.Key("active").Num(s.active);
  j.Key("new").Num(s.new_in_period);
  j.Key("resolved").Num(s.resolved_in_period);
  j.Key("acknowledged").Num(s.acknowledged);
  j.Key("excepted").Num(s.excepted);
  j.Key("expiring_soon").Num(s.expiring_soon);
  j.Key("not_fully_scanned").Num(s.not_fully_scanned);
  j.Key("excluded").Num(s.excluded);
  j.Key("links_not_followed").Num(s.links_not_followed);
  j.Key("other_filesystems").Num(s.other_filesystems);
  j.Key("scans").Num(s.scans_in_period);
  j.Key("last_complete_scan").TimeOrNull(s.last_complete_scan);
  j.Close('}');
  j.Newline();
  j.Key("policies");
  j.Open('[');
  for (const PolicyCount& p : d.by_policy) {
    j.Newline();
    j.Open('{');
    j.Key("id").Str(p.policy);
    j.Key("severity").Str(p.severity);
    j.Key("description").Str(p.description);
    j.Key("references");
    j.Open('[');
    for (const std::string& r : p.references) j.Str(r);
    j.Close(']');
    j.Key("active").Num(p.active());
    j.Key("new").Num(p.new_count);
    j.Key("open").Num(p.open);
    j.Key("acknowledged").Num(p.acknowledged);
    j.Key("excepted").Num(p.excepted);
    j.Key("resolved").Num(p.resolved_in_period);
    j.Close('}');
  }
  j.Close(']');
  j.Newline();
  j.Key("by_severity");
  j.Open('{');
  for (const auto& [sev, n] : d.by_severity) j.Key(sev).Num(n);
  j.Close('}');
  j.Newline();
  j.Key("weekly");
  j.Open('[');
  for (const WeekPoint& w : d.weekly) {
    j.Open('{');
    j.Key("week_end").Str(fmt::Time(w.end));
    j.Key("active").Num(w.active);
    j.Key("excepted").Num(w.excepted);
    j.Key("new").Num(w.new_count);
    j.Key("resolved").Num(w.resolved);
    j.Close('}');
  }
  j.Close(']');
  j.Newline();
  FindingsJson(j, "new", d.new_findings);
  j.Newline();
  FindingsJson(j, "still_open", d.still_open);
  j.Newline();
  FindingsJson(j, "resolved", d.resolved);
  j.Newline();
  // Each exception once; those ending soon are marked expiring_soon.
  FindingsJson(j, "excepted", d.excepted);
  j.Newline();
  j.Key("coverage");
  j.Open('[');
  for (const inventory::CoverageRow& c : d.coverage) {
    j.Newline();
    j.Open('{');
    j.Key("state").Str(inventory::ItemStateName(c.state));
    j.Key("reason").Str(c.reason);
    j.Key("items").Num(c.items);
    j.Key("bytes").Num(c.bytes);
    j.Key("examples");
    j.Open('[');
    for (const std::string& e : c.examples) j.Str(e);
    j.Close(']');
    j.Close('}');
  }
  j.Close(']');
  j.Newline();
  j.Key("scans");
  j.Open('[');
  for (const inventory::ScanRecord& r : d.scans) {
    j.Newline();
    j.Open('{');
    j.Key("id").Int(r.id);
    j.Key("node").StrOrNull(r.node);
    j.Key("state").Str(inventory::ScanStateName(r.state));
    j.Key("started").TimeOrNull(r.started);
    j.Key("now").TimeOrNull(r.now);
    j.Key("finished").TimeOrNull(r.finished);
    j.Key("roots");
    j.Open('[');
    for (const std::string& root : r.roots) j.Str(root);
    j.Close(']');
    j.Key("items").Num(r.totals.items);
    j.Key("read").Num(r.totals.read);
    j.Key("reused").Num(r.totals.reused);
    j.Key("skipped").Num(r.totals.skipped);
    j.Key("violations").Num(r.totals.violations);
    j.Key("deleted").Num(r.totals.deleted);
    j.Key("excluded").Num(r.totals.excluded);
    j.Key("links_not_followed").Num(r.totals.links_not_followed);
    j.Key("other_filesystems").Num(r.totals.other_filesystems);
    j.Close('}');
  }
  j.Close(']');
  j.Newline();
  j.Close('}');
  std::string out = j.Take();
  out += '\n';
  return out;
}

namespace {

// The CSV's columns; each section fills those that apply.
enum Col {
  kSection,
  kId,
  kStatus,
  kSeverity,
  kPolicy,
  kKind,
  kPath,
  kReason,
  kDetections,
  kFirstSeen,
  kLastSeen,
  kAgeDays,
  kResolvedAt,
  kExceptionReason,
  kExceptionUntil,
  kNotes,
  kName,
  kValue,
  kBytes,
  kReasonPlain,
  kRoot,
  kRelativePath,
  kNode,
  kColumns
};
constexpr const char* kHeader =
    "section,id,status,severity,policy,kind,path,reason,detections,first_seen,last_seen,age_days,"
    "resolved_at,exception_reason,exception_until,notes,name,value,bytes,reason_plain,root,"
    "relative_path,node\r\n";

class Csv {
 public:
  Csv() { out_ = kHeader; }
  using Row = std::vector<std::string>;
  static Row NewRow(const char* section) {
    Row r(kColumns);
    r[kSection] = section;
    return r;
  }
  void Add(const Row& r) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (i) out_ += ',';
      out_ += CsvField(fmt::Display(r[i]));
    }
    out_ += "\r\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void FindingsCsv(Csv& csv, const char* section, const std::vector<FindingRow>& rows) {
  for (const FindingRow& r : rows) {
    const Finding& f = r.finding;
    Csv::Row row = Csv::NewRow(section);
    row[kId] = std::to_string(f.id);
    row[kStatus] = std::string(inventory::StatusName(f.status));
    row[kSeverity] = f.severity;
    row[kPolicy] = f.policy;
    row[kKind] = f.kind;
    row[kPath] = f.path;
    row[kReason] = f.reason;
    row[kReasonPlain] = r.plain_reason;
    row[kRoot] = r.root;
    row[kRelativePath] = r.relative_path;
    row[kNode] = f.node;
    row[kDetections] = fmt::Detections(f.detections);
    row[kFirstSeen] = fmt::Time(f.first_seen);
    row[kLastSeen] = fmt::Time(f.last_seen);
    row[kAgeDays] = std::to_string(r.age_days);
    row[kResolvedAt] = fmt::Time(f.resolved_at);
    row[kExceptionReason] = f.exception_reason;
    row[kExceptionUntil] = fmt::Date(f.exception_until);
    row[kNotes] = f.notes;
    // Marks: each exception is listed once, those ending soon marked so.
    std::string marks;
    for (const auto& [on, mark] :
         {std::pair{r.reopened, "reopened"}, std::pair{f.item_deleted, "file deleted"},
          std::pair{r.expiring_soon, "expiring soon"}}) {
      if (on) marks += (marks.empty() ? "" : "; ") + std::string(mark);
    }
    row[kName] = marks;
    csv.Add(row);
  }
}

}  // namespace

std::string RenderCsv(const ReportData& d) {
  Csv csv;
  const Summary& s = d.summary;
  auto figure = [&](const char* name, const std::string& value) {
    Csv::Row r = Csv::NewRow("summary");
    r[kName] = name;
    r[kValue] = value;
    csv.Add(r);
  };
  figure("title", d.options.title);
  figure("custos_version", d.version);
  figure("since", fmt::Time(d.options.since));
  figure("now", fmt::Time(d.options.now));
  figure("host", d.options.origin.host);
  figure("site", d.options.origin.site);
  figure("items", std::to_string(s.items));
  figure("bytes", std::to_string(s.bytes));
  figure("items_with_detections", std::to_string(s.items_with_detections));
  figure("active", std::to_string(s.active));
  figure("new", std::to_string(s.new_in_period));
  figure("resolved", std::to_string(s.resolved_in_period));
  figure("acknowledged", std::to_string(s.acknowledged));
  figure("excepted", std::to_string(s.excepted));
  figure("expiring_soon", std::to_string(s.expiring_soon));
  figure("not_fully_scanned", std::to_string(s.not_fully_scanned));
  figure("excluded", std::to_string(s.excluded));
  figure("links_not_followed", std::to_string(s.links_not_followed));
  figure("other_filesystems", std::to_string(s.other_filesystems));
  figure("scans", std::to_string(s.scans_in_period));
  figure("last_complete_scan", fmt::Time(s.last_complete_scan));
  for (const PolicyCount& p : d.by_policy) {
    Csv::Row r = Csv::NewRow("policy");
    r[kPolicy] = p.policy;
    r[kSeverity] = p.severity;
    r[kReason] = p.description;
    std::string refs;
    for (const std::string& ref : p.references) refs += (refs.empty() ? "" : "; ") + ref;
    r[kNotes] = refs;
    for (const auto& [name, n] :
         std::vector<std::pair<const char*, uint64_t>>{{"active", p.active()},
                                                       {"new", p.new_count},
                                                       {"open", p.open},
                                                       {"acknowledged", p.acknowledged},
                                                       {"excepted", p.excepted},
                                                       {"resolved", p.resolved_in_period}}) {
      r[kName] = name;
      r[kValue] = std::to_string(n);
      csv.Add(r);
    }
  }
  for (const auto& [sev, n] : d.by_severity) {
    Csv::Row r = Csv::NewRow("by_severity");
    r[kSeverity] = sev;
    r[kValue] = std::to_string(n);
    csv.Add(r);
  }
  for (const WeekPoint& w : d.weekly) {
    Csv::Row r = Csv::NewRow("weekly");
    r[kName] = fmt::Time(w.end);
    r[kStatus] = "active";
    r[kValue] = std::to_string(w.active);
    csv.Add(r);
    r[kStatus] = "excepted";
    r[kValue] = std::to_string(w.excepted);
    csv.Add(r);
    r[kStatus] = "new";
    r[kValue] = std::to_string(w.new_count);
    csv.Add(r);
    r[kStatus] = "resolved";
    r[kValue] = std::to_string(w.resolved);
    csv.Add(r);
  }
  for (const RootRow& root : d.roots) {
    Csv::Row r = Csv::NewRow("root");
    r[kRoot] = root.name;
    r[kNode] = root.node;
    r[kPath] = root.path;
    r[kStatus] = root.configured ? "configured" : "scanned";
    r[kValue] = std::to_string(root.active);
    r[kLastSeen] = fmt::Time(root.last_scan);
    r[kName] = "left out: excluded " + std::to_string(root.excluded) + ", links not followed " +
               std::to_string(root.links_not_followed) + ", other file systems " +
               std::to_string(root.other_filesystems);
    csv.Add(r);
  }
  FindingsCsv(csv, "new", d.new_findings);
  FindingsCsv(csv, "still_open", d.still_open);
  FindingsCsv(csv, "resolved", d.resolved);
  FindingsCsv(csv, "excepted", d.excepted);  // expiring ones marked, not listed again
  for (const inventory::CoverageRow& c : d.coverage) {
    Csv::Row r = Csv::NewRow("coverage");
    r[kStatus] = std::string(inventory::ItemStateName(c.state));
    r[kReason] = c.reason;
    r[kValue] = std::to_string(c.items);
    r[kBytes] = std::to_string(c.bytes);
    std::string ex;
    for (const std::string& e : c.examples) ex += (ex.empty() ? "" : " | ") + e;
    r[kPath] = ex;
    csv.Add(r);
  }
  for (const inventory::ScanRecord& sc : d.scans) {
    Csv::Row r = Csv::NewRow("scan");
    r[kId] = std::to_string(sc.id);
    r[kNode] = sc.node;
    r[kStatus] = std::string(inventory::ScanStateName(sc.state));
    std::string roots;
    for (const std::string& root : sc.roots) roots += (roots.empty() ? "" : " | ") + root;
    r[kPath] = roots;
    r[kFirstSeen] = fmt::Time(sc.now);
    r[kLastSeen] = fmt::Time(sc.finished);
    r[kValue] = std::to_string(sc.totals.items);
    r[kName] = "read " + std::to_string(sc.totals.read) + ", unchanged " +
               std::to_string(sc.totals.reused) + ", skipped " + std::to_string(sc.totals.skipped) +
               ", deleted " + std::to_string(sc.totals.deleted) + "; left out: excluded " +
               std::to_string(sc.totals.excluded) + ", links not followed " +
               std::to_string(sc.totals.links_not_followed) + ", other file systems " +
               std::to_string(sc.totals.other_filesystems);
    csv.Add(r);
  }
  return csv.Take();
}

}  // namespace custos::report
