// Binary data of no known format (databases, legacy Office files, unknown members):
// runs of at least kMinRun printable characters, one per line, like strings(1). Two
// kinds of runs are found in one pass: ASCII/UTF-8 text, and UTF-16LE text of
// Latin-1 characters (legacy Word and Excel files, Windows registries, ...).
// An OLE compound file holding an "EncryptedPackage" stream (a password-protected
// OOXML document) is reported as encrypted.
#include <string>

#include "extractors.h"
#include "utf8.h"

namespace custos::extract {
namespace {

constexpr size_t kMinRun = 6;
constexpr size_t kMaxRun = 64 << 10;  // a longer run is emitted in pieces
constexpr size_t kChunk = 256 << 10;

bool PrintableAscii(unsigned char b) { return (b >= 0x20 && b < 0x7F) || b == '\t'; }

class StringsScanner {
 public:
  StringsScanner(Context& ctx, unsigned depth) : ctx_(ctx), depth_(depth) {}

  bool Feed(std::string_view bytes, bool final) {
    pending_.append(bytes);
    const std::string_view p(pending_);
    size_t i = 0;
    while (i < p.size()) {
      const auto b = static_cast<unsigned char>(p[i]);
      int len = 1;
      if (b >= 0x80) {
        len = Utf8SequenceLength(p.substr(i));
        if (len < 0 && !final) break;  // complete it with the next chunk
      }
      if (len > 1) {
        for (int k = 0; k < len; ++k) ScanUtf16(static_cast<unsigned char>(p[i + k]));
        // Printable unless a C1 control (U+0080-U+009F, encoded C2 80-C2 9F).
        if (b == 0xC2 && static_cast<unsigned char>(p[i + 1]) < 0xA0) {
          EndRun(run_, run_chars_);
        } else {
          AddToRun(run_, run_chars_, p.substr(i, static_cast<size_t>(len)));
        }
        i += static_cast<size_t>(len);
        continue;
      }
      ScanUtf16(b);
      if (len == 1 && PrintableAscii(b)) {
        AddToRun(run_, run_chars_, p.substr(i, 1));
      } else {
        EndRun(run_, run_chars_);
      }
      ++i;
    }
    pending_.erase(0, i);
    if (final) {
      EndRun(run_, run_chars_);
      EndRun(run16_[0], run16_chars_[0]);
      EndRun(run16_[1], run16_chars_[1]);
    }
    if (out_.size() >= (64 << 10) || final) {
      const bool go_on = ctx_.Emit(depth_, out_);
      out_.clear();
      return go_on;
    }
    return !ctx_.Stopped(depth_);
  }

  bool saw_encrypted_package() const { return saw_encrypted_package_; }

 private:
  // UTF-16LE: each byte closes the pair that starts at the previous byte; pairs at
  // even and odd offsets form two independent runs.
  void ScanUtf16(unsigned char b) {
    if (have_prev_) {
      const int parity = static_cast<int>((pos_ - 1) & 1);
      if (b == 0 && (PrintableAscii(prev_) || prev_ >= 0xA0)) {
        std::string ch;
        AppendCodePoint(prev_, ch);
        AddToRun(run16_[parity], run16_chars_[parity], ch);
      } else {
        EndRun(run16_[parity], run16_chars_[parity]);
      }
    }
    prev_ = b;
    have_prev_ = true;
    ++pos_;
  }

  void AddToRun(std::string& run, size_t& chars, std::string_view ch) {
    run.append(ch);
    ++chars;
    if (run.size() >= kMaxRun) {
      out_.append(run);
      run.clear();  // the rest of the run continues on the same line
    }
  }

  void EndRun(std::string& run, size_t& chars) {
    if (&run != &run_ && run == "EncryptedPackage") saw_encrypted_package_ = true;
    if (chars >= kMinRun) {  // (a run emitted in pieces is always that long)
      out_.append(run);
      out_.push_back('\n');
    }
    run.clear();
    chars = 0;
  }

  Context& ctx_;
  const unsigned depth_;
  std::string pending_;
  std::string out_;
  std::string run_;
  size_t run_chars_ = 0;
  std::string run16_[2];
  size_t run16_chars_[2] = {0, 0};
  unsigned char prev_ = 0;
  bool have_prev_ = false;
  uint64_t pos_ = 0;
  bool saw_encrypted_package_ = false;
};

}  // namespace

void ExtractStrings(Input& in, std::string_view, Context& ctx, unsigned depth) {
  StringsScanner scanner(ctx, depth);
  std::string buf(kChunk, '\0');
  bool compound_file = false;
  for (bool first = true;; first = false) {
    if (ctx.Stopped(depth)) return;
    const ptrdiff_t got = in.Read(buf.data(), buf.size());
    if (got < 0) return;
    if (got == 0) break;
    const std::string_view chunk(buf.data(), static_cast<size_t>(got));
    if (first) compound_file = chunk.substr(0, 8) == "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if (!scanner.Feed(chunk, false)) return;
  }
  scanner.Feed({}, true);
  if (compound_file && scanner.saw_encrypted_package()) {
    ctx.SetEncrypted();
    ctx.Note(kReasonEncrypted);
  }
}

}  // namespace custos::extract
