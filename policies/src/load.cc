// Policy file loading: YAML text -> checked -> compiled (internal::Compiled).
//
// Every file is read in full and every problem recorded as a Diagnostic pointing at
// the offending node (unknown key: the key; bad value: the value; missing key: the
// map holding it). Checks that span files (duplicate ids, references to custom
// detectors) run once all files are read. Any diagnostic rejects the whole set.
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "compiled.h"
#include "custos/base/escape.h"
#include "custos/base/time.h"
#include "custos/yaml/reader.h"
#include "messages.h"
#include "policy_set_impl.h"
#include "reader.h"

namespace custos::policies {
namespace {

using internal::Compiled;
using internal::Policy;
using internal::PolicyKind;
using internal::PolicyKinds;

constexpr uint64_t kMaxFileSize = 16 << 20;

using yaml::Field;
using yaml::Fields;
using yaml::Pos;
using yaml::PosOf;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ValidId(std::string_view s, bool allow_underscore) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    (allow_underscore && c == '_');
    if (!ok) return false;
  }
  return true;
}

// Where an id was first defined, for duplicate messages.
struct Definition {
  size_t file = 0;
  Pos pos;
};

// A match.detectors entry, resolved when every file has been read.
struct DetectorRef {
  std::string id;
  size_t file = 0;
  Pos pos;
};

struct FileDiagnostic {
  size_t file = 0;
  Diagnostic diagnostic;
};

class Loader {
 public:
  void AddText(const std::string& name, const std::string& text);
  void AddUnreadable(const std::string& name, const yaml::Problem& problem);
  Result<std::shared_ptr<const PolicySet>> Finish(std::vector<Diagnostic>* out);

 private:
  // Reporting, to the current file's reader.
  void Error(Pos pos, yaml::Problem problem) { reader_.Report(pos, std::move(problem)); }
  void Error(const YAML::Node& node, yaml::Problem problem) {
    reader_.Report(node, std::move(problem));
  }
  std::string At(const Definition& d) const {
    return yaml::Reader(names_[d.file], nullptr).At(d.pos);
  }
  // Starts and ends a file: its diagnostics are kept with its index, for sorting.
  void BeginFile(const std::string& name);
  void EndFile();
  void ReadText(const std::string& text);

  // Structure helpers: the shared reader's, with the policy file's rules.
  Fields ReadMap(const YAML::Node& map, const yaml::Names& allowed, std::string_view where) {
    return policy_reader_.ReadMap(map, allowed, where);
  }
  std::optional<std::string> ScalarOf(const Field& f, std::string_view key) {
    return policy_reader_.Scalar(f, key);
  }
  std::optional<yaml::Scalars> ScalarList(const Field& f, std::string_view key, bool allow_empty) {
    return policy_reader_.ScalarList(f, key, allow_empty);
  }
  bool IsMapField(const Field& f, std::string_view key) { return policy_reader_.IsMap(f, key); }
  std::vector<Glob> Globs(const Field& f, std::string_view key) {
    return policy_reader_.Globs(f, key);
  }

  // The three sections.
  void ReadPolicy(const YAML::Node& node);
  bool ReadMatch(const Field& f, Policy& p);
  void ReadDetector(const YAML::Node& node);
  void ReadHold(const YAML::Node& node);

  std::string file_;
  size_t file_index_ = 0;
  std::vector<std::string> names_;
  std::vector<Diagnostic> file_diags_;  // the current file's
  yaml::Reader reader_{"", &file_diags_};
  internal::PolicyReader policy_reader_{reader_};
  std::vector<FileDiagnostic> diags_;
  Compiled compiled_;
  std::map<std::string, Definition, std::less<>> policy_ids_;
  std::map<std::string, Definition, std::less<>> detector_ids_;
  std::vector<DetectorRef> detector_refs_;
};

void Loader::BeginFile(const std::string& name) {
  file_index_ = names_.size();
  names_.push_back(name);
  file_ = name;
  reader_ = yaml::Reader(name, &file_diags_);
}

void Loader::EndFile() {
  for (Diagnostic& d : file_diags_) diags_.push_back({file_index_, std::move(d)});
  file_diags_.clear();
}

