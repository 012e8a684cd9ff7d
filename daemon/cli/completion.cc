// The bash completion of custos, made from the command line's definition
// (command_line.h): `custos --generate-completion bash` at build time writes the file
// the package installs. Also the hidden options that print it and the man page's
// synopsis.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"

namespace custos::cli {
namespace {

constexpr const char* kHead =
    R"BASH(# bash completion for custos(1). Made by `custos --generate-completion bash` from
# the definition that also drives its parsing and --help (daemon/cli): do not edit.

_custos_roots() {
    # Root names from the running daemon, when it answers.
    custos status --json 2>/dev/null | sed -n 's/^ *"name": "\([a-z0-9_-]*\)",\{0,1\}$/\1/p'
}

_custos() {
    local cur prev words cword
    _init_completion -s || return

    # The (sub)command the words so far name; the values of its options are skipped.
    local cmd="" i skip=0
    for ((i = 1; i < cword; i++)); do
        if ((skip)); then
            skip=0
            continue
        fi
        case "$cmd:${words[i]}" in
)BASH";

std::string Words(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// A case label: "cmd:a"|"cmd:b".
std::string Labels(const std::string& cmd, const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : "|") + ("\"" + cmd + ":" + w + "\"");
  return s;
}

std::string Reply(const std::string& words) {
  return "COMPREPLY=($(compgen -W \"" + words + "\" -- \"$cur\"))";
}

// What completes a value of kind `kind` (an option's or a positional argument's).
std::string ValueAction(const CommandLine& cl, const OptionView& v) {
  switch (v.kind) {
    case ValueKind::kFile:
      return "_filedir";
    case ValueKind::kDir:
      return "_filedir -d";
    case ValueKind::kChoice:
      return Reply(Words(v.choices));
    case ValueKind::kRoot:
      return Reply("$(_custos_roots)");
    case ValueKind::kCommand: {
      std::vector<std::string> names;
      for (const CLI::App* app : cl.Subcommands(cl.root())) names.push_back(app->get_name());
      return Reply(Words(names));
    }
    default:
      return ":";  // a value to type
  }
}

// One state of the completion: a command as the words name it, with the options it
// takes (its own, its group's, and for a group its default subcommand's).
struct State {
  std::string cmd;  // "", "scan", "findings", "findings list"
  std::vector<OptionView> options;
  std::vector<std::string> subcommands;
  const OptionView* positional = nullptr;
};

std::vector<State> States(const CommandLine& cl) {
  std::vector<State> states;
  State root;
  root.options = cl.Options(cl.root());
  for (const CLI::App* app : cl.Subcommands(cl.root())) root.subcommands.push_back(app->get_name());
  states.push_back(root);
  auto add = [&](const CLI::App& app, const std::string& cmd) {
    State s;
    s.cmd = cmd;
    s.options = cl.Options(app);
    if (const CLI::App* group = cl.GroupOf(app)) {
      for (OptionView& v : cl.Options(*group)) {
        if (v.names.back() != "--help") s.options.push_back(v);
      }
    }
    if (const CLI::App* def = cl.DefaultSub(app)) {
      for (OptionView& v : cl.Options(*def)) {
        if (v.names.back() != "--help") s.options.push_back(v);
      }
    }
    for (const CLI::App* sub : cl.Subcommands(app)) s.subcommands.push_back(sub->get_name());
    states.push_back(s);
  };
  for (const CLI::App* app : cl.Subcommands(cl.root())) {
    add(*app, app->get_name());
    for (const CLI::App* sub : cl.Subcommands(*app)) {
      add(*sub, app->get_name() + " " + sub->get_name());
    }
  }
  for (State& s : states) {
    for (const OptionView& v : s.options) {
      if (v.positional && !s.positional) s.positional = &v;
    }
  }
  return states;
}

}  // namespace

std::string BashCompletion(const CommandLine& cl) {
  const std::vector<State> states = States(cl);
  std::string out = kHead;
  // Moving down to a subcommand; skipping the value of an option.
  for (const State& s : states) {
    for (const std::string& sub : s.subcommands) {
      const std::string next = s.cmd.empty() ? sub : s.cmd + " " + sub;
      out += "            " + Labels(s.cmd, {sub}) + ") cmd=\"" + next + "\" ;;\n";
    }
    std::vector<std::string> valued;
    for (const OptionView& v : s.options) {
      if (!v.positional && !v.label.empty())
        valued.insert(valued.end(), v.names.begin(), v.names.end());
    }
    if (!valued.empty()) out += "            " + Labels(s.cmd, valued) + ") skip=1 ;;\n";
  }
  out +=
      "        esac\n"
      "    done\n"
      "\n"
      "    # The value of an option.\n"
      "    case \"$cmd:$prev\" in\n";
  for (const State& s : states) {
    // Options whose values complete alike share a branch.
    std::vector<std::pair<std::string, std::vector<std::string>>> actions;
    for (const OptionView& v : s.options) {
      if (v.positional || v.label.empty()) continue;
      const std::string action = ValueAction(cl, v);
      auto it = std::find_if(actions.begin(), actions.end(),
                             [&](const auto& a) { return a.first == action; });
      if (it == actions.end()) it = actions.insert(actions.end(), {action, {}});
      it->second.insert(it->second.end(), v.names.begin(), v.names.end());
    }
    for (const auto& [action, names] : actions) {
      out += "        " + Labels(s.cmd, names) + ")\n            " + action +
             "\n            return\n            ;;\n";
    }
  }
  out +=
      "    esac\n"
      "\n"
      "    # Options, subcommands, arguments.\n"
      "    case $cmd in\n";
  for (const State& s : states) {
    std::vector<std::string> names;
    for (const OptionView& v : s.options) {
      if (!v.positional) names.insert(names.end(), v.names.begin(), v.names.end());
    }
    std::string other = ":";
    if (!s.subcommands.empty()) {
      other = Reply(Words(s.subcommands));
    } else if (s.positional && s.positional->kind == ValueKind::kCommand) {
      // help GROUP SUBCOMMAND
      other = "case $prev in\n";
      for (const CLI::App* app : cl.Subcommands(cl.root())) {
        std::vector<std::string> subs;
        for (const CLI::App* sub : cl.Subcommands(*app)) subs.push_back(sub->get_name());
        if (!subs.empty())
          other += "                    " + app->get_name() + ") " + Reply(Words(subs)) + " ;;\n";
      }
      other +=
          "                    *) " + ValueAction(cl, *s.positional) + " ;;\n                esac";
    } else if (s.positional) {
      other = ValueAction(cl, *s.positional);
    }
    out += "        \"" + s.cmd + "\")\n            if [[ $cur == -* ]]; then\n                " +
           Reply(Words(names)) + "\n            else\n                " + other +
           "\n            fi\n            ;;\n";
  }
  out +=
      "    esac\n"
      "} && complete -F _custos custos\n";
  return out;
}

void AddGenerators(CommandLine& cl) {
  auto shell = std::make_shared<std::string>();
  auto synopsis = std::make_shared<bool>(false);
  CLI::App& root = cl.root();
  cl.Value(&root, "--generate-completion", shell.get(), "bash", "print the completion script")
      ->group("");
  root.add_flag("--generate-man-synopsis", *synopsis, "print custos(1)'s SYNOPSIS")->group("");
  // Without a subcommand: one of these, or the usage.
  cl.SetRunner(&root, [&cl, shell, synopsis] {
    if (!shell->empty()) {
      if (*shell != "bash") {
        PrintError("--generate-completion: bash is the one shell it knows");
        return kExitError;
      }
      std::fputs(BashCompletion(cl).c_str(), stdout);
      return kExitClean;
    }
    if (*synopsis) {
      std::fputs(ManSynopsis(cl).c_str(), stdout);
      return kExitClean;
    }
    cl.PrintHelp(cl.root(), stderr);
    return kExitError;
  });
}

}  // namespace custos::cli
