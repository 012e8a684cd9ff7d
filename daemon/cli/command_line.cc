#include "command_line.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <regex>

#include "cli.h"
#include "custos/base/escape.h"

namespace custos::cli {
namespace {

// Help, synopsis and completion all come from HelpText and friends: CLI11's own
// formatter is replaced so that `custos X --help` prints the same as `custos help X`.
class Formatter : public CLI::FormatterBase {
 public:
  explicit Formatter(const CommandLine* cl) : cl_(cl) {}
  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override {
    return HelpText(*cl_, *app);
  }

 private:
  const CommandLine* cl_;
};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t end = std::min(s.find(sep, start), s.size());
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& words, const std::string& last_sep) {
  std::string s;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) s += i + 1 == words.size() ? last_sep : ", ";
    s += words[i];
  }
  return s;
}

// Checks a value against `choices`.
CLI::Validator OneOf(const std::vector<std::string>& choices) {
  return CLI::Validator(
      [choices](std::string& v) -> std::string {
        if (std::find(choices.begin(), choices.end(), v) != choices.end()) return {};
        return "'" + EscapeBytes(v, true) + "' (" + Join(choices, " or ") + ")";
      },
      "");
}

ValueKind KindOfLabel(const std::string& label) {
  if (label.empty()) return ValueKind::kNone;
  if (label.find('|') != std::string::npos) return ValueKind::kChoice;
  if (label == "DIR") return ValueKind::kDir;
  if (label == "FILE" || label == "PATH") return ValueKind::kFile;
  if (label == "ROOT") return ValueKind::kRoot;
  if (label == "COMMAND") return ValueKind::kCommand;
  return ValueKind::kText;
}

// Takes the value the variable holds as the default shown, unless one is given.
void ShowDefault(CLI::Option* opt, const std::string& value, const std::string& shown) {
  if (!shown.empty()) {
    opt->default_str(shown);
  } else if (!value.empty()) {
    opt->default_str(value);
  }
}

}  // namespace

CommandLine::CommandLine() : app_("custos: data-inventory and retention scanner", "custos") {
  app_.formatter(std::make_shared<Formatter>(this));
  app_.set_help_flag("-h,--help", "this help");
  app_.require_subcommand(0, 1);
  app_.allow_extras();
  app_.set_version_flag("--version", std::string("custos ") + CUSTOS_VERSION,
                        "print the version and exit");
}

CLI::App* CommandLine::Add(CLI::App* parent, const std::string& name,
                           const std::string& description, Runner run) {
  CLI::App* app = (parent ? parent : &app_)->add_subcommand(name, description);
  app->allow_extras();
  if (parent) app->fallthrough();
  if (run) runners_[app] = std::move(run);
  return app;
}

CLI::App* CommandLine::AddGroup(const std::string& name, const std::string& description,
                                const std::string& default_sub) {
  CLI::App* app = Add(nullptr, name, description, nullptr);
  app->require_subcommand(0, 1);
  default_sub_[app] = default_sub;
  return app;
}

