// The Scanner: one item's text at a time, in chunks. The prefilter finds the lines worth
// a look; a region around each is confirmed with the variants the RE2::Set names,
// validated, checked for context words (or a table column's header) and counted once
// per distinct value.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_set>

#include "compiled.h"
#include "custos/detect/detect.h"
#include "validators.h"

namespace custos::detect {

using namespace internal;

namespace {

// Bytes of lookahead kept unprocessed at the end of the buffer until more text comes,
// so that no value or confirmation region is cut by a read boundary. Larger than the
// longest value plus a confirmation region.
constexpr size_t kTail = 4096;
// Bytes a confirmation region reaches back to the start of a line / on to its end.
constexpr size_t kLineReach = 1024;
// Extra bytes after a region for values that span lines (MRZ: up to 3 lines).
constexpr size_t kRegionTail = 256;
// Text is processed in chunks of about this size.
constexpr size_t kChunk = 1 << 20;
// Distinct values remembered per detector and item (their hashes): beyond this a
// value counts as new (the count is then an upper bound).
constexpr size_t kMaxDistinct = 1 << 18;

// End offset of the last match of `words` in `text`, or npos.
size_t LastContextEnd(const RE2& words, std::string_view text) {
  size_t last = std::string_view::npos;
  size_t p = 0;
  re2::StringPiece sp(text.data(), text.size());
  re2::StringPiece m;
  while (p < text.size() && words.Match(sp, p, text.size(), RE2::UNANCHORED, &m, 1)) {
    last = static_cast<size_t>(m.data() - text.data()) + m.size();
    p = m.empty() ? last + 1 : last;
  }
  return last;
}

// Delimiter value for columns aligned with runs of two or more blanks (PDF text layers,
// fixed-width exports); a single blank stays inside its cell.
constexpr char kBlankRun = ' ';

// Cells of one line of a delimited table (CSV, TSV, extracted spreadsheet or document
// table): `delim` outside double quotes separates them. Returns the number of cells;
// when `cell_at` is given, sets it to the index of the cell holding byte `at`.
size_t CountCells(std::string_view line, char delim, size_t at = std::string_view::npos,
                  size_t* cell_at = nullptr) {
  if (delim == kBlankRun) {
    size_t cells = 1;
    bool content = false;  // leading blanks start no cell
    size_t i = 0;
    while (i < line.size()) {
      if (line[i] == ' ' && i + 1 < line.size() && line[i + 1] == ' ') {
        size_t j = i;
        while (j < line.size() && line[j] == ' ') ++j;
        if (cell_at && at >= i && at < j) *cell_at = cells - 1;
        if (content && j < line.size()) ++cells;  // trailing blanks end no cell
        i = j;
        continue;
      }
      if (i == at && cell_at) *cell_at = cells - 1;
      content = content || line[i] != ' ';
      ++i;
    }
    if (at >= line.size() && cell_at) *cell_at = cells - 1;
    return cells;
  }
  size_t cells = 1;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (i == at && cell_at) *cell_at = cells - 1;
    const char ch = line[i];
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == delim && !quoted) {
      ++cells;
    }
  }
  if (at >= line.size() && cell_at) *cell_at = cells - 1;
  return cells;
}

