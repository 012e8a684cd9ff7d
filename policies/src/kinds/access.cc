// access: {max_mode: "0640", owners: [...], groups: [...], no_acl_grants_to_others: true}.
// An item with a permission bit outside max_mode, an owner or group not listed, or a
// POSIX ACL entry that grants anything to another user or group breaches it. Needs
// only metadata: items not read are judged as usual.
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iterator>
#include <tuple>

#include "../messages.h"
#include "custos/base/escape.h"
#include "kinds.h"

namespace custos::policies::internal {
namespace {

// Allowed owners or groups: names and numbers as written, plus the numbers they stand
// for on this host (names resolved at load; unknown names keep no number).
struct IdList {
  bool given = false;
  std::vector<std::string> written;
  std::vector<uint32_t> ids;
};

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<uint32_t> ParseId(std::string_view s) {
  if (!IsDigits(s) || s.size() > 10) return std::nullopt;
  const uint64_t v = std::stoull(std::string(s));
  if (v > 0xffffffffu) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::optional<uint32_t> LookupUser(const std::string& name) {
  std::vector<char> buf(16384);
  for (;;) {
    struct passwd pw;
    struct passwd* res = nullptr;
    const int rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 22)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || res == nullptr) return std::nullopt;
    return pw.pw_uid;
  }
}

std::optional<uint32_t> LookupGroup(const std::string& name) {
  std::vector<char> buf(16384);
  for (;;) {
    struct group gr;
    struct group* res = nullptr;
    const int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res);
    if (rc == ERANGE && buf.size() < (1u << 22)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0 || res == nullptr) return std::nullopt;
    return gr.gr_gid;
  }
}

IdList ReadIds(PolicyReader& r, const yaml::Field& f, std::string_view key, bool users) {
  IdList ids;
  ids.given = true;
  auto list = r.ScalarList(f, key, false);
  if (!list) return ids;
  for (const auto& [text, node] : *list) {
    if (text.empty()) {
      r.Error(node, msg::EmptyValue(key));
      continue;
    }
    ids.written.push_back(text);
    std::optional<uint32_t> id = ParseId(text);
    // A name unknown on this host keeps no number: it still matches by name.
    if (!id) id = users ? LookupUser(text) : LookupGroup(text);
    if (id) ids.ids.push_back(*id);
  }
  return ids;
}

std::string Octal(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

std::string Rwx(uint32_t perms) {
  std::string s = "---";
  if (perms & 4) s[0] = 'r';
  if (perms & 2) s[1] = 'w';
  if (perms & 1) s[2] = 'x';
  return s;
}

std::string JoinEscaped(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += EscapeBytes(parts[i], true);
  }
  return out;
}

bool IdAllowed(const IdList& list, const std::string& name, uint32_t id) {
  const std::string number = std::to_string(id);
  for (const std::string& w : list.written) {
    if ((!name.empty() && w == name) || w == number) return true;
  }
  return std::find(list.ids.begin(), list.ids.end(), id) != list.ids.end();
}

class AccessRule final : public Rule {
 public:
  std::optional<uint32_t> max_mode;  // permission bits (07777 mask)
  IdList owners;
  IdList groups;
  bool no_acl_grants_to_others = false;

  bool NeedsAcl() const override { return no_acl_grants_to_others; }

