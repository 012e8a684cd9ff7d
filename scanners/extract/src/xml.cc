#include "xml.h"

#include <memory>
#include <string>

namespace custos::extract {
namespace {

// Never XML_PARSE_NOENT (entity substitution), XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR,
// XML_PARSE_DTDVALID, XML_PARSE_XINCLUDE or XML_PARSE_HUGE (which lifts libxml2's
// limits on node sizes and depth).
constexpr int kXmlOptions =
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT;
constexpr size_t kPrologBytes = 4096;

struct ReaderFree {
  void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};
using ReaderPtr = std::unique_ptr<xmlTextReader, ReaderFree>;

void IgnoreXmlError(void*, xmlErrorPtr) {}

int ReadFromInput(void* context, char* buf, int len) {
  const ptrdiff_t got = static_cast<Input*>(context)->Read(buf, static_cast<size_t>(len));
  return got < 0 ? -1 : static_cast<int>(got);
}

std::string_view ToView(const xmlChar* s) {
  return s != nullptr ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

// True when the prolog (what precedes the root element) in `head` holds a markup
// declaration such as <!DOCTYPE, or does not end within `head`. OOXML (OPC) and ODF
// parts never carry a DTD, so one is taken as hostile (billion laughs, external
// entities). UTF-16 parts are checked on their ASCII projection.
bool PrologHasDtd(std::string_view head, bool whole) {
  std::string ascii;
  ascii.reserve(head.size());
  for (const char c : head) {
    if (c != 0) ascii.push_back(c);
  }
  std::string_view s(ascii);
  for (const std::string_view bom : {"\xEF\xBB\xBF", "\xFF\xFE", "\xFE\xFF"}) {
    if (s.substr(0, bom.size()) == bom) {
      s.remove_prefix(bom.size());
      break;
    }
  }
  for (;;) {
    while (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n')) {
      s.remove_prefix(1);
    }
    if (s.empty()) return !whole;
    if (s.substr(0, 2) == "<?") {
      const size_t end = s.find("?>");
      if (end == std::string_view::npos) return !whole;
      s.remove_prefix(end + 2);
    } else if (s.substr(0, 4) == "<!--") {
      const size_t end = s.find("-->");
      if (end == std::string_view::npos) return !whole;
      s.remove_prefix(end + 3);
    } else {
      return s.substr(0, 2) == "<!";  // <!DOCTYPE (or other markup before the root)
    }
  }
}

}  // namespace

XmlResult WalkXml(Input& in, XmlHandler& handler, Context& ctx, unsigned depth) {
  std::string head(kPrologBytes, '\0');
  const ptrdiff_t got = ReadUpTo(in, head.data(), head.size());
  if (got < 0) return XmlResult::kCorrupt;
  head.resize(static_cast<size_t>(got));
  if (ctx.Stopped(depth)) return XmlResult::kStopped;
  if (PrologHasDtd(head, head.size() < kPrologBytes)) return XmlResult::kDtd;

  PrefixInput source(head, in);
  ReaderPtr reader(
      xmlReaderForIO(&ReadFromInput, nullptr, &source, "part.xml", nullptr, kXmlOptions));
  if (!reader) return XmlResult::kCorrupt;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), &IgnoreXmlError, nullptr);

  int ret;
  unsigned nodes = 0;
  while ((ret = xmlTextReaderRead(reader.get())) == 1) {
    if ((++nodes & 255) == 0 && ctx.Stopped(depth)) return XmlResult::kStopped;
    switch (xmlTextReaderNodeType(reader.get())) {
      case XML_READER_TYPE_DOCUMENT_TYPE:
      case XML_READER_TYPE_ENTITY:
      case XML_READER_TYPE_ENTITY_REFERENCE:
        return XmlResult::kDtd;
      case XML_READER_TYPE_ELEMENT: {
        const std::string name(ToView(xmlTextReaderConstLocalName(reader.get())));
        const bool empty = xmlTextReaderIsEmptyElement(reader.get()) == 1;
        handler.Start(name, reader.get());
        if (empty) handler.End(name);
        break;
      }
      case XML_READER_TYPE_END_ELEMENT:
        handler.End(ToView(xmlTextReaderConstLocalName(reader.get())));
        break;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA:
      case XML_READER_TYPE_WHITESPACE:
      case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        handler.Text(ToView(xmlTextReaderConstValue(reader.get())));
        break;
      default:
        break;
    }
  }
  if (ctx.Stopped(depth)) return XmlResult::kStopped;
  return ret == 0 ? XmlResult::kOk : XmlResult::kCorrupt;
}

void NoteXmlResult(XmlResult result, Context& ctx) {
  if (result == XmlResult::kDtd) ctx.Note(kReasonDtd);
  if (result == XmlResult::kCorrupt) ctx.Note(kReasonXml);
}

std::string XmlAttribute(xmlTextReaderPtr reader, std::string_view local_name) {
  std::string value;
  if (xmlTextReaderMoveToFirstAttribute(reader) != 1) return value;
  do {
    if (ToView(xmlTextReaderConstLocalName(reader)) == local_name) {
      value = std::string(ToView(xmlTextReaderConstValue(reader)));
      break;
    }
  } while (xmlTextReaderMoveToNextAttribute(reader) == 1);
  xmlTextReaderMoveToElement(reader);
  return value;
}

}  // namespace custos::extract
