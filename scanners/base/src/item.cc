#include "custos/base/item.h"

#include <array>

namespace custos {
namespace {
constexpr std::array<std::string_view, 12> kCategoryNames = {
    "video",   "image",    "audio",     "biometric", "document",   "email",
    "archive", "database", "encrypted", "text",      "executable", "other"};
constexpr std::array<std::string_view, kSeverityCount> kSeverityNames = {"low", "medium", "high",
                                                                         "critical"};
constexpr std::array<std::string_view, kViolationKindCount> kViolationKindNames = {
    "retention", "access", "location", "encryption", "forbidden"};

template <typename E, size_t N>
std::optional<E> FindName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}
}  // namespace

std::string_view CategoryName(Category c) { return kCategoryNames[static_cast<size_t>(c)]; }

std::optional<Category> ParseCategory(std::string_view name) {
  return FindName<Category>(kCategoryNames, name);
}

std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<size_t>(s)]; }
std::optional<Severity> ParseSeverity(std::string_view name) {
  return FindName<Severity>(kSeverityNames, name);
}

std::string_view ViolationKindName(ViolationKind k) {
  return kViolationKindNames[static_cast<size_t>(k)];
}
std::optional<ViolationKind> ParseViolationKind(std::string_view name) {
  return FindName<ViolationKind>(kViolationKindNames, name);
}

FileInfo FileInfo::FromStat(const struct stat& st) {
  FileInfo f;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.size = static_cast<uint64_t>(st.st_size);
  f.mtime = st.st_mtim.tv_sec;
  f.ctime = st.st_ctim.tv_sec;
  f.mode = st.st_mode;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  f.nlink = st.st_nlink;
  return f;
}

}  // namespace custos
