#include "folder_blob.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "codec.h"

namespace custos::inventory::folder_blob {
namespace {

constexpr unsigned char kVersion = 2;

// The fewest bytes an item, a detection and a finding take: counts larger than the
// rest of the blob could hold are damage, and are refused before anything is allocated.
constexpr uint64_t kMinItemBytes = 15, kMinDetectionBytes = 4, kMinFindingBytes = 11;

enum Flags : uint64_t {
  kHasContentDate = 1,
  kHasContentKey = 2,
  kHasAcl = 4,
  kDeleted = 8,
  kHasDetections = 16,
  kHasFindings = 32,
  kAllFlags = 63,
};

uint64_t Zig(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t Zag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Writer {
 public:
  void Varint(uint64_t v) { codec::PutVarint(out_, v); }
  void Signed(int64_t v) { Varint(Zig(v)); }
  void Bytes(std::string_view s) {
    Varint(s.size());
    out_ += s;
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// The string table: texts in order of first use. It refers to the texts of the folder
// being encoded, which outlive it. A folder has a few dozen distinct texts at most.
class Table {
 public:
  uint64_t Index(std::string_view s) {
    auto [it, inserted] = index_.emplace(s, texts_.size());
    if (inserted) texts_.push_back(s);
    return it->second;
  }
  const std::vector<std::string_view>& texts() const { return texts_; }

 private:
  std::unordered_map<std::string_view, uint64_t> index_;
  std::vector<std::string_view> texts_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) { return codec::GetVarint(in_, v); }
  template <typename T>
  bool Unsigned(T* v) {
    uint64_t u = 0;
    if (!Varint(&u) || u > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    *v = static_cast<T>(u);
    return true;
  }
  bool Signed(int64_t* v) {
    uint64_t u = 0;
    if (!Varint(&u)) return false;
    *v = Zag(u);
    return true;
  }
  bool Bytes(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Byte(unsigned char* c) {
    if (in_.empty()) return false;
    *c = static_cast<unsigned char>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  size_t left() const { return in_.size(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string Encode(const StoredFolder& folder, const FindingsOf& findings_of) {
  // Items by name; within them detections by detector and findings by id.
  std::vector<const StoredItem*> items;
  items.reserve(folder.items.size());
  for (const StoredItem& s : folder.items) items.push_back(&s);
  std::sort(items.begin(), items.end(),
            [](const StoredItem* a, const StoredItem* b) { return a->name < b->name; });
  Table table;
  std::deque<std::string> reasons;  // the texts of skip reasons, as long as the table
  Writer body;
  body.Varint(items.size());
  int64_t prev_id = 0;
  for (const StoredItem* s : items) {
    const Item& it = s->item;
    body.Bytes(s->name);
    body.Signed(s->id - prev_id);
    prev_id = s->id;
    body.Varint(it.info.dev);
    body.Varint(it.info.ino);
    body.Varint(it.info.size);
    body.Signed(it.info.mtime);
    body.Signed(it.info.ctime - it.info.mtime);
    body.Varint(it.info.mode);
    body.Varint(it.info.uid);
    body.Varint(it.info.gid);
    body.Varint(table.Index(it.mime));
    body.Varint(static_cast<uint64_t>(it.category));
    body.Varint(static_cast<uint64_t>(s->state));
    body.Varint(table.Index(it.skipped.empty() ? std::string_view()
                                               : reasons.emplace_back(it.skipped.Text())));
    uint64_t flags = 0;
    if (it.content_date) flags |= kHasContentDate;
    if (s->content_key_id != 0) flags |= kHasContentKey;
    if (!it.acl.empty()) flags |= kHasAcl;
    if (s->deleted_at != 0) flags |= kDeleted;
    if (!it.detections.empty()) flags |= kHasDetections;
    const std::vector<StoredFinding>* override = findings_of ? findings_of(*s) : nullptr;
    const std::vector<StoredFinding>& findings = override != nullptr ? *override : s->findings;
    if (!findings.empty()) flags |= kHasFindings;
    body.Varint(flags);
    if (it.content_date) body.Signed(*it.content_date);
    if (s->content_key_id != 0) body.Varint(static_cast<uint64_t>(s->content_key_id));
    if (!it.acl.empty()) body.Bytes(codec::PackAcl(it.acl));
    if (s->deleted_at != 0) body.Signed(s->deleted_at);
    if (!it.detections.empty()) {
      std::vector<const Detection*> dets;
      for (const Detection& d : it.detections) dets.push_back(&d);
      std::stable_sort(dets.begin(), dets.end(), [](const Detection* a, const Detection* b) {
        return a->detector < b->detector;
      });
      body.Varint(dets.size());
      for (const Detection* d : dets) {
        body.Varint(table.Index(d->detector));
        body.Varint(d->count);
        body.Bytes(codec::PackStrings(d->masked));
        body.Bytes(codec::PackHexList(d->hashes));
      }
    }
    if (!findings.empty()) {
      std::vector<const StoredFinding*> fs;
      for (const StoredFinding& f : findings) fs.push_back(&f);
      std::stable_sort(fs.begin(), fs.end(), [](const StoredFinding* a, const StoredFinding* b) {
        return a->id < b->id;
      });
      body.Varint(fs.size());
      for (const StoredFinding* f : fs) {
        body.Signed(f->id);
        body.Varint(table.Index(f->policy));
        body.Varint(table.Index(f->kind));
        body.Varint(table.Index(f->severity));
        body.Varint(table.Index(f->reason));
        body.Varint(table.Index(f->exception_reason));
        body.Varint(static_cast<uint64_t>(f->status) | (f->pinned ? 8u : 0u));
        body.Signed(f->last_scan);
        body.Signed(f->exception_until);
        body.Signed(f->last_seen);
        body.Bytes(f->notes);
      }
    }
  }
  Writer out;
  out.out() += static_cast<char>(kVersion);
  out.Varint(table.texts().size());
  for (std::string_view t : table.texts()) out.Bytes(t);
  out.out() += body.out();
  return std::move(out.out());
}

bool DecodeItems(std::string_view blob, StoredFolder* folder, size_t max_items) {
  folder->items.clear();
  folder->by_name.clear();
  Reader in(blob);
  auto fail = [&] {
    folder->items.clear();
    folder->by_name.clear();
    return false;
  };
  unsigned char version = 0;
  if (!in.Byte(&version) || version != kVersion) return fail();
  uint64_t ntexts = 0;
  if (!in.Varint(&ntexts) || ntexts > in.left()) return fail();
  std::vector<std::string_view> texts(ntexts);
  for (std::string_view& t : texts) {
    if (!in.Bytes(&t)) return fail();
  }
  auto text = [&](std::string* out) {
    uint64_t i = 0;
    if (!in.Varint(&i) || i >= texts.size()) return false;
    *out = texts[i];
    return true;
  };
  uint64_t count = 0;
  if (!in.Varint(&count) || count > in.left() / kMinItemBytes || count > max_items) return fail();
  folder->items.resize(count);
  int64_t prev_id = 0;
  bool sorted = true;
  for (uint64_t k = 0; k < count; ++k) {
    StoredItem& s = folder->items[k];
    Item& it = s.item;
    FileInfo& info = it.info;
    std::string_view name;
    int64_t delta = 0, ctime_delta = 0;
    uint64_t category = 0, state = 0, flags = 0;
    std::string skipped;
    if (!in.Bytes(&name) || !in.Signed(&delta) || !in.Unsigned(&info.dev) ||
        !in.Unsigned(&info.ino) || !in.Unsigned(&info.size) || !in.Signed(&info.mtime) ||
        !in.Signed(&ctime_delta) || !in.Unsigned(&info.mode) || !in.Unsigned(&info.uid) ||
        !in.Unsigned(&info.gid) || !text(&it.mime) || !in.Varint(&category) || !in.Varint(&state) ||
        !text(&skipped) || !in.Varint(&flags)) {
      return fail();
    }
    it.skipped = SkipReason::FromText(skipped);
    if (category > static_cast<uint64_t>(Category::kOther) ||
        state > static_cast<uint64_t>(ItemState::kSkipped) || (flags & ~kAllFlags) != 0) {
      return fail();
    }
    s.name = name;
    if (k > 0 && !(folder->items[k - 1].name < s.name)) sorted = false;
    s.id = prev_id + delta;
    prev_id = s.id;
    info.ctime = info.mtime + ctime_delta;
    it.has_info = true;
    it.category = static_cast<Category>(category);
    s.state = static_cast<ItemState>(state);
    if (flags & kHasContentDate) {
      int64_t date = 0;
      if (!in.Signed(&date)) return fail();
      it.content_date = date;
    }
    if (flags & kHasContentKey) {
      if (!in.Unsigned(&s.content_key_id) || s.content_key_id <= 0) return fail();
    }
    if (flags & kHasAcl) {
      std::string_view acl;
      if (!in.Bytes(&acl)) return fail();
      it.acl = codec::UnpackAcl(acl);
    }
    if (flags & kDeleted) {
      if (!in.Signed(&s.deleted_at)) return fail();
    }
    if (flags & kHasDetections) {
      uint64_t n = 0;
      if (!in.Varint(&n) || n > in.left() / kMinDetectionBytes) return fail();
      it.detections.resize(n);
      for (Detection& d : it.detections) {
        std::string_view masked, hashes;
        if (!text(&d.detector) || !in.Unsigned(&d.count) || !in.Bytes(&masked) ||
            !in.Bytes(&hashes)) {
          return fail();
        }
        d.masked = codec::UnpackStrings(masked);
        d.hashes = codec::UnpackHexList(hashes);
      }
    }
    if (flags & kHasFindings) {
      uint64_t n = 0;
      if (!in.Varint(&n) || n > in.left() / kMinFindingBytes) return fail();
      s.findings.resize(n);
      for (StoredFinding& f : s.findings) {
        uint64_t status = 0;
        std::string_view notes;
        if (!in.Signed(&f.id) || !text(&f.policy) || !text(&f.kind) || !text(&f.severity) ||
            !text(&f.reason) || !text(&f.exception_reason) || !in.Varint(&status) ||
            !in.Signed(&f.last_scan) || !in.Signed(&f.exception_until) ||
            !in.Signed(&f.last_seen) || !in.Bytes(&notes)) {
          return fail();
        }
        f.pinned = (status & 8u) != 0;
        status &= ~uint64_t{8};
        if (status > static_cast<uint64_t>(FindingStatus::kResolved)) return fail();
        f.status = static_cast<FindingStatus>(status);
        f.notes = notes;
      }
    }
  }
  if (in.left() != 0) return fail();
  if (sorted) {
    folder->by_name.resize(count);
    std::iota(folder->by_name.begin(), folder->by_name.end(), 0u);
  } else {
    folder->Index();
  }
  return true;
}

}  // namespace custos::inventory::folder_blob
