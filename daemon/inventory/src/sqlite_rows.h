// Rows of the SQLite inventory as the store's files share them: the columns of an item
// and of a finding, how a row is read, and the path helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "codec.h"
#include "custos/inventory/records.h"
#include "folder_blob.h"
#include "sqlite.h"

namespace custos::inventory {

// Folders with more entries than this are looked up entry by entry, so that memory
// stays bounded whatever the size of a folder.
inline constexpr size_t kFolderBatchLimit = folder_blob::kMaxItems;
// Every connection reads pages through a memory map instead of a pread(2) per page:
// the hot path of an incremental scan reads every page of the items table.
inline constexpr const char* kConnectionPragmas = "PRAGMA mmap_size = 268435456";

inline std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string p(dir);
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

// [lo, hi) of the paths strictly below folder `root` (byte order).
inline std::pair<std::string, std::string> BelowRange(const std::string& root) {
  std::string lo = root;
  if (lo.empty() || lo.back() != '/') lo += '/';
  std::string hi = lo;
  hi.back() = static_cast<char>('/' + 1);
  return {lo, hi};
}

inline  // A status as stored; a damaged one reads as open.
    FindingStatus
    StatusFromSql(std::string_view s) {
  return ParseStatus(s).value_or(FindingStatus::kOpen);
}

// Columns of an item record, in the order ReadItem expects; `i` is items.
inline constexpr const char* kItemColumns =
    "i.id, i.name, i.dev, i.ino, i.size, i.mtime, i.ctime, i.mode, i.uid, i.gid, i.mime, "
    "i.category, i.content_date, i.content_key, i.state, i.reason, i.acl, i.ndet, i.deleted_at";
inline constexpr int kItemNdet = 17;  // the column of ndet: whether detections rows exist

// Reads one row of kItemColumns (all but the name). `key_of` maps a content key id to
// its text.
template <typename KeyOf>
void ReadItem(const sql::Stmt& st, StoredItem* out, KeyOf&& key_of) {
  StoredItem& s = *out;
  s.id = st.Int(0);
  s.item.has_info = true;
  FileInfo& f = s.item.info;
  f.dev = static_cast<uint64_t>(st.Int(2));
  f.ino = static_cast<uint64_t>(st.Int(3));
  f.size = static_cast<uint64_t>(st.Int(4));
  f.mtime = st.Int(5);
  f.ctime = st.Int(6);
  f.mode = static_cast<uint32_t>(st.Int(7));
  f.uid = static_cast<uint32_t>(st.Int(8));
  f.gid = static_cast<uint32_t>(st.Int(9));
  s.item.mime = st.View(10);
  const int64_t cat = st.Int(11);
  s.item.category = cat >= 0 && cat <= static_cast<int64_t>(Category::kOther)
                        ? static_cast<Category>(cat)
                        : Category::kOther;
  if (!st.IsNull(12)) s.item.content_date = st.Int(12);
  if (!st.IsNull(13)) {
    s.content_key_id = st.Int(13);
    s.content_key = key_of(s.content_key_id);
  }
  const int64_t state = st.Int(14);
  s.state = state == 1   ? ItemState::kPartial
            : state == 2 ? ItemState::kSkipped
                         : ItemState::kComplete;
  s.item.skipped = SkipReason::FromText(st.View(15));
  if (!st.IsNull(16)) s.item.acl = codec::UnpackAcl(st.View(16));
  s.deleted_at = st.IsNull(18) ? 0 : st.Int(18);
}

inline Detection ReadDetection(const sql::Stmt& st, int first_col, bool with_hashes) {
  Detection d;
  d.detector = st.Text(first_col);
  d.count = static_cast<uint64_t>(st.Int(first_col + 1));
  d.masked = codec::UnpackStrings(st.View(first_col + 2));
  if (with_hashes) d.hashes = codec::UnpackHexList(st.View(first_col + 3));
  return d;
}

// The columns of a finding that ReadFinding reads, in its order (`f` is findings).
#define CUSTOS_FINDING_COLUMNS                                            \
  "f.id, f.policy, f.kind, f.severity, f.reason, f.status, f.last_scan, " \
  "f.exception_reason, f.exception_until, f.notes, f.last_seen, f.pinned"
inline constexpr const char* kFindingColumns = CUSTOS_FINDING_COLUMNS;
inline constexpr int kFindingColumnCount = 12;

inline void ReadFinding(const sql::Stmt& q, int col, StoredFinding* f) {
  f->id = q.Int(col);
  f->policy = q.View(col + 1);
  f->kind = q.View(col + 2);
  f->severity = q.View(col + 3);
  f->reason = q.View(col + 4);
  f->status = StatusFromSql(q.View(col + 5));
  f->last_scan = q.Int(col + 6);
  f->exception_reason = q.View(col + 7);
  f->exception_until = q.IsNull(col + 8) ? 0 : q.Int(col + 8);
  f->notes = q.View(col + 9);
  f->last_seen = q.Int(col + 10);
  f->pinned = q.Int(col + 11) != 0;
}

// The findings of a folder's items: kFindingColumns after the item id.
inline constexpr const char* kFolderFindingsSql =
    "SELECT f.item, " CUSTOS_FINDING_COLUMNS
    " FROM items i JOIN findings f ON f.item = i.id WHERE i.dir = ?1";

}  // namespace custos::inventory
