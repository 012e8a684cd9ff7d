// Helpers for the extract tests: a collecting sink, running extraction on files and
// bytes, and making inputs with real tools (/usr/bin/python3 with python-docx,
// openpyxl, odfpy, reportlab; zip, tar, 7z).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "custos/extract/extract.h"
#include "support/support.h"

namespace custos::extract::testing {

// Keeps the text, the text of each stream (split at EndOfStream) and each Text() piece.
class CollectingSink final : public TextSink {
 public:
  void Text(std::string_view utf8) override {
    pieces.emplace_back(utf8);
    text.append(utf8);
    current_.append(utf8);
  }
  void EndOfStream() override {
    streams.push_back(current_);
    current_.clear();
    ++ends;
  }
  std::string text;
  std::vector<std::string> streams;
  std::vector<std::string> pieces;
  int ends = 0;

 private:
  std::string current_;
};

inline bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

struct Extracted {
  Status status;
  Outcome outcome;
  CollectingSink sink;
  const std::string& text() const { return sink.text; }
};

// Checks what every result must satisfy: each piece is whole UTF-8.
inline void CheckPieces(const Extracted& r) {
  for (const std::string& piece : r.sink.pieces) REQUIRE(ValidUtf8(piece));
}

inline Item MakeItem(const std::string& path, const std::string& mime = "",
                     Category category = Category::kOther) {
  Item item;
  item.path = path;
  item.mime = mime;
  item.category = category;
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  item.has_info = true;
  item.info = FileInfo::FromStat(st);
  return item;
}

inline Extracted ExtractPath(const std::string& path, const std::string& mime = "",
                             Category category = Category::kOther, const Limits& limits = {}) {
  Extracted r;
  const Item item = MakeItem(path, mime, category);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  r.status = Extract(fd, item, limits, r.sink, &r.outcome);
  // The descriptor's offset is never moved.
  CHECK(::lseek(fd, 0, SEEK_CUR) == 0);
  ::close(fd);
  CheckPieces(r);
  return r;
}

inline Extracted ExtractBytes(std::string_view bytes, const Limits& limits = {},
                              std::string_view name = "buffer") {
  Extracted r;
  r.status = ExtractBuffer(bytes, name, limits, r.sink, &r.outcome);
  CheckPieces(r);
  return r;
}

// Runs a program; fails the test (showing its stderr) unless it exits 0.
inline void MustRun(const std::vector<std::string>& argv, int timeout_s = 300) {
  const test::ProcessResult p = test::Run(argv, timeout_s);
  INFO(argv[0] << " stderr: " << p.err);
  REQUIRE(p.exit_code == 0);
}

// Runs a Python program with the system interpreter (which has the document
// libraries); sys.argv[1:] are `args`.
inline void Python(const std::string& program, const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", program};
  argv.insert(argv.end(), args.begin(), args.end());
  MustRun(argv);
}

// Runs a shell command line (in `dir`).
inline void Shell(const std::string& dir, const std::string& command) {
  MustRun({"sh", "-c", "cd '" + dir + "' && " + command});
}

inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace custos::extract::testing
