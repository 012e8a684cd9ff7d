// The walker on real trees: listing, links, special files, hard links, excludes,
// limits, roots.
#include "custos/crawl/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <climits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "crawl/crawl_helpers.h"
#include "support/support.h"

namespace custos::crawl {
namespace {

using custos::test::TempDir;
using custos::test::WriteFile;
using testing::Find;
using testing::Lines;
using testing::MakeDir;
using testing::MakeFifo;
using testing::MakeSocket;
using testing::MakeSymlink;
using testing::Sorted;
using testing::WalkAll;

Glob MustCompile(const std::string& pattern) {
  Result<Glob> g = Glob::Compile(pattern);
  INFO(pattern << ": " << g.status().message());
  REQUIRE(g.ok());
  return std::move(g).value();
}

TEST_CASE("walk lists a normal tree with exact paths and file figures", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "a.txt", "hello");
  WriteFile(tmp / "sub/b.txt", "0123456789");
  WriteFile(tmp / "sub/deeper/c.bin", std::string(3000, 'x'));
  MakeDir(tmp / "empty");

  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) ==
        Sorted({root + "/a.txt", root + "/sub/b.txt", root + "/sub/deeper/c.bin"}));
  CHECK(r.stats.directories == 4);  // root, sub, sub/deeper, empty
  CHECK(r.stats.symlinks == 0);
  CHECK(r.stats.excluded == 0);
  CHECK(r.stats.hardlink_repeats == 0);
  CHECK(r.stats.other_filesystems == 0);

  const Entry& c = Find(r.entries, root + "/sub/deeper/c.bin");
  CHECK(c.name == "c.bin");
  REQUIRE(c.dir != nullptr);
  CHECK(c.has_info);
  CHECK(c.info.size == 3000);
  CHECK(S_ISREG(c.info.mode));
  struct stat st;
  REQUIRE(::stat((tmp / "sub/deeper/c.bin").c_str(), &st) == 0);
  CHECK(c.info.ino == st.st_ino);
  CHECK(c.info.dev == st.st_dev);

  // Entries of one folder share its descriptor; it names that folder.
  const Entry& b = Find(r.entries, root + "/sub/b.txt");
  REQUIRE(b.dir != nullptr);
  struct stat dst;
  REQUIRE(::fstat(b.dir->get(), &dst) == 0);
  REQUIRE(::stat((tmp / "sub").c_str(), &st) == 0);
  CHECK(dst.st_ino == st.st_ino);
}

TEST_CASE("hidden files and folders are walked like any other", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / ".hidden", "h");
  WriteFile(tmp / ".config/app.conf", "c");
  WriteFile(tmp / "..dots", "d");
  WriteFile(tmp / ".../three", "t");

  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted({root + "/.hidden", root + "/.config/app.conf", root + "/..dots",
                                    root + "/.../three"}));
}

TEST_CASE("symbolic links are never followed nor reported", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "real.txt", "r");
  WriteFile(tmp / "dir/inner.txt", "i");
  MakeSymlink(tmp / "real.txt", tmp / "to-file");
  MakeSymlink("dir", tmp / "to-dir");
  MakeSymlink("/etc", tmp / "to-etc");
  MakeSymlink("/etc/passwd", tmp / "to-passwd");
  MakeSymlink("loop-b", tmp / "loop-a");
  MakeSymlink("loop-a", tmp / "loop-b");
  MakeSymlink("..", tmp / "dir/up");  // a folder loop through a link
  MakeSymlink("nowhere", tmp / "dangling");

  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted({root + "/real.txt", root + "/dir/inner.txt"}));
  CHECK(r.stats.symlinks == 8);
  CHECK(r.stats.directories == 2);
  for (const Entry& e : r.entries) CHECK(e.path.rfind(root + "/", 0) == 0);
}

