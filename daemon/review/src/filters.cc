// The --node and --root filters of `custos findings list` and `custos report`.
#include <string>
#include <vector>

#include "custos/base/escape.h"
#include "custos/base/host.h"
#include "custos/review/review.h"

namespace custos::review {

bool CheckNodes(const std::vector<std::string>& nodes, Output& o) {
  for (const std::string& n : nodes) {
    if (!IsNodeName(n)) {
      o.Error("--node: '" + EscapeBytes(n, true) +
              "' is not a node name (letters, digits, '.', '-', '_'; at most 64)");
      return false;
    }
  }
  return true;
}

Result<std::vector<std::string>> ResolveRoots(const std::vector<std::string>& roots,
                                              inventory::ReportReader& store,
                                              const report::ReportOptions::Origin& origin) {
  std::vector<std::string> out;
  std::vector<report::RootRow> known;
  bool loaded = false;
  for (const std::string& r : roots) {
    if (!r.empty() && r[0] == '/') {
      std::string p = r;
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      out.push_back(std::move(p));
      continue;
    }
    if (!loaded) {
      auto scans = store.Scans(0);
      if (!scans.ok()) return scans.status();
      known = report::KnownRoots(origin, scans.value());
      loaded = true;
    }
    const size_t before = out.size();
    for (const report::RootRow& row : known) {
      if (row.name == r) out.push_back(row.path);
    }
    if (out.size() == before) {
      return Status::Invalid("--root: no root is named '" + EscapeBytes(r, true) +
                             "' (give a root's name or an absolute path)");
    }
  }
  return out;
}

}  // namespace custos::review
