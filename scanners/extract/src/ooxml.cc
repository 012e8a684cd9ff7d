// Office documents in ZIP packages: OOXML (docx, xlsx, pptx) and ODF (odt, ods, odp).
//
// The text of a paragraph is joined across the runs a word processor splits it into
// ("<w:r><w:t>12</w:t></w:r><w:r><w:t>34</w:t></w:r>" gives "1234"); paragraphs and
// rows end with a newline, cells with a tab. Each part (document body, header, sheet,
// slide) is a stream of its own. Embedded packages (word/embeddings/...) are extracted
// like archive members. The package is read in passes over the ZIP central directory:
// metadata and xlsx shared strings first, then the text parts.
#include <charconv>
#include <string>
#include <vector>

#include "archive.h"
#include "builder.h"
#include "dates.h"
#include "xml.h"

namespace custos::extract {
namespace {

// `name` is DIR + a file STEM... + ".xml" directly in DIR.
bool PartIn(std::string_view name, std::string_view dir, std::string_view stem) {
  if (!name.starts_with(dir) || !name.ends_with(".xml")) return false;
  const std::string_view file = name.substr(dir.size());
  return file.find('/') == std::string_view::npos && file.starts_with(stem);
}

// Runs of text in paragraphs: WordprocessingML (w:p/w:r/w:t) and DrawingML
// (a:p/a:r/a:t, pptx slides and notes).
class RunTextHandler final : public XmlHandler {
 public:
  explicit RunTextHandler(TextBuilder& out) : out_(out) {}

  void Start(std::string_view name, xmlTextReaderPtr) override {
    if (skip_ > 0 || name == "Fallback") {  // mc:Fallback repeats mc:Choice
      ++skip_;
      return;
    }
    if (name == "t" || name == "delText") {
      ++in_text_;
    } else if (name == "r") {
      ++in_run_;
    } else if (name == "tab") {
      if (in_run_ > 0) out_.Append("\t");  // (w:tabs/w:tab in w:pPr are tab stops)
    } else if (name == "br" || name == "cr") {
      out_.Append("\n");
    } else if (name == "noBreakHyphen") {
      out_.Append("-");
    }
  }

  void End(std::string_view name) override {
    if (skip_ > 0) {
      --skip_;
      return;
    }
    if (name == "t" || name == "delText") {
      --in_text_;
    } else if (name == "r") {
      --in_run_;
    } else if (name == "p" || name == "tr") {
      out_.Separator('\n');
    } else if (name == "tc") {
      out_.Separator('\t');
    }
  }

  void Text(std::string_view text) override {
    if (in_text_ > 0 && skip_ == 0) out_.Append(text);
  }

 private:
  TextBuilder& out_;
  int skip_ = 0;
  int in_text_ = 0;
  int in_run_ = 0;
};

// xl/sharedStrings.xml: <si> items, each plain (<t>) or rich (<r><t>); phonetic
// guides (<rPh>) left out.
class SharedStringsHandler final : public XmlHandler {
 public:
  SharedStringsHandler(std::vector<std::string>& strings, uint64_t max_bytes)
      : strings_(strings), max_bytes_(max_bytes) {}

  void Start(std::string_view name, xmlTextReaderPtr) override {
    if (name == "si") {
      current_.clear();
    } else if (name == "t") {
      ++in_t_;
    } else if (name == "rPh") {
      ++in_phonetic_;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") {
      bytes_ += current_.size();
      if (bytes_ <= max_bytes_) strings_.push_back(current_);
    } else if (name == "t") {
      --in_t_;
    } else if (name == "rPh") {
      --in_phonetic_;
    }
  }
  void Text(std::string_view text) override {
    if (in_t_ > 0 && in_phonetic_ == 0) current_.append(text);
  }

 private:
  std::vector<std::string>& strings_;
  const uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  std::string current_;
  int in_t_ = 0;
  int in_phonetic_ = 0;
};

// xl/worksheets/sheetN.xml: cells by row; t="s" values index the shared strings,
// inline strings are in <is>, other values (numbers, booleans, formula results) are
// the text of <v>.
class SheetHandler final : public XmlHandler {
 public:
  SheetHandler(TextBuilder& out, const std::vector<std::string>& shared)
      : out_(out), shared_(shared) {}

  void Start(std::string_view name, xmlTextReaderPtr reader) override {
    if (name == "c") {
      type_ = XmlAttribute(reader, "t");
      value_.clear();
    } else if (name == "v") {
      ++in_v_;
    } else if (name == "is") {
      ++in_inline_;
    } else if (name == "t") {
      ++in_t_;
    } else if (name == "rPh") {
      ++in_phonetic_;
    }
  }

