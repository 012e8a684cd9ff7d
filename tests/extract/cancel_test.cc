// Limits::cancel: extraction stops where it checks its time limit (between reads,
// members, pages, XML nodes) and says the item was interrupted, whatever it noted
// before.
#include <atomic>
#include <limits>

#include "extract_helpers.h"

using namespace custos;
using namespace custos::extract;
using namespace custos::extract::testing;

namespace {

// Collects text and raises `flag` once `after` pieces of text have arrived.
class CancellingSink final : public TextSink {
 public:
  CancellingSink(std::atomic<bool>& flag, int after) : flag_(flag), after_(after) {}
  void Text(std::string_view utf8) override {
    text.append(utf8);
    if (++pieces >= after_) flag_ = true;
  }
  void EndOfStream() override {}
  std::string text;
  int pieces = 0;

 private:
  std::atomic<bool>& flag_;
  const int after_;
};

// Extracts `path` (opened here) with `limits`.
Status ExtractFile(const std::string& path, const std::string& mime, Category category,
                   const Limits& limits, TextSink& sink, Outcome* outcome) {
  const Item item = MakeItem(path, mime, category);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  Status s = Extract(fd, item, limits, sink, outcome);
  ::close(fd);
  return s;
}

struct ZipRun {
  Outcome outcome;
  std::string text;
};

// Extracts the ZIP at `path` with `limits` and a cancel flag raised once `after` pieces
// of text have arrived (0: no cancel flag at all).
ZipRun ExtractZip(const std::string& path, Limits limits, int after) {
  std::atomic<bool> cancel{false};
  if (after > 0) limits.cancel = &cancel;
  CancellingSink sink(cancel, after > 0 ? after : std::numeric_limits<int>::max());
  ZipRun r;
  REQUIRE(ExtractFile(path, "application/zip", Category::kArchive, limits, sink, &r.outcome).ok());
  r.text = sink.text;
  return r;
}

const char* kManyMembers = R"PY(
import sys, zipfile
n, size = int(sys.argv[2]), int(sys.argv[3])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(n):
        body = ("member %d line\n" % i) * (size // 16)
        z.writestr("m%05d.txt" % i, body)
)PY";

}  // namespace

TEST_CASE("A raised cancel flag stops extraction before any text", "[extract][cancel]") {
  std::atomic<bool> cancel{true};
  Limits limits;
  limits.cancel = &cancel;
  const Extracted r = ExtractBytes("card 4111 1111 1111 1111 on file\n", limits);
  CHECK(r.status.ok());
  CHECK(r.outcome.interrupted);
  CHECK(r.outcome.partial.Text() == "interrupted");
  CHECK(r.text().empty());

  cancel = false;
  const Extracted whole = ExtractBytes("card 4111 1111 1111 1111 on file\n", limits);
  CHECK_FALSE(whole.outcome.interrupted);
  CHECK(whole.outcome.partial.empty());
  CHECK(whole.text() == "card 4111 1111 1111 1111 on file\n");
}

TEST_CASE("A cancel during a large text file ends it at the next read", "[extract][cancel]") {
  test::TempDir dir;
  std::string big;
  while (big.size() < (32u << 20)) big += "an ordinary line of text in a large file\n";
  test::WriteFile(dir / "big.txt", big);
  std::atomic<bool> cancel{false};
  Limits limits;
  limits.cancel = &cancel;
  CancellingSink sink(cancel, 1);
  Outcome outcome;
  REQUIRE(ExtractFile(dir / "big.txt", "text/plain", Category::kText, limits, sink, &outcome).ok());
  CHECK(outcome.interrupted);
  CHECK(outcome.partial.Text() == "interrupted");
  // The text of the read that raised the flag, at most: one 256 KiB chunk.
  CHECK(sink.text.size() <= (256u << 10));
  CHECK(outcome.bytes_out <= (256u << 10));
}

TEST_CASE("A cancel inside a ZIP stops at the next member", "[extract][cancel][archive]") {
  test::TempDir dir;
  Python(kManyMembers, {dir / "many.zip", "500", "4096"});
  // Without a cancel, every member is read.
  const ZipRun whole = ExtractZip(dir / "many.zip", Limits(), 0);
  CHECK_FALSE(whole.outcome.interrupted);
  CHECK(whole.outcome.partial.empty());
  CHECK(whole.outcome.members == 500);
  CHECK(Contains(whole.text, "member 499 line\n"));

  const ZipRun cut = ExtractZip(dir / "many.zip", Limits(), 3);
  CHECK(cut.outcome.interrupted);
  CHECK(cut.outcome.partial.Text() == "interrupted");
  CHECK(cut.outcome.members <= 3);
  CHECK_FALSE(Contains(cut.text, "member 3 line\n"));
}

TEST_CASE("An interruption replaces a limit noted before it", "[extract][cancel][archive]") {
  test::TempDir dir;
  Python(kManyMembers, {dir / "many.zip", "50", "8192"});
  Limits limits;
  limits.max_member_bytes = 4096;  // every member is cut: "limit: member size"
  const ZipRun cut = ExtractZip(dir / "many.zip", limits, 5);
  CHECK(cut.outcome.interrupted);
  // Not "limit: member size": a scan would keep that reason and reuse the item as read.
  CHECK(cut.outcome.partial.Text() == "interrupted");
  CHECK(cut.outcome.members < 50);
}
