// Plain text: UTF-8, Latin-1 (Windows-1252) and UTF-16LE/BE, streamed in chunks.
//
// The encoding is decided once, on the first kSniffBytes: a BOM; else UTF-16 when NULs
// sit at alternate positions; else Latin-1 when the window holds invalid UTF-8 and no
// valid multi-byte sequence; else UTF-8. In UTF-8 text an invalid byte is taken as a
// Windows-1252/Latin-1 character (files mixing both are common on old file servers,
// and this keeps accented context words and every digit); nothing is dropped.
#include <string>

#include "custos/base/bytes.h"
#include "extractors.h"
#include "sniff.h"
#include "utf8.h"

namespace custos::extract {
namespace {

constexpr size_t kChunk = 256 << 10;

class TextDecoder {
 public:
  TextDecoder(Context& ctx, unsigned depth) : ctx_(ctx), depth_(depth) {}

  // Decodes `bytes` (the next piece of the document). False when extraction must stop.
  bool Feed(std::string_view bytes) {
    // Decided UTF-8 with nothing carried over: an all-ASCII piece (the common case)
    // goes on as it is, without copying it twice.
    if (enc_ == Enc::kUtf8 && pending_.empty() && bytes::AsciiPrefix(bytes) == bytes.size()) {
      return ctx_.Emit(depth_, bytes);
    }
    pending_.append(bytes);
    if (enc_ == Enc::kUnknown) {
      if (pending_.size() < kSniffBytes) return true;
      Decide();
    }
    return Convert(false);
  }

  bool Finish() {
    if (enc_ == Enc::kUnknown) Decide();
    return Convert(true);
  }

 private:
  enum class Enc { kUnknown, kUtf8, kLatin1, kUtf16Le, kUtf16Be };

  void Decide() {
    const std::string_view head(pending_);
    if (head.substr(0, 3) == "\xEF\xBB\xBF") {
      enc_ = Enc::kUtf8;
      pending_.erase(0, 3);
      return;
    }
    if (const char u16 = SniffUtf16(head); u16 != 0) {
      enc_ = u16 == 'L' ? Enc::kUtf16Le : Enc::kUtf16Be;
      if (head.substr(0, 2) == "\xFF\xFE" || head.substr(0, 2) == "\xFE\xFF") pending_.erase(0, 2);
      return;
    }
    size_t valid_multi = 0, invalid = 0;
    for (size_t i = 0; i < head.size();) {
      i += bytes::AsciiPrefix(head.substr(i));
      if (i >= head.size()) break;
      const int len = Utf8SequenceLength(head.substr(i));
      if (len < 0) break;  // cut by the window
      if (len == 0) {
        ++invalid;
        ++i;
      } else {
        if (len > 1) ++valid_multi;
        i += static_cast<size_t>(len);
      }
    }
    enc_ = (invalid > 0 && valid_multi == 0) ? Enc::kLatin1 : Enc::kUtf8;
  }

  bool Convert(bool final) {
    size_t used = 0;
    switch (enc_) {
      case Enc::kUtf8:
        used = AppendUtf8Lenient(pending_, out_, final);
        break;
      case Enc::kLatin1:
        out_.reserve(out_.size() + pending_.size());
        for (const char c : pending_) AppendLatin1(static_cast<unsigned char>(c), out_);
        used = pending_.size();
        break;
      case Enc::kUtf16Le:
      case Enc::kUtf16Be:
        used = ConvertUtf16(final);
        break;
      case Enc::kUnknown:
        break;
    }
    pending_.erase(0, used);
    const bool go_on = ctx_.Emit(depth_, out_);
    out_.clear();
    return go_on;
  }

  size_t ConvertUtf16(bool final) {
    const bool le = enc_ == Enc::kUtf16Le;
    const auto unit = [&](size_t i) -> uint32_t {
      const auto a = static_cast<unsigned char>(pending_[i]);
      const auto b = static_cast<unsigned char>(pending_[i + 1]);
      return le ? (a | (b << 8)) : ((a << 8) | b);
    };
    size_t i = 0;
    const size_t n = pending_.size();
    while (i + 1 < n) {
      const uint32_t u = unit(i);
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (i + 3 >= n) {
          if (!final) break;  // the low surrogate may come with the next chunk
          AppendCodePoint(0xFFFD, out_);
          i += 2;
          continue;
        }
        const uint32_t lo = unit(i + 2);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          AppendCodePoint(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), out_);
          i += 4;
        } else {
          AppendCodePoint(0xFFFD, out_);
          i += 2;
        }
        continue;
      }
      AppendCodePoint(u, out_);  // a lone low surrogate becomes U+FFFD
      i += 2;
    }
    if (final && i < n) {
      AppendCodePoint(0xFFFD, out_);  // an odd trailing byte
      i = n;
    }
    return i;
  }

  Context& ctx_;
  const unsigned depth_;
  Enc enc_ = Enc::kUnknown;
  std::string pending_;  // the undecided head, or an incomplete sequence carried over
  std::string out_;
};

}  // namespace

void ExtractText(Input& in, std::string_view, Context& ctx, unsigned depth) {
  TextDecoder decoder(ctx, depth);
  // A small file needs no 256 KiB buffer (zeroing it would cost more than reading).
  const size_t want = in.seekable() && in.size() + 1 < kChunk ? in.size() + 1 : kChunk;
  std::string buf(want, '\0');
  for (;;) {
    if (ctx.Stopped(depth)) return;
    const ptrdiff_t got = in.Read(buf.data(), buf.size());
    if (got < 0) return;  // a member's read error is noted by the archive reader
    if (got == 0) break;
    if (!decoder.Feed(std::string_view(buf.data(), static_cast<size_t>(got)))) return;
  }
  decoder.Finish();
}

}  // namespace custos::extract