void Loader::AddUnreadable(const std::string& name, const yaml::Problem& problem) {
  BeginFile(name);
  Error(Pos{}, problem);
  EndFile();
}

void Loader::AddText(const std::string& name, const std::string& text) {
  BeginFile(name);
  ReadText(text);
  EndFile();
}

void Loader::ReadText(const std::string& text) {
  const std::optional<YAML::Node> root = reader_.Parse(text, "a policy file");
  if (!root || root->IsNull()) return;  // an empty file (or only comments): no policies
  if (!root->IsMap()) {
    Error(*root, msg::TopLevelNotMap(yaml::KindName(*root)));
    return;
  }
  Fields top = ReadMap(*root, {"policies", "detectors", "legal_holds"}, "at top level");
  // Detectors first so that a policy may use a detector declared further down.
  struct Section {
    const char* key;
    void (Loader::*read)(const YAML::Node&);
  };
  for (const Section& s :
       {Section{"detectors", &Loader::ReadDetector}, Section{"policies", &Loader::ReadPolicy},
        Section{"legal_holds", &Loader::ReadHold}}) {
    auto it = top.find(s.key);
    if (it == top.end() || it->second.value.IsNull()) continue;  // "legal_holds:" alone: none
    const YAML::Node& list = it->second.value;
    if (!list.IsSequence()) {
      Error(list, msg::WrongType("a list", s.key, yaml::KindName(list)));
      continue;
    }
    for (const YAML::Node& entry : list) {
      if (!entry.IsMap()) {
        Error(entry.IsNull() ? list : entry,
              msg::WrongElementType("a map", s.key, yaml::KindName(entry)));
        continue;
      }
      (this->*s.read)(entry);
    }
  }
}

void Loader::ReadPolicy(const YAML::Node& node) {
  static const yaml::Names kKeys = [] {
    yaml::Names keys = {"id", "description", "references", "severity", "match"};
    for (const PolicyKind& k : PolicyKinds()) keys.push_back(k.key);
    return keys;
  }();
  Fields f = ReadMap(node, kKeys, "in policy");
  Policy p;
  p.info.file = file_;
  p.info.line = PosOf(node.Mark()).line;

  if (auto it = f.find("id"); it == f.end()) {
    Error(node, msg::Missing("id", "in policy"));
  } else if (auto id = ScalarOf(it->second, "id")) {
    const Pos pos = PosOf(it->second.value.Mark());
    if (!ValidId(*id, false)) {
      Error(pos, msg::BadPolicyId(*id));
    } else if (auto prev = policy_ids_.find(*id); prev != policy_ids_.end()) {
      Error(pos, msg::DuplicatePolicyId(*id, At(prev->second)));
    } else {
      policy_ids_.emplace(*id, Definition{file_index_, pos});
    }
    p.info.id = *id;
    p.info.line = pos.line;
  }
  if (auto it = f.find("description"); it != f.end()) {
    if (auto s = ScalarOf(it->second, "description")) p.info.description = *s;
  }
  if (auto it = f.find("references"); it != f.end()) {
    if (auto list = ScalarList(it->second, "references", true)) {
      for (auto& [text, node_] : *list) p.info.references.push_back(text);
    }
  }
  if (auto it = f.find("severity"); it != f.end()) {
    if (auto s = ScalarOf(it->second, "severity")) {
      if (auto severity = ParseSeverity(*s)) {
        p.info.severity = *severity;
      } else {
        yaml::Names names;
        for (size_t i = 0; i < kSeverityCount; ++i) {
          names.push_back(SeverityName(static_cast<Severity>(i)));
        }
        Error(it->second.value, msg::BadValue("severity", *s, yaml::JoinNames(names)));
      }
    }
  }
  if (auto it = f.find("match"); it != f.end()) p.has_match = ReadMatch(it->second, p);

  bool has_rule = false;
  for (const PolicyKind& kind : PolicyKinds()) {
    auto it = f.find(kind.key);
    if (it == f.end()) continue;
    internal::ReadRule read = kind.read(policy_reader_, it->second);
    has_rule = has_rule || read.declares;
    if (read.rule) p.rules.push_back({&kind, std::move(read.rule)});
  }
  if (!has_rule) Error(node, msg::NoRule(p.info.id));

  compiled_.infos.push_back(p.info);
  compiled_.policies.push_back(std::move(p));
}

