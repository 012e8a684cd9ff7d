// Video containers made by FFmpeg (and a few by hand): MIME, video category and the
// exact recording date from mvhd, DateUTC, IDIT/ICRD, ASF File Properties.
#include "identify_helpers.h"

namespace custos::test {
namespace {

const int64_t kClipDate = Utc(2023, 5, 6, 7, 8, 9);

// A test clip (by default one second, 64x64) written by ffmpeg to dir/name, with
// `extra` output options.
std::string MakeClip(const TempDir& dir, const std::string& name,
                     std::vector<std::string> extra = {},
                     const std::string& source = "testsrc=duration=1:size=64x64:rate=5") {
  std::vector<std::string> argv = {"ffmpeg",    "-nostdin",  "-hide_banner",
                                   "-loglevel", "error",     "-y",
                                   "-f",        "lavfi",     "-i",
                                   source,      "-metadata", "creation_time=2023-05-06T07:08:09Z"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(dir / name);
  MustRun(argv, "ffmpeg");
  return dir / name;
}

TEST_CASE("MP4, MOV and 3GP from ffmpeg carry the mvhd creation time", "[identify][video]") {
  TempDir dir;
  struct Case {
    const char* name;
    const char* mime;
  };
  for (const Case& c : {Case{"clip.mp4", "video/mp4"}, Case{"clip.mov", "video/quicktime"},
                        Case{"clip.3gp", "video/3gpp"}}) {
    std::vector<std::string> extra;
    if (std::string(c.name) == "clip.3gp") extra = {"-c:v", "libx264", "-pix_fmt", "yuv420p"};
    const Item item = IdentifyPath(MakeClip(dir, c.name, extra));
    INFO(c.name << ": " << item.description);
    CHECK(item.mime == c.mime);
    CHECK(item.category == Category::kVideo);
    REQUIRE(item.content_date.has_value());
    CHECK(*item.content_date == kClipDate);
  }
}

TEST_CASE("MP4 with moov after mdat (no faststart) still gives the date", "[identify][video]") {
  TempDir dir;
  // ffmpeg writes moov at the end by default; make mdat large enough to need preads
  // beyond the prefix.
  const Item item = IdentifyPath(MakeClip(dir, "big.mp4", {"-c:v", "mjpeg", "-q:v", "1"},
                                          "testsrc=duration=2:size=640x480:rate=25"));
  CHECK(item.mime == "video/mp4");
  CHECK(item.info.size > identify::Identifier::kPrefixBytes);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == kClipDate);
}

TEST_CASE("Matroska and WebM carry DateUTC", "[identify][video]") {
  TempDir dir;
  Item item = IdentifyPath(MakeClip(dir, "clip.mkv"));
  CHECK(item.mime == "video/x-matroska");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == kClipDate);

  item = IdentifyPath(MakeClip(dir, "clip.webm", {"-c:v", "libvpx", "-b:v", "100k"}));
  CHECK(item.mime == "video/webm");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == kClipDate);
}

TEST_CASE("AVI: ICRD from ffmpeg, IDIT from a camera", "[identify][video]") {
  TempDir dir;
  // ffmpeg maps the `date` tag to INFO/ICRD; creation_time alone is not written.
  Item item = IdentifyPath(MakeClip(dir, "plain.avi"));
  CHECK(item.mime == "video/x-msvideo");
  CHECK(item.category == Category::kVideo);
  CHECK_FALSE(item.content_date.has_value());

  item = IdentifyPath(MakeClip(dir, "dated.avi", {"-metadata", "date=2022-10-11"}));
  CHECK(item.mime == "video/x-msvideo");
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2022, 10, 11));

  // A camera-style AVI: hdrl list holding avih and IDIT (ctime text).
  const std::string avih = "avih" + Le(56, 4) + Le(200000, 4) + std::string(52, '\0');
  const std::string idit_text = Bytes("Mon Jan 02 03:04:05 2024\n\0");
  const std::string idit = "IDIT" + Le(idit_text.size(), 4) + idit_text;
  const std::string hdrl_body = "hdrl" + avih + idit;
  const std::string hdrl = "LIST" + Le(hdrl_body.size(), 4) + hdrl_body;
  const std::string movi = "LIST" + Le(4, 4) + "movi";
  const std::string body = "AVI " + hdrl + movi;
  item = IdentifyBytes(dir, "camera.avi", "RIFF" + Le(body.size(), 4) + body);
  CHECK(item.mime == "video/x-msvideo");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2024, 1, 2, 3, 4, 5));
}

TEST_CASE("ASF/WMV carries the File Properties creation date", "[identify][video]") {
  TempDir dir;
  const Item item = IdentifyPath(MakeClip(dir, "clip.wmv", {"-c:v", "wmv2", "-f", "asf"}));
  CHECK(item.mime == "video/x-ms-asf");
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == kClipDate);
}

TEST_CASE("MPEG-TS (188 and M2TS 192-byte packets) is video", "[identify][video]") {
  TempDir dir;
  Item item = IdentifyPath(MakeClip(dir, "clip.ts"));
  CHECK(item.mime == "video/MP2T");
  CHECK(item.category == Category::kVideo);
  CHECK_FALSE(item.content_date.has_value());

  item = IdentifyPath(MakeClip(dir, "clip.m2ts", {"-f", "mpegts", "-mpegts_m2ts_mode", "1"}));
  CHECK(item.mime == "video/MP2T");
  CHECK(item.category == Category::kVideo);
}

