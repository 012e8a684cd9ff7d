// Identification: what a file is (MIME type, category) and when its content was
// recorded (content_date), from a bounded number of header bytes.
//
// libmagic with custos' own magic database loaded first (biometric records, CCTV
// exports, encrypted containers that libmagic 5.44 does not know), then the system
// database. Content dates come from the container headers: MP4/MOV `mvhd`, Matroska
// `DateUTC`, JPEG/TIFF EXIF `DateTimeOriginal`, AVI `IDIT`, ... reading only the
// bytes needed (a 50 GB video costs a few KiB of reads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "custos/base/item.h"
#include "custos/base/status.h"

namespace custos::identify {

// The magic database path list to use: $CUSTOS_MAGIC when set (used as is), else the
// first existing of the custom database compiled in the build tree,
// <dir of /proc/self/exe>/../share/custos/custos.mgc and the installed
// <datadir>/custos/custos.mgc, followed by the system database
// ("custos.mgc:/usr/share/misc/magic.mgc"). When no custom database is found, just the
// system database (the caller may warn: biometric, CCTV and encrypted formats will
// then be missed).
std::string DefaultMagicDatabase();

// The system magic database, appended to the custom one by DefaultMagicDatabase().
inline constexpr char kSystemMagicDatabase[] = "/usr/share/misc/magic.mgc";

// The category (interface spec) of a file from libmagic's MIME type and description
// (as Identify() leaves them in the item). `mode` (st_mode) separates executable
// scripts (a shebang and an execute bit) from plain source text. Pure; thread-safe.
Category CategoryFor(std::string_view mime, std::string_view description, uint32_t mode = 0);

// One per worker thread; not thread-safe. Creation is serialised internally (libmagic
// loading writes shared state).
class Identifier {
 public:
  // Opens libmagic and loads `magic_database` (a ':'-separated list, first match
  // wins). An unloadable database is an error whose message names it.
  // `always_describe`: fill item.description for every file (custos classify); by
  // default it is only computed when the MIME type alone does not decide the category.
  static Result<std::unique_ptr<Identifier>> Create(const std::string& magic_database,
                                                    bool always_describe = false);
  ~Identifier();
  Identifier(const Identifier&) = delete;
  Identifier& operator=(const Identifier&) = delete;

  // Identifies the open regular file `fd` (size `item.info.size`) and fills
  // item.mime, item.description, item.category and item.content_date. Uses pread
  // only (never moves the file offset, never writes). A read error sets item.skipped
  // (read error: <strerror>) and is returned as a non-OK Status with its text; the
  // fields are then left as far as they got. An empty file is "application/x-empty",
  // category other. Reads a bounded prefix (kPrefixBytes) plus a few KiB of headers
  // for the content date, whatever the file holds.
  Status Identify(int fd, Item& item);

  // The bytes read from the start of the file by the last Identify() (at most
  // kPrefixBytes; the whole file when it is smaller). Valid until the next call.
  std::string_view prefix() const;
  // True when the last Identify() found the prefix to be plain prose or a table in
  // ASCII/UTF-8/Latin-1 (no NUL, no control characters but tab, line breaks, form feed
  // and escape; not mail, not a format signature): text/plain without libmagic.
  bool prefix_is_plain_text() const;

  // Bytes read from the start of each file for libmagic.
  static constexpr size_t kPrefixBytes = 256 * 1024;

 private:
  Identifier() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custos::identify