bool Loader::ReadMatch(const Field& field, Policy& p) {
  if (!IsMapField(field, "match")) return false;
  Fields f = ReadMap(field.value, {"paths", "categories", "detectors", "min_count"}, "in match");
  if (auto it = f.find("paths"); it != f.end()) p.match.paths = Globs(it->second, "paths");
  if (auto it = f.find("categories"); it != f.end()) {
    if (auto list = ScalarList(it->second, "categories", false)) {
      for (const auto& [text, node] : *list) {
        if (auto c = ParseCategory(text)) {
          p.match.categories.push_back(*c);
        } else {
          Error(node, msg::UnknownCategory(text));
        }
      }
    }
  }
  if (auto it = f.find("detectors"); it != f.end()) {
    if (auto list = ScalarList(it->second, "detectors", false)) {
      for (const auto& [text, node] : *list) {
        auto& ds = p.match.detectors;
        if (std::find(ds.begin(), ds.end(), text) == ds.end()) ds.push_back(text);  // count once
        detector_refs_.push_back({text, file_index_, PosOf(node.Mark())});
      }
    }
  }
  if (auto it = f.find("min_count"); it != f.end()) {
    if (auto s = ScalarOf(it->second, "min_count")) {
      if (IsDigits(*s) && s->size() <= 18 && std::stoll(*s) >= 1) {
        p.match.min_count = std::stoull(*s);
      } else {
        Error(it->second.value, msg::BadValue("min_count", *s, "an integer of at least 1"));
      }
    }
    if (f.find("detectors") == f.end()) Error(it->second.key, msg::MinCountWithoutDetectors());
  }
  return true;
}

void Loader::ReadDetector(const YAML::Node& node) {
  Fields f = ReadMap(node, {"id", "pattern", "context", "validate"}, "in detector");
  CustomDetector d;
  if (auto it = f.find("id"); it == f.end()) {
    Error(node, msg::Missing("id", "in detector"));
  } else if (auto id = ScalarOf(it->second, "id")) {
    const Pos pos = PosOf(it->second.value.Mark());
    if (!ValidId(*id, true)) {
      Error(pos, msg::BadDetectorId(*id));
    } else if (detect::IsBuiltinDetector(*id)) {
      Error(pos, msg::BuiltinDetectorClash(*id));
    } else if (auto prev = detector_ids_.find(*id); prev != detector_ids_.end()) {
      Error(pos, msg::DuplicateDetectorId(*id, At(prev->second)));
    } else {
      detector_ids_.emplace(*id, Definition{file_index_, pos});
    }
    d.id = *id;
  }
  if (auto it = f.find("pattern"); it == f.end()) {
    Error(node, msg::Missing("pattern", "in detector"));
  } else if (auto s = ScalarOf(it->second, "pattern")) {
    if (s->empty()) {
      Error(it->second.value, msg::EmptyValue("pattern"));
    } else {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(*s, opts);
      if (!re.ok()) Error(it->second.value, msg::BadPattern(re.error()));
    }
    d.pattern = *s;
  }
  if (auto it = f.find("context"); it != f.end()) {
    if (auto list = ScalarList(it->second, "context", true)) {
      for (auto& [text, n] : *list) d.context.push_back(text);
    }
  }
  if (auto it = f.find("validate"); it != f.end()) {
    if (auto s = ScalarOf(it->second, "validate")) {
      if (detect::FindCustomValidator(*s) != nullptr) {
        d.validate = *s;
      } else {
        yaml::Names names;
        for (const detect::NamedValidator& v : detect::CustomValidators()) names.push_back(v.name);
        Error(it->second.value, msg::BadValue("validate", *s, yaml::JoinNames(names)));
      }
    }
  }
  compiled_.detectors.push_back(std::move(d));
}