TEST_CASE("FIFOs sockets and devices become skipped special files", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "before.txt", "b");
  WriteFile(tmp / "sub/after.txt", "a");
  MakeFifo(tmp / "pipe");
  MakeFifo(tmp / "sub/pipe2.log");
  MakeSocket(tmp / "sock");
  std::vector<std::string> expected = {root + "/before.txt", root + "/pipe (special file)",
                                       root + "/sub/pipe2.log (special file)",
                                       root + "/sock (special file)", root + "/sub/after.txt"};
  // A device node, where the container lets root make one (never opened by the walk).
  if (::mknod((tmp / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    expected.push_back(root + "/null (special file)");
  } else {
    WARN("mknod not permitted here; device case not covered");
  }

  // A FIFO with no writer would block any open: the walk must finish regardless.
  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted(expected));

  const Entry& pipe = Find(r.entries, root + "/pipe");
  CHECK(pipe.dir == nullptr);  // nothing to open
  Result<UniqueFd> opened = OpenEntry(pipe, nullptr);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message() == "special file");
}

TEST_CASE("a file with several hard links is handed out once per walk", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "a.txt", "linked");
  MakeDir(tmp / "sub");
  REQUIRE(::link((tmp / "a.txt").c_str(), (tmp / "b.txt").c_str()) == 0);
  REQUIRE(::link((tmp / "a.txt").c_str(), (tmp / "sub/c.txt").c_str()) == 0);
  WriteFile(tmp / "single.txt", "s");

  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  REQUIRE(r.entries.size() == 2);
  CHECK(r.stats.hardlink_repeats == 2);
  const std::set<std::string> names = {root + "/a.txt", root + "/b.txt", root + "/sub/c.txt"};
  int linked = 0;
  for (const Entry& e : r.entries) {
    if (names.count(e.path) != 0) {
      ++linked;
      CHECK(e.info.nlink == 3);
    } else {
      CHECK(e.path == root + "/single.txt");
    }
  }
  CHECK(linked == 1);

  // The next walk hands it out again.
  auto again = WalkAll(root);
  CHECK(again.entries.size() == 2);
  CHECK(again.stats.hardlink_repeats == 2);
}

TEST_CASE("without stat_files, regular files come without figures; the rest is unchanged",
          "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "a.txt", "linked");
  REQUIRE(::link((tmp / "a.txt").c_str(), (tmp / "b.txt").c_str()) == 0);
  WriteFile(tmp / "sub/deep/c.txt", "c");
  REQUIRE(::symlink("/etc", (tmp / "etc-link").c_str()) == 0);
  testing::MakeFifo(tmp / "pipe");
  WalkOptions options;
  options.stat_files = false;
  auto r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  std::map<std::string, const Entry*> by_path;
  for (const Entry& e : r.entries) by_path[e.path] = &e;
  // Both names of the hard link: the walk cannot tell them apart without figures.
  REQUIRE(by_path.count(root + "/a.txt"));
  REQUIRE(by_path.count(root + "/b.txt"));
  REQUIRE(by_path.count(root + "/sub/deep/c.txt"));
  CHECK_FALSE(by_path[root + "/a.txt"]->has_info);
  CHECK(by_path[root + "/a.txt"]->skipped.empty());
  CHECK(r.stats.hardlink_repeats == 0);
  CHECK(r.stats.symlinks == 1);
  REQUIRE(by_path.count(root + "/pipe"));
  CHECK(by_path[root + "/pipe"]->skipped.Text() == "special file");
  CHECK(by_path.count(root + "/etc-link") == 0);

  // Opening supplies the figures; HardLinks keeps one name of the linked file.
  HardLinks links;
  int first = 0;
  for (const char* name : {"/a.txt", "/b.txt", "/sub/deep/c.txt"}) {
    FileInfo fresh;
    auto fd = OpenEntry(*by_path[root + name], &fresh);
    REQUIRE(fd.ok());
    CHECK(fresh.size > 0);
    if (links.FirstName(fresh)) ++first;
  }
  CHECK(first == 2);
  CHECK(links.repeats() == 1);

  // A name that cannot be opened still has figures through StatEntry.
  FileInfo info;
  REQUIRE(StatEntry(*by_path[root + "/a.txt"], &info));
  CHECK(info.nlink == 2);
  REQUIRE(::unlink((tmp / "sub/deep/c.txt").c_str()) == 0);
  CHECK_FALSE(StatEntry(*by_path[root + "/sub/deep/c.txt"], &info));
}

