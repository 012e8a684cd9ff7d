// The command line's one definition. Each subcommand file adds its subcommand to one
// CLI::App tree (CLI11): its options, what their values are, their defaults and help
// texts, and the function that runs it. Parsing (main.cc), --help and the man page's
// synopsis (help.cc) and the bash completion (completion.cc) are all made from that
// tree, so they cannot drift apart.
//
// Conventions the help and the completion read from an option:
//   - its label (CLI11's type name) says what the value is: FILE, PATH or DIR (a file
//     name), ROOT (a root of the running custosd), COMMAND (a subcommand), or a choice
//     `a|b|c` (the values allowed, checked when parsing);
//   - its default string is shown as "(default: ...)";
//   - options with no group are hidden (the generators of this file's outputs).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace custos::cli {

// What the value of an option or positional argument is, for completion.
enum class ValueKind { kNone, kFile, kDir, kChoice, kRoot, kCommand, kText };

// One option or positional argument as the help and the completion show it.
struct OptionView {
  std::vector<std::string> names;  // "-o", "--output"; a positional: its label
  std::string label;               // "FILE", "jsonl|json"; empty for a flag
  std::string description;
  std::string default_shown;  // empty: no default shown
  ValueKind kind = ValueKind::kNone;
  std::vector<std::string> choices;  // kChoice
  bool positional = false;
  bool repeatable = false;
  bool required = false;  // positionals: shown without brackets
};

class CommandLine {
 public:
  using Runner = std::function<int()>;

  CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  CLI::App& root() { return app_; }
  const CLI::App& root() const { return app_; }

  // A subcommand of `parent` (the root when null) and what runs it.
  CLI::App* Add(CLI::App* parent, const std::string& name, const std::string& description,
                Runner run);
  // A subcommand with subcommands of its own: `custos GROUP --opt X SUB` and `custos
  // GROUP SUB --opt X` both work (options of the group are taken after the subcommand
  // too), and without a subcommand `default_sub` is meant.
  CLI::App* AddGroup(const std::string& name, const std::string& description,
                     const std::string& default_sub);
  void SetRunner(CLI::App* app, Runner run) { runners_[app] = std::move(run); }

  // Options. `names` as CLI11 takes them ("-o,--output"). The value stays as typed (a
  // string): the command checks and converts it, with its own message.
  CLI::Option* Flag(CLI::App* app, const std::string& names, bool* into,
                    const std::string& description);
  // A value; `shown_default` empty: the variable's value is the default shown (none
  // when it is empty).
  CLI::Option* Value(CLI::App* app, const std::string& names, std::string* into,
                     const std::string& label, const std::string& description,
                     const std::string& shown_default = "");
  // A repeatable value: one per occurrence (--policy A --policy B).
  CLI::Option* Repeated(CLI::App* app, const std::string& names, std::vector<std::string>* into,
                        const std::string& label, const std::string& description);
  // One of `choices`. Choices: repeatable, and each value may be a comma-separated list.
  CLI::Option* Choice(CLI::App* app, const std::string& names, std::string* into,
                      const std::vector<std::string>& choices, const std::string& description,
                      const std::string& shown_default = "");
  CLI::Option* Choices(CLI::App* app, const std::string& names, std::vector<std::string>* into,
                       const std::vector<std::string>& choices, const std::string& description);
  // Positional arguments: every remaining one (PATH...), or one.
  CLI::Option* Rest(CLI::App* app, const std::string& label, std::vector<std::string>* into,
                    const std::string& description, bool required);
  CLI::Option* Positional(CLI::App* app, const std::string& label, std::string* into,
                          const std::string& description, bool required);

  // Parses argv and runs the subcommand: its exit code, or 2 on a bad command line
  // (with a message on stderr), 0 after --help or --version.
  int Run(int argc, const char* const* argv);

  // What the help and the completion read.
  std::vector<const CLI::App*> Subcommands(const CLI::App& app) const;
  std::vector<OptionView> Options(const CLI::App& app) const;  // own options, then positionals
  // The group `app` belongs to (its options are taken too), or null.
  const CLI::App* GroupOf(const CLI::App& app) const;
  // The subcommand a group means without one ("list" for findings), or null.
  const CLI::App* DefaultSub(const CLI::App& app) const;
  // "custos findings list".
  static std::string FullName(const CLI::App& app);
  // The subcommand of `app` called `name`, or null.
  static const CLI::App* Find(const CLI::App& app, const std::string& name);
  // Prints the help of `app` on stdout.
  void PrintHelp(const CLI::App& app, std::FILE* to) const;

 private:
  struct Meta {
    bool required = false;
    bool repeatable = false;
  };
  std::vector<std::string> Prepare(std::vector<std::string> args) const;
  int CheckExtras(const std::vector<const CLI::App*>& chain) const;

  CLI::App app_;
  std::map<const CLI::App*, Runner> runners_;
  std::map<const CLI::App*, std::string> default_sub_;
  std::map<const CLI::Option*, Meta> meta_;
};

// What each subcommand file adds (in the order of `custos --help`).
void AddScan(CommandLine& cl);
void AddClassify(CommandLine& cl);
void AddCheckConfig(CommandLine& cl);
void AddDetectors(CommandLine& cl);
void AddFindings(CommandLine& cl);
void AddReport(CommandLine& cl);
void AddInventory(CommandLine& cl);
void AddStatus(CommandLine& cl);
void AddScanNow(CommandLine& cl);
void AddReload(CommandLine& cl);
// help [COMMAND]..., --version and the hidden generators (help.cc, completion.cc).
void AddHelp(CommandLine& cl);
void AddGenerators(CommandLine& cl);

// Made from the definition (completion.cc, help.cc).
std::string BashCompletion(const CommandLine& cl);
std::string ManSynopsis(const CommandLine& cl);
std::string HelpText(const CommandLine& cl, const CLI::App& app);

}  // namespace custos::cli
