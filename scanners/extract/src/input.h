// Inputs: the bytes of one document, read forward (always) or at any offset (files and
// memory). Archive members are forward-only inputs (see archive.h).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace custos::extract {

class Context;

class Input {
 public:
  virtual ~Input() = default;
  // Reads up to `n` bytes at the current position. Returns the count (> 0), 0 at the
  // end (or when a limit stopped the reading), -1 on error.
  virtual ptrdiff_t Read(char* buf, size_t n) = 0;

  // Random access; only when seekable().
  virtual bool seekable() const { return false; }
  virtual uint64_t size() const { return 0; }
  virtual ptrdiff_t ReadAt(uint64_t /*offset*/, char* /*buf*/, size_t /*n*/) { return -1; }
  // The whole content when it is in memory, else nullptr.
  virtual const std::string_view* memory() const { return nullptr; }
};

// Bytes in memory (not owned; must outlive the input).
class MemoryInput final : public Input {
 public:
  explicit MemoryInput(std::string_view bytes) : bytes_(bytes) {}
  ptrdiff_t Read(char* buf, size_t n) override;
  bool seekable() const override { return true; }
  uint64_t size() const override { return bytes_.size(); }
  ptrdiff_t ReadAt(uint64_t offset, char* buf, size_t n) override;
  const std::string_view* memory() const override { return &bytes_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// A file read with pread (the descriptor's offset is never moved). Counts the bytes
// read and stops the item ("limit: size") beyond limits.max_file_bytes. The first
// block read at offset 0 (the sniffed head) is kept, so that reading the file from its
// start again neither costs nor counts twice. A read error is kept in error() (errno)
// for Extract() to return.
class FdInput final : public Input {
 public:
  FdInput(int fd, uint64_t size, Context& ctx) : fd_(fd), size_(size), ctx_(ctx) {}
  ptrdiff_t Read(char* buf, size_t n) override;
  bool seekable() const override { return true; }
  uint64_t size() const override { return size_; }
  ptrdiff_t ReadAt(uint64_t offset, char* buf, size_t n) override;
  int error() const { return error_; }

 private:
  int fd_;
  uint64_t size_;
  Context& ctx_;
  std::string head_;
  uint64_t pos_ = 0;
  uint64_t read_ = 0;
  int error_ = 0;
};

// `head` (already read from `rest`) followed by the rest of `rest`: lets a forward
// input be sniffed and then read from its start.
class PrefixInput final : public Input {
 public:
  PrefixInput(std::string_view head, Input& rest) : head_(head), rest_(rest) {}
  ptrdiff_t Read(char* buf, size_t n) override;

 private:
  std::string_view head_;
  size_t pos_ = 0;
  Input& rest_;
};

// Reads `in` forward to its end into `out`, at most `cap` bytes. Returns 1 when all
// was read, 0 when the input is longer than `cap` (out holds the first cap bytes), -1
// on a read error.
int ReadAll(Input& in, uint64_t cap, std::string* out);

// Reads up to `n` bytes (fewer only at the end), forward. -1 on error.
ptrdiff_t ReadUpTo(Input& in, char* buf, size_t n);

// The bytes of a document that has to be in memory (PDF, e-mail, HTML, and ZIP/7z
// read from a forward-only member): `in` itself when it is memory, else a copy in
// `storage` of at most max_member_bytes. False (noted) when it is larger or
// unreadable.
bool InMemory(Input& in, Context& ctx, unsigned depth, std::string& storage,
              std::string_view& bytes);

}  // namespace custos::extract
