// Images: JPEG and TIFF EXIF dates (DateTimeOriginal, then DateTimeDigitized, then
// DateTime), set with exiftool on ffmpeg-made images.
#include "identify_helpers.h"

namespace custos::test {
namespace {

std::string MakeImage(const TempDir& dir, const std::string& name) {
  MustRun({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
           "testsrc=size=64x48:rate=1", "-frames:v", "1", dir / name},
          "ffmpeg");
  return dir / name;
}

void SetTags(const std::string& path, const std::vector<std::string>& tags) {
  std::vector<std::string> argv = {"exiftool", "-q", "-overwrite_original"};
  argv.insert(argv.end(), tags.begin(), tags.end());
  argv.push_back(path);
  MustRun(argv, "libimage-exiftool-perl");
}

TEST_CASE("JPEG without EXIF is an image without a date", "[identify][image]") {
  TempDir dir;
  const Item item = IdentifyPath(MakeImage(dir, "plain.jpg"));
  CHECK(item.mime == "image/jpeg");
  CHECK(item.category == Category::kImage);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("JPEG EXIF DateTimeOriginal wins over the other dates", "[identify][image]") {
  TempDir dir;
  const std::string path = MakeImage(dir, "photo.jpg");
  SetTags(path, {"-DateTimeOriginal=2019:08:07 06:05:04", "-CreateDate=2019:08:07 06:05:09",
                 "-ModifyDate=2020:01:01 00:00:00"});
  const Item item = IdentifyPath(path);
  CHECK(item.mime == "image/jpeg");
  CHECK(item.category == Category::kImage);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2019, 8, 7, 6, 5, 4));
}

TEST_CASE("JPEG EXIF falls back to DateTimeDigitized, then DateTime", "[identify][image]") {
  TempDir dir;
  const std::string digitized = MakeImage(dir, "digitized.jpg");
  SetTags(digitized, {"-CreateDate=2018:03:04 05:06:07", "-ModifyDate=2020:01:01 00:00:00"});
  Item item = IdentifyPath(digitized);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2018, 3, 4, 5, 6, 7));

  const std::string modified = MakeImage(dir, "modified.jpg");
  SetTags(modified, {"-ModifyDate=2017:11:12 13:14:15"});
  item = IdentifyPath(modified);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2017, 11, 12, 13, 14, 15));
}

TEST_CASE("JPEG EXIF with an unset clock has no date", "[identify][image]") {
  TempDir dir;
  const std::string path = MakeImage(dir, "unset.jpg");
  SetTags(path, {"-DateTimeOriginal=1980:01:01 00:00:00"});
  const Item item = IdentifyPath(path);
  CHECK(item.category == Category::kImage);
  CHECK_FALSE(item.content_date.has_value());
}

TEST_CASE("TIFF EXIF DateTimeOriginal", "[identify][image]") {
  TempDir dir;
  const std::string path = MakeImage(dir, "scan.tiff");
  SetTags(path, {"-DateTimeOriginal=2016:05:04 03:02:01"});
  const Item item = IdentifyPath(path);
  CHECK(item.mime == "image/tiff");
  CHECK(item.category == Category::kImage);
  REQUIRE(item.content_date.has_value());
  CHECK(*item.content_date == Utc(2016, 5, 4, 3, 2, 1));
}

TEST_CASE("PNG is an image", "[identify][image]") {
  TempDir dir;
  const Item item = IdentifyPath(MakeImage(dir, "shot.png"));
  CHECK(item.mime == "image/png");
  CHECK(item.category == Category::kImage);
}

}  // namespace
}  // namespace custos::test
