// Identification: what a file is (MIME type, category) and when its content was
// recorded (content_date), from a bounded number of header bytes.
//
// libmagic with custos' own magic database loaded first (biometric records, CCTV
// exports, encrypted containers that libmagic 5.44 does not know), then the system
// database. Content dates come from the container headers: MP4/MOV `mvhd`, Matroska
// `DateUTC`, JPEG/TIFF EXIF `DateTimeOriginal`, AVI `IDIT`, ... reading only the
// bytes needed (a 50 GB video costs a few KiB of reads).
#pragma once

#include <memory>
#include <string>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::identify {

// The magic database path list to use: $CUSTOS_MAGIC when set, else the custom
// database found next to the binary (build tree) or in the install prefix, followed
// by the system database ("custom.mgc:/usr/share/misc/magic.mgc").
std::string DefaultMagicDatabase();

// One per worker thread; not thread-safe. Creation is serialised internally (libmagic
// loading writes shared state).
class Identifier {
 public:
  static Result<std::unique_ptr<Identifier>> Create(const std::string& magic_database);
  ~Identifier();
  Identifier(const Identifier&) = delete;
  Identifier& operator=(const Identifier&) = delete;

  // Identifies the open regular file `fd` (size `item.info.size`) and fills
  // item.mime, item.description, item.category and item.content_date. Uses pread
  // only (never moves the file offset, never writes). A read error is returned as a
  // non-OK Status whose message is the skip reason.
  Status Identify(int fd, Item& item);

 private:
  Identifier() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custos::identify