  std::optional<Breach> Judge(const Judged& j) const override {
    std::vector<std::string> reasons = Reasons(j.item);
    if (reasons.empty()) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < reasons.size(); ++i) {
      if (i) out += "; ";
      out += reasons[i];
    }
    return Breach{std::move(out)};
  }

 private:
  std::vector<std::string> Reasons(const Item& item) const {
    std::vector<std::string> reasons;
    if (item.has_info) {
      const uint32_t mode = item.info.mode & 07777;
      if (max_mode && (mode & ~*max_mode) != 0) {
        reasons.push_back("mode " + Octal(mode) + " exceeds " + Octal(*max_mode));
      }
      if (owners.given && !IdAllowed(owners, item.owner, item.info.uid)) {
        const std::string who = item.owner.empty() ? std::to_string(item.info.uid) : item.owner;
        reasons.push_back("owner '" + EscapeBytes(who, true) + "' not in [" +
                          JoinEscaped(owners.written) + "]");
      }
      if (groups.given && !IdAllowed(groups, item.group, item.info.gid)) {
        const std::string who = item.group.empty() ? std::to_string(item.info.gid) : item.group;
        reasons.push_back("group '" + EscapeBytes(who, true) + "' not in [" +
                          JoinEscaped(groups.written) + "]");
      }
    }
    if (no_acl_grants_to_others) {
      uint32_t mask = 7;
      for (const AclEntry& e : item.acl) {
        if (e.tag == AclEntry::Tag::kMask) mask = e.perms & 7;
      }
      for (const AclEntry& e : item.acl) {
        if (e.tag == AclEntry::Tag::kMask) continue;
        const uint32_t effective = e.perms & mask;
        if (effective == 0) continue;
        const bool user = e.tag == AclEntry::Tag::kUser;
        const IdList& list = user ? owners : groups;
        // Without an owners/groups list, only the file's own owner/group is not "others".
        bool allowed;
        if (list.given) {
          allowed = std::find(list.ids.begin(), list.ids.end(), e.id) != list.ids.end();
        } else {
          allowed = item.has_info && e.id == (user ? item.info.uid : item.info.gid);
        }
        if (!allowed) {
          reasons.push_back("ACL grants " + Rwx(effective) + (user ? " to user " : " to group ") +
                            std::to_string(e.id));
        }
      }
    }
    return reasons;
  }
};

// "readable", "readable and changeable", "readable, changeable and runnable".
std::string Join(const std::vector<std::string>& words, const char* last = " and ") {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += i + 1 == words.size() ? last : ", ";
    out += words[i];
  }
  return out;
}

std::vector<std::string> Abilities(uint32_t rwx, const char* r, const char* w, const char* x) {
  std::vector<std::string> out;
  if (rwx & 4) out.emplace_back(r);
  if (rwx & 2) out.emplace_back(w);
  if (rwx & 1) out.emplace_back(x);
  return out;
}

// Mode bits beyond the policy's mask, and what the mask allows, in words.
std::string PlainMode(uint32_t mode, uint32_t max) {
  struct Class {
    const char* who;
    const char* name;
    int shift;
  };
  static constexpr Class kClasses[] = {
      {"everyone", "everyone", 0}, {"the group", "group", 3}, {"the owner", "owner", 6}};
  const uint32_t extra = mode & ~max;
  std::vector<std::string> breaches, allowed, nothing;
  for (const Class& c : kClasses) {
    const uint32_t bits = (extra >> c.shift) & 7, may = (max >> c.shift) & 7;
    if (bits == 0) continue;
    breaches.push_back(Join(Abilities(bits, "readable", "changeable", "runnable")) + " by " +
                       c.who);
    if (may == 0) {
      nothing.emplace_back(c.who);
    } else {
      allowed.push_back(std::string(c.who) + " to " +
                        Join(Abilities(may, "read", "change", "run")) + " only");
    }
  }
  if (extra & 04000) breaches.emplace_back("runs with its owner's rights (setuid)");
  if (extra & 02000) breaches.emplace_back("runs with its group's rights (setgid)");
  if (extra & 01000) breaches.emplace_back("marked sticky");
  std::string out = Join(breaches, ", ") + "; the policy allows ";
  if (allowed.empty()) {
    std::vector<std::string> holders;
    for (auto it = std::rbegin(kClasses); it != std::rend(kClasses); ++it) {
      if ((max >> it->shift) & 7) holders.emplace_back(it->name);
    }
    return out + (holders.empty() ? "no access at all" : Join(holders) + " only");
  }
  return out + Join(allowed) + (nothing.empty() ? "" : ", and nothing for " + Join(nothing));
}