TEST_CASE("excludes prune folders and drop files", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "keep.txt", "k");
  WriteFile(tmp / "app.log", "l");
  WriteFile(tmp / "node_modules/x.js", "x");
  WriteFile(tmp / "src/main.c", "m");
  WriteFile(tmp / "src/node_modules/y.js", "y");
  WriteFile(tmp / "skip/z.txt", "z");
  WriteFile(tmp / "skip/deeper/w.txt", "w");
  WriteFile(tmp / "src/skip/kept.txt", "n");  // only the top-level skip is excluded

  WalkOptions options;
  options.excludes = {MustCompile("node_modules"), MustCompile("*.log"),
                      MustCompile(root + "/skip/**")};
  auto r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) ==
        Sorted({root + "/keep.txt", root + "/src/main.c", root + "/src/skip/kept.txt"}));
  CHECK(r.stats.excluded == 4);     // app.log, node_modules, src/node_modules, skip
  CHECK(r.stats.directories == 3);  // root, src, src/skip: pruned folders not entered
}

TEST_CASE("folders deeper than max_depth are skipped and not entered", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  std::string rel;
  for (int i = 1; i <= 5; ++i) {
    rel += "/d" + std::to_string(i);
    WriteFile(root + rel + "/f", "f");
  }
  WriteFile(tmp / "top.txt", "t");

  WalkOptions options;
  options.max_depth = 3;
  auto r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted({root + "/top.txt", root + "/d1/f", root + "/d1/d2/f",
                                    root + "/d1/d2/d3/f", root + "/d1/d2/d3/d4 (limit: depth)"}));
  CHECK(r.stats.directories == 4);

  options.max_depth = 0;
  r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted({root + "/top.txt", root + "/d1 (limit: depth)"}));
}

TEST_CASE("a deep tree is walked iteratively and the default depth limit is 256", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  constexpr int kLevels = 1000;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  std::string deepest = root;
  std::string at257;
  for (int i = 1; i <= kLevels; ++i) {
    REQUIRE(::mkdirat(fd, "d", 0755) == 0);
    const int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(next >= 0);
    ::close(fd);
    fd = next;
    deepest += "/d";
    if (i == 257) at257 = deepest;
  }
  const int file = ::openat(fd, "bottom.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(file >= 0);
  ::close(file);
  ::close(fd);

  auto r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == std::vector<std::string>{at257 + " (limit: depth)"});
  CHECK(r.stats.directories == 257);  // the root and 256 levels

  WalkOptions options;
  options.max_depth = 5000;
  r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == std::vector<std::string>{deepest + "/bottom.txt"});
  CHECK(r.stats.directories == kLevels + 1);
}

TEST_CASE("paths longer than max_path are skipped", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "a.txt", "a");
  WriteFile(tmp / "longer-name.txt", "l");
  WriteFile(tmp / "dddddddddddd/x", "x");
  MakeFifo(tmp / "fifo-with-long-name");

  WalkOptions options;
  options.max_path = root.size() + 10;  // "/a.txt" fits, the others do not
  auto r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == Sorted({root + "/a.txt", root + "/longer-name.txt (limit: path length)",
                                    root + "/dddddddddddd (limit: path length)",
                                    root + "/fifo-with-long-name (limit: path length)"}));
  CHECK(r.stats.directories == 1);
}

