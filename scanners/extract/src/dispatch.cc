// The entry points: Extract (a file), ExtractBuffer (bytes), and the dispatcher that
// sends a document or member to the extractor of its format (formats.cc).
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <poppler-global.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>

#include "custos/extract/extract.h"
#include "extractors.h"
#include "sniff.h"

namespace custos::extract {
namespace {

void IgnorePopplerMessage(const std::string&, void*) {}

// libxml2 must never fetch anything: DTDs, external entities, XIncludes.
xmlParserInputPtr RefuseExternalEntity(const char*, const char*, xmlParserCtxtPtr) {
  return nullptr;
}

// A read error of the file itself: the outcome's reason, whatever was noted before.
Status ReadError(int err, Outcome* outcome) {
  outcome->partial = SkipReason(Skip::kReadError, std::strerror(err));
  return Status(StatusCode::kIoError, outcome->partial.Text());
}

}  // namespace

void DispatchAs(const Format& format, Input& in, std::string_view name, Context& ctx,
                unsigned depth) {
  if (format.extract != nullptr) format.extract(in, name, ctx, depth);
}

void Dispatch(Input& in, std::string_view name, const Format* hint, Context& ctx, unsigned depth) {
  if (ctx.Stopped(depth)) return;
  if (depth > ctx.limits().max_depth) {
    ctx.Note(kReasonDepth);
    return;
  }
  const bool random = in.seekable();
  std::string head(random ? std::min<uint64_t>(kSniffBytes, in.size()) : kSniffBytes, '\0');
  const ptrdiff_t got =
      random ? in.ReadAt(0, head.data(), head.size()) : ReadUpTo(in, head.data(), head.size());
  if (got < 0) return;
  head.resize(static_cast<size_t>(got));
  const bool trusted = hint && (hint->confirm == nullptr || hint->confirm(head));
  const Format& format = trusted ? *hint : Recognise(head);
  if (random) return DispatchAs(format, in, name, ctx, depth);
  PrefixInput whole(head, in);
  DispatchAs(format, whole, name, ctx, depth);
}

void InitLibraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    xmlSetExternalEntityLoader(&RefuseExternalEntity);
    g_mime_init();
    poppler::set_debug_error_function(&IgnorePopplerMessage, nullptr);
  });
}

Status Extract(int fd, const Item& item, const Limits& limits, TextSink& sink, Outcome* outcome,
               std::string_view content, bool plain_text) {
  InitLibraries();
  *outcome = Outcome{};
  if (!IsSearchable(item)) return Status::Ok();
  uint64_t size = item.info.size;
  if (!item.has_info) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return ReadError(errno, outcome);
    size = static_cast<uint64_t>(st.st_size);
  }
  Context ctx(limits, sink, outcome);
  if (!content.empty() && content.size() == size && size <= limits.max_file_bytes) {
    MemoryInput whole(content);  // small files: already read by identification
    if (plain_text && item.mime == "text/plain") {
      DispatchAs(PlainTextFormat(), whole, item.path, ctx, 0);
    } else {
      Dispatch(whole, item.path, FormatFromMime(item.mime, item.category), ctx, 0);
    }
    ctx.EndOfStream();
    return Status::Ok();
  }
  FdInput file(fd, size, ctx);
  Dispatch(file, item.path, FormatFromMime(item.mime, item.category), ctx, 0);
  ctx.EndOfStream();
  if (file.error() != 0) return ReadError(file.error(), outcome);
  return Status::Ok();
}

Status ExtractBuffer(std::string_view bytes, std::string_view name, const Limits& limits,
                     TextSink& sink, Outcome* outcome) {
  InitLibraries();
  *outcome = Outcome{};
  Context ctx(limits, sink, outcome);
  MemoryInput input(bytes);
  Dispatch(input, name, nullptr, ctx, 0);
  ctx.EndOfStream();
  return Status::Ok();
}

std::string FormatLimits(const Limits& limits) {
  std::ostringstream out;
  out << "max_file_bytes=" << limits.max_file_bytes
      << " max_output_bytes=" << limits.max_output_bytes
      << " max_member_bytes=" << limits.max_member_bytes << " max_depth=" << limits.max_depth
      << " max_entries=" << limits.max_entries << " max_ratio=" << limits.max_ratio
      << " ratio_floor=" << limits.ratio_floor << " max_seconds=" << limits.max_seconds;
  return out.str();
}

}  // namespace custos::extract
