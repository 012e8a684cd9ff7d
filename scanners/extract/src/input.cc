#include "input.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "context.h"
#include "custos/base/fd.h"

namespace custos::extract {

ptrdiff_t MemoryInput::Read(char* buf, size_t n) {
  const ptrdiff_t got = ReadAt(pos_, buf, n);
  if (got > 0) pos_ += static_cast<size_t>(got);
  return got;
}

ptrdiff_t MemoryInput::ReadAt(uint64_t offset, char* buf, size_t n) {
  if (offset >= bytes_.size()) return 0;
  const size_t take = std::min<uint64_t>(n, bytes_.size() - offset);
  std::memcpy(buf, bytes_.data() + offset, take);
  return static_cast<ptrdiff_t>(take);
}

ptrdiff_t FdInput::Read(char* buf, size_t n) {
  const ptrdiff_t got = ReadAt(pos_, buf, n);
  if (got > 0) pos_ += static_cast<uint64_t>(got);
  return got;
}

ptrdiff_t FdInput::ReadAt(uint64_t offset, char* buf, size_t n) {
  if (error_ != 0) return -1;
  if (ctx_.Stopped(0)) return 0;
  if (offset < head_.size()) {
    const size_t take = std::min<uint64_t>(n, head_.size() - offset);
    std::memcpy(buf, head_.data() + offset, take);
    return static_cast<ptrdiff_t>(take);
  }
  const uint64_t max = ctx_.limits().max_file_bytes;
  if (read_ >= max) {
    ctx_.Cancel(0, kReasonFileSize);
    return 0;
  }
  n = static_cast<size_t>(std::min<uint64_t>(n, max - read_));
  const ssize_t got = PreadBlocking(fd_, buf, n, static_cast<off_t>(offset));
  if (got < 0) {
    error_ = errno;
    return -1;
  }
  read_ += static_cast<uint64_t>(got);
  if (offset == 0 && read_ == static_cast<uint64_t>(got) && n <= (64 << 10)) {
    head_.assign(buf, static_cast<size_t>(got));
  }
  return got;
}

ptrdiff_t PrefixInput::Read(char* buf, size_t n) {
  if (pos_ < head_.size()) {
    const size_t take = std::min(n, head_.size() - pos_);
    std::memcpy(buf, head_.data() + pos_, take);
    pos_ += take;
    return static_cast<ptrdiff_t>(take);
  }
  return rest_.Read(buf, n);
}

ptrdiff_t ReadUpTo(Input& in, char* buf, size_t n) {
  size_t have = 0;
  while (have < n) {
    const ptrdiff_t got = in.Read(buf + have, n - have);
    if (got < 0) return -1;
    if (got == 0) break;
    have += static_cast<size_t>(got);
  }
  return static_cast<ptrdiff_t>(have);
}

int ReadAll(Input& in, uint64_t cap, std::string* out) {
  out->clear();
  constexpr size_t kBlock = 256 << 10;
  for (;;) {
    const size_t old = out->size();
    if (old >= cap) {
      // One more byte tells "exactly cap" from "longer".
      char probe;
      const ptrdiff_t got = in.Read(&probe, 1);
      if (got < 0) return -1;
      return got == 0 ? 1 : 0;
    }
    const size_t take = static_cast<size_t>(std::min<uint64_t>(kBlock, cap - old));
    out->resize(old + take);
    const ptrdiff_t got = in.Read(out->data() + old, take);
    if (got < 0) {
      out->resize(old);
      return -1;
    }
    out->resize(old + static_cast<size_t>(got));
    if (got == 0) return 1;
  }
}

bool InMemory(Input& in, Context& ctx, unsigned depth, std::string& storage,
              std::string_view& bytes) {
  if (const std::string_view* mem = in.memory()) {
    bytes = *mem;
    return true;
  }
  const uint64_t cap = ctx.limits().max_member_bytes;
  if (in.seekable() && in.size() > cap) {
    ctx.Note(depth == 0 ? kReasonFileSize : kReasonMemberSize);
    return false;
  }
  const int r = ReadAll(in, cap, &storage);
  if (r < 0 || ctx.Stopped(depth)) return false;
  if (r == 0) {
    ctx.Note(depth == 0 ? kReasonFileSize : kReasonMemberSize);
    return false;
  }
  bytes = storage;
  return true;
}

}  // namespace custos::extract
