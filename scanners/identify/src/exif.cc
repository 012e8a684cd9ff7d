// JPEG and TIFF: EXIF DateTimeOriginal (then DateTimeDigitized, then DateTime), read
// with libexif from the APP1 segment (JPEG) or the TIFF header (TIFF). EXIF dates carry
// no zone: they are taken as UTC.
#include <libexif/exif-data.h>

#include <memory>
#include <string>

#include "bytes.h"
#include "content_date.h"
#include "dates.h"

namespace custos::identify::detail {
namespace {

constexpr int kMaxMarkers = 256;
// libexif reads at most 64 KiB of EXIF (the largest JPEG segment).
constexpr size_t kMaxExif = 0xFFFE;

struct ExifDataDeleter {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};

// The date in `tag`, looked up in every IFD (some cameras misplace it).
std::optional<int64_t> EntryDate(ExifData* data, ExifTag tag) {
  for (int ifd = 0; ifd < EXIF_IFD_COUNT; ++ifd) {
    ExifEntry* e = exif_content_get_entry(data->ifd[ifd], tag);
    if (e == nullptr || e->format != EXIF_FORMAT_ASCII || e->data == nullptr || e->size < 10) {
      continue;
    }
    const std::string_view text(reinterpret_cast<const char*>(e->data), e->size);
    if (auto t = Plausible(ParseLooseDate(text.substr(0, text.find('\0'))))) return t;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> ExifBlockDate(std::string_view exif) {
  if (exif.size() < 14 || exif.size() > kMaxExif) return std::nullopt;
  std::unique_ptr<ExifData, ExifDataDeleter> data(exif_data_new());
  if (!data) return std::nullopt;
  // Only reading: no fix-ups of the loaded data.
  exif_data_unset_option(data.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_load_data(data.get(), reinterpret_cast<const unsigned char*>(exif.data()),
                      static_cast<unsigned int>(exif.size()));
  if (auto t = EntryDate(data.get(), EXIF_TAG_DATE_TIME_ORIGINAL)) return t;
  if (auto t = EntryDate(data.get(), EXIF_TAG_DATE_TIME_DIGITIZED)) return t;
  return EntryDate(data.get(), EXIF_TAG_DATE_TIME);
}

std::optional<int64_t> JpegExifDate(Reader& r) {
  uint64_t off = 2;  // after SOI
  for (int n = 0; n < kMaxMarkers; ++n) {
    const std::string_view h = r.Read(off, 4);
    if (h.size() < 2 || U8(h, 0) != 0xFF) return std::nullopt;
    const uint8_t marker = U8(h, 1);
    if (marker == 0xFF) {  // fill byte
      ++off;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      off += 2;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return std::nullopt;  // image data / end
    if (h.size() < 4) return std::nullopt;
    const uint16_t len = Be16(h, 2);
    if (len < 2) return std::nullopt;
    if (marker == 0xE1 && len > 8) {
      const std::string_view seg = r.Read(off + 4, len - 2u);
      if (seg.starts_with(std::string_view("Exif\0\0", 6))) {
        const std::string copy(seg);  // the view dies with the next read
        if (auto t = ExifBlockDate(copy)) return t;
      }
    }
    off += 2u + len;
  }
  return std::nullopt;
}

std::optional<int64_t> TiffExifDate(Reader& r) {
  const std::string_view head = r.Read(0, kMaxExif - 6);
  if (head.size() < 8) return std::nullopt;
  std::string exif("Exif\0\0", 6);
  exif.append(head);
  return ExifBlockDate(exif);
}

}  // namespace custos::identify::detail
