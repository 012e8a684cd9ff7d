// Archives made with zip, tar, gzip, bzip2, xz and 7z; nesting; and hostile ones (zip
// bombs, overlapping entries, too many entries, too deep).
#include "extract/extract_helpers.h"

namespace custos::extract::testing {
namespace {

const std::string kAlpha = "alpha IBAN DE89 3704 0044 0532 0130 00\n";
const std::string kBeta = "name;card\nZoë;4111111111111111\n";

// a.txt, sub/b.csv, photo.jpg (JPEG magic, then text that must not be read),
// blob.bin (binary with one printable string) in `dir`/src.
void MakeTree(const test::TempDir& dir) {
  test::WriteFile(dir / "src/a.txt", kAlpha);
  test::WriteFile(dir / "src/sub/b.csv", kBeta);
  test::WriteFile(dir / "src/photo.jpg", std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11) +
                                             " hidden 5555555555554444 hidden");
  test::WriteFile(dir / "src/blob.bin",
                  std::string("\0\1\2\3", 4) + "NINO QQ123456C" + std::string("\0\xFF\0\xFE", 4));
}

void CheckTree(const Extracted& r) {
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.empty());
  CHECK(Contains(r.text(), kAlpha));
  CHECK(Contains(r.text(), kBeta));
  CHECK(Contains(r.text(), "NINO QQ123456C\n"));
  CHECK_FALSE(Contains(r.text(), "5555555555554444"));  // media members are skipped
  // Each member is a stream of its own.
  CHECK(std::find(r.sink.streams.begin(), r.sink.streams.end(), kAlpha) != r.sink.streams.end());
  CHECK(std::find(r.sink.streams.begin(), r.sink.streams.end(), kBeta) != r.sink.streams.end());
  CHECK(r.outcome.members >= 4);
}

// Python: zips argv[2] (a file) into argv[1] as member argv[3], `levels` times nested:
// each level is a ZIP holding the previous one.
const char* const kNestZips = R"PY(
import sys, zipfile, io
levels = int(sys.argv[3])
with open(sys.argv[2], "rb") as f:
    data, name = f.read(), "secret.txt"
for i in range(levels):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    data, name = buf.getvalue(), "level%d.zip" % (levels - i)
with open(sys.argv[1], "wb") as f:
    f.write(data)
)PY";

}  // namespace

TEST_CASE("ZIP, tar, tar.gz, tar.bz2, tar.xz and 7z made by the tools", "[extract][archive]") {
  test::TempDir dir;
  MakeTree(dir);
  const std::string src = dir / "src";
  Shell(src,
        "zip -qr ../t.zip . && tar cf ../t.tar . && tar czf ../t.tar.gz . && "
        "tar cjf ../t.tar.bz2 . && tar cJf ../t.tar.xz . && 7z a -bd -bso0 ../t.7z . ");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"t.zip", "application/zip"},     {"t.tar", "application/x-tar"},
      {"t.tar.gz", "application/gzip"}, {"t.tar.bz2", "application/x-bzip2"},
      {"t.tar.xz", "application/x-xz"}, {"t.7z", "application/x-7z-compressed"}};
  for (const auto& [file, mime] : cases) {
    DYNAMIC_SECTION(file) {
      CheckTree(ExtractPath(dir / file, mime, Category::kArchive));
      CheckTree(ExtractPath(dir / file));  // sniffed
      CheckTree(ExtractBytes(test::ReadFile(dir / file)));
    }
  }
}

TEST_CASE("A gzip-compressed single file", "[extract][archive]") {
  test::TempDir dir;
  test::WriteFile(dir / "notes.txt", kAlpha);
  Shell(dir.path(), "gzip -k notes.txt && bzip2 -k notes.txt && xz -k notes.txt");
  for (const char* f : {"notes.txt.gz", "notes.txt.bz2", "notes.txt.xz"}) {
    DYNAMIC_SECTION(f) {
      const Extracted r = ExtractPath(dir / f);
      CHECK(r.text() == kAlpha);
      CHECK(r.outcome.partial.empty());
      CHECK(r.outcome.members == 1);
    }
  }
}

TEST_CASE("Nested containers: zip in zip, tar.gz in zip, zip in tar.gz", "[extract][archive]") {
  test::TempDir dir;
  MakeTree(dir);
  Shell(dir / "src", "zip -qr ../inner.zip . && tar czf ../inner.tgz .");
  Shell(dir.path(),
        "mkdir o1 o2 && cp inner.zip inner.tgz o1/ && zip -qr outer.zip o1 && "
        "cp inner.zip o2/ && tar czf outer.tgz o2");
  CheckTree(ExtractPath(dir / "outer.zip", "application/zip", Category::kArchive));
  CheckTree(ExtractPath(dir / "outer.tgz", "application/gzip", Category::kArchive));
}