std::string PlainOne(std::string_view r) {
  auto starts = [&](std::string_view head) { return r.substr(0, head.size()) == head; };
  unsigned mode = 0, max = 0;
  char tail = 0;
  if (std::sscanf(std::string(r).c_str(), "mode %o exceeds %o%c", &mode, &max, &tail) == 2) {
    return PlainMode(mode, max);
  }
  for (const auto& [head, words, allowed] :
       {std::tuple<std::string_view, const char*, const char*>{"owner '", "owned by ",
                                                               "the policy allows owners "},
        {"group '", "belongs to group ", "the policy allows groups "}}) {
    const size_t end = r.find("' not in [");
    if (starts(head) && end != std::string_view::npos && r.back() == ']') {
      const std::string_view who = r.substr(head.size(), end - head.size());
      const std::string_view list = r.substr(end + 10, r.size() - end - 11);
      return std::string(words) + std::string(who) + "; " + allowed + std::string(list) + " only";
    }
  }
  char rwx[4] = {};
  char tag[8] = {};
  unsigned id = 0;
  if (std::sscanf(std::string(r).c_str(), "ACL grants %3s to %7s %u%c", rwx, tag, &id, &tail) ==
      3) {
    uint32_t bits = 0;
    for (int i = 0; i < 3; ++i) bits |= rwx[i] != '-' ? (4u >> i) : 0;
    return "an extra access entry (ACL) lets " + std::string(tag) + " " + std::to_string(id) + " " +
           Join(Abilities(bits, "read", "change", "run")) + " it";
  }
  return std::string(r);
}

}  // namespace

// Reasons of the access rule, joined by "; ".
std::string PlainAccess(std::string_view reason) {
  std::string out;
  while (!reason.empty()) {
    // An owner or group name is escaped and cannot hold "; " with a known head after it.
    size_t next = std::string_view::npos;
    for (std::string_view head : {"; mode ", "; owner '", "; group '", "; ACL grants "}) {
      next = std::min(next, reason.find(head));
    }
    out += (out.empty() ? "" : ". Also ") + PlainOne(reason.substr(0, next));
    reason = next == std::string_view::npos ? std::string_view() : reason.substr(next + 2);
  }
  return out;
}

ReadRule ReadAccess(PolicyReader& r, const yaml::Field& field) {
  if (!r.IsMap(field, "access")) return {true, nullptr};
  yaml::Fields f = r.ReadMap(
      field.value, {"max_mode", "owners", "groups", "no_acl_grants_to_others"}, "in access");
  auto a = std::make_unique<AccessRule>();
  bool checks = false;
  if (auto it = f.find("max_mode"); it != f.end()) {
    checks = true;
    if (auto s = r.Scalar(it->second, "max_mode")) {
      const bool octal =
          (s->size() == 3 || s->size() == 4) &&
          std::all_of(s->begin(), s->end(), [](char c) { return c >= '0' && c <= '7'; });
      if (octal) {
        a->max_mode = static_cast<uint32_t>(std::stoul(*s, nullptr, 8));
      } else {
        r.Error(it->second.value, msg::BadValue("max_mode", *s, "an octal mode such as \"0640\""));
      }
    }
  }
  if (auto it = f.find("owners"); it != f.end()) {
    checks = true;
    a->owners = ReadIds(r, it->second, "owners", true);
  }
  if (auto it = f.find("groups"); it != f.end()) {
    checks = true;
    a->groups = ReadIds(r, it->second, "groups", false);
  }
  if (auto it = f.find("no_acl_grants_to_others"); it != f.end()) {
    auto b = r.Bool(it->second, "no_acl_grants_to_others");
    a->no_acl_grants_to_others = b.value_or(false);
    if (!b || *b) checks = true;
  }
  if (!checks) r.Error(field.value, msg::NoAccessCheck());
  return {true, std::move(a)};
}

}  // namespace custos::policies::internal
