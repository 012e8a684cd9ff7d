// Archives (ZIP, 7z, tar; gzip, bzip2, xz, zstd): members are dispatched like files,
// one level deeper, and folded into the item.
#include "archive.h"

#include <algorithm>
#include <cstring>

namespace custos::extract {
namespace {

// Small enough for the ratio check to see progress, large enough to be cheap.
constexpr size_t kReadBlock = 64 << 10;

std::string_view EntryName(struct archive_entry* e) {
  const char* name = archive_entry_pathname(e);
  return name != nullptr ? std::string_view(name) : std::string_view();
}

// "x.csv.gz" -> "x.csv": the name of the only entry of a compressed stream.
std::string StripExtension(std::string_view name) {
  const size_t slash = name.rfind('/');
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return std::string(name);
  }
  return std::string(name.substr(0, dot));
}

}  // namespace

ArchiveReader::ArchiveReader(Input& in, ArchiveFormat format, uint64_t* consumed)
    : in_(in), consumed_(consumed) {
  ArchivePtr a(archive_read_new());
  if (!a) return;
  switch (format) {
    case ArchiveFormat::kZip:
      archive_read_support_format_zip(a.get());
      break;
    case ArchiveFormat::kSevenZip:
      archive_read_support_format_7zip(a.get());
      break;
    case ArchiveFormat::kTar:
      archive_read_support_filter_gzip(a.get());
      archive_read_support_filter_bzip2(a.get());
      archive_read_support_filter_xz(a.get());
      archive_read_support_filter_lzma(a.get());
      archive_read_support_filter_zstd(a.get());
      archive_read_support_format_tar(a.get());
      archive_read_support_format_empty(a.get());
      archive_read_support_format_raw(a.get());
      break;
  }
  if (!in_.memory()) buf_.resize(kReadBlock);
  archive_read_set_callback_data(a.get(), this);
  archive_read_set_read_callback(a.get(), &ReadCallback);
  if (in_.seekable()) archive_read_set_seek_callback(a.get(), &SeekCallback);
  if (archive_read_open1(a.get()) != ARCHIVE_OK) return;
  a_ = std::move(a);
}

la_ssize_t ArchiveReader::ReadCallback(struct archive* a, void* self_ptr, const void** out) {
  auto* self = static_cast<ArchiveReader*>(self_ptr);
  if (const std::string_view* mem = self->in_.memory()) {
    // No copy: hand out the bytes in place.
    const uint64_t left = mem->size() > self->pos_ ? mem->size() - self->pos_ : 0;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, kReadBlock));
    *out = mem->data() + self->pos_;
    self->Count(n);
    return static_cast<la_ssize_t>(n);
  }
  const ptrdiff_t got = self->in_.seekable()
                            ? self->in_.ReadAt(self->pos_, self->buf_.data(), self->buf_.size())
                            : self->in_.Read(self->buf_.data(), self->buf_.size());
  if (got < 0) {
    archive_set_error(a, EIO, "read error");
    return -1;
  }
  self->Count(static_cast<size_t>(got));
  *out = self->buf_.data();
  return got;
}

void ArchiveReader::Count(size_t n) {
  pos_ += n;
  bytes_read_ += n;
  if (pos_ > furthest_) {
    if (consumed_ != nullptr) *consumed_ += pos_ - furthest_;
    furthest_ = pos_;
  }
}

la_int64_t ArchiveReader::SeekCallback(struct archive*, void* self_ptr, la_int64_t offset,
                                       int whence) {
  auto* self = static_cast<ArchiveReader*>(self_ptr);
  int64_t base = 0;
  if (whence == SEEK_CUR) base = static_cast<int64_t>(self->pos_);
  if (whence == SEEK_END) base = static_cast<int64_t>(self->in_.size());
  const int64_t to = base + offset;
  if (to < 0) return ARCHIVE_FATAL;
  self->pos_ = static_cast<uint64_t>(to);
  return to;
}

int ArchiveReader::Next(struct archive_entry** entry) {
  const int r = archive_read_next_header(a_.get(), entry);
  if (r == ARCHIVE_EOF) return 0;
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) return 1;
  return -1;
}

bool ArchiveReader::raw() const { return archive_format(a_.get()) == ARCHIVE_FORMAT_RAW; }

bool ArchiveReader::has_encrypted() const {
  return archive_read_has_encrypted_entries(a_.get()) > 0;
}

ptrdiff_t MemberInput::Read(char* buf, size_t n) {
  if (failed_) return -1;
  if (ctx_.Stopped(depth_)) return 0;
  const Limits& limits = ctx_.limits();
  if (read_ >= limits.max_member_bytes) {
    ctx_.Note(kReasonMemberSize);
    return 0;
  }
  n = static_cast<size_t>(std::min<uint64_t>(n, limits.max_member_bytes - read_));
  const la_ssize_t got = archive_read_data(reader_.get(), buf, n);
  if (got < 0) {
    failed_ = true;
    return -1;
  }
  read_ += static_cast<uint64_t>(got);
  ctx_.AddProduced(static_cast<uint64_t>(got));
  if (read_ >= limits.ratio_floor) {
    const uint64_t compressed = reader_.bytes_read() - read_at_start_ + kReadBlock;
    if (static_cast<double>(read_) > limits.max_ratio * static_cast<double>(compressed)) {
      ctx_.Cancel(depth_, kReasonRatio);
      return 0;
    }
  }
  return got;
}

