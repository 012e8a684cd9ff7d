// The entry points: Extract (a file), ExtractBuffer (bytes), and the dispatcher that
// sends a document or member to its extractor.
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <poppler-global.h>
#include <sys/stat.h>

#include <cerrno>
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

// The bytes of a document that has to be in memory (PDF, e-mail, HTML, and ZIP/7z read
// from a forward-only member): `in` itself when it is memory, else a copy of at most
// max_member_bytes. False (noted) when it is larger or unreadable.
bool InMemory(Input& in, Context& ctx, unsigned depth, std::string& storage,
              std::string_view& bytes) {
  if (const std::string_view* mem = in.memory()) {
    bytes = *mem;
    return true;
  }
  const uint64_t cap = ctx.limits().max_member_bytes;
  if (in.seekable() && in.size() > cap) {
    ctx.Note(depth == 0 ? kReasonFileSize : kReasonMemberSize);
    return false;
  }
  const int r = ReadAll(in, cap, &storage);
  if (r < 0 || ctx.Stopped(depth)) return false;
  if (r == 0) {
    ctx.Note(depth == 0 ? kReasonFileSize : kReasonMemberSize);
    return false;
  }
  bytes = storage;
  return true;
}

void DispatchKind(Kind kind, Input& in, std::string_view name, Context& ctx, unsigned depth) {
  std::string storage;
  std::string_view bytes;
  switch (kind) {
    case Kind::kEmpty:
    case Kind::kSkip:
      return;
    case Kind::kText:
      return ExtractText(in, ctx, depth);
    case Kind::kStrings:
      return ExtractStrings(in, ctx, depth);
    case Kind::kMbox:
      return ExtractMbox(in, ctx, depth);
    case Kind::kTar:
      return ExtractArchive(in, Kind::kTar, name, ctx, depth);
    case Kind::kHtml:
      if (in.seekable() && !in.memory() && in.size() > ctx.limits().max_member_bytes) {
        return ExtractText(in, ctx, depth);  // too large to parse: text with the tags
      }
      if (InMemory(in, ctx, depth, storage, bytes)) ExtractHtml(bytes, false, ctx, depth);
      return;
    case Kind::kPdf:
      if (InMemory(in, ctx, depth, storage, bytes)) ExtractPdf(bytes, ctx, depth);
      return;
    case Kind::kEmail:
      if (InMemory(in, ctx, depth, storage, bytes)) ExtractEmail(bytes, ctx, depth);
      return;
    case Kind::kZip:
    case Kind::kSevenZip: {
      if (in.seekable()) {
        if (kind == Kind::kZip) return ExtractZipFamily(in, name, ctx, depth);
        return ExtractArchive(in, kind, name, ctx, depth);
      }
      if (!InMemory(in, ctx, depth, storage, bytes)) return;
      MemoryInput buffered(bytes);
      if (kind == Kind::kZip) return ExtractZipFamily(buffered, name, ctx, depth);
      return ExtractArchive(buffered, kind, name, ctx, depth);
    }
  }
}

}  // namespace

void Dispatch(Input& in, std::string_view name, std::optional<Kind> hint, Context& ctx,
              unsigned depth) {
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
  const Kind kind = hint && HeadMatches(*hint, head) ? *hint : Sniff(head);
  if (random) return DispatchKind(kind, in, name, ctx, depth);
  PrefixInput whole(head, in);
  DispatchKind(kind, whole, name, ctx, depth);
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

bool IsSearchable(const Item& item) {
  switch (item.category) {
    case Category::kVideo:
    case Category::kImage:
    case Category::kAudio:
    case Category::kBiometric:
    case Category::kExecutable:
    case Category::kEncrypted:
      return false;
    default:
      break;
  }
  if (item.has_info && item.info.size == 0) return false;
  return item.mime != "inode/x-empty" && item.mime != "application/x-empty";
}

Status Extract(int fd, const Item& item, const Limits& limits, TextSink& sink, Outcome* outcome,
               std::string_view content, bool plain_text) {
  InitLibraries();
  *outcome = Outcome{};
  if (!IsSearchable(item)) return Status::Ok();
  uint64_t size = item.info.size;
  if (!item.has_info) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::FromErrno("fstat", errno);
    size = static_cast<uint64_t>(st.st_size);
  }
  Context ctx(limits, sink, outcome);
  if (!content.empty() && content.size() == size && size <= limits.max_file_bytes) {
    MemoryInput whole(content);  // small files: already read by identification
    if (plain_text && item.mime == "text/plain") {
      DispatchKind(Kind::kText, whole, item.path, ctx, 0);
    } else {
      Dispatch(whole, item.path, KindFromMime(item.mime, item.category), ctx, 0);
    }
    ctx.EndOfStream();
    return Status::Ok();
  }
  FdInput file(fd, size, ctx);
  Dispatch(file, item.path, KindFromMime(item.mime, item.category), ctx, 0);
  ctx.EndOfStream();
  if (file.error() != 0) return Status::FromErrno("read", file.error());
  return Status::Ok();
}

Status ExtractBuffer(std::string_view bytes, std::string_view name, const Limits& limits,
                     TextSink& sink, Outcome* outcome) {
  InitLibraries();
  *outcome = Outcome{};
  Context ctx(limits, sink, outcome);
  MemoryInput input(bytes);
  Dispatch(input, name, std::nullopt, ctx, 0);
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