TEST_CASE("a tree deeper than PATH_MAX is walked through descriptors", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  const std::string name(200, 'n');
  constexpr int kLevels = 40;
  const int base = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(base >= 0);
  int fd = ::dup(base);
  std::string deepest = root;
  std::string first_too_long;  // the first folder whose path exceeds 4096 bytes
  for (int i = 0; i < kLevels; ++i) {
    REQUIRE(::mkdirat(fd, name.c_str(), 0755) == 0);
    const int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(next >= 0);
    ::close(fd);
    fd = next;
    deepest += "/" + name;
    if (first_too_long.empty() && deepest.size() > 4096) first_too_long = deepest;
  }
  const int file = ::openat(fd, "bottom.txt", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(file >= 0);
  REQUIRE(::write(file, "deep", 4) == 4);
  ::close(file);
  ::close(fd);
  REQUIRE(deepest.size() > PATH_MAX);

  WalkOptions options;
  options.max_path = 16384;
  auto r = WalkAll(root, options);
  REQUIRE(r.status.ok());
  REQUIRE(Lines(r.entries) == std::vector<std::string>{deepest + "/bottom.txt"});
  CHECK(r.stats.directories == kLevels + 1);
  FileInfo fresh;
  Result<UniqueFd> opened = OpenEntry(r.entries[0], &fresh);
  REQUIRE(opened.ok());
  CHECK(testing::ReadAll(opened->get()) == "deep");
  CHECK(fresh.size == 4);

  // With the default limit the walk stops descending where the path gets too long.
  r = WalkAll(root);
  REQUIRE(r.status.ok());
  CHECK(Lines(r.entries) == std::vector<std::string>{first_too_long + " (limit: path length)"});

  r.entries.clear();
  CHECK(testing::RemoveTreeAt(base, name.c_str()));
  ::close(base);
}

TEST_CASE("a root that is a single file is one entry opened by its path", "[walker]") {
  TempDir tmp;
  WriteFile(tmp / "only.txt", "just me");
  const std::string path = tmp / "only.txt";

  auto r = WalkAll(path);
  REQUIRE(r.status.ok());
  REQUIRE(r.entries.size() == 1);
  const Entry& e = r.entries[0];
  CHECK(e.path == path);
  CHECK(e.name == path);
  CHECK(e.dir == nullptr);
  CHECK(e.has_info);
  CHECK(e.info.size == 7);
  CHECK(e.skipped.empty());
  CHECK(r.stats.directories == 0);
  Result<UniqueFd> opened = OpenEntry(e, nullptr);
  REQUIRE(opened.ok());
  CHECK(testing::ReadAll(opened->get()) == "just me");
}

TEST_CASE("a missing or relative or special or linked root is an error", "[walker]") {
  TempDir tmp;
  int visits = 0;
  auto count = [&visits](Entry&&) {
    ++visits;
    return true;
  };

  Status s = Walk(tmp / "missing", {}, count, nullptr);
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message() == tmp / "missing" + ": No such file or directory");

  s = Walk("relative/path", {}, count, nullptr);
  CHECK(s.code() == StatusCode::kInvalidArgument);

  MakeFifo(tmp / "fifo");
  s = Walk(tmp / "fifo", {}, count, nullptr);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == tmp / "fifo" + ": special file");

  MakeDir(tmp / "real");
  WriteFile(tmp / "real/x", "x");
  MakeSymlink(tmp / "real", tmp / "link");
  s = Walk(tmp / "link", {}, count, nullptr);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == tmp / "link" + ": symbolic link (not followed)");
  CHECK(visits == 0);
}

TEST_CASE("a root with trailing or doubled slashes gives clean paths", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "sub/f.txt", "f");
  const std::vector<std::string> expected = {root + "/sub/f.txt"};
  CHECK(Lines(WalkAll(root + "/").entries) == expected);
  CHECK(Lines(WalkAll(root + "//").entries) == expected);
  // Doubled slashes inside the root are collapsed too.
  const std::string::size_type slash = root.rfind('/');
  const std::string doubled = root.substr(0, slash) + "//" + root.substr(slash + 1) + "/";
  CHECK(Lines(WalkAll(doubled).entries) == expected);
}

// Folders directly under "/": one on the root's file system, one on another.
void PickTopLevelFolders(std::string* same_fs, std::string* other_fs) {
  struct stat root_st;
  REQUIRE(::stat("/", &root_st) == 0);
  DIR* d = ::opendir("/");
  REQUIRE(d != nullptr);
  while (const struct dirent* de = ::readdir(d)) {
    const std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(st.st_mode)) continue;
    if (st.st_dev == root_st.st_dev && same_fs->empty()) *same_fs = "/" + name;
    if (st.st_dev != root_st.st_dev && name == "proc") *other_fs = "/proc";
  }
  ::closedir(d);
}

TEST_CASE("the root / gives clean paths and the walk stays on its file system", "[walker]") {
  std::string same_fs, other_fs;
  PickTopLevelFolders(&same_fs, &other_fs);
  REQUIRE_FALSE(same_fs.empty());
  REQUIRE(other_fs == "/proc");  // procfs is never the root's file system

  WalkOptions options;
  options.max_depth = 0;  // every folder under / becomes a "limit: depth" entry
  auto r = WalkAll("/", options);
  REQUIRE(r.status.ok());
  for (const Entry& e : r.entries) {
    CHECK(e.path.rfind("//", 0) == std::string::npos);
    CHECK(e.path.size() > 1);
    CHECK(e.path.find('/', 1) == std::string::npos);  // nothing below the top level
  }
  CHECK(Find(r.entries, same_fs).skipped.Text() == "limit: depth");
  for (const Entry& e : r.entries) CHECK(e.path != "/proc");
  CHECK(r.stats.other_filesystems >= 1);

  options.one_file_system = false;
  r = WalkAll("/", options);
  REQUIRE(r.status.ok());
  CHECK(Find(r.entries, "/proc").skipped.Text() == "limit: depth");
  CHECK(r.stats.other_filesystems == 0);
}

