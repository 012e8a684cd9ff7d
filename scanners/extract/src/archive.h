// libarchive over an Input: the reader (callbacks doing pread or forward reads) and the
// data of one entry as an Input.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extractors.h"

namespace custos::extract {

// The archive formats read with libarchive.
enum class ArchiveFormat {
  kZip,
  kSevenZip,
  kTar,  // and gzip/bzip2/xz/zstd (a compressed tar or a single stream)
};

// Reads the archive in `in` (seekable for ZIP and 7z): its members are dispatched like
// files, one level deeper, and folded into the item.
void ExtractArchive(Input& in, ArchiveFormat format, std::string_view name, Context& ctx,
                    unsigned depth);

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// Reads the archive in `in` (which must outlive it). ZIP and 7z need a seekable
// input; kTar accepts tar and gzip/bzip2/xz/zstd streams (a compressed non-tar stream
// is one entry). Only these formats and filters are enabled: no external programs.
// The compressed bytes read are added to *consumed (when not null), each byte once:
// for a seekable input the count is the furthest offset read, so that entries that
// share data (overlapping ZIP entries) cannot inflate it.
class ArchiveReader {
 public:
  ArchiveReader(Input& in, ArchiveFormat format, uint64_t* consumed = nullptr);
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // False when the archive could not be opened.
  bool ok() const { return a_ != nullptr; }
  // The next entry: 1, 0 at the end, -1 on a fatal error.
  int Next(struct archive_entry** entry);
  struct archive* get() const {
    return a_.get();
  }
  // True for a single compressed stream without an archive format (entry "data").
  bool raw() const;
  // True when the archive says it has encrypted entries (also after a failed Next).
  bool has_encrypted() const;
  // All bytes handed to libarchive so far, re-reads included.
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  static la_ssize_t ReadCallback(struct archive*, void* self, const void** out);
  static la_int64_t SeekCallback(struct archive*, void* self, la_int64_t offset, int whence);
  void Count(size_t n);

  Input& in_;
  uint64_t* consumed_;
  uint64_t pos_ = 0;
  uint64_t furthest_ = 0;
  uint64_t bytes_read_ = 0;
  std::string buf_;
  ArchivePtr a_;
};

// The data of the current entry of an ArchiveReader, read forward. Counts the bytes as
// produced (ratio and output limits), ends at limits.max_member_bytes (noting "limit:
// member size"), and checks the ratio of this member: its decompressed bytes against
// the compressed bytes read meanwhile (plus one read block, which may have been read
// before the member started); beyond it, work at `depth` is cancelled ("limit:
// archive ratio").
class MemberInput final : public Input {
 public:
  MemberInput(const ArchiveReader& reader, Context& ctx, unsigned depth)
      : reader_(reader), ctx_(ctx), depth_(depth), read_at_start_(reader.bytes_read()) {}
  ptrdiff_t Read(char* buf, size_t n) override;
  // True when libarchive failed to deliver the data (corrupt, or encrypted).
  bool failed() const { return failed_; }

 private:
  const ArchiveReader& reader_;
  Context& ctx_;
  const unsigned depth_;
  const uint64_t read_at_start_;
  uint64_t read_ = 0;
  bool failed_ = false;
};

// The names of the entries of the ZIP in `in` (seekable), at most `max`; nullopt when
// it cannot be read.
std::optional<std::vector<std::string>> ListZipEntries(Input& in, size_t max);

// Calls `use(name, data)` for each regular entry of the ZIP in `in` whose name `want`
// accepts (in archive order) until ctx.Stopped(depth). Encrypted entries are noted
// and skipped; a damaged archive is noted ("corrupt: archive").
// The compressed bytes read are added to *consumed (a RatioFrame's counter).
void ForEachZipEntry(Input& in, uint64_t* consumed, Context& ctx, unsigned depth,
                     const std::function<bool(std::string_view name)>& want,
                     const std::function<void(std::string_view name, Input& data)>& use);

}  // namespace custos::extract
