#include "custos/base/item.h"

#include <array>

namespace custos {
namespace {
constexpr std::array<std::string_view, 12> kCategoryNames = {
    "video",   "image",    "audio",     "biometric", "document",   "email",
    "archive", "database", "encrypted", "text",      "executable", "other"};
}

std::string_view CategoryName(Category c) { return kCategoryNames[static_cast<size_t>(c)]; }

std::optional<Category> ParseCategory(std::string_view name) {
  for (size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name) return static_cast<Category>(i);
  }
  return std::nullopt;
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
