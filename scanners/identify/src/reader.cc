#include "reader.h"

#include <unistd.h>

#include <cerrno>

#include "custos/base/fd.h"

namespace custos::identify::detail {

int64_t PreadFull(int fd, char* out, size_t n, uint64_t off) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = PreadBlocking(fd, out + done, n - done, static_cast<off_t>(off + done));
    if (r < 0) return -1;
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return static_cast<int64_t>(done);
}

std::string_view Reader::Read(uint64_t off, size_t n) {
  if (error_ != 0 || off >= size_) return {};
  if (n > kMaxRead) n = kMaxRead;
  if (n > size_ - off) n = static_cast<size_t>(size_ - off);
  if (off + n <= prefix_.size()) return prefix_.substr(static_cast<size_t>(off), n);
  if (calls_ >= kMaxCalls || bytes_ + n > kMaxBytes) return {};
  ++calls_;
  bytes_ += n;
  buf_.resize(n);
  const int64_t got = PreadFull(fd_, buf_.data(), n, off);
  if (got < 0) {
    error_ = errno != 0 ? errno : EIO;
    return {};
  }
  return std::string_view(buf_.data(), static_cast<size_t>(got));
}

}  // namespace custos::identify::detail