  void End(std::string_view name) override {
    if (name == "c") {
      if (type_ == "s") {
        size_t index = 0;
        const auto [end, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), index);
        if (ec == std::errc() && end == value_.data() + value_.size() && index < shared_.size()) {
          out_.Append(shared_[index]);
        }
      } else {
        out_.Append(value_);
      }
      out_.Separator('\t');
    } else if (name == "row") {
      out_.Separator('\n');
    } else if (name == "v") {
      --in_v_;
    } else if (name == "is") {
      --in_inline_;
    } else if (name == "t") {
      --in_t_;
    } else if (name == "rPh") {
      --in_phonetic_;
    }
  }

  void Text(std::string_view text) override {
    if (in_v_ > 0 || (in_inline_ > 0 && in_t_ > 0 && in_phonetic_ == 0)) value_.append(text);
  }

 private:
  TextBuilder& out_;
  const std::vector<std::string>& shared_;
  std::string type_;
  std::string value_;
  int in_v_ = 0;
  int in_inline_ = 0;
  int in_t_ = 0;
  int in_phonetic_ = 0;
};

// ODF content.xml/styles.xml: text:p and text:h paragraphs (spans inside), text:s
// spaces, tabs, line breaks; table cells and rows.
class OdfTextHandler final : public XmlHandler {
 public:
  explicit OdfTextHandler(TextBuilder& out) : out_(out) {}

  void Start(std::string_view name, xmlTextReaderPtr reader) override {
    if (name == "p" || name == "h") {
      ++in_para_;
    } else if (in_para_ > 0 && name == "s") {
      unsigned count = 1;
      const std::string c = XmlAttribute(reader, "c");
      std::from_chars(c.data(), c.data() + c.size(), count);
      out_.Append(std::string(std::min(count, 1000u), ' '));
    } else if (in_para_ > 0 && name == "tab") {
      out_.Append("\t");
    } else if (in_para_ > 0 && name == "line-break") {
      out_.Append("\n");
    }
  }

  void End(std::string_view name) override {
    if (name == "p" || name == "h") {
      --in_para_;
      out_.Separator('\n');
    } else if (name == "table-cell" || name == "covered-table-cell") {
      out_.Separator('\t');
    } else if (name == "table-row") {
      out_.Separator('\n');
    }
  }

  void Text(std::string_view text) override {
    if (in_para_ > 0) out_.Append(text);
  }

 private:
  TextBuilder& out_;
  int in_para_ = 0;
};

// The text of one element (dcterms:created, meta:creation-date).
class ElementTextHandler final : public XmlHandler {
 public:
  explicit ElementTextHandler(std::string_view element) : element_(element) {}
  void Start(std::string_view name, xmlTextReaderPtr) override {
    if (name == element_ && !done_) inside_ = true;
  }
  void End(std::string_view name) override {
    if (name == element_ && inside_) {
      inside_ = false;
      done_ = true;
    }
  }
  void Text(std::string_view text) override {
    if (inside_ && value_.size() < 256) value_.append(text);
  }
  const std::string& value() const { return value_; }

 private:
  std::string_view element_;
  std::string value_;
  bool inside_ = false;
  bool done_ = false;
};

// META-INF/manifest.xml of an encrypted ODF package has manifest:encryption-data.
class ManifestHandler final : public XmlHandler {
 public:
  void Start(std::string_view name, xmlTextReaderPtr) override {
    if (name == "encryption-data") encrypted_ = true;
  }
  void End(std::string_view) override {}
  void Text(std::string_view) override {}
  bool encrypted() const { return encrypted_; }

 private:
  bool encrypted_ = false;
};

void ReadDate(Input& data, std::string_view element, Context& ctx, unsigned depth) {
  ElementTextHandler handler(element);
  const XmlResult r = WalkXml(data, handler, ctx, depth);
  NoteXmlResult(r, ctx);
  if (r != XmlResult::kOk) return;
  if (const auto t = ParseW3cDateTime(handler.value())) ctx.SetContentDate(depth, *t);
}

// Extracts one text part with `handler` writing to `out`.
void ReadTextPart(Input& data, XmlHandler& handler, TextBuilder& out, Context& ctx,
                  unsigned depth) {
  const XmlResult r = WalkXml(data, handler, ctx, depth);
  NoteXmlResult(r, ctx);
  out.Finish();
  ctx.EndOfStream();
}

bool CountMembers(const std::vector<std::string>& names, Context& ctx) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (!ctx.AddMember()) return false;
  }
  return true;
}

