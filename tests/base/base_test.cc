#include <fnmatch.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "custos/base/ascii.h"
#include "custos/base/bytes.h"
#include "custos/base/escape.h"
#include "custos/base/glob.h"
#include "custos/base/item.h"
#include "custos/base/path.h"
#include "custos/base/time.h"

using namespace custos;

namespace {
Glob G(const char* p) {
  auto g = Glob::Compile(p);
  REQUIRE(g.ok());
  return g.value();
}
}  // namespace

TEST_CASE("glob: ** crosses folders, * and ? do not") {
  CHECK(G("/srv/cctv/**").Matches("/srv/cctv/cam1/2024/clip.mp4"));
  CHECK(G("/srv/cctv/**").Matches("/srv/cctv/clip.mp4"));
  CHECK_FALSE(G("/srv/cctv/**").Matches("/srv/cctvx/clip.mp4"));
  CHECK(G("/srv/*/clip.mp4").Matches("/srv/cctv/clip.mp4"));
  CHECK_FALSE(G("/srv/*/clip.mp4").Matches("/srv/a/b/clip.mp4"));
  CHECK(G("/srv/cam?.mp4").Matches("/srv/cam1.mp4"));
  CHECK_FALSE(G("/srv/cam?.mp4").Matches("/srv/cam12.mp4"));
  CHECK(G("**/cctv/**").Matches("/data/shares/cctv/x.mp4"));
  CHECK(G("/a/**/b").Matches("/a/b"));  // "/**/" is zero or more folders
  CHECK(G("/a/**/b").Matches("/a/x/y/b"));
  CHECK_FALSE(G("/a/**/b").Matches("/a/xb"));
}

TEST_CASE("glob: classes, escapes and base-name patterns") {
  CHECK(G("/x/[ab].txt").Matches("/x/a.txt"));
  CHECK_FALSE(G("/x/[ab].txt").Matches("/x/c.txt"));
  CHECK(G("/x/[!ab].txt").Matches("/x/c.txt"));
  CHECK_FALSE(G("/x/[!ab].txt").Matches("/x/a.txt"));
  CHECK_FALSE(G("/x[!a]y").Matches("/x/y"));  // negated classes never match '/'
  CHECK(G("/x/[0-9][0-9].log").Matches("/x/42.log"));
  CHECK(G("/x/\\*.txt").Matches("/x/*.txt"));
  CHECK_FALSE(G("/x/\\*.txt").Matches("/x/a.txt"));
  CHECK(G("*.tmp").Matches("/deep/down/file.tmp"));  // no '/': base name
  CHECK_FALSE(G("*.tmp").Matches("/deep/file.tmp/other"));
  CHECK(G("/x/a+b (1).txt").Matches("/x/a+b (1).txt"));           // regex characters are literal
  CHECK(G("/x/*").Matches(std::string("/x/bad\xff\nname", 13)));  // raw bytes
}

TEST_CASE("glob: literal, prefix and suffix shapes agree with the full pattern") {
  // All literal: the whole path, nothing more or less.
  CHECK(G("/srv/keys/id_rsa").Matches("/srv/keys/id_rsa"));
  CHECK_FALSE(G("/srv/keys/id_rsa").Matches("/srv/keys/id_rsa.pub"));
  CHECK_FALSE(G("/srv/keys/id_rsa").Matches("/srv/keys/id_rs"));
  CHECK(G("id_rsa").Matches("/home/a/.ssh/id_rsa"));
  CHECK(G("/x/a]b").Matches("/x/a]b"));  // a lone ']' is literal
  // A literal prefix then "**": anything below, including nothing.
  CHECK(G("/srv/x**").Matches("/srv/x"));
  CHECK(G("/srv/x**").Matches("/srv/xy/z"));
  CHECK_FALSE(G("/srv/x**").Matches("/srv/"));
  CHECK(G("**").Matches("/any/thing"));
  // Prefix and suffix are necessary, the middle is still checked.
  CHECK(G("/srv/**/*.key").Matches("/srv/a/b/c.key"));
  CHECK_FALSE(G("/srv/**/*.key").Matches("/srv/a/b/c.keys"));
  CHECK_FALSE(G("/srv/**/*.key").Matches("/srx/a/c.key"));
  CHECK_FALSE(G("/srv/**/*.key").Matches("/srv.key"));  // prefix and suffix overlap
  CHECK(G("/x/[ab]c]").Matches("/x/ac]"));
  CHECK_FALSE(G("/x/[ab]c]").Matches("/x/ac"));
  // Escapes at either end are left to the full pattern.
  CHECK(G("/x/a\\*").Matches("/x/a*"));
  CHECK_FALSE(G("/x/a\\*").Matches("/x/ab"));
  CHECK(G("\\*x/*").Matches("*x/y"));
  CHECK_FALSE(G("\\*x/*").Matches("ax/y"));
}

