// E-mail (RFC 822/MIME) through GMime: the header fields that name people (From, To,
// Cc, Subject, ...; RFC 2047 decoded), text/plain and text/html bodies (transfer
// encoding and charset decoded to UTF-8; HTML tags dropped), and attachments extracted
// like files. A multipart's children are one level deeper than the multipart, so the
// depth limit also bounds MIME nesting; a message nested deeper than allowed is cut
// before GMime (which recurses per level) parses it. Mailboxes (mbox) are split on
// "From " lines and read one message at a time.
#include <gmime/gmime.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "custos/base/ascii.h"
#include "extractors.h"
#include "utf8.h"

namespace custos::extract {
namespace {

template <typename T>
struct GObjectUnref {
  void operator()(T* p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref<T>>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFree>;

// Transport and structure headers: no personal data worth searching, and IP addresses
// of relays that would drown the findings.
bool SkippedHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kExact = {"received",
                                                              "dkim-signature",
                                                              "domainkey-signature",
                                                              "authentication-results",
                                                              "received-spf",
                                                              "mime-version",
                                                              "message-id",
                                                              "references",
                                                              "in-reply-to",
                                                              "date"};
  static constexpr std::array<std::string_view, 8> kPrefix = {
      "content-", "arc-", "x-ms-", "x-microsoft-", "x-google-", "x-spam", "x-forefront-", "list-"};
  for (const std::string_view e : kExact) {
    if (EqualsIgnoringCase(name, e)) return true;
  }
  for (const std::string_view p : kPrefix) {
    if (StartsWithIgnoringCase(name, p)) return true;
  }
  return false;
}

// --- Nesting guard -----------------------------------------------------------------

// The boundary parameter of a multipart Content-Type value, or "".
std::string Boundary(std::string_view value) {
  size_t pos = 0;
  while ((pos = value.find('=', pos)) != std::string_view::npos) {
    size_t start = pos;
    while (start > 0 && (std::isalnum(static_cast<unsigned char>(value[start - 1])) ||
                         value[start - 1] == '-')) {
      --start;
    }
    const std::string_view key = value.substr(start, pos - start);
    ++pos;
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) ++pos;
    if (!EqualsIgnoringCase(key, "boundary")) continue;
    if (pos < value.size() && value[pos] == '"') {
      const size_t end = value.find('"', pos + 1);
      return std::string(value.substr(
          pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1));
    }
    size_t end = pos;
    while (end < value.size() && value[end] != ';' && value[end] != ' ' && value[end] != '\t' &&
           value[end] != '\r') {
      ++end;
    }
    return std::string(value.substr(pos, end - pos));
  }
  return {};
}

// Follows the nesting of multiparts (and message/rfc822 parts) in `msg` the way a MIME
// parser would, without building anything. Returns the offset at which the nesting
// first exceeds `max_levels` (where the message is to be cut), or msg.size().
size_t NestingCut(std::string_view msg, unsigned max_levels) {
  std::vector<std::string> stack;  // open multipart boundaries; "" for message/rfc822
  bool in_headers = true;
  std::string content_type;
  bool in_content_type = false;
  size_t pos = 0;
  while (pos < msg.size()) {
    size_t nl = msg.find('\n', pos);
    const size_t next = nl == std::string_view::npos ? msg.size() : nl + 1;
    std::string_view line = msg.substr(pos, next - pos);
    pos = next;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (in_headers) {
      if (line.empty()) {
        const std::string_view ct(content_type);
        const size_t ct_start = ct.find_first_not_of(" \t");
        const std::string_view type = ct_start == std::string_view::npos ? "" : ct.substr(ct_start);
        if (StartsWithIgnoringCase(type, "multipart/")) {
          stack.push_back(Boundary(type));
          if (stack.size() > max_levels) return pos;
          in_headers = false;
        } else if (StartsWithIgnoringCase(type, "message/rfc822")) {
          stack.emplace_back();
          if (stack.size() > max_levels) return pos;
          // The body starts with the headers of the enclosed message.
        } else {
          in_headers = false;
        }
        content_type.clear();
        in_content_type = false;
      } else if (line[0] == ' ' || line[0] == '\t') {
        if (in_content_type && content_type.size() < 4096) content_type.append(line);
      } else {
        in_content_type = StartsWithIgnoringCase(line, "content-type:");
        if (in_content_type) content_type = std::string(line.substr(13));
      }
      continue;
    }
    if (line.size() < 3 || line[0] != '-' || line[1] != '-') continue;
    const std::string_view rest = line.substr(2);
    for (size_t i = stack.size(); i-- > 0;) {
      const std::string& b = stack[i];
      if (b.empty() || rest.substr(0, b.size()) != b) continue;
      if (rest.substr(b.size(), 2) == "--") {
        stack.resize(i);  // the end of that multipart (and of all inside it)
      } else {
        stack.resize(i + 1);
        in_headers = true;  // a new part of that multipart
      }
      break;
    }
  }
  return msg.size();
}

// --- Walking the parsed message ------------------------------------------------------

class MessageWalker {
 public:
  MessageWalker(Context& ctx) : ctx_(ctx) {}

