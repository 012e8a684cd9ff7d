// Helpers for the identify tests: one Identifier on the built custom magic database,
// identification of a file by path, and writers for binary headers.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/fd.h"
#include "custos/base/item.h"
#include "custos/base/time.h"
#include "custos/identify/identifier.h"
#include "support/support.h"

namespace custos::test {

inline std::string TestMagicDatabase() {
  return std::string(CUSTOS_MAGIC_DB) + ":" + identify::kSystemMagicDatabase;
}

// The thread's Identifier (created once, as a worker would).
inline identify::Identifier& TestIdentifier() {
  static std::unique_ptr<identify::Identifier> id = [] {
    auto r = identify::Identifier::Create(TestMagicDatabase());
    REQUIRE(r.ok());
    return std::move(r.value());
  }();
  return *id;
}

// An Identifier that always fills the description (as `custos classify` uses).
inline identify::Identifier& DescribingIdentifier() {
  static std::unique_ptr<identify::Identifier> id = [] {
    auto r = identify::Identifier::Create(TestMagicDatabase(), /*always_describe=*/true);
    REQUIRE(r.ok());
    return std::move(r.value());
  }();
  return *id;
}

// Identifies the file at `path` as the scanner does (fstat, then Identify).
inline Item IdentifyPath(const std::string& path, bool describe = false) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  REQUIRE(fd.valid());
  struct stat st;
  REQUIRE(::fstat(fd.get(), &st) == 0);
  Item item;
  item.path = path;
  item.has_info = true;
  item.info = FileInfo::FromStat(st);
  const Status s = (describe ? DescribingIdentifier() : TestIdentifier()).Identify(fd.get(), item);
  INFO(path << ": " << s.message());
  REQUIRE(s.ok());
  return item;
}

// Writes `bytes` to dir/name and identifies it.
inline Item IdentifyBytes(const TempDir& dir, const std::string& name, const std::string& bytes,
                          bool describe = false) {
  WriteFile(dir / name, bytes);
  return IdentifyPath(dir / name, describe);
}

inline int64_t Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return *UnixFromCivil(y, mo, d, h, mi, s);
}

// Runs a tool that must exist and succeed; `package` names the Debian package.
inline void MustRun(const std::vector<std::string>& argv, const std::string& package) {
  INFO("needs " << argv[0] << " (Debian package " << package << ")");
  REQUIRE(HaveTool(argv[0]));
  const ProcessResult r = Run(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// Big- and little-endian byte writers.
inline std::string Be(uint64_t v, int bytes) {
  std::string s;
  for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
  return s;
}
inline std::string Le(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
  return s;
}
// A string holding NULs, from a literal: Bytes("FMR\0 20\0").
template <size_t N>
std::string Bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

}  // namespace custos::test