TEST_CASE("a file vanishing during the walk becomes a vanished entry", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  constexpr int kFiles = 10;
  for (int i = 0; i < kFiles; ++i) WriteFile(tmp / ("f" + std::to_string(i)), "x");

  // On the first entry delete all the others: the names are already read from the
  // folder in one batch, so the walker meets them and finds them gone.
  std::vector<Entry> seen;
  WalkStats stats;
  Status s = Walk(
      root, {},
      [&](Entry&& e) {
        if (seen.empty()) {
          for (int i = 0; i < kFiles; ++i) {
            const std::string p = tmp / ("f" + std::to_string(i));
            if (p != e.path) ::unlink(p.c_str());
          }
        }
        seen.push_back(std::move(e));
        return true;
      },
      &stats);
  REQUIRE(s.ok());
  REQUIRE(seen.size() == kFiles);
  CHECK(seen[0].skipped.empty());
  std::set<std::string> vanished;
  for (size_t i = 1; i < seen.size(); ++i) {
    CHECK(seen[i].skipped.Text() == "vanished");
    CHECK(seen[i].dir == nullptr);
    vanished.insert(seen[i].path);
  }
  CHECK(vanished.size() == kFiles - 1);
  CHECK(vanished.count(seen[0].path) == 0);
}

TEST_CASE("a visitor returning false stops the walk", "[walker]") {
  TempDir tmp;
  for (int i = 0; i < 5; ++i) WriteFile(tmp / ("d" + std::to_string(i) + "/f"), "x");
  int visits = 0;
  Status s = Walk(
      tmp.path(), {},
      [&visits](Entry&&) {
        ++visits;
        return false;
      },
      nullptr);
  CHECK(s.ok());
  CHECK(visits == 1);
}

TEST_CASE("a folder with 20000 entries is streamed completely", "[walker]") {
  TempDir tmp;
  constexpr int kFiles = 20000;
  const int dfd = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(dfd >= 0);
  for (int i = 0; i < kFiles; ++i) {
    const std::string name = "file-" + std::to_string(i);
    const int fd = ::openat(dfd, name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    ::close(fd);
  }
  ::close(dfd);

  std::set<std::string> names;
  size_t visits = 0;
  WalkStats stats;
  Status s = Walk(
      tmp.path(), {},
      [&](Entry&& e) {
        ++visits;
        names.insert(e.name);
        return e.skipped.empty() && e.path == tmp / e.name;
      },
      &stats);
  REQUIRE(s.ok());
  CHECK(visits == kFiles);
  CHECK(names.size() == kFiles);
  CHECK(names.count("file-0") == 1);
  CHECK(names.count("file-19999") == 1);
  CHECK(stats.directories == 1);
}

TEST_CASE("entries keep their folder open after the walk and leak nothing", "[walker]") {
  TempDir tmp;
  const std::string root = tmp.path();
  WriteFile(tmp / "sub/b.txt", "bee");
  WriteFile(tmp / "sub/deep/c.txt", "sea");
  const int fds_before = testing::CountOpenFds();
  {
    auto r = WalkAll(root);
    REQUIRE(r.status.ok());
    REQUIRE(r.entries.size() == 2);
    // Renaming the folder after the walk does not matter: opens are relative to it.
    REQUIRE(::rename((tmp / "sub").c_str(), (tmp / "moved").c_str()) == 0);
    Result<UniqueFd> b = OpenEntry(Find(r.entries, root + "/sub/b.txt"), nullptr);
    REQUIRE(b.ok());
    CHECK(testing::ReadAll(b->get()) == "bee");
    Result<UniqueFd> c = OpenEntry(Find(r.entries, root + "/sub/deep/c.txt"), nullptr);
    REQUIRE(c.ok());
    CHECK(testing::ReadAll(c->get()) == "sea");
  }
  CHECK(testing::CountOpenFds() == fds_before);
}

}  // namespace
}  // namespace custos::crawl