  void Message(GMimeMessage* message, unsigned depth) {
    EmitHeaders(message, depth);
    if (GMimeObject* body = g_mime_message_get_mime_part(message)) Part(body, depth);
  }

 private:
  void EmitHeaders(GMimeMessage* message, unsigned depth) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
    if (headers == nullptr) return;
    std::string text;
    const int count = g_mime_header_list_get_count(headers);
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
      const char* name = g_mime_header_get_name(header);
      const char* value = g_mime_header_get_value(header);
      if (name == nullptr || value == nullptr || SkippedHeader(name)) continue;
      AppendUtf8Lenient(name, text);
      text.append(": ");
      AppendUtf8Lenient(value, text);
      text.push_back('\n');
    }
    ctx_.Emit(depth, text);
    ctx_.EndOfStream();
  }

  void Part(GMimeObject* part, unsigned depth) {
    if (ctx_.Stopped(depth)) return;
    if (GMIME_IS_MESSAGE_PART(part)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
      if (inner == nullptr) return;
      if (depth + 1 > ctx_.limits().max_depth) {
        ctx_.Note(kReasonDepth);
        return;
      }
      Message(inner, depth + 1);
      ctx_.Resume(depth);
      return;
    }
    if (GMIME_IS_MULTIPART_ENCRYPTED(part) ||
        (GMIME_IS_APPLICATION_PKCS7_MIME(part) &&
         g_mime_application_pkcs7_mime_get_smime_type(GMIME_APPLICATION_PKCS7_MIME(part)) ==
             GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA)) {
      ctx_.SetEncrypted();
      ctx_.Note(kReasonEncrypted);
      return;
    }
    if (GMIME_IS_MULTIPART(part)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(part);
      const int count = g_mime_multipart_get_count(multipart);
      for (int i = 0; i < count; ++i) {
        if (ctx_.Stopped(depth)) return;
        if (!ctx_.AddMember()) return;
        if (depth + 1 > ctx_.limits().max_depth) {
          ctx_.Note(kReasonDepth);
          return;
        }
        Part(g_mime_multipart_get_part(multipart, i), depth + 1);
        ctx_.EndOfStream();
        ctx_.Resume(depth);
      }
      return;
    }
    if (GMIME_IS_PART(part)) Leaf(GMIME_PART(part), depth);
  }

  void Leaf(GMimePart* part, unsigned depth) {
    GMimeContentType* type = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const bool plain = type != nullptr && g_mime_content_type_is_type(type, "text", "plain");
    const bool html = type != nullptr && g_mime_content_type_is_type(type, "text", "html");
    if ((plain || html) && GMIME_IS_TEXT_PART(part) && g_mime_part_get_filename(part) == nullptr) {
      // A body: charset converted by GMime (invalid bytes then kept as Latin-1).
      GCharPtr text(g_mime_text_part_get_text(GMIME_TEXT_PART(part)));
      if (text == nullptr) return;
      std::string utf8;
      AppendUtf8Lenient(text.get(), utf8);
      if (html) {
        ExtractHtmlBytes(utf8, /*utf8=*/true, ctx_, depth);
      } else {
        utf8.push_back('\n');
        ctx_.Emit(depth, utf8);
      }
      return;
    }
    // An attachment (or any other part): decoded, then extracted like a file.
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (content == nullptr) return;
    GPtr<GMimeStream> decoded(g_mime_stream_mem_new());
    if (g_mime_data_wrapper_write_to_stream(content, decoded.get()) < 0) {
      ctx_.Note(kReasonEmail);
      return;
    }
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded.get()));
    if (bytes == nullptr) return;
    ctx_.AddProduced(bytes->len);
    const char* filename = g_mime_part_get_filename(part);
    MemoryInput member(std::string_view(reinterpret_cast<const char*>(bytes->data), bytes->len));
    Dispatch(member, filename != nullptr ? filename : "", nullptr, ctx_, depth);
  }

  Context& ctx_;
};