void Loader::ReadHold(const YAML::Node& node) {
  Fields f = ReadMap(node, {"paths", "reason", "until"}, "in legal hold");
  internal::LegalHold h;
  LegalHoldInfo info;
  if (auto it = f.find("paths"); it == f.end()) {
    Error(node, msg::Missing("paths", "in legal hold"));
  } else {
    h.paths = Globs(it->second, "paths");
    for (const Glob& g : h.paths) info.paths.push_back(g.pattern());
  }
  if (auto it = f.find("reason"); it == f.end()) {
    Error(node, msg::Missing("reason", "in legal hold"));
  } else if (auto s = ScalarOf(it->second, "reason")) {
    if (s->empty()) Error(it->second.value, msg::EmptyValue("reason"));
    h.reason = *s;
    info.reason = *s;
  }
  if (auto it = f.find("until"); it != f.end()) {
    if (auto s = ScalarOf(it->second, "until")) {
      std::optional<int64_t> day;
      if (s->size() == 10) day = ParseIso8601(*s);
      if (day) {
        info.until = *day;
        h.until_end = *day + 86400;  // the whole of that day, UTC
      } else {
        Error(it->second.value, msg::BadDate("until", *s));
      }
    }
  }
  compiled_.holds.push_back(std::move(h));
  compiled_.hold_infos.push_back(std::move(info));
}

Result<std::shared_ptr<const PolicySet>> Loader::Finish(std::vector<Diagnostic>* out) {
  for (const DetectorRef& ref : detector_refs_) {
    if (detect::IsBuiltinDetector(ref.id)) continue;
    if (detector_ids_.count(ref.id)) continue;
    // Declared with a bad definition? Then that definition was reported already.
    const bool declared = std::any_of(compiled_.detectors.begin(), compiled_.detectors.end(),
                                      [&](const CustomDetector& d) { return d.id == ref.id; });
    if (declared) continue;
    yaml::Names custom;
    for (const auto& [id, where] : detector_ids_) custom.push_back(id);
    yaml::Problem problem = msg::UnknownDetector(ref.id, custom);
    diags_.push_back(
        {ref.file, {names_[ref.file], ref.pos.line, ref.pos.column, problem.text, problem.code}});
  }
  if (!diags_.empty()) {
    std::stable_sort(diags_.begin(), diags_.end(),
                     [](const FileDiagnostic& a, const FileDiagnostic& b) {
                       if (a.file != b.file) return a.file < b.file;
                       if (a.diagnostic.line != b.diagnostic.line)
                         return a.diagnostic.line < b.diagnostic.line;
                       return a.diagnostic.column < b.diagnostic.column;
                     });
    std::string text;
    for (const FileDiagnostic& d : diags_) {
      if (!text.empty()) text += '\n';
      text += d.diagnostic.ToString();
      if (out) out->push_back(d.diagnostic);
    }
    return Status::Invalid(text);
  }
  return std::shared_ptr<const PolicySet>(internal::MakePolicySet(std::move(compiled_)));
}

}  // namespace

Result<std::shared_ptr<const PolicySet>> PolicySet::LoadFiles(
    const std::vector<std::string>& files, std::vector<Diagnostic>* diagnostics) {
  Loader loader;
  for (const std::string& file : files) {
    yaml::Problem problem;
    if (auto text = yaml::ReadFile(file, kMaxFileSize, &problem)) {
      loader.AddText(file, *text);
    } else {
      loader.AddUnreadable(file, problem);
    }
  }
  return loader.Finish(diagnostics);
}

Result<std::shared_ptr<const PolicySet>> PolicySet::LoadString(
    const std::string& yaml, const std::string& name, std::vector<Diagnostic>* diagnostics) {
  Loader loader;
  loader.AddText(name, yaml);
  return loader.Finish(diagnostics);
}

Result<std::shared_ptr<const PolicySet>> PolicySet::LoadStrings(
    const std::vector<std::pair<std::string, std::string>>& named_yaml,
    std::vector<Diagnostic>* diagnostics) {
  Loader loader;
  for (const auto& [name, yaml] : named_yaml) loader.AddText(name, yaml);
  return loader.Finish(diagnostics);
}

}  // namespace custos::policies