std::string_view TrimLine(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view TrimCell(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// True when the text between a context word and its value holds another labelled value
// ("DOB: 1980-04-12\nStart date: 2015-03-01"): after a digit, a label ends with ':' or
// '=' (also behind a JSON key's quote or an abbreviation's dot: "hired": , "no.:") or a
// new line starts with a word. The context word then belongs to that other value.
bool AnotherValueBetween(std::string_view between) {
  // The first digit that is not part of a JSON escape ("CPF n\u00ba": "...").
  size_t digit = std::string_view::npos;
  for (size_t i = 0; i < between.size(); ++i) {
    if (between[i] == '\\' && i + 5 < between.size() && between[i + 1] == 'u') {
      i += 5;
    } else if (std::isdigit(static_cast<unsigned char>(between[i]))) {
      digit = i;
      break;
    }
  }
  if (digit == std::string_view::npos) return false;
  for (size_t i = digit + 1; i < between.size(); ++i) {
    const unsigned char ch = static_cast<unsigned char>(between[i]);
    if (ch == ':' || ch == '=') {
      size_t k = i;
      while (k > digit + 1 && (between[k - 1] == '"' || between[k - 1] == '\'' ||
                               between[k - 1] == '.' || between[k - 1] == ')')) {
        --k;
      }
      if (std::isalpha(static_cast<unsigned char>(between[k - 1]))) return true;
    }
    if (ch == '\n') {
      size_t j = i + 1;
      while (j < between.size() && (between[j] == ' ' || between[j] == '\t')) ++j;
      if (j < between.size() && std::isalpha(static_cast<unsigned char>(between[j]))) return true;
    }
  }
  return false;
}

}  // namespace

struct Scanner::State {
  std::shared_ptr<const Engine> engine;
  const Engine::Compiled* c = nullptr;

  std::string buf;     // carry (already processed, kept for context) + unprocessed text
  size_t pos = 0;      // first byte of buf not yet searched
  size_t claimed = 0;  // end of the last accepted value (no overlap across regions)

  std::string hmac_key;

  struct PerDet {
    uint64_t count = 0;
    std::unordered_set<uint64_t> seen;
    std::vector<std::string> masked;
    std::vector<std::string> hashes;
  };
  std::vector<PerDet> found;

  struct Cand {
    size_t start, end;
    size_t det;
    std::string norm;
    int rank;  // lower wins an overlap: the detector's priority, or for a value found
               // through a context word, 1000 + the distance to the nearest such word
  };
  std::vector<int> set_hits;
  std::vector<Cand> cands;

  // The header of the delimited table being read, when a header row named a context
  // word: values in the rows below take their context from their column's header.
  struct Table {
    bool active = false;
    char delim = 0;
    size_t cells = 0;
    std::string header;             // the header line (to tell it from its rows)
    std::vector<std::string> cols;  // header cells, trimmed
  } table;

  // When `line` is a table header (three or more short, label-like cells, one of them
  // holding a context word), starts reading that table.
  void MaybeHeader(std::string_view line) {
    line = TrimLine(line);
    if (line.empty() || line.size() > 2048) return;
    char delim = 0;
    size_t best = 0;
    for (const char d : {'\t', ';', '|', ','}) {
      const size_t n = static_cast<size_t>(std::count(line.begin(), line.end(), d));
      if (n >= 2 && n > best) {
        best = n;
        delim = d;
      }
    }
    if (!delim && CountCells(line, kBlankRun) >= 3) delim = kBlankRun;
    if (!delim) return;
    std::vector<std::string> cols;
    auto add = [&cols](std::string_view raw) {
      const std::string_view cell = TrimCell(raw);
      size_t digits = 0;
      for (const char ch : cell) digits += (ch >= '0' && ch <= '9') ? 1 : 0;
      if (cell.size() > 48 || digits > 2) return false;  // a value, not a label
      cols.emplace_back(cell);
      return true;
    };
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      const bool end = i == line.size();
      if (delim == kBlankRun) {
        // a run of two or more blanks after some content ends a cell
        if (!end && !(line[i] == ' ' && i + 1 < line.size() && line[i + 1] == ' ')) continue;
        size_t j = i;
        while (j < line.size() && line[j] == ' ') ++j;
        if (!TrimCell(line.substr(start, i - start)).empty()) {
          if (!add(line.substr(start, i - start))) return;
        }
        start = j;
        i = j > i ? j - 1 : i;
        if (end) break;
      } else if (end || line[i] == delim) {
        if (!add(line.substr(start, i - start))) return;
        start = i + 1;
      }
    }
    if (CountCells(line, delim) != cols.size()) return;  // quoted delimiters: not a header
    bool named = false;
    for (const std::string& col : cols) {
      for (const auto& det : c->dets) {
        if (det.context && RE2::PartialMatch(col, *det.context)) named = true;
      }
    }
    if (!named) return;
    table.active = true;
    table.delim = delim;
    table.cells = cols.size();
    table.header = std::string(line);
    table.cols = std::move(cols);
  }

  // True when `line` is a row of the current table.
  bool IsRow(std::string_view line) const {
    line = TrimLine(line);
    return table.active && !line.empty() && line != table.header &&
           CountCells(line, table.delim) == table.cells;
  }

  size_t LineStart(size_t s, size_t floor) const {
    const size_t lo = s > kLineReach ? std::max(floor, s - kLineReach) : floor;
    for (size_t i = s; i > lo; --i) {
      if (buf[i - 1] == '\n') return i;
    }
    return lo;
  }
  size_t LineEnd(size_t e) const {
    const size_t hi = std::min(buf.size(), e + kLineReach);
    const void* nl = e < hi ? memchr(buf.data() + e, '\n', hi - e) : nullptr;
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1 : hi;
  }

  std::string KeyedHash(const std::string& value) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
         reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, &len);
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < 16 && i < len; ++i) {
      hex += kHex[mac[i] >> 4];
      hex += kHex[mac[i] & 15];
    }
    return hex;
  }

  void Record(const Cand& cand) {
    PerDet& pd = found[cand.det];
    const uint64_t h = std::hash<std::string>{}(cand.norm);
    if (pd.seen.size() < kMaxDistinct) {
      if (!pd.seen.insert(h).second) return;
    }
    ++pd.count;
    if (!hmac_key.empty() && pd.hashes.size() < Detection::kMaxHashes) {
      pd.hashes.push_back(KeyedHash(c->dets[cand.det].id + '\0' + cand.norm));
    }
    if (pd.masked.size() < 3) {
      std::string m =
          c->dets[cand.det].mask(std::string_view(buf).substr(cand.start, cand.end - cand.start));
      if (std::find(pd.masked.begin(), pd.masked.end(), m) == pd.masked.end()) {
        pd.masked.push_back(std::move(m));
      }
    }
  }

  // Confirms [a0, a1) (with [a1, rend) as lookahead): every variant that matches in the
  // region is run, candidates are validated, overlaps go to the more specific detector.
  void Confirm(size_t a0, size_t a1, size_t rend, size_t floor) {
    const re2::StringPiece region(buf.data() + a0, rend - a0);
    set_hits.clear();
    if (!c->set->Match(region, &set_hits)) return;
    cands.clear();
    for (const int vi : set_hits) {
      const Engine::Compiled::Var& var = c->vars[static_cast<size_t>(vi)];
      size_t p = 0;
      re2::StringPiece m;
      while (p <= region.size() &&
             var.re->Match(region, p, region.size(), RE2::UNANCHORED, &m, 1)) {
        const size_t ms = a0 + static_cast<size_t>(m.data() - region.data());
        const size_t me = ms + m.size();
        p = m.empty() ? (ms - a0) + 1 : me - a0;
        if (ms >= a1) break;
        if (ms < claimed || m.empty()) continue;
        Candidate cand;
        cand.value = std::string_view(buf).substr(ms, me - ms);
        const size_t b0 = ms > floor + kContextWindow ? ms - kContextWindow : floor;
        cand.before = std::string_view(buf).substr(b0, ms - b0);
        cand.after = std::string_view(buf).substr(me, std::min(kContextWindow, buf.size() - me));
        int rank = c->dets[var.det].priority;
        if (var.needs_context) {
          const RE2& words = *c->dets[var.det].context;
          const size_t ls = LineStart(ms, floor);
          const std::string_view line = std::string_view(buf).substr(ls, LineEnd(ms) - ls);
          if (table.active && IsRow(line)) {
            // In a table row the column's header is the context, and only it.
            size_t col = 0;
            CountCells(TrimLine(line), table.delim, ms - ls, &col);
            if (col >= table.cols.size() || !RE2::PartialMatch(table.cols[col], words)) continue;
            rank = 1000;
          } else {
            const size_t word_end = LastContextEnd(words, cand.before);
            if (word_end == std::string_view::npos) continue;
            if (AnotherValueBetween(cand.before.substr(word_end))) continue;
            rank = 1000 + static_cast<int>(cand.before.size() - word_end);
          }
        }
        std::string norm;
        if (!var.validate(cand, &norm)) continue;
        cands.push_back({ms, me, var.det, std::move(norm), rank});
      }
    }
    if (cands.empty()) return;
    std::sort(cands.begin(), cands.end(), [&](const Cand& x, const Cand& y) {
      if (x.rank != y.rank) return x.rank < y.rank;
      if (x.end - x.start != y.end - y.start) return x.end - x.start > y.end - y.start;
      return x.start < y.start;
    });
    std::vector<std::pair<size_t, size_t>> taken;
    for (const Cand& cand : cands) {
      bool overlaps = false;
      for (const auto& [ts, te] : taken) {
        if (cand.start < te && ts < cand.end) {
          overlaps = true;
          break;
        }
      }
      if (overlaps) continue;
      taken.emplace_back(cand.start, cand.end);
      claimed = std::max(claimed, cand.end);
      Record(cand);
    }
  }

  // Searches buf from pos. Unless `final`, the last kTail bytes stay for later.
  void Process(bool final) {
    const size_t size = buf.size();
    const size_t limit = final ? size : (size > kTail ? size - kTail : 0);
    const size_t floor = 0;
    while (pos < limit) {
      if (table.active) {
        // Every row of a table with a named column is confirmed, context word or not.
        const void* nl = memchr(buf.data() + pos, '\n', size - pos);
        if (!nl && !final) break;
        const size_t le =
            nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1 : size;
        const std::string_view line = std::string_view(buf).substr(pos, le - pos);
        if (line.find_first_not_of(" \t\r\n\f") == std::string_view::npos) {
          pos = le;  // blank lines between rows (PDF text layers) keep the table open
          continue;
        }
        if ((pos == 0 || buf[pos - 1] == '\n') && IsRow(line)) {
          Confirm(pos, le, le, floor);
          pos = le;
          continue;
        }
        table.active = false;
      }
      re2::StringPiece text(buf.data(), size);
      re2::StringPiece m;
      if (!c->prefilter->Match(text, pos, size, RE2::UNANCHORED, &m, 1)) {
        pos = limit;
        break;
      }
      const size_t s = static_cast<size_t>(m.data() - buf.data());
      const size_t e = s + m.size();
      if (s >= limit) {
        pos = limit;
        break;
      }
      const size_t a0 = std::max(pos, LineStart(s, floor));
      // A context word may come up to kContextWindow bytes before its value.
      const size_t a1 = std::max(LineEnd(std::min(size, e + kContextWindow)), e + 1);
      // A table header among the region's lines names the columns of the rows below.
      for (size_t ls = LineStart(s, floor); ls < std::min(a1, size);) {
        const size_t le = LineEnd(ls);
        if (ls == 0 || buf[ls - 1] == '\n') MaybeHeader(std::string_view(buf).substr(ls, le - ls));
        if (le <= ls) break;
        ls = le;
      }
      size_t rend = a1;
      for (int lines = 0; lines < 2 && rend < size; ++lines) rend = LineEnd(rend);
      rend = std::min({rend, a1 + kRegionTail, size});
      Confirm(a0, std::min(a1, size), std::max(rend, std::min(a1, size)), floor);
      pos = std::min(a1, size);
    }
    if (final) pos = size;
    // Keep only what later context checks may look back at.
    const size_t keep_from = pos > kContextWindow + kLineReach ? pos - kContextWindow : 0;
    if (keep_from > 0) {
      buf.erase(0, keep_from);
      pos -= keep_from;
      claimed = claimed > keep_from ? claimed - keep_from : 0;
    }
  }
};

