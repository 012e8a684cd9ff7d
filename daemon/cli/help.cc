// `custos help [COMMAND]...` and `--help`, and the SYNOPSIS of custos(1): made from the
// command line's definition (command_line.h).
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"

namespace custos::cli {
namespace {

constexpr size_t kWidth = 80;   // of the help text
constexpr size_t kColumn = 24;  // where descriptions start

// `text` wrapped to kWidth, every line but the first indented by `indent` spaces (the
// first continues a line already `indent` wide). Newlines in `text` are kept.
std::string Wrap(const std::string& text, size_t indent) {
  std::string out, line;
  size_t width = indent;
  auto flush = [&](bool newline) {
    out += line;
    if (newline) out += "\n" + std::string(indent, ' ');
    line.clear();
    width = indent;
  };
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\n') {
      flush(true);
      ++i;
      continue;
    }
    const size_t end = std::min(text.find_first_of(" \n", i), text.size());
    const std::string word = text.substr(i, end - i);
    if (!line.empty() && width + 1 + word.size() > kWidth) flush(true);
    if (!line.empty()) {
      line += ' ';
      ++width;
    }
    line += word;
    width += word.size();
    i = end < text.size() && text[end] == ' ' ? end + 1 : end;
  }
  flush(false);
  return out;
}