TEST_CASE("glob: base-name patterns agree with fnmatch(3), fast paths or not") {
  // Patterns whose end (classes, literals) settles most names without the regular
  // expression, and some that keep needing it; names from a small alphabet so that
  // near misses are common.
  const char* patterns[] = {"*.[Dd][Aa][Vv]", "*.[Gg]64",  "hiv[0-9]*.mp4", "*[a-c]",
                            "*.[!a]b",        "?[ab]",     "[]a]*x",        "*[-a]",
                            "a*[b-d]c",       "*\\*.[ab]", "*.a[Vv]",       "[a-c]"};
  const std::string alphabet = "abcdvADV.-]*x4g6GV";
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0x7fff;
  };
  for (const char* p : patterns) {
    const Glob g = G(p);
    for (int k = 0; k < 4000; ++k) {
      std::string name;
      const size_t len = next() % 7;
      for (size_t i = 0; i < len; ++i) name += alphabet[next() % alphabet.size()];
      if (k % 7 == 0) name += std::string(".DAV").substr(next() % 4);
      INFO("pattern " << p << ", name '" << name << "'");
      CHECK(g.Matches("/srv/x/" + name) == (fnmatch(p, name.c_str(), FNM_PATHNAME) == 0));
    }
  }
}

TEST_CASE("glob: folder patterns answer by folder, whatever was asked before") {
  const Glob cctv = G("**/*[Cc][Cc][Tt][Vv]*/**");
  const Glob hr = G("**/[Hh][Rr]/**");
  // Alternating globs and folders, names that look like folders, and a second glob of
  // the same pattern compiled later: every answer is the pattern's own.
  for (int round = 0; round < 3; ++round) {
    CHECK(cctv.Matches("/srv/Site_CCTV/cam1.mp4"));
    CHECK_FALSE(hr.Matches("/srv/Site_CCTV/cam1.mp4"));
    CHECK(cctv.Matches("/srv/Site_CCTV/cam2.mp4"));
    CHECK_FALSE(cctv.Matches("/srv/other/cctv.mp4"));  // the name is not a folder
    CHECK(hr.Matches("/srv/HR/a/b.txt"));
    CHECK(cctv.Matches("/srv/cctv/"));
    CHECK_FALSE(cctv.Matches("/srv/cctv"));
    CHECK(G("**/*[Cc][Cc][Tt][Vv]*/**").Matches("/x/cctv/y"));
    CHECK_FALSE(G("**/[Hh][Rr]/**").Matches("/x/cctv/y"));
  }
}

TEST_CASE("glob: bad patterns are errors with a reason") {
  auto g = Glob::Compile("/x/[ab");
  REQUIRE_FALSE(g.ok());
  CHECK(g.status().message() == "glob '/x/[ab' has an unclosed '['");
  CHECK_FALSE(Glob::Compile("").ok());
  CHECK_FALSE(Glob::Compile("/x\\").ok());
}

TEST_CASE("glob: folder pruning") {
  CHECK(G("/srv/tmp/**").MatchesDirTree("/srv/tmp"));
  CHECK(G("**/.snapshot").MatchesDirTree("/srv/a/.snapshot"));
  CHECK_FALSE(G("/srv/tmp/*.log").MatchesDirTree("/srv/tmp"));
  CHECK_FALSE(G("/srv/tmp/**").MatchesDirTree("/srv"));
}

