// PDF through poppler-cpp: the text layer of every page (poppler handles compressed
// streams, ToUnicode maps and broken cross-reference tables), CreationDate, and
// embedded files (extracted like archive members).
//
// A document that needs a password to open is "encrypted" (an owner password alone
// restricts printing or copying, not reading: such files are read). A file without
// "%%EOF" in its last KiB is noted as truncated even when poppler recovers some text.
#include <poppler-document.h>
#include <poppler-embedded-file.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <climits>
#include <memory>
#include <string>

#include "extractors.h"
#include "utf8.h"

namespace custos::extract {
namespace {

bool HasEofMarker(std::string_view bytes) {
  const size_t tail = bytes.size() > 1024 ? bytes.size() - 1024 : 0;
  return bytes.substr(tail).find("%%EOF") != std::string_view::npos;
}

void ExtractPdfOrThrow(std::string_view bytes, Context& ctx, unsigned depth) {
  const bool truncated = !HasEofMarker(bytes);
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    ctx.Note(depth == 0 ? kReasonFileSize : kReasonMemberSize);
    return;
  }
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) {
    ctx.Note(truncated ? kReasonPdfTruncated : kReasonPdf);
    return;
  }
  if (doc->is_locked()) {
    ctx.SetEncrypted();
    ctx.Note(kReasonEncrypted);
    return;
  }
  if (truncated) ctx.Note(kReasonPdfTruncated);
  if (const time_t created = doc->get_creation_date_t(); created != static_cast<time_t>(-1)) {
    ctx.SetContentDate(depth, static_cast<int64_t>(created));
  }

  const int pages = doc->pages();
  if (pages <= 0) ctx.Note(kReasonPdfPages);  // poppler found no page it could reach
  std::string text;
  for (int i = 0; i < pages; ++i) {
    if (ctx.Stopped(depth)) return;  // also the time limit, between pages
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) {
      ctx.Note(kReasonPdfPages);  // a page tree with loops or dangling references
      break;
    }
    const poppler::byte_array utf8 = page->text().to_utf8();
    text.clear();
    std::string_view page_text(utf8.data(), utf8.size());
    while (!page_text.empty() && page_text.back() == '\f') page_text.remove_suffix(1);
    AppendUtf8Lenient(page_text, text);
    text.push_back('\n');
    if (!ctx.Emit(depth, text)) return;
  }
  ctx.EndOfStream();

  if (!doc->has_embedded_files()) return;
  for (poppler::embedded_file* file : doc->embedded_files()) {  // owned by the document
    if (ctx.Stopped(depth)) return;
    if (file == nullptr || !file->is_valid()) continue;
    if (!ctx.AddMember()) return;
    if (file->size() > 0 && static_cast<uint64_t>(file->size()) > ctx.limits().max_member_bytes) {
      ctx.Note(kReasonMemberSize);
      continue;
    }
    const poppler::byte_array data = file->data();
    ctx.AddProduced(data.size());
    MemoryInput member(std::string_view(data.data(), data.size()));
    Dispatch(member, file->name(), nullptr, ctx, depth + 1);
    ctx.EndOfStream();
    ctx.Resume(depth);
  }
}

}  // namespace

void ExtractPdf(Input& in, std::string_view, Context& ctx, unsigned depth) {
  std::string storage;
  std::string_view bytes;
  if (!InMemory(in, ctx, depth, storage, bytes)) return;
  try {
    ExtractPdfOrThrow(bytes, ctx, depth);
  } catch (...) {  // poppler-cpp may throw (std::bad_alloc, ...): never past here
    ctx.Note(kReasonPdf);
  }
}

}  // namespace custos::extract
