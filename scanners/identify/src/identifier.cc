#include "custos/identify/identifier.h"

#include <magic.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "content_date.h"
#include "custos/base/ascii.h"
#include "custos/base/mutex.h"
#include "reader.h"
#include "sniff.h"

namespace custos::identify {
namespace {

// Never MAGIC_COMPRESS (forks decompressors) nor MAGIC_PRESERVE_ATIME (rewrites
// timestamps); text and encoding checks stay on.
constexpr int kDescriptionFlags = MAGIC_NO_CHECK_COMPRESS;
constexpr int kMimeFlags = MAGIC_NO_CHECK_COMPRESS | MAGIC_MIME_TYPE;

// libmagic's opening, loading and closing write process-wide state without a lock:
// they are called only through these, with magic_mu held.
constinit Mutex magic_mu;
magic_t MagicOpen(int flags) REQUIRES(magic_mu) { return magic_open(flags); }
int MagicLoad(magic_t magic, const char* database) REQUIRES(magic_mu) {
  return magic_load(magic, database);
}
void MagicClose(magic_t magic) REQUIRES(magic_mu) { magic_close(magic); }

// True when libmagic's description may change the category that the MIME type alone
// gives: generic MIME types (octet-stream, OLE containers) and anything the MIME type
// does not place in a category.
bool NeedsDescription(const std::string& mime) {
  static const char* const kGeneric[] = {"application/octet-stream", "application/cdfv2",
                                         "application/x-ole-storage", "application/vnd.ms-office",
                                         "application/data"};
  const std::string m = AsciiLowercase(mime);
  if (m.empty()) return true;
  for (const char* g : kGeneric) {
    if (m.rfind(g, 0) == 0) return true;
  }
  return CategoryFor(m, "", 0) == Category::kOther;
}

}  // namespace

// One libmagic handle serves both answers: magic_setflags() switches between MIME
// type and description between the two magic_buffer() calls, which costs nothing,
// while a second handle would load the databases twice.
struct Identifier::Impl {
  magic_t magic = nullptr;
  bool always_describe = false;
  std::string prefix;       // reused buffer for the first kPrefixBytes of each file
  size_t prefix_size = 0;   // bytes of it read from the last file
  bool plain_text = false;  // the last prefix passed LooksLikePlainText

  ~Impl() {
    if (magic != nullptr) {
      MutexLock lock(magic_mu);
      MagicClose(magic);
    }
  }

  // libmagic's answer for `data` with `flags`, copied at once (the next call on the
  // handle overwrites it); empty when libmagic fails.
  std::string Ask(std::string_view data, int flags) {
    if (magic_setflags(magic, flags) != 0) return {};
    const char* r = magic_buffer(magic, data.data(), data.size());
    return r != nullptr ? std::string(r) : std::string();
  }
};

Result<std::unique_ptr<Identifier>> Identifier::Create(const std::string& magic_database,
                                                       bool always_describe) {
  auto impl = std::make_unique<Impl>();
  {
    MutexLock lock(magic_mu);
    impl->magic = MagicOpen(kDescriptionFlags);
    if (impl->magic == nullptr) {
      return Status::FromErrno("libmagic: cannot open", errno);
    }
    if (MagicLoad(impl->magic, magic_database.empty() ? nullptr : magic_database.c_str()) != 0) {
      const char* err = magic_error(impl->magic);
      return Status(StatusCode::kInvalidArgument, "cannot load magic database '" + magic_database +
                                                      "': " + (err ? err : "unknown error"));
    }
  }
  impl->prefix.resize(kPrefixBytes);
  impl->always_describe = always_describe;
  std::unique_ptr<Identifier> id(new Identifier());
  id->impl_ = std::move(impl);
  return id;
}

Identifier::~Identifier() = default;

std::string_view Identifier::prefix() const { return {impl_->prefix.data(), impl_->prefix_size}; }

bool Identifier::prefix_is_plain_text() const { return impl_->plain_text; }

namespace {

Status ReadError(int err, Item& item) {
  item.skipped = SkipReason(Skip::kReadError, std::strerror(err));
  return Status(Status::FromErrno("", err).code(), item.skipped.Text());
}

}  // namespace

Status Identifier::Identify(int fd, Item& item) {
  impl_->prefix_size = 0;
  impl_->plain_text = false;
  item.mime.clear();
  item.description.clear();
  item.category = Category::kOther;
  item.content_date.reset();

  // A file smaller than the prefix is read in one call, without a second one to find
  // its end (a size of 0 may hide content, as in /proc: then read as much as there is).
  const size_t want = item.has_info && item.info.size > 0
                          ? static_cast<size_t>(std::min<uint64_t>(kPrefixBytes, item.info.size))
                          : kPrefixBytes;
  const int64_t got = detail::PreadFull(fd, impl_->prefix.data(), want, 0);
  if (got < 0) return ReadError(errno, item);
  impl_->prefix_size = static_cast<size_t>(got);
  const std::string_view prefix(impl_->prefix.data(), static_cast<size_t>(got));
  if (prefix.empty()) {
    item.mime = "application/x-empty";
    item.description = "empty";
    return Status::Ok();
  }
  // Plain prose and tables are the bulk of a file share and libmagic's text rules (a
  // few hundred regular expressions) are its most expensive part: text that starts
  // like prose and holds no binary byte is text/plain without asking libmagic. Any
  // text with a format signature at its start goes to libmagic as usual.
  if (detail::LooksLikePlainText(prefix)) {
    impl_->plain_text = true;
    item.mime = "text/plain";
    if (impl_->always_describe) item.description = impl_->Ask(prefix, kDescriptionFlags);
    item.category = CategoryFor(item.mime, item.description, item.info.mode);
    return Status::Ok();
  }
  item.mime = impl_->Ask(prefix, kMimeFlags);
  // The description costs a second libmagic pass (about half of identification): ask
  // for it only when the MIME type alone leaves the category open, or when asked to.
  if (impl_->always_describe || NeedsDescription(item.mime)) {
    item.description = impl_->Ask(prefix, kDescriptionFlags);
  }

  // The file's size for the parsers: what the caller saw, unless the prefix read
  // proves otherwise (a short read means the end of the file).
  uint64_t size = prefix.size();
  if (prefix.size() == kPrefixBytes) {
    uint64_t known = item.info.size;
    if (!item.has_info) {
      struct stat st;
      known = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    }
    size = std::max<uint64_t>(known, prefix.size());
  }
  detail::Reader reader(fd, size, prefix);
  detail::RefineMagic(reader, item.mime, item.description);
  item.category = CategoryFor(item.mime, item.description, item.info.mode);
  item.content_date = detail::ContentDate(reader, item.mime);
  if (reader.error() != 0) return ReadError(reader.error(), item);
  return Status::Ok();
}

}  // namespace custos::identify
