// OpenEntry against files that change between the listing and the open, and ReadAcl.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "crawl/crawl_helpers.h"
#include "custos/crawl/walker.h"
#include "support/support.h"

namespace custos::crawl {
namespace {

using custos::test::TempDir;
using custos::test::WriteFile;
using testing::Find;
using testing::WalkAll;

// Walks `tmp` and returns the entry of `rel`.
Entry Listed(const TempDir& tmp, const std::string& rel) {
  auto r = WalkAll(tmp.path());
  REQUIRE(r.status.ok());
  return Find(r.entries, tmp / rel);
}

TEST_CASE("OpenEntry opens a listed file for reading", "[open]") {
  TempDir tmp;
  WriteFile(tmp / "f.txt", "content");
  const Entry e = Listed(tmp, "f.txt");
  FileInfo fresh;
  Result<UniqueFd> fd = OpenEntry(e, &fresh);
  REQUIRE(fd.ok());
  CHECK(fresh.ino == e.info.ino);
  CHECK(fresh.size == 7);
  const int fl = ::fcntl(fd->get(), F_GETFL);
  CHECK((fl & O_ACCMODE) == O_RDONLY);
  // Reading leaves the access time alone (as root or the owner, O_NOATIME holds).
  CHECK((fl & O_NOATIME) != 0);
  CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(testing::ReadAll(fd->get()) == "content");
  // Still non-blocking (harmless for a regular file); PreadBlocking reads it whole.
  CHECK((fl & O_NONBLOCK) != 0);
  char buf[16];
  CHECK(PreadBlocking(fd->get(), buf, sizeof buf, 2) == 5);
  CHECK(std::string(buf, 5) == "ntent");
}

TEST_CASE("OpenEntry on a file replaced by a FIFO says special file without hanging", "[open]") {
  TempDir tmp;
  WriteFile(tmp / "f.txt", "x");
  const Entry e = Listed(tmp, "f.txt");
  REQUIRE(::unlink((tmp / "f.txt").c_str()) == 0);
  testing::MakeFifo(tmp / "f.txt");  // no writer: a blocking open would hang
  Result<UniqueFd> fd = OpenEntry(e, nullptr);
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.status().message() == "special file");
}

TEST_CASE("OpenEntry on a file replaced by a socket says special file", "[open]") {
  TempDir tmp;
  WriteFile(tmp / "s", "x");
  const Entry e = Listed(tmp, "s");
  REQUIRE(::unlink((tmp / "s").c_str()) == 0);
  testing::MakeSocket(tmp / "s");
  Result<UniqueFd> fd = OpenEntry(e, nullptr);
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.status().message() == "special file");
}

TEST_CASE("OpenEntry on a file that vanished says vanished", "[open]") {
  TempDir tmp;
  WriteFile(tmp / "gone.txt", "x");
  const Entry e = Listed(tmp, "gone.txt");
  REQUIRE(::unlink((tmp / "gone.txt").c_str()) == 0);
  Result<UniqueFd> fd = OpenEntry(e, nullptr);
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.status().message() == "vanished");
  CHECK(fd.status().code() == StatusCode::kNotFound);
}

TEST_CASE("OpenEntry notices a file replaced by another file or a link or a folder", "[open]") {
  TempDir tmp;
  WriteFile(tmp / "a.txt", "a");
  WriteFile(tmp / "b.txt", "b");
  WriteFile(tmp / "c.txt", "c");
  WriteFile(tmp / "other.txt", "other");
  auto r = WalkAll(tmp.path());
  REQUIRE(r.status.ok());
  const Entry a = Find(r.entries, tmp / "a.txt");
  const Entry b = Find(r.entries, tmp / "b.txt");
  const Entry c = Find(r.entries, tmp / "c.txt");

  // Another inode under the same name.
  REQUIRE(::rename((tmp / "other.txt").c_str(), (tmp / "a.txt").c_str()) == 0);
  Result<UniqueFd> fa = OpenEntry(a, nullptr);
  REQUIRE_FALSE(fa.ok());
  CHECK(fa.status().message() == "changed during scan");

  // A symbolic link to a readable file: not followed.
  REQUIRE(::unlink((tmp / "b.txt").c_str()) == 0);
  testing::MakeSymlink("/etc/passwd", tmp / "b.txt");
  Result<UniqueFd> fb = OpenEntry(b, nullptr);
  REQUIRE_FALSE(fb.ok());
  CHECK(fb.status().message() == "changed during scan");

  // A folder.
  REQUIRE(::unlink((tmp / "c.txt").c_str()) == 0);
  testing::MakeDir(tmp / "c.txt");
  Result<UniqueFd> fc = OpenEntry(c, nullptr);
  REQUIRE_FALSE(fc.ok());
  CHECK(fc.status().message() == "changed during scan");
}

TEST_CASE("OpenEntry refuses a skipped entry with its reason", "[open]") {
  Entry e;
  e.path = "/nowhere/x";
  e.name = "x";
  e.skipped = Skip::kLimitDepth;
  Result<UniqueFd> fd = OpenEntry(e, nullptr);
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.status().message() == "limit: depth");
}

TEST_CASE("ReadAcl returns named users, named groups and the mask", "[acl]") {
  if (!custos::test::HaveTool("setfacl")) {
    CUSTOS_SKIP("setfacl not installed (apt-get install acl)");
  }
  TempDir tmp;
  WriteFile(tmp / "plain.txt", "p");
  WriteFile(tmp / "shared.txt", "s");
  REQUIRE(::chmod((tmp / "shared.txt").c_str(), 0640) == 0);
  const auto set =
      custos::test::Run({"setfacl", "-m", "u:nobody:r,g:65534:rw", tmp / "shared.txt"});
  INFO(set.err);
  REQUIRE(set.exit_code == 0);

  auto r = WalkAll(tmp.path());
  REQUIRE(r.status.ok());
  Result<UniqueFd> plain = OpenEntry(Find(r.entries, tmp / "plain.txt"), nullptr);
  REQUIRE(plain.ok());
  CHECK(ReadAcl(plain->get()).empty());

  Result<UniqueFd> shared = OpenEntry(Find(r.entries, tmp / "shared.txt"), nullptr);
  REQUIRE(shared.ok());
  const std::vector<AclEntry> acl = ReadAcl(shared->get());
  REQUIRE(acl.size() == 3);
  // libacl keeps entries sorted by tag: named users, named groups, mask.
  CHECK(acl[0].tag == AclEntry::Tag::kUser);
  CHECK(acl[0].id == 65534);
  CHECK(acl[0].perms == 4);
  CHECK(acl[1].tag == AclEntry::Tag::kGroup);
  CHECK(acl[1].id == 65534);
  CHECK(acl[1].perms == 6);
  CHECK(acl[2].tag == AclEntry::Tag::kMask);
  CHECK(acl[2].perms == 6);  // union of the group class: r (group) | r | rw
}

}  // namespace
}  // namespace custos::crawl
