// `custos inventory copy`: a single server's inventory (SQLite) moved into the fleet's
// PostgreSQL database under the server's node name, its whole history and every
// decision included (custos/inventory/copy.h does the copying).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli.h"
#include "command_line.h"
#include "custos/base/escape.h"
#include "custos/config/config.h"
#include "custos/inventory/copy.h"
#include "custos/inventory/store.h"

namespace custos::cli {
namespace {

struct CopyArgs {
  std::string from = "sqlite:" + config::DefaultInventoryPath();
  std::string to;
  std::string node;
  bool replace = false;
  bool quiet = false;
};

// A node name: a host name's characters, as it shows in reports and filters.
bool ValidNode(const std::string& node) {
  if (node.empty() || node.size() > 253) return false;
  for (char c : node) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string Shown(const std::string& location) {
  return EscapeBytes(inventory::RedactUri(location), true);
}

std::string Counted(const inventory::InventoryCounts& c) {
  return std::to_string(c.scans) + " scans, " + std::to_string(c.items) + " items, " +
         std::to_string(c.findings) + " findings, " + std::to_string(c.events) + " events";
}

int RunCopy(const CopyArgs& a) {
  if (!a.node.empty() && !ValidNode(a.node)) {
    PrintError("inventory copy: --node '" + EscapeBytes(a.node, true) +
               "' is not a node name (letters, digits, '.', '-' and '_')");
    return kExitError;
  }
  if (a.to.empty()) {
    PrintError("inventory copy: --to postgresql://... is required (the fleet database)");
    return kExitError;
  }
  if (!inventory::IsPgLocation(a.to)) {
    PrintError("inventory copy: --to " + Shown(a.to) +
               ": the copy goes into a PostgreSQL database (postgresql://...)");
    return kExitError;
  }
  if (inventory::IsPgLocation(a.from)) {
    PrintError("inventory copy: --from " + Shown(a.from) +
               ": the copy is made from an SQLite inventory (sqlite:PATH)");
    return kExitError;
  }
  auto from = inventory::OpenStore(a.from, {.create = false});
  if (!from.ok()) {
    PrintError(EscapeBytes(inventory::RedactUri(from.status().message()), true));
    return kExitError;
  }
  auto to = inventory::OpenStore(a.to, {.durable = true, .node = a.node});
  if (!to.ok()) {
    PrintError(EscapeBytes(inventory::RedactUri(to.status().message()), true));
    return kExitError;
  }
  inventory::CopyOptions options;
  options.replace = a.replace;
  // A line on stderr every few seconds while a large inventory goes across.
  auto last = std::chrono::steady_clock::now();
  options.progress = [&](const inventory::InventoryCounts& done,
                         const inventory::InventoryCounts& total) {
    const auto now = std::chrono::steady_clock::now();
    if (a.quiet || now - last < std::chrono::seconds(5)) return;
    last = now;
    std::fprintf(stderr, "custos: inventory copy: %llu of %llu items, %llu of %llu findings\n",
                 static_cast<unsigned long long>(done.items),
                 static_cast<unsigned long long>(total.items),
                 static_cast<unsigned long long>(done.findings),
                 static_cast<unsigned long long>(total.findings));
  };
  const auto started = std::chrono::steady_clock::now();
  auto copied = inventory::CopyInventory(*from.value(), *to.value(), options);
  if (!copied.ok()) {
    PrintError("inventory copy: " +
               EscapeBytes(inventory::RedactUri(copied.status().message()), true));
    return kExitError;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("copied %s from %s into node %s of %s (%.1f s)\n", Counted(copied->copied).c_str(),
              Shown(a.from).c_str(), EscapeBytes(copied->node, true).c_str(), Shown(a.to).c_str(),
              seconds);
  return kExitClean;
}

}  // namespace

void AddInventory(CommandLine& cl) {
  auto a = std::make_shared<CopyArgs>();
  CLI::App* group = cl.Add(nullptr, "inventory",
                           "the inventory itself: copy it into the fleet's database", [&cl] {
                             cl.PrintHelp(*CommandLine::Find(cl.root(), "inventory"), stderr);
                             return kExitError;
                           });
  CLI::App* copy =
      cl.Add(group, "copy",
             "copy a server's inventory, history and decisions included, into a PostgreSQL "
             "database under its node name",
             [a] { return RunCopy(*a); });
  cl.Value(copy, "--from", &a->from, "PATH", "the inventory copied: an SQLite file (sqlite:PATH)");
  cl.Value(copy, "--to", &a->to, "URI",
           "the fleet database (postgresql://...; the password from a passfile)");
  cl.Value(copy, "--node", &a->node, "NAME", "the node the copy belongs to", "the host name");
  cl.Flag(copy, "--replace", &a->replace,
          "replace what the database holds of the node (else a copy there is refused)");
  cl.Flag(copy, "-q,--quiet", &a->quiet, "no progress lines");
  copy->footer(
      "Scans, folders, items with their detections (masked samples and keyed hashes), "
      "findings with their exceptions and notes, and every event of their history with "
      "who made it are copied in one transaction: all or nothing. Finding ids are new ones "
      "in the database. The copy takes the scan lock of both inventories: run it while "
      "no scan runs (stop custosd), then point the server's inventory: at the database "
      "with node: NAME. Other nodes' data in the database is left as it is.");
}

}  // namespace custos::cli
