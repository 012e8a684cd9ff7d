// A folder's records, detections and findings as one value: the rows of the
// folder_cache table (internal).
//
// An incremental scan of an unchanged tree loads every folder. Stepping through one
// SQLite row per record and per finding costs several thousand instructions a row;
// decoding one blob per folder costs a fraction of that. The blob holds exactly what
// SqliteReader loads from the rows (StoredFolder), so that either source gives the
// same folder; triggers drop a folder's blob whenever one of its rows changes.
//
// Layout (all integers LEB128 varints, signed ones zigzag-encoded):
//   version (2)
//   string table: count, then length + bytes each; every repeated text (MIME types,
//     reasons, detectors, policies, kinds, severities) is an index into it
//   item count, then per item in entry-name (byte) order:
//     name (length + bytes), id (difference to the previous id, zigzag), dev, ino, size,
//     mtime (zigzag), ctime - mtime (zigzag), mode, uid, gid, mime (index), category,
//     state, skip reason (index), flags, [content date (zigzag)], [content key id],
//     [ACL (length + bytes)], [deleted at (zigzag)],
//     [detections: count, then detector (index), count, masked samples and keyed
//      hashes (length + packed bytes, as in the detections table)],
//     [findings: count, then per finding in id order: id, policy, kind, severity,
//      reason, exception reason (indexes), status (+ 8 when pinned), last scan,
//      exception until, last seen (zigzag), notes (length + bytes)]
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "custos/inventory/store.h"

namespace custos::inventory::folder_blob {

// The most items a folder blob is decoded with (the most a reader loads at once).
inline constexpr size_t kMaxItems = 4096;

// The findings to encode for an item instead of its own (null: its own).
using FindingsOf = std::function<const std::vector<StoredFinding>*(const StoredItem&)>;

// The encoding of folder.items (their content_key_id, not their content_key text).
// Canonical: items by name, detections by detector, findings by id, so that the same
// folder always encodes to the same bytes.
std::string Encode(const StoredFolder& folder, const FindingsOf& findings_of = nullptr);

// Fills folder->items (with their content keys, through `key_text`) and indexes them.
// False, with folder->items empty, when `blob` is not a folder blob of this version,
// is damaged, or holds more than `max_items` items; the caller then loads the folder
// from its rows.
template <typename KeyText>  // const std::string& (int64_t content_key_id)
bool Decode(std::string_view blob, KeyText&& key_text, StoredFolder* folder,
            size_t max_items = kMaxItems);

// The non-template part of Decode: everything but the content key texts.
bool DecodeItems(std::string_view blob, StoredFolder* folder, size_t max_items);

template <typename KeyText>
bool Decode(std::string_view blob, KeyText&& key_text, StoredFolder* folder, size_t max_items) {
  if (!DecodeItems(blob, folder, max_items)) return false;
  for (StoredItem& s : folder->items) {
    if (s.content_key_id != 0) s.content_key = key_text(s.content_key_id);
  }
  return true;
}

}  // namespace custos::inventory::folder_blob
