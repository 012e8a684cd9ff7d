// Streaming XML (libxml2's xmlTextReader) for the parts of office documents, with
// DTDs refused: no entity expansion, no external entities, no network.
#pragma once

#include <libxml/xmlreader.h>

#include <string>
#include <string_view>

#include "context.h"
#include "input.h"

namespace custos::extract {

// Receives the nodes of one XML part, by local name (prefixes vary between producers).
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view local_name, xmlTextReaderPtr reader) = 0;
  virtual void End(std::string_view local_name) = 0;
  // Character data (text, CDATA, whitespace), UTF-8.
  virtual void Text(std::string_view utf8) = 0;
};

enum class XmlResult {
  kOk,
  kStopped,  // ctx.Stopped(depth)
  kDtd,      // a DOCTYPE: refused before any content was parsed
  kCorrupt,  // not well-formed (or libxml2's own size limits)
};

// Parses the XML read from `in`. Stops at a DOCTYPE; never expands entities or loads
// anything. Does not note reasons: the caller does (NoteXmlResult).
XmlResult WalkXml(Input& in, XmlHandler& handler, Context& ctx, unsigned depth);

// Notes the reason of a result other than kOk/kStopped.
void NoteXmlResult(XmlResult result, Context& ctx);

// The value of attribute `local_name` of the current element ("" when absent).
std::string XmlAttribute(xmlTextReaderPtr reader, std::string_view local_name);

}  // namespace custos::extract