Scanner::Scanner(std::shared_ptr<const Engine> engine, std::string hmac_key)
    : s_(std::make_unique<State>()) {
  s_->engine = std::move(engine);
  s_->hmac_key = std::move(hmac_key);
}

bool Scanner::Ready() {
  if (s_->c == nullptr) {
    s_->c = &s_->engine->compiled();
    s_->found.resize(s_->c->dets.size());
    s_->buf.reserve(kChunk + kTail);
  }
  return s_->engine->error().empty();
}

const std::string& Scanner::error() const { return s_->engine->error(); }

Scanner::~Scanner() = default;

void Scanner::Feed(std::string_view text) {
  if (!Ready()) return;
  while (!text.empty()) {
    const size_t room = kChunk + kTail > s_->buf.size() ? kChunk + kTail - s_->buf.size() : 0;
    const size_t n = std::min(room, text.size());
    s_->buf.append(text.substr(0, n));
    text.remove_prefix(n);
    if (s_->buf.size() >= kChunk + kTail) s_->Process(false);
  }
}

void Scanner::EndOfStream() {
  if (!Ready()) return;
  s_->Process(true);
  s_->buf.clear();
  s_->pos = 0;
  s_->claimed = 0;
  s_->table = State::Table();
}

void Scanner::Reset() {
  s_->buf.clear();
  s_->pos = 0;
  s_->claimed = 0;
  s_->table = State::Table();
  for (State::PerDet& pd : s_->found) pd = State::PerDet();
}

std::vector<Detection> Scanner::Take() {
  EndOfStream();
  std::vector<Detection> out;
  for (size_t i = 0; i < s_->found.size(); ++i) {
    State::PerDet& pd = s_->found[i];
    if (pd.count > 0) {
      out.push_back({s_->c->dets[i].id, pd.count, std::move(pd.masked), std::move(pd.hashes)});
    }
    pd = State::PerDet();
  }
  std::sort(out.begin(), out.end(),
            [](const Detection& a, const Detection& b) { return a.detector < b.detector; });
  return out;
}

}  // namespace custos::detect
