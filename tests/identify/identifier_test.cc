// The Identifier API: database lookup, creation errors, read errors, pread-only use,
// and the MIME -> category table.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "identify_helpers.h"

namespace custos::test {
namespace {

using identify::CategoryFor;

TEST_CASE("DefaultMagicDatabase: $CUSTOS_MAGIC, else the built database first", "[identify][api]") {
  const char* saved = std::getenv("CUSTOS_MAGIC");
  const std::string saved_value = saved ? saved : "";
  ::setenv("CUSTOS_MAGIC", "/x/own.mgc:/y/sys.mgc", 1);
  CHECK(identify::DefaultMagicDatabase() == "/x/own.mgc:/y/sys.mgc");
  ::unsetenv("CUSTOS_MAGIC");
  CHECK(identify::DefaultMagicDatabase() ==
        std::string(CUSTOS_MAGIC_DB) + ":/usr/share/misc/magic.mgc");
  if (saved) ::setenv("CUSTOS_MAGIC", saved_value.c_str(), 1);
}

TEST_CASE("Create fails on a missing database and names it", "[identify][api]") {
  auto r = identify::Identifier::Create("/nonexistent/custos.mgc");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("/nonexistent/custos.mgc") != std::string::npos);
}

TEST_CASE("the built custom database is usable by file(1)", "[identify][api]") {
  TempDir dir;
  WriteFile(dir / "f.fmr", Bytes("FMR\0 20\0") + Be(40, 4) + std::string(28, '\0'));
  REQUIRE(HaveTool("file"));
  const ProcessResult r =
      Run({"file", "-b", "--mime-type", "-m", TestMagicDatabase(), dir / "f.fmr"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == "application/x-iso19794-2\n");
}

TEST_CASE("Identify reads with pread only: the file offset does not move", "[identify][api]") {
  TempDir dir;
  WriteFile(dir / "a.txt", "hello world\n");
  UniqueFd fd(::open((dir / "a.txt").c_str(), O_RDONLY));
  REQUIRE(fd.valid());
  REQUIRE(::lseek(fd.get(), 5, SEEK_SET) == 5);
  Item item;
  REQUIRE(TestIdentifier().Identify(fd.get(), item).ok());
  CHECK(item.mime == "text/plain");
  CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 5);
}

TEST_CASE("a read error is a non-OK status 'read error: ...'", "[identify][api]") {
  TempDir dir;
  UniqueFd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY));
  REQUIRE(fd.valid());
  Item item;
  const Status s = TestIdentifier().Identify(fd.get(), item);
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "read error: Is a directory");
}

TEST_CASE("several Identifiers work side by side on threads", "[identify][api]") {
  TempDir dir;
  WriteFile(dir / "a.pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto id = identify::Identifier::Create(TestMagicDatabase());
      if (!id.ok()) return;
      UniqueFd fd(::open((dir / "a.pdf").c_str(), O_RDONLY));
      for (int i = 0; i < 50; ++i) {
        Item item;
        if ((*id)->Identify(fd.get(), item).ok() && item.category == Category::kDocument) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
}

TEST_CASE("CategoryFor maps MIME types and descriptions", "[identify][api]") {
  struct Case {
    const char* mime;
    const char* description;
    Category want;
  };
  const Case cases[] = {
      {"video/mp4", "", Category::kVideo},
      {"application/vnd.rn-realmedia", "", Category::kVideo},
      {"application/octet-stream", "JVT NAL sequence, H.264 video @ L 10", Category::kVideo},
      {"image/png", "", Category::kImage},
      {"image/x-wsq", "", Category::kBiometric},
      {"application/octet-stream", "ISO/IEC 19794-2 Format Minutiae Record (FMR)",
       Category::kBiometric},
      {"audio/mpeg", "", Category::kAudio},
      {"application/pdf", "", Category::kDocument},
      {"application/msword", "", Category::kDocument},
      {"application/vnd.oasis.opendocument.text", "", Category::kDocument},
      {"application/vnd.ms-excel", "", Category::kDocument},
      {"text/rtf", "", Category::kDocument},
      {"message/rfc822", "", Category::kEmail},
      {"application/vnd.ms-outlook", "", Category::kEmail},
      {"application/x-7z-compressed", "", Category::kArchive},
      {"application/x-rar", "", Category::kArchive},
      {"application/zstd", "", Category::kArchive},
      {"application/x-cpio", "", Category::kArchive},
      {"application/vnd.sqlite3", "", Category::kDatabase},
      {"application/x-raw-disk-image", "LUKS encrypted file, ver 1", Category::kEncrypted},
      {"application/octet-stream", "GPG symmetrically encrypted data (AES256 cipher)",
       Category::kEncrypted},
      {"application/x-pie-executable", "", Category::kExecutable},
      {"application/x-dosexec", "", Category::kExecutable},
      {"application/x-mach-binary", "", Category::kExecutable},
      {"text/x-c", "C source, ASCII text", Category::kText},
      {"application/json", "JSON text data", Category::kText},
      {"Text/Plain", "", Category::kText},
      {"application/octet-stream", "data", Category::kOther},
      {"", "", Category::kOther},
  };
  for (const Case& c : cases) {
    INFO(c.mime << " / " << c.description);
    CHECK(CategoryFor(c.mime, c.description) == c.want);
  }
  CHECK(CategoryFor("text/x-script.python", "Python script, ASCII text executable", 0100755) ==
        Category::kExecutable);
  CHECK(CategoryFor("text/x-script.python", "Python script, ASCII text executable", 0100644) ==
        Category::kText);
}

}  // namespace
}  // namespace custos::test