namespace {

// What the read loop does with a header `admit` has looked at.
enum class Take { kMember, kPass, kEnd };

// The one libarchive read loop, over archives and ZIP-based documents: headers until the
// end, ctx.Stopped(depth), or an archive that cannot be opened or is damaged (noted "corrupt:
// archive", or "encrypted" when `encrypted_headers` and libarchive saw encrypted entries). Each
// header goes to `admit` first; regular entries it takes are noted and passed over when encrypted,
// else handed to `use`.
template <typename Admit, typename Use>
void ReadMembers(ArchiveReader& reader, Context& ctx, unsigned depth, bool encrypted_headers,
                 Admit&& admit, Use&& use) {
  if (!reader.ok()) {
    if (!ctx.Stopped(depth)) ctx.Note(kReasonArchive);
    return;
  }
  for (;;) {
    if (ctx.Stopped(depth)) return;
    struct archive_entry* entry = nullptr;
    const int r = reader.Next(&entry);
    if (r == 0) return;
    if (r < 0) {
      if (ctx.Stopped(depth)) return;
      if (encrypted_headers && reader.has_encrypted()) {
        ctx.SetEncrypted();
        ctx.Note(kReasonEncrypted);
      } else {
        ctx.Note(kReasonArchive);
      }
      return;
    }
    const Take take = admit(entry);
    if (take == Take::kEnd) return;
    if (take == Take::kPass || archive_entry_filetype(entry) != AE_IFREG) continue;
    if (archive_entry_is_encrypted(entry)) {
      ctx.SetEncrypted();
      ctx.Note(kReasonEncrypted);
      continue;
    }
    use(entry);
  }
}

}  // namespace

void ExtractArchive(Input& in, ArchiveFormat format, std::string_view name, Context& ctx,
                    unsigned depth) {
  Context::RatioFrame frame(ctx, depth);
  ArchiveReader reader(in, format, frame.consumed());
  ReadMembers(
      reader, ctx, depth, /*encrypted_headers=*/true,
      [&](struct archive_entry*) {
        if (reader.raw() && archive_filter_code(reader.get(), 0) == ARCHIVE_FILTER_NONE) {
          // Compression magic without a valid stream: libarchive's raw reader would hand
          // back the same bytes.
          ctx.Note(kReasonArchive);
          return Take::kEnd;
        }
        return ctx.AddMember() ? Take::kMember : Take::kEnd;
      },
      [&](struct archive_entry* entry) {
        const std::string member_name =
            reader.raw() ? StripExtension(name) : std::string(EntryName(entry));
        MemberInput member(reader, ctx, depth + 1);
        Dispatch(member, member_name, nullptr, ctx, depth + 1);
        ctx.EndOfStream();
        ctx.Resume(depth);
        if (member.failed()) ctx.Note(kReasonArchive);
      });
}

std::optional<std::vector<std::string>> ListZipEntries(Input& in, size_t max) {
  ArchiveReader reader(in, ArchiveFormat::kZip);
  if (!reader.ok()) return std::nullopt;
  std::vector<std::string> names;
  while (names.size() < max) {
    struct archive_entry* entry = nullptr;
    const int r = reader.Next(&entry);
    if (r == 0) break;
    if (r < 0) return names.empty() ? std::nullopt : std::optional(std::move(names));
    names.emplace_back(EntryName(entry));
  }
  return names;
}

void ForEachZipEntry(Input& in, uint64_t* consumed, Context& ctx, unsigned depth,
                     const std::function<bool(std::string_view name)>& want,
                     const std::function<void(std::string_view name, Input& data)>& use) {
  ArchiveReader reader(in, ArchiveFormat::kZip, consumed);
  ReadMembers(
      reader, ctx, depth, /*encrypted_headers=*/false,
      [&](struct archive_entry* entry) {
        return want(EntryName(entry)) ? Take::kMember : Take::kPass;
      },
      [&](struct archive_entry* entry) {
        const std::string name(EntryName(entry));
        MemberInput data(reader, ctx, depth);
        use(name, data);
        if (data.failed()) ctx.Note(kReasonArchive);
      });
}

void ExtractSevenZip(Input& in, std::string_view name, Context& ctx, unsigned depth) {
  if (in.seekable()) return ExtractArchive(in, ArchiveFormat::kSevenZip, name, ctx, depth);
  std::string storage;
  std::string_view bytes;
  if (!InMemory(in, ctx, depth, storage, bytes)) return;
  MemoryInput buffered(bytes);
  ExtractArchive(buffered, ArchiveFormat::kSevenZip, name, ctx, depth);
}

void ExtractTar(Input& in, std::string_view name, Context& ctx, unsigned depth) {
  ExtractArchive(in, ArchiveFormat::kTar, name, ctx, depth);
}

}  // namespace custos::extract