TEST_CASE("Raw H.264 and H.265 elementary streams are video", "[identify][video]") {
  TempDir dir;
  Item item = IdentifyPath(MakeClip(dir, "cam.h264", {"-c:v", "libx264", "-f", "h264"}));
  CHECK(item.mime == "video/h264");
  CHECK(item.category == Category::kVideo);

  item = IdentifyPath(MakeClip(
      dir, "cam.h265", {"-c:v", "libx265", "-x265-params", "log-level=error", "-f", "hevc"}));
  CHECK(item.mime == "video/h265");
  CHECK(item.category == Category::kVideo);

  // Milestone-style .pic: an access unit delimiter first.
  item = IdentifyBytes(dir, "0001.pic",
                       std::string("\x00\x00\x00\x01\x09\x10\x00\x00\x00\x01\x67\x42\x00\x1E", 14) +
                           std::string(200, '\x5A'));
  CHECK(item.mime == "video/h264");
  CHECK(item.category == Category::kVideo);
}

// A minimal ISO BMFF file: ftyp, mdat (64-bit largesize when `large`), moov/mvhd.
std::string HandMadeMp4(uint64_t creation, int version, bool large) {
  const std::string ftyp = Be(20, 4) + "ftypisom" + Be(0x200, 4) + "isom";
  std::string mdat = large ? Be(1, 4) + "mdat" + Be(16 + 100, 8) : Be(8 + 100, 4) + "mdat";
  mdat += std::string(100, '\0');
  std::string mvhd_body = Be(static_cast<uint64_t>(version), 1) + Be(0, 3);
  if (version == 1) {
    mvhd_body += Be(creation, 8) + Be(creation, 8) + Be(1000, 4) + Be(5000, 8);
  } else {
    mvhd_body += Be(creation, 4) + Be(creation, 4) + Be(1000, 4) + Be(5000, 4);
  }
  mvhd_body += Be(0x00010000, 4) + Be(0x0100, 2) + std::string(10, '\0') + std::string(36, '\0') +
               std::string(24, '\0') + Be(2, 4);
  const std::string mvhd = Be(8 + mvhd_body.size(), 4) + "mvhd" + mvhd_body;
  const std::string moov = Be(0, 4) + "moov" + mvhd;  // size 0: to the end of the file
  return ftyp + mdat + moov;
}

TEST_CASE("Hand-made MP4: v1 mvhd, largesize, size 0, Unix-time cameras, unset dates",
          "[identify][video]") {
  TempDir dir;
  const uint64_t k1904 = 2082844800;
  const int64_t when = Utc(2021, 2, 3, 4, 5, 6);
  Item item =
      IdentifyBytes(dir, "v1.mp4", HandMadeMp4(static_cast<uint64_t>(when) + k1904, 1, true));
  CHECK(item.category == Category::kVideo);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == when);

  item = IdentifyBytes(dir, "v0.mp4", HandMadeMp4(static_cast<uint64_t>(when) + k1904, 0, false));
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == when);

  // A camera writing Unix time: read from 1904 it would be before 1970.
  item = IdentifyBytes(dir, "unix.mp4", HandMadeMp4(1600000000, 0, false));
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == 1600000000);

  // 0 means unset; 1904-based 1950 and future dates are impossible.
  item = IdentifyBytes(dir, "zero.mp4", HandMadeMp4(0, 0, false));
  CHECK_FALSE(item.content_date.has_value());
  item = IdentifyBytes(dir, "old.mp4",
                       HandMadeMp4(static_cast<uint64_t>(Utc(1985, 1, 1)) + k1904, 0, false));
  CHECK_FALSE(item.content_date.has_value());
  item = IdentifyBytes(dir, "future.mp4",
                       HandMadeMp4(static_cast<uint64_t>(NowUnix() + 7 * 86400) + k1904, 1, false));
  CHECK_FALSE(item.content_date.has_value());
}

// EBML element: id bytes, size (1 byte when it fits, else 8; or unknown), payload.
std::string Ebml(const std::string& id, const std::string& payload, bool unknown_size = false) {
  std::string size;
  if (unknown_size) {
    size = Bytes("\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF");
  } else if (payload.size() < 0x7F) {
    size = Be(0x80 | payload.size(), 1);
  } else {
    size = "\x01" + Be(payload.size(), 7);
  }
  return id + size + payload;
}

TEST_CASE("Hand-made Matroska: unknown-size segment, Info found through SeekHead",
          "[identify][video]") {
  TempDir dir;
  const std::string header =
      Ebml("\x1A\x45\xDF\xA3", Ebml("\x42\x82", "matroska") + Ebml("\x42\x87", Be(4, 1)));
  const int64_t when = Utc(2020, 8, 9, 10, 11, 12);
  const int64_t ns = (when - 978307200) * 1000000000LL;
  const std::string info =
      Ebml("\x15\x49\xA9\x66", Ebml("\x2A\xD7\xB1", Be(1000000, 3)) +
                                   Ebml("\x44\x61", Be(static_cast<uint64_t>(ns), 8)));
  const std::string cluster =
      Ebml("\x1F\x43\xB6\x75", Ebml("\xE7", Be(0, 1)) + std::string(64, '\0'));
  // SeekHead -> Info, placed after the cluster.
  const auto seek_head = [&](uint64_t info_pos) {
    return Ebml("\x11\x4D\x9B\x74", Ebml("\x4D\xBB", Ebml("\x53\xAB", "\x15\x49\xA9\x66") +
                                                         Ebml("\x53\xAC", Be(info_pos, 8))));
  };
  const uint64_t seek_size = seek_head(0).size();
  const std::string segment_body = seek_head(seek_size + cluster.size()) + cluster + info;
  const Item item =
      IdentifyBytes(dir, "live.mkv", header + Ebml("\x18\x53\x80\x67", segment_body, true));
  CHECK(item.mime == "video/x-matroska");
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == when);
}

}  // namespace
}  // namespace custos::test