// Extracts one message at `depth`; returns its Date:.
std::optional<int64_t> ExtractMessage(std::string_view bytes, Context& ctx, unsigned depth) {
  const unsigned levels = ctx.limits().max_depth > depth ? ctx.limits().max_depth - depth : 0;
  const size_t cut = NestingCut(bytes, levels);
  if (cut < bytes.size()) {
    ctx.Note(kReasonDepth);
    bytes = bytes.substr(0, cut);
  }
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (!message) {
    ctx.Note(kReasonEmail);
    return std::nullopt;
  }
  std::optional<int64_t> date;
  if (GDateTime* d = g_mime_message_get_date(message.get())) date = g_date_time_to_unix(d);
  MessageWalker(ctx).Message(message.get(), depth);
  ctx.EndOfStream();
  return date;
}

}  // namespace

void ExtractEmail(Input& in, std::string_view, Context& ctx, unsigned depth) {
  std::string storage;
  std::string_view bytes;
  if (!InMemory(in, ctx, depth, storage, bytes)) return;
  if (const auto date = ExtractMessage(bytes, ctx, depth)) ctx.SetContentDate(depth, *date);
}

// Messages of a mailbox are members (depth + 1, counted as entries); the item's
// content date is the newest Date: (the mailbox holds mail that recent).
void ExtractMbox(Input& in, std::string_view, Context& ctx, unsigned depth) {
  const uint64_t cap = ctx.limits().max_member_bytes;
  std::string message;
  bool started = false, too_big = false, after_blank = true;
  std::optional<int64_t> newest;
  const auto finish_message = [&]() {
    if (started) {
      if (too_big) {
        ctx.Note(kReasonMemberSize);
      } else if (ctx.AddMember()) {
        if (depth + 1 > ctx.limits().max_depth) {
          ctx.Note(kReasonDepth);
        } else if (const auto date = ExtractMessage(message, ctx, depth + 1)) {
          newest = std::max(newest.value_or(*date), *date);
        }
        ctx.EndOfStream();
        ctx.Resume(depth);
      }
    }
    message.clear();
    too_big = false;
    started = true;
  };
  const auto line = [&](std::string_view l) {
    const bool blank = l == "\n" || l == "\r\n";
    if (after_blank && l.substr(0, 5) == "From ") {
      finish_message();  // (the "From " line itself is not part of the message)
    } else if (!too_big) {
      if (message.size() + l.size() > cap) {
        too_big = true;
        message.clear();
        message.shrink_to_fit();
      } else {
        message.append(l);
      }
    }
    after_blank = blank;
  };

  std::string buf, chunk(256 << 10, '\0');
  for (;;) {
    if (ctx.Stopped(depth)) return;
    const ptrdiff_t got = in.Read(chunk.data(), chunk.size());
    if (got < 0) return;
    if (got == 0) break;
    buf.append(chunk.data(), static_cast<size_t>(got));
    size_t start = 0, nl;
    while ((nl = buf.find('\n', start)) != std::string::npos) {
      line(std::string_view(buf).substr(start, nl + 1 - start));
      start = nl + 1;
      if (ctx.Stopped(depth)) return;
    }
    buf.erase(0, start);
    if (buf.size() > (1 << 20)) {  // an endless line: not a "From " line, take it as is
      line(buf);
      buf.clear();
    }
  }
  if (!buf.empty()) line(buf);
  finish_message();
  if (newest) ctx.SetContentDate(depth, *newest);
}

}  // namespace custos::extract