CLI::Option* CommandLine::Flag(CLI::App* app, const std::string& names, bool* into,
                               const std::string& description) {
  return app->add_flag(names, *into, description)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

CLI::Option* CommandLine::Value(CLI::App* app, const std::string& names, std::string* into,
                                const std::string& label, const std::string& description,
                                const std::string& shown_default) {
  CLI::Option* opt = app->add_option(names, *into, description)
                         ->type_name(label)
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  ShowDefault(opt, *into, shown_default);
  return opt;
}

CLI::Option* CommandLine::Repeated(CLI::App* app, const std::string& names,
                                   std::vector<std::string>* into, const std::string& label,
                                   const std::string& description) {
  CLI::Option* opt =
      app->add_option(names, *into, description)->type_name(label)->allow_extra_args(false);
  meta_[opt].repeatable = true;
  return opt;
}

CLI::Option* CommandLine::Choice(CLI::App* app, const std::string& names, std::string* into,
                                 const std::vector<std::string>& choices,
                                 const std::string& description, const std::string& shown_default) {
  std::string label;
  for (const std::string& c : choices) label += (label.empty() ? "" : "|") + c;
  return Value(app, names, into, label, description, shown_default)->check(OneOf(choices));
}

CLI::Option* CommandLine::Choices(CLI::App* app, const std::string& names,
                                  std::vector<std::string>* into,
                                  const std::vector<std::string>& choices,
                                  const std::string& description) {
  std::string label;
  for (const std::string& c : choices) label += (label.empty() ? "" : "|") + c;
  return Repeated(app, names, into, label, description)->delimiter(',')->check(OneOf(choices));
}

CLI::Option* CommandLine::Rest(CLI::App* app, const std::string& label,
                               std::vector<std::string>* into, const std::string& description,
                               bool required) {
  // Never "full": after `--` every argument is taken as one of these, even after some
  // were given (CLI11 hands `--` to the parent of a subcommand whose positionals are
  // complete).
  CLI::Option* opt = app->add_option(label, *into, description)
                         ->type_name(label)
                         ->expected(INT_MAX / 2, INT_MAX / 2)
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  meta_[opt] = {required, true};
  return opt;
}

CLI::Option* CommandLine::Positional(CLI::App* app, const std::string& label, std::string* into,
                                     const std::string& description, bool required) {
  CLI::Option* opt = app->add_option(label, *into, description)->type_name(label);
  meta_[opt].required = required;
  return opt;
}

std::vector<const CLI::App*> CommandLine::Subcommands(const CLI::App& app) const {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<OptionView> CommandLine::Options(const CLI::App& app) const {
  std::vector<OptionView> named, positional;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    OptionView v;
    v.positional = opt->get_positional();
    v.description = opt->get_description();
    v.default_shown = opt->get_default_str();
    if (auto it = meta_.find(opt); it != meta_.end()) {
      v.required = it->second.required;
      v.repeatable = it->second.repeatable;
    }
    if (v.positional) {
      v.names = {opt->get_name()};
      v.label = opt->get_name();
    } else {
      for (const std::string& s : opt->get_snames()) v.names.push_back("-" + s);
      for (const std::string& l : opt->get_lnames()) v.names.push_back("--" + l);
      if (opt->get_type_size() > 0) v.label = opt->get_type_name();
    }
    v.kind = KindOfLabel(v.label);
    if (v.kind == ValueKind::kChoice) v.choices = Split(v.label, '|');
    (v.positional ? positional : named).push_back(std::move(v));
  }
  // The help flag last, as users look for it there.
  std::stable_partition(named.begin(), named.end(),
                        [](const OptionView& v) { return v.names.back() != "--help"; });
  named.insert(named.end(), positional.begin(), positional.end());
  return named;
}

const CLI::App* CommandLine::GroupOf(const CLI::App& app) const {
  const CLI::App* parent = app.get_parent();
  return parent && parent != &app_ ? parent : nullptr;
}

const CLI::App* CommandLine::DefaultSub(const CLI::App& app) const {
  auto it = default_sub_.find(&app);
  return it == default_sub_.end() ? nullptr : Find(app, it->second);
}

std::string CommandLine::FullName(const CLI::App& app) {
  std::string name = app.get_name();
  for (const CLI::App* p = app.get_parent(); p; p = p->get_parent()) {
    name = p->get_name() + " " + name;
  }
  return name;
}

const CLI::App* CommandLine::Find(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

void CommandLine::PrintHelp(const CLI::App& app, std::FILE* to) const {
  std::fputs(HelpText(*this, app).c_str(), to);
}

// `custos GROUP [GROUP OPTIONS] ARGS` without a subcommand means the group's default
// one: it is put in before the first argument the group itself does not take. `custos
// GROUP help` is `custos GROUP --help`.
std::vector<std::string> CommandLine::Prepare(std::vector<std::string> args) const {
  if (args.empty()) return args;
  const CLI::App* group = Find(app_, args[0]);
  if (!group || !DefaultSub(*group)) return args;
  size_t i = 1;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a == "help") {
      args[i] = "--help";
      return args;
    }
    if (a == "--" || a == "-h" || a == "--help" || Find(*group, a)) return args;
    if (a.empty() || a[0] != '-') break;  // a stray argument: the group says it is unknown
    const std::string name = a.substr(0, a.find('='));
    const CLI::Option* opt = group->get_option_no_throw(name);
    if (!opt) break;
    i += opt->get_type_size() > 0 && name.size() == a.size() ? 2 : 1;
  }
  if (i < args.size() && !args[i].empty() && args[i][0] != '-') return args;
  args.insert(args.begin() + static_cast<long>(std::min(i, args.size())),
              DefaultSub(*group)->get_name());
  return args;
}

// Arguments no command took: a message naming the command and where to look.
int CommandLine::CheckExtras(const std::vector<const CLI::App*>& chain) const {
  std::vector<std::string> extras;
  for (const CLI::App* app : chain) {
    for (const std::string& extra : app->remaining()) {
      if (extra != "--") extras.push_back(extra);
    }
  }
  if (extras.empty()) return kExitClean;
  const std::string shown = "'" + EscapeBytes(extras[0], true) + "'";
  const bool option = extras[0].size() > 1 && extras[0][0] == '-';
  const CLI::App* leaf = chain.back();
  if (leaf == &app_) {
    PrintError((option ? "unknown option " : "unknown command ") + shown + " (see custos --help)");
    return kExitError;
  }
  const std::string name = FullName(*leaf).substr(std::string("custos ").size());
  const char* what = option              ? "unknown option "
                     : DefaultSub(*leaf) ? "unknown subcommand "
                                         : "unexpected argument ";
  PrintError(name + ": " + what + shown + " (see custos help " + name + ")");
  return kExitError;
}

int CommandLine::Run(int argc, const char* const* argv) {
  std::vector<std::string> args = Prepare({argv + 1, argv + argc});
  if (args.empty()) {
    PrintHelp(app_, stderr);
    return kExitError;
  }
  std::vector<const CLI::App*> chain = {&app_};
  try {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app_.parse(args);
  } catch (const CLI::CallForHelp&) {
    const CLI::App* shown = &app_;
    while (!shown->get_subcommands().empty()) shown = shown->get_subcommands().front();
    PrintHelp(*shown, stdout);
    return kExitClean;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return kExitClean;
  } catch (const CLI::ParseError& e) {
    // "--format: 1 required FMT missing": said as before.
    static const std::regex missing(R"(^(\S+): \d+ required .* missing$)");
    std::smatch m;
    const std::string what = e.what();
    if (std::regex_match(what, m, missing)) {
      PrintError("option " + m[1].str() + " needs a value");
    } else {
      PrintError(EscapeBytes(what, true));  // it may quote what was typed
    }
    return kExitError;
  }
  while (!chain.back()->get_subcommands().empty()) {
    chain.push_back(chain.back()->get_subcommands().front());
  }
  if (int rc = CheckExtras(chain); rc != kExitClean) return rc;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto runner = runners_.find(*it);
    if (runner != runners_.end()) return runner->second();
  }
  PrintHelp(app_, stderr);
  return kExitError;
}

}  // namespace custos::cli