TEST_CASE("Nesting up to the depth limit is read, one more level is not",
          "[extract][archive][hostile]") {
  test::TempDir dir;
  test::WriteFile(dir / "secret.txt", "deep secret\n");
  Python(kNestZips, {dir / "ten.zip", dir / "secret.txt", "10"});
  Python(kNestZips, {dir / "eleven.zip", dir / "secret.txt", "11"});
  const Extracted ten = ExtractPath(dir / "ten.zip", "application/zip", Category::kArchive);
  CHECK(ten.text() == "deep secret\n");
  CHECK(ten.outcome.partial.empty());
  const Extracted eleven = ExtractPath(dir / "eleven.zip", "application/zip", Category::kArchive);
  CHECK(eleven.text().empty());
  CHECK(eleven.outcome.partial.Text() == "limit: depth");
}

TEST_CASE("The entries limit", "[extract][archive][hostile]") {
  test::TempDir dir;
  Python(R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for i in range(1001):
        z.writestr("m%05d.txt" % i, "member %d\n" % i)
)PY",
         {dir / "many.zip"});
  Limits limits;
  limits.max_entries = 1000;
  const Extracted r = ExtractPath(dir / "many.zip", "application/zip", Category::kArchive, limits);
  CHECK(r.outcome.partial.Text() == "limit: entries");
  CHECK(Contains(r.text(), "member 999\n"));
  CHECK_FALSE(Contains(r.text(), "member 1000\n"));
  CHECK(r.outcome.members == 1001);
  limits.max_entries = 1001;
  CHECK(ExtractPath(dir / "many.zip", "", Category::kOther, limits).outcome.partial.empty());
}

TEST_CASE("Zip bomb: 1 GiB of zeros stops at the ratio limit", "[extract][archive][hostile]") {
  test::TempDir dir;
  Python(R"PY(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("first.txt", "read before the bomb\n")
    with z.open("zeros.bin", "w", force_zip64=True) as f:
        chunk = bytes(1 << 20)
        for i in range(1024):
            f.write(chunk)
    z.writestr("last.txt", "read after the bomb\n")
)PY",
         {dir / "bomb.zip"});
  const Extracted r = ExtractPath(dir / "bomb.zip", "application/zip", Category::kArchive);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.Text() == "limit: archive ratio");
  CHECK(r.text() == "read before the bomb\nread after the bomb\n");  // only the bomb stops
  CHECK(r.outcome.bytes_out < (64u << 20));
  const Extracted m = ExtractBytes(test::ReadFile(dir / "bomb.zip"));
  CHECK(m.outcome.partial.Text() == "limit: archive ratio");
}

TEST_CASE("Nested zip bomb (42.zip style) stops at the ratio limit",
          "[extract][archive][hostile]") {
  test::TempDir dir;
  // 16 x 16 x 16 leaves of 8 MiB of zeros: 32 GiB in a few hundred KiB.
  Python(R"PY(
import sys, zipfile, io
def z(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as f:
        for name, data in entries:
            f.writestr(name, data)
    return buf.getvalue()
leaf = z([("zeros", bytes(8 << 20))])
l1 = z([("l%d.zip" % i, leaf) for i in range(16)])
l2 = z([("k%d.zip" % i, l1) for i in range(16)])
with open(sys.argv[1], "wb") as f:
    f.write(z([("j%d.zip" % i, l2) for i in range(16)]))
)PY",
         {dir / "42.zip"});
  const Extracted r = ExtractPath(dir / "42.zip", "application/zip", Category::kArchive);
  CHECK(r.outcome.partial.Text() == "limit: archive ratio");
  CHECK(r.outcome.bytes_out < (256u << 20));
}

TEST_CASE("Overlapping entries sharing one compressed kernel stay bounded",
          "[extract][archive][hostile]") {
  test::TempDir dir;
  // D. Fifield's "quoted overlap": each entry's data quotes the next local header in a
  // stored block, then shares the rest of the file, which ends in one kernel (1 MiB of
  // zeros). 100 entries, 100 MiB from 10 KB.
  Python(R"PY(
import sys, zlib, struct
N = 100
plain_kernel = bytes(1 << 20)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
kernel = c.compress(plain_kernel) + c.flush()
def local_header(name, crc, csize, usize):
    return struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize,
                       len(name), 0) + name
names = [b"f%04d" % i for i in range(N)]
headers, streams, sizes = [None] * N, [None] * N, [None] * N
for i in range(N - 1, -1, -1):
    if i == N - 1:
        stream = kernel
    else:
        nxt = headers[i + 1]
        stream = struct.pack("<BHH", 0, len(nxt), len(nxt) ^ 0xFFFF) + nxt + streams[i + 1]
    quoted = b"".join(headers[i + 1:])
    crc = zlib.crc32(plain_kernel, zlib.crc32(quoted))
    usize = len(quoted) + len(plain_kernel)
    streams[i], sizes[i] = stream, (crc, len(stream), usize)
    headers[i] = local_header(names[i], crc, len(stream), usize)
body = headers[0] + streams[0]
offsets, off = [], 0
for i in range(N):
    offsets.append(off)
    off += len(headers[i]) + (5 if i < N - 1 else 0)
cd = b""
for i in range(N):
    crc, csize, usize = sizes[i]
    cd += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, csize,
                      usize, len(names[i]), 0, 0, 0, 0, 0, offsets[i]) + names[i]
eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, N, N, len(cd), len(body), 0)
with open(sys.argv[1], "wb") as f:
    f.write(body + cd + eocd)
)PY",
         {dir / "overlap.zip"});
  REQUIRE(test::ReadFile(dir / "overlap.zip").size() < 20000);
  const Extracted r = ExtractPath(dir / "overlap.zip", "application/zip", Category::kArchive);
  REQUIRE(r.status.ok());
  CHECK(r.outcome.partial.Text() == "limit: archive ratio");
  CHECK(r.outcome.bytes_out < (8u << 20));
  CHECK(r.outcome.members < 20);
}

TEST_CASE("The member size limit cuts one member, the others are read",
          "[extract][archive][limits]") {
  test::TempDir dir;
  test::WriteFile(dir / "src/big.txt", std::string(5000, 'x'));
  test::WriteFile(dir / "src/small.txt", "small one\n");
  Shell(dir / "src", "tar cf ../t.tar big.txt small.txt");
  Limits limits;
  limits.max_member_bytes = 1000;
  const Extracted r = ExtractPath(dir / "t.tar", "application/x-tar", Category::kArchive, limits);
  CHECK(r.outcome.partial.Text() == "limit: member size");
  CHECK(r.text() == std::string(1000, 'x') + "small one\n");
}

TEST_CASE("A large member of a tar.gz is streamed", "[extract][archive]") {
  test::TempDir dir;
  std::string big;
  for (int i = 0; big.size() < (8u << 20); ++i) {
    big += std::to_string(i * 7919 % 1000003) + " card 4111 1111 1111 1111 Zoë\n";
  }
  test::WriteFile(dir / "src/big.log", big);
  Shell(dir / "src", "tar czf ../big.tgz big.log");
  const Extracted r = ExtractPath(dir / "big.tgz", "application/gzip", Category::kArchive);
  CHECK(r.outcome.partial.empty());
  CHECK(r.text().size() == big.size());
  CHECK((r.text() == big));
  for (const std::string& p : r.sink.pieces) CHECK(p.size() <= (1u << 20));
}

TEST_CASE("Encrypted ZIP and 7z members are reported", "[extract][archive]") {
  test::TempDir dir;
  test::WriteFile(dir / "a.txt", kAlpha);
  test::WriteFile(dir / "b.txt", "plain member\n");
  Shell(dir.path(),
        "zip -q -P secret enc.zip a.txt && zip -q enc.zip b.txt && "
        "7z a -bd -bso0 -psecret enc.7z a.txt && "
        "7z a -bd -bso0 -psecret -mhe=on henc.7z a.txt");
  const Extracted z = ExtractPath(dir / "enc.zip");
  CHECK(z.outcome.encrypted);
  CHECK(z.outcome.partial.Text() == "encrypted");
  CHECK(z.text() == "plain member\n");
  for (const char* f : {"enc.7z", "henc.7z"}) {
    DYNAMIC_SECTION(f) {
      const Extracted s = ExtractPath(dir / f);
      CHECK(s.outcome.encrypted);
      CHECK(s.outcome.partial.Text() == "encrypted");
      CHECK_FALSE(Contains(s.text(), "IBAN"));
    }
  }
}

TEST_CASE("Truncated archives are corrupt, what came before is kept",
          "[extract][archive][hostile]") {
  test::TempDir dir;
  std::string big;
  while (big.size() < (1u << 20))
    big += "some log line number " + std::to_string(big.size()) + "\n";
  test::WriteFile(dir / "src/a.txt", kAlpha);
  test::WriteFile(dir / "src/z.log", big);
  Shell(dir / "src", "tar czf ../t.tgz a.txt z.log && zip -q ../t.zip a.txt z.log");
  const std::string tgz = test::ReadFile(dir / "t.tgz");
  const Extracted r = ExtractBytes(tgz.substr(0, tgz.size() / 2));
  CHECK(r.outcome.partial.Text() == "corrupt: archive");
  CHECK(Contains(r.text(), kAlpha));
  const std::string zip = test::ReadFile(dir / "t.zip");
  const Extracted z = ExtractBytes(zip.substr(0, zip.size() / 2));
  CHECK(z.outcome.partial.Text() == "corrupt: archive");
}

}  // namespace custos::extract::testing