TEST_CASE("EscapeHtml makes text safe in an element and in a quoted attribute") {
  CHECK(EscapeHtml("a/b c.txt") == "a/b c.txt");
  CHECK(EscapeHtml("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;");
  CHECK(EscapeHtml("\"' onmouseover='x") == "&quot;&#39; onmouseover=&#39;x");
  CHECK(EscapeHtml("&amp;") == "&amp;amp;");  // escaped once more, never taken as markup
  CHECK(EscapeHtml("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("escape: invalid UTF-8 and control characters") {
  CHECK(EscapeBytes("plain/ascii.txt", true) == "plain/ascii.txt");
  CHECK(EscapeBytes("caf\xc3\xa9", true) == "caf\xc3\xa9");  // valid UTF-8 is kept
  CHECK(EscapeBytes("a\xff"
                    "b",
                    false) == "a\\xffb");
  CHECK(EscapeBytes("\xc3", false) == "\\xc3");                    // truncated sequence
  CHECK(EscapeBytes("\xc0\xaf", false) == "\\xc0\\xaf");           // overlong encoding
  CHECK(EscapeBytes("\xed\xa0\x80", false) == "\\xed\\xa0\\x80");  // surrogate
  CHECK(EscapeBytes("line\nbreak", true) == "line\\x0abreak");
  CHECK(EscapeBytes("line\nbreak", false) == "line\nbreak");
}

TEST_CASE("escape: JSON strings and CSV fields") {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01");
  CHECK(out == "\"a\\\"b\\\\c\\nd\\u0001\"");
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  // Formulas stay text in a spreadsheet (OWASP): a quote in front, inside the quotes.
  CHECK(CsvField("=HYPERLINK(\"http://x\",\"y\")") ==
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  for (const char* f : {"+1", "-1+2", "@SUM(A1)", "\tx", "\rx"}) {
    INFO(f);
    CHECK(CsvField(f) == "\"'" + std::string(f) + "\"");
  }
  CHECK(CsvField("a=b") == "a=b");
  CHECK(CsvField("") == "");
}

TEST_CASE("time: ISO 8601 round trips and validation") {
  CHECK(FormatIso8601(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatIso8601(1704164645) == "2024-01-02T03:04:05Z");
  CHECK(FormatIso8601(-1) == "1969-12-31T23:59:59Z");
  CHECK(ParseIso8601("2024-01-02T03:04:05Z") == 1704164645);
  CHECK(ParseIso8601("2024-01-02 03:04:05") == 1704164645);
  CHECK(ParseIso8601("2024-02-29") == 1709164800);
  CHECK_FALSE(ParseIso8601("2023-02-29"));
  CHECK_FALSE(ParseIso8601("2024-13-01"));
  CHECK_FALSE(ParseIso8601("2024-01-02T03:04"));
  CHECK_FALSE(ParseIso8601("yesterday"));
}

TEST_CASE("time: ISO 8601 agrees with gmtime_r and strftime, far years included") {
  // From before 1900 to after 9999 (where the formatting falls back to printf).
  for (int64_t t = -2300000000000; t < 260000000000; t += 7919 * 86400 + 3607) {
    const time_t tt = static_cast<time_t>(t);
    struct tm tm;
    REQUIRE(gmtime_r(&tt, &tm) != nullptr);
    char want[64];
    std::snprintf(want, sizeof want, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
                  static_cast<long long>(tm.tm_year) + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    INFO(t);
    CHECK(FormatIso8601(t) == want);
    if (tm.tm_year + 1900 >= 1 && tm.tm_year + 1900 <= 9999) {
      CHECK(ParseIso8601(FormatIso8601(t)) == t);
    }
  }
}

TEST_CASE("categories: names round-trip") {
  for (const char* n : {"video", "image", "audio", "biometric", "document", "email", "archive",
                        "database", "encrypted", "text", "executable", "other"}) {
    auto c = ParseCategory(n);
    REQUIRE(c);
    CHECK(CategoryName(*c) == n);
  }
  CHECK_FALSE(ParseCategory("videos"));
}

TEST_CASE("bytes: word-at-a-time scans agree with byte-by-byte ones") {
  const auto odd = [](unsigned char b) {
    return (b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F;
  };
  // Every byte value at every position of a word, among fillers of each kind: the masks
  // flag exactly the bytes they name.
  for (const unsigned filler : {0x61u, 0x20u, 0x0Au, 0x7Eu, 0x7Fu, 0x80u, 0xFFu, 0xC3u, 0x00u}) {
    for (unsigned v = 0; v < 256; ++v) {
      for (size_t pos = 0; pos < 8; ++pos) {
        unsigned char word[8];
        std::memset(word, static_cast<int>(filler), 8);
        word[pos] = static_cast<unsigned char>(v);
        uint64_t want_odd = 0, want_eq = 0;
        for (size_t k = 0; k < 8; ++k) {
          if (odd(word[k])) want_odd |= uint64_t{0x80} << (8 * k);
          if (word[k] == 0x0A) want_eq |= uint64_t{0x80} << (8 * k);
        }
        const uint64_t w = bytes::Load8(reinterpret_cast<const char*>(word));
        REQUIRE(bytes::OddControlMask(w) == want_odd);
        REQUIRE(bytes::EqualMask(w, 0x0A) == want_eq);
      }
    }
  }
  // Random buffers of every length up to 40: the same odd control bytes, in order, and
  // the same ASCII prefix as a plain loop.
  uint32_t seed = 12345;
  const auto next = [&] { return (seed = seed * 1103515245u + 12345u) >> 16; };
  for (int round = 0; round < 2000; ++round) {
    std::string s(round % 41, '\0');
    for (char& c : s) {
      const uint32_t r = next();
      c = static_cast<char>(r % 4 == 0 ? r % 256 : 'a' + r % 26);
    }
    std::string seen, want;
    bytes::ForEachOddControl(s, [&](unsigned char b) {
      seen += static_cast<char>(b);
      return true;
    });
    size_t ascii = 0;
    while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80) ++ascii;
    for (const char c : s) {
      if (odd(static_cast<unsigned char>(c))) want += c;
    }
    CHECK(seen == want);
    CHECK(bytes::AsciiPrefix(s) == ascii);
  }
  // Stopping early reports it; tab, line feed and carriage return are not odd.
  CHECK_FALSE(bytes::ForEachOddControl(std::string_view("abc\x01"
                                                        "def\x02",
                                                        8),
                                       [](unsigned char) { return false; }));
  CHECK(bytes::ForEachOddControl("plain\ttext,\r\nno odd controls at all\n",
                                 [](unsigned char) { return false; }));
}

namespace {

// Byte-by-byte references for the word-at-a-time escapers.
std::string RefJson(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string RefEscape(std::string_view s, bool controls) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    // The test alphabet's only multi-byte sequence is U+00E9 (C3 A9).
    const bool e_acute =
        c == 0xC3 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA9;
    if (e_acute) {
      out.append(s.substr(i, 2));
      i += 2;
    } else if (c >= 0x80 || (controls && (c < 0x20 || c == 0x7F))) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    } else {
      out += static_cast<char>(c);
      ++i;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("escape: the fast paths agree with byte-by-byte escaping") {
  const std::string_view alphabet[] = {"a",    "/",    " ",        "\"",   "\\",   "\n",      "\t",
                                       "\x01", "\x7f", "\xc3\xa9", "\xff", "\xc3", "abcdefgh"};
  uint32_t seed = 777;
  const auto next = [&] { return (seed = seed * 1103515245u + 12345u) >> 16; };
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int pieces = static_cast<int>(next() % 24);
    for (int k = 0; k < pieces; ++k) {
      // Mostly plain text, so that whole clean words occur between the specials.
      const uint32_t r = next();
      s += r % 3 ? alphabet[12] : alphabet[r % 13];
    }
    std::string json;
    AppendJsonString(json, s);
    REQUIRE(json == RefJson(s));
    REQUIRE(EscapeBytes(s, true) == RefEscape(s, true));
    REQUIRE(EscapeBytes(s, false) == RefEscape(s, false));
  }
}

TEST_CASE("skip reasons: the texts of the interface spec, made in one place", "[skip]") {
  CHECK(SkipReason().empty());
  CHECK(SkipReason().Text().empty());
  const std::vector<std::pair<SkipReason, std::string>> cases = {
      {Skip::kPermissionDenied, "permission denied"},
      {Skip::kVanished, "vanished"},
      {Skip::kSpecialFile, "special file"},
      {Skip::kChanged, "changed during scan"},
      {{Skip::kReadError, "Input/output error"}, "read error: Input/output error"},
      {Skip::kLimitSize, "limit: size"},
      {Skip::kLimitOutput, "limit: output size"},
      {Skip::kLimitMemberSize, "limit: member size"},
      {Skip::kLimitDepth, "limit: depth"},
      {Skip::kLimitEntries, "limit: entries"},
      {Skip::kLimitRatio, "limit: archive ratio"},
      {Skip::kLimitTime, "limit: time"},
      {Skip::kLimitPathLength, "limit: path length"},
      {Skip::kInterrupted, "interrupted"},
      {Skip::kEncrypted, "encrypted"},
      {{Skip::kCorrupt, "PDF page tree"}, "corrupt: PDF page tree"},
      {{Skip::kNoDetectors, "detector set too large to compile"},
       "detectors: detector set too large to compile"},
      {Skip::kInternalError, "internal error"},
      {{Skip::kOther, "size limit"}, "size limit"},  // as an earlier custos wrote it
  };
  for (const auto& [reason, text] : cases) {
    INFO(text);
    CHECK_FALSE(reason.empty());
    CHECK(reason.Text() == text);
    CHECK(SkipReason::FromText(text) == reason);  // read back from an inventory
  }
  CHECK(SkipReason(Skip::kReadError, "").Text() == "read error: ");
  CHECK(SkipReason::FromText("read error: ") == SkipReason(Skip::kReadError, ""));
  CHECK(SkipReason::FromText("") == SkipReason());
  CHECK(SkipReason(Skip::kCorrupt, "PDF").KindText() == "corrupt");
  CHECK(SkipReason(Skip::kLimitTime).KindText() == "limit: time");
  CHECK(SkipReason(Skip::kLimitTime).is_limit());
  CHECK_FALSE(SkipReason(Skip::kCorrupt, "PDF").is_limit());
}

TEST_CASE("skip reasons: from errno", "[skip]") {
  CHECK(SkipReason::FromErrno(EACCES) == Skip::kPermissionDenied);
  CHECK(SkipReason::FromErrno(EPERM) == Skip::kPermissionDenied);
  CHECK(SkipReason::FromErrno(ENOENT) == Skip::kVanished);
  CHECK(SkipReason::FromErrno(EIO).Text() == "read error: Input/output error");
}

TEST_CASE("ascii: case folding of A-Z only") {
  CHECK(AsciiLowercase("Content-Type: TEXT/Plain") == "content-type: text/plain");
  CHECK(AsciiLowercase("\xC3\x84@[`{") == "\xC3\x84@[`{");  // bytes beyond A-Z stay
  CHECK(EqualsIgnoringCase("Boundary", "bOUNDARY"));
  CHECK_FALSE(EqualsIgnoringCase("boundary", "boundar"));
  CHECK_FALSE(EqualsIgnoringCase("@", "`"));  // 0x40 and 0x60 differ by 0x20 but are no letters
  CHECK(StartsWithIgnoringCase("<!DOCTYPE html>", "<!doctype html"));
  CHECK_FALSE(StartsWithIgnoringCase("<htm", "<html"));
}

TEST_CASE("path: the folder a path names a file in") {
  CHECK(FolderOf("/var/lib/custos/inventory.db") == "/var/lib/custos");
  CHECK(FolderOf("/inventory.db") == "/");
  CHECK(FolderOf("inventory.db") == ".");
  CHECK(FolderOf("state/inventory.db") == "state");
}
