// Reader: bounded, pread-only access to the file being identified.
//
// Serves reads from the prefix already read for libmagic when it covers them, else
// preads. Never moves the file offset, never writes. Every parser goes through it,
// so the total cost of a hostile file is capped: at most kMaxCalls preads and
// kMaxBytes bytes per file, at most kMaxRead bytes per call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace custos::identify::detail {

class Reader {
 public:
  static constexpr size_t kMaxRead = 1 << 20;
  static constexpr int kMaxCalls = 4096;
  static constexpr uint64_t kMaxBytes = 16 << 20;

  // `size` is the file size; `prefix` the bytes at offset 0 already read (it must
  // outlive the Reader).
  Reader(int fd, uint64_t size, std::string_view prefix) : fd_(fd), size_(size), prefix_(prefix) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  uint64_t size() const { return size_; }
  std::string_view prefix() const { return prefix_; }

  // Returns the bytes [off, off + n), shortened at the end of the file and to
  // kMaxRead. The view stays valid until the next Read. Empty beyond the end, after a
  // read error (see error()) or once the budget is spent.
  std::string_view Read(uint64_t off, size_t n);

  // errno of the first failed pread, 0 when none failed.
  int error() const { return error_; }

 private:
  int fd_;
  uint64_t size_;
  std::string_view prefix_;
  std::string buf_;
  int error_ = 0;
  int calls_ = 0;
  uint64_t bytes_ = 0;
};

// Reads up to `n` bytes at `off` into `out` with pread, retrying on EINTR and short
// reads; returns the count read (< n only at end of file), or -1 with errno set.
int64_t PreadFull(int fd, char* out, size_t n, uint64_t off);

}  // namespace custos::identify::detail
