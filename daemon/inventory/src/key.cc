#include "custos/inventory/key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "codec.h"
#include "custos/base/fd.h"

namespace custos::inventory {
namespace {

// mkdir -p with mode 0700 for the folders it creates.
Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    return S_ISDIR(st.st_mode) ? Status::Ok() : Status::Invalid(dir + ": not a folder");
  }
  const size_t slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    Status s = MakeDirs(dir.substr(0, slash));
    if (!s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::FromErrno(dir, errno);
  return Status::Ok();
}

Result<std::string> ReadKey(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(path, errno);
  if (!S_ISREG(st.st_mode)) return Status::Invalid(path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    return Status::Invalid(path + ": group or others may access the key (chmod 600 it)");
  }
  if (st.st_size != static_cast<off_t>(kKeyBytes)) {
    return Status::Invalid(path + ": not a custos key (" + std::to_string(kKeyBytes) + " bytes)");
  }
  std::string key(kKeyBytes, '\0');
  size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = ::read(fd.get(), key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::Io(path + ": short read");
    got += static_cast<size_t>(n);
  }
  return key;
}

}  // namespace

Result<std::string> LoadOrCreateKey(const std::string& state_dir) {
  const std::string path = state_dir + "/" + kKeyFileName;
  auto existing = ReadKey(path);
  // Only a missing key is made; any other problem (a bad mode, a folder) is reported.
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;
  Status s = MakeDirs(state_dir);
  if (!s.ok()) return s;
  std::string key(kKeyBytes, '\0');
  size_t got = 0;
  while (got < key.size()) {
    const ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("getrandom", errno);
    got += static_cast<size_t>(n);
  }
  // Write a private temporary file, then link it into place: link() never replaces,
  // so of two racing processes one wins and the other reads the winner's key.
  std::string tmp = state_dir + "/.hmac.key.XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno(state_dir, errno);
  ::fchmod(fd.get(), 0600);
  const bool written =
      ::write(fd.get(), key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
      ::fsync(fd.get()) == 0;
  fd.reset();
  if (!written) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status::FromErrno(tmp, err);
  }
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && err != EEXIST) return Status::FromErrno(path, err);
  if (rc != 0) return ReadKey(path);
  UniqueFd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return key;
}

std::string KeyId(const std::string& key) {
  static const char kLabel[] = "custos inventory key id";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel - 1, mac, &len);
  return codec::ToHex(std::string_view(reinterpret_cast<const char*>(mac), 8));
}

}  // namespace custos::inventory