bool IsOoxmlTextPart(std::string_view n) {
  return PartIn(n, "word/", "document") || PartIn(n, "word/", "header") ||
         PartIn(n, "word/", "footer") || PartIn(n, "word/", "footnotes") ||
         PartIn(n, "word/", "endnotes") || PartIn(n, "word/", "comments") ||
         PartIn(n, "ppt/slides/", "slide") || PartIn(n, "ppt/notesSlides/", "notesSlide");
}

bool IsOoxmlEmbedding(std::string_view n) {
  return n.starts_with("word/embeddings/") || n.starts_with("xl/embeddings/") ||
         n.starts_with("ppt/embeddings/");
}

void ExtractOoxml(Input& in, const std::vector<std::string>& names, Context& ctx, unsigned depth) {
  Context::RatioFrame frame(ctx, depth);
  if (!CountMembers(names, ctx)) return;

  std::vector<std::string> shared;
  ForEachZipEntry(
      in, frame.consumed(), ctx, depth,
      [](std::string_view n) { return n == "docProps/core.xml" || n == "xl/sharedStrings.xml"; },
      [&](std::string_view n, Input& data) {
        if (n == "docProps/core.xml") {
          ReadDate(data, "created", ctx, depth);
        } else {
          SharedStringsHandler handler(shared, ctx.limits().max_member_bytes);
          NoteXmlResult(WalkXml(data, handler, ctx, depth), ctx);
        }
      });

  ForEachZipEntry(
      in, frame.consumed(), ctx, depth,
      [](std::string_view n) {
        return IsOoxmlTextPart(n) || PartIn(n, "xl/worksheets/", "sheet") || IsOoxmlEmbedding(n);
      },
      [&](std::string_view n, Input& data) {
        if (IsOoxmlEmbedding(n)) {
          Dispatch(data, n, nullptr, ctx, depth + 1);
          ctx.EndOfStream();
          ctx.Resume(depth);
          return;
        }
        TextBuilder out(ctx, depth);
        if (n.starts_with("xl/")) {
          SheetHandler handler(out, shared);
          ReadTextPart(data, handler, out, ctx, depth);
        } else {
          RunTextHandler handler(out);
          ReadTextPart(data, handler, out, ctx, depth);
        }
      });
}

void ExtractOdf(Input& in, const std::vector<std::string>& names, Context& ctx, unsigned depth) {
  Context::RatioFrame frame(ctx, depth);
  if (!CountMembers(names, ctx)) return;

  bool encrypted = false;
  ForEachZipEntry(
      in, frame.consumed(), ctx, depth,
      [](std::string_view n) { return n == "meta.xml" || n == "META-INF/manifest.xml"; },
      [&](std::string_view n, Input& data) {
        if (n == "meta.xml") {
          ReadDate(data, "creation-date", ctx, depth);
        } else {
          ManifestHandler handler;
          NoteXmlResult(WalkXml(data, handler, ctx, depth), ctx);
          encrypted = handler.encrypted();
        }
      });
  if (encrypted) {
    ctx.SetEncrypted();
    ctx.Note(kReasonEncrypted);
    return;
  }

  ForEachZipEntry(
      in, frame.consumed(), ctx, depth,
      [](std::string_view n) { return n == "content.xml" || n == "styles.xml"; },
      [&](std::string_view, Input& data) {
        TextBuilder out(ctx, depth);
        OdfTextHandler handler(out);
        ReadTextPart(data, handler, out, ctx, depth);
      });
}

}  // namespace

namespace {

// A ZIP in a seekable input: OOXML, ODF, or a plain archive.
void ExtractZipFamily(Input& in, std::string_view name, Context& ctx, unsigned depth) {
  const auto names = ListZipEntries(in, ctx.limits().max_entries + 1);
  if (names) {
    const auto has = [&](std::string_view n) {
      for (const std::string& s : *names) {
        if (s == n) return true;
      }
      return false;
    };
    if (has("[Content_Types].xml")) return ExtractOoxml(in, *names, ctx, depth);
    if (has("mimetype") && has("content.xml")) return ExtractOdf(in, *names, ctx, depth);
  }
  ExtractArchive(in, ArchiveFormat::kZip, name, ctx, depth);
}

}  // namespace

void ExtractZip(Input& in, std::string_view name, Context& ctx, unsigned depth) {
  if (in.seekable()) return ExtractZipFamily(in, name, ctx, depth);
  std::string storage;
  std::string_view bytes;
  if (!InMemory(in, ctx, depth, storage, bytes)) return;
  MemoryInput buffered(bytes);
  ExtractZipFamily(buffered, name, ctx, depth);
}

}  // namespace custos::extract