std::string Names(const OptionView& v) {
  std::string s;
  for (const std::string& n : v.names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// "  -o, --output FILE     description (default: x)".
std::string OptionLines(const std::vector<OptionView>& options, bool positionals) {
  std::string out;
  for (const OptionView& v : options) {
    if (v.positional != positionals) continue;
    std::string left = "  " + (v.positional ? v.label + (v.repeatable ? "..." : "") : Names(v));
    if (!v.positional && !v.label.empty()) left += " " + v.label;
    std::string text = v.description;
    if (v.repeatable && !v.positional) text += " (repeatable)";
    if (!v.default_shown.empty()) text += " (default: " + v.default_shown + ")";
    if (left.size() + 2 > kColumn) {
      out += left + "\n" + std::string(kColumn, ' ');
    } else {
      out += left + std::string(kColumn - left.size(), ' ');
    }
    out += Wrap(text, kColumn) + "\n";
  }
  return out;
}

bool HasNamedOptions(const std::vector<OptionView>& options) {
  for (const OptionView& v : options) {
    if (!v.positional && v.names.back() != "--help") return true;
  }
  return false;
}

std::string PositionalsUsage(const std::vector<OptionView>& options) {
  std::string s;
  for (const OptionView& v : options) {
    if (!v.positional) continue;
    const std::string word = v.label + (v.repeatable ? "..." : "");
    s += " " + (v.required ? word : "[" + word + "]");
  }
  return s;
}

// "custos findings show [OPTIONS] ID".
std::string UsageLine(const CommandLine& cl, const CLI::App& app) {
  const std::vector<OptionView> options = cl.Options(app);
  const CLI::App* group = cl.GroupOf(app);
  bool named = HasNamedOptions(options) || (group && HasNamedOptions(cl.Options(*group)));
  std::string s = CommandLine::FullName(app);
  if (group && cl.DefaultSub(*group) == &app) {
    s = CommandLine::FullName(*group) + " [" + app.get_name() + "]";
  }
  return s + (named ? " [OPTIONS]" : "") + PositionalsUsage(options);
}

// "scan PATH...", "findings [list|show|...]": a command in the list of commands.
std::string CommandWords(const CommandLine& cl, const CLI::App& app) {
  std::string subs;
  for (const CLI::App* sub : cl.Subcommands(app))
    subs += (subs.empty() ? "" : "|") + sub->get_name();
  if (!subs.empty()) return app.get_name() + " [" + subs + "]";
  return app.get_name() + PositionalsUsage(cl.Options(app));
}

std::string CommandList(const CommandLine& cl, const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : cl.Subcommands(app)) {
    std::string left = "  " + CommandWords(cl, *sub);
    std::string text = sub->get_description();
    if (cl.DefaultSub(app) == sub) text += " (the default)";
    out += left.size() + 2 > kColumn ? left + "\n" + std::string(kColumn, ' ')
                                     : left + std::string(kColumn - left.size(), ' ');
    out += Wrap(text, kColumn) + "\n";
  }
  return out;
}

std::string WithoutHelp(std::vector<OptionView> options) {
  std::erase_if(options, [](const OptionView& v) { return v.names.back() == "--help"; });
  return OptionLines(options, false) + OptionLines(options, true);
}

// Groff: a hyphen is "\-".
std::string Roff(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// One option or argument of a command in the man page's synopsis.
std::string SynopsisItem(const OptionView& v) {
  const std::string more = v.repeatable ? "..." : "";
  if (v.positional) {
    if (v.required) return v.repeatable ? ".IR " + v.label + " ...\n" : ".I " + v.label + "\n";
    return ".RI [ " + v.label + " ]" + more + "\n";
  }
  const std::string name = Roff(v.names.front());
  if (v.label.empty()) return ".RB [ " + name + " ]\n";
  if (v.kind == ValueKind::kChoice) return ".RB [ " + name + " \" " + v.label + "]" + more + "\"\n";
  return ".RB [ " + name + "\n.IR " + v.label + " ]" + more + "\n";
}

}  // namespace

std::string HelpText(const CommandLine& cl, const CLI::App& app) {
  if (&app == &cl.root()) {
    return "usage: custos COMMAND [OPTIONS]\n       custos --version\n\ncommands:\n" +
           CommandList(cl, app) +
           "\nexit codes: 0 no violation, 1 violations found, 2 error (bad arguments, config\n"
           "or policy, unreadable root, inventory unusable)\n"
           "custos help COMMAND lists every option of a command.\n";
  }
  std::string out;
  const std::vector<const CLI::App*> subs = cl.Subcommands(app);
  if (subs.empty()) {
    out = "usage: " + UsageLine(cl, app) + "\n";
  } else {
    for (const CLI::App* sub : subs)
      out += (out.empty() ? "usage: " : "       ") + UsageLine(cl, *sub) + "\n";
  }
  out += "\n" + Wrap(app.get_description(), 0) + "\n";
  if (!subs.empty()) out += "\ncommands:\n" + CommandList(cl, app);
  const std::vector<OptionView> options = cl.Options(app);
  const CLI::App* group = cl.GroupOf(app);
  if (!subs.empty()) {
    out += "\noptions of every " + app.get_name() + " command:\n" + OptionLines(options, false);
    for (const CLI::App* sub : subs) {
      const std::string own = WithoutHelp(cl.Options(*sub));
      if (!own.empty()) out += "\n" + app.get_name() + " " + sub->get_name() + ":\n" + own;
    }
  } else {
    out += "\noptions:\n" + OptionLines(options, false);
    if (group) out += WithoutHelp(cl.Options(*group));
    const std::string args = OptionLines(options, true);
    if (!args.empty()) out += "\narguments:\n" + args;
  }
  if (!app.get_footer().empty()) out += "\n" + Wrap(app.get_footer(), 0) + "\n";
  return out;
}

std::string ManSynopsis(const CommandLine& cl) {
  std::string out = ".SH SYNOPSIS\n";
  bool first = true;
  auto command = [&](const CLI::App& app, const CLI::App* group) {
    if (!first) out += ".br\n";
    first = false;
    if (group && cl.DefaultSub(*group) == &app) {
      out += ".B " + Roff(CommandLine::FullName(*group)) + "\n.RB [ " + app.get_name() + " ]\n";
    } else {
      out += ".B " + Roff(CommandLine::FullName(app)) + "\n";
    }
    std::vector<OptionView> options = cl.Options(app);
    if (group) {
      std::vector<OptionView> shared = cl.Options(*group);
      options.insert(std::find_if(options.begin(), options.end(),
                                  [](const OptionView& v) { return v.positional; }),
                     shared.begin(), shared.end());
    }
    for (const OptionView& v : options) {
      if (!v.positional && v.names.back() == "--help") continue;
      out += SynopsisItem(v);
    }
  };
  for (const CLI::App* app : cl.Subcommands(cl.root())) {
    const std::vector<const CLI::App*> subs = cl.Subcommands(*app);
    if (subs.empty()) command(*app, nullptr);
    for (const CLI::App* sub : subs) command(*sub, app);
  }
  return out;
}

void AddHelp(CommandLine& cl) {
  auto words = std::make_shared<std::vector<std::string>>();
  CLI::App* help = cl.Add(nullptr, "help", "the options of a command", [&cl, words] {
    const CLI::App* app = &cl.root();
    for (const std::string& w : *words) {
      const CLI::App* sub = CommandLine::Find(*app, w);
      if (!sub || sub->get_group().empty()) {
        PrintError("help: unknown command '" + EscapeBytes(w, true) + "' (see custos --help)");
        return kExitError;
      }
      app = sub;
    }
    cl.PrintHelp(*app, stdout);
    return kExitClean;
  });
  cl.Rest(help, "COMMAND", words.get(), "a command, and a subcommand of it", false);
}

}  // namespace custos::cli
